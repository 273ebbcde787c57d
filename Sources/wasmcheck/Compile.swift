import ArgumentParser
import Foundation
import WasmJIT
import WasmRuntime

/// `wasmcheck compile`: compiles a module with the JIT and writes its
/// entry in the compiled-module cache (as `wasmtime compile` precompiles),
/// so the first `run` of it maps code instead of compiling.
struct Compile: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compile a module with the JIT into the compiled-module cache (or print its code).",
        discussion: """
            The entry is keyed by the module's hash, the engine's version, the target, the CPU's \
            features, the enabled features and whether code consumes fuel: compile with the same \
            --features and -W fuel as the runs that should use it. -o also writes the entry to a file. \
            --disassemble prints each function's code instead (x86-64 or, with --target aarch64, \
            AArch64; needs llvm-mc from llvm-15).
            """
    )

    @Argument(help: "The module (.wasm or .wat).") var file: String

    @Option(name: .customShort("o"), help: "Also write the serialized code to this file.")
    var output: String?

    @Option(name: .customShort("W", allowingJoined: true), help: "fuel=N: compile code that consumes fuel (the value is not used).")
    var wasmOptions: [String] = []

    @OptionGroup var features: FeatureOptions

    @Option(name: .customLong("cache"), help: "The cache directory (default: $XDG_CACHE_HOME/wasmcheck or ~/.cache/wasmcheck).")
    var directory: String?

    @Flag(help: "Print each function's machine code (llvm-mc's disassembly) instead of caching it.")
    var disassemble = false

    @Option(help: "With --disassemble: the backend, x86_64 or aarch64 (default: this machine's).")
    var target: String?

    func run() throws {
        let bytes = try loadModuleBytes(file)
        var configuration = EngineConfiguration()
        configuration.features = features.features
        for option in wasmOptions {
            guard option.hasPrefix("fuel=") else {
                throw ArgumentParser.ValidationError("unknown -W option \(option); supported: fuel=N")
            }
            configuration.consumesFuel = true
        }
        if disassemble {
            guard let target = target.map({ JITTarget(rawValue: $0) }) ?? JITTarget.host else {
                throw ArgumentParser.ValidationError("--target: x86_64 or aarch64")
            }
            try disassemble(bytes, configuration: configuration, target: target)
            return
        }
        if target != nil { throw ArgumentParser.ValidationError("--target goes with --disassemble") }
        guard let directory = directory ?? ModuleCache.defaultDirectory else {
            printError("Error: no cache directory: give one with --cache")
            throw ExitStatus.usage
        }
        let cache: ModuleCache
        do {
            cache = try ModuleCache(directory: directory)
        } catch {
            printError("Error: \(error)")
            throw ExitStatus.usage
        }
        let engine = Engine(configuration: configuration, tier: JIT(cache: cache))
        let module: WasmRuntime.Module
        do {
            module = try WasmRuntime.Module(engine: engine, bytes: bytes)
        } catch {
            printError("Error: failed to compile `\(file)`: \(error)")
            throw ExitStatus.failure
        }
        let statistics = cache.statistics
        guard statistics.writeFailures == 0, let path = cache.path(for: module) else {
            printError("Error: could not write the cache entry in \(directory)")
            throw ExitStatus.failure
        }
        print("\(file): \(statistics.hits > 0 ? "already cached" : "compiled") in \(path)")
        if let output {
            do {
                try? FileManager.default.removeItem(atPath: output)
                try FileManager.default.copyItem(atPath: path, toPath: output)
            } catch {
                printError("Error: cannot write \(output): \(error.localizedDescription)")
                throw ExitStatus.failure
            }
        }
    }
}
