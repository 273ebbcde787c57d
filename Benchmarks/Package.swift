// swift-tools-version: 6.3
import PackageDescription

/// Side-by-side benchmarks of wasmcheck's interpreter and JIT against WasmKit 0.4.2, in one process.
/// A separate package so the main package (and CI) never builds WasmKit.
/// Run through Benchmarks/run.py, which adds wasm3, wasmtime and native C to the same table.
let package = Package(
    name: "wasmcheck-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "wasmcheck", path: ".."),
        .package(url: "https://github.com/swiftwasm/WasmKit", exact: "0.4.2"),
    ],
    targets: [
        .executableTarget(
            name: "KernelBench",
            dependencies: [
                .product(name: "WasmKit", package: "WasmKit"),
                .product(name: "WasmRuntime", package: "wasmcheck"),
                .product(name: "WasmInterpreter", package: "wasmcheck"),
                .product(name: "WasmJIT", package: "wasmcheck"),
            ]
        ),
    ]
)
