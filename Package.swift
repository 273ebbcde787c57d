// swift-tools-version: 6.1
import PackageDescription

/// Layering (docs/architecture.md): dependencies only point down this list.
/// Syntax <- Binary <- Text, Validation <- Runtime <- tiers <- Script <- CLI
let package = Package(
    name: "wasmcheck",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "wasmcheck", targets: ["wasmcheck"]),
        .executable(name: "wasmcheck-agent", targets: ["wasmcheck-agent"]),
        .library(name: "WasmRuntime", targets: ["WasmRuntime"]),
        .library(name: "WasmInterpreter", targets: ["WasmInterpreter"]),
        .library(name: "WasmJIT", targets: ["WasmJIT"]),
        .library(name: "WasmText", targets: ["WasmText"]),
        .library(name: "WasmScript", targets: ["WasmScript"]),
        .library(name: "WasmEngines", targets: ["WasmEngines"]),
        .library(name: "WasmWASI", targets: ["WasmWASI"]),
        .library(name: "WasmPlugins", targets: ["WasmPlugins"]),
        .executable(name: "wasmcheck-embedding-example", targets: ["wasmcheck-embedding-example"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        .target(name: "WasmSyntax"),
        .target(name: "WasmBinary", dependencies: ["WasmSyntax"]),
        .target(name: "WasmText", dependencies: ["WasmSyntax", "WasmBinary"]),
        .target(name: "WasmValidation", dependencies: ["WasmSyntax", "WasmBinary"]),
        /// The raw layout every tier runs on (the vmctx), described once in C.
        .target(name: "CWasmVM"),
        /// C main(): runs JIT code in its own process, for the host or (built by
        /// ci/build-agent.sh) for AArch64 under qemu-user (docs/agent-protocol.md).
        .executableTarget(name: "wasmcheck-agent", dependencies: ["CWasmVM"]),
        .target(name: "WasmRuntime", dependencies: ["WasmSyntax", "WasmBinary", "WasmValidation", "CWasmVM"]),
        /// The interpreter's hot loop in C (computed-goto dispatch, see Executor.c).
        .target(name: "CWasmInterpreter", dependencies: ["CWasmVM"], cSettings: [.unsafeFlags(["-fno-math-errno"])]),
        .target(
            name: "WasmInterpreter",
            dependencies: ["WasmSyntax", "WasmBinary", "WasmValidation", "WasmRuntime", "CWasmInterpreter"],
            swiftSettings: [.unsafeFlags(["-enforce-exclusivity=unchecked"])]
        ),
        /// The single-pass JIT tier: frontend, MacroAssembler, the x86-64 backend.
        .target(name: "WasmJIT", dependencies: ["WasmSyntax", "WasmBinary", "WasmValidation", "WasmRuntime", "CWasmVM", "CZlib"]),
        /// The system's zlib, for the compiled-module cache (ModuleCache).
        .systemLibrary(name: "CZlib", pkgConfig: "zlib"),
        /// The system's libffi, for native plugins (WasmPlugins).
        .systemLibrary(name: "CFFI", pkgConfig: "libffi"),
        /// Host functions from shared libraries named in a manifest, called through libffi.
        .target(name: "WasmPlugins", dependencies: ["WasmRuntime", "WasmSyntax", "CFFI"]),
        /// The README's "Embedding" example, built so that it cannot rot.
        .executableTarget(
            name: "wasmcheck-embedding-example",
            dependencies: ["WasmRuntime", "WasmJIT", "WasmWASI", "WasmPlugins", "WasmSyntax", "WasmText", "WasmBinary"],
            path: "Examples/Embedding"
        ),
        /// WASI preview 1 (`wasi_snapshot_preview1`) as host functions of the embedding API.
        /// (Not `WASI`: WasmKit, which Benchmarks/ builds beside us, has a target of that name.)
        .target(name: "WasmWASI", dependencies: ["WasmRuntime", "WasmSyntax"]),
        .target(name: "WasmGenerator", dependencies: ["WasmSyntax", "WasmBinary", "WasmValidation"]),
        /// Every engine behind one protocol (in-process tiers, `serve`, adapters
        /// over the wire protocol), and the one catalog of engine names.
        .target(name: "WasmEngines", dependencies: ["WasmSyntax", "WasmBinary", "WasmRuntime", "WasmInterpreter", "WasmJIT"]),
        .target(
            name: "WasmFuzz",
            dependencies: ["WasmSyntax", "WasmBinary", "WasmValidation", "WasmRuntime", "WasmEngines", "WasmGenerator"]
        ),
        .target(name: "WasmScript", dependencies: ["WasmSyntax", "WasmBinary", "WasmText", "WasmValidation", "WasmRuntime", "WasmEngines"]),
        .executableTarget(
            name: "wasmcheck",
            dependencies: ["WasmScript", "WasmEngines", "WasmGenerator", "WasmFuzz", "WasmWASI", "WasmPlugins", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "WasmSyntaxTests", dependencies: ["WasmSyntax"]),
        .testTarget(name: "WasmBinaryTests", dependencies: ["WasmBinary"]),
        .testTarget(name: "WasmTextTests", dependencies: ["WasmText", "WasmBinary"]),
        .testTarget(name: "WasmValidationTests", dependencies: ["WasmValidation", "WasmText"]),
        .testTarget(name: "WasmRuntimeTests", dependencies: ["WasmRuntime", "CWasmVM", "WasmInterpreter", "WasmText"]),
        .testTarget(name: "WasmInterpreterTests", dependencies: ["WasmInterpreter", "WasmText"]),
        /// WebAssembly semantics, run on every in-process tier (TestTier.swift).
        .testTarget(name: "WasmExecutionTests", dependencies: ["WasmRuntime", "WasmInterpreter", "WasmJIT", "WasmText", "WasmBinary"]),
        /// Encoders checked against llvm-mc; the JIT's own limits.
        .testTarget(name: "WasmJITTests", dependencies: ["WasmJIT", "WasmRuntime", "WasmText", "WasmBinary"]),
        .testTarget(name: "WasmScriptTests", dependencies: ["WasmScript", "WasmEngines"]),
        .testTarget(name: "WasmEnginesTests", dependencies: ["WasmEngines", "WasmRuntime", "WasmText", "WasmBinary"]),
        .testTarget(name: "WasmFuzzTests", dependencies: ["WasmFuzz", "WasmEngines", "WasmGenerator", "WasmRuntime", "WasmInterpreter", "WasmBinary", "WasmText"]),
        .testTarget(name: "WasmWASITests", dependencies: ["WasmWASI", "WasmRuntime", "WasmInterpreter", "WasmJIT", "WasmText", "WasmBinary"]),
        /// The compiled-module cache, native plugins and the embedding example.
        .testTarget(name: "EmbeddingTests", dependencies: ["WasmJIT", "WasmRuntime", "WasmInterpreter", "WasmPlugins", "WasmWASI", "WasmText", "WasmBinary"]),
        .testTarget(name: "WasmGeneratorTests", dependencies: ["WasmGenerator", "WasmValidation", "WasmBinary", "WasmText", "WasmRuntime", "WasmInterpreter"]),
    ]
)
