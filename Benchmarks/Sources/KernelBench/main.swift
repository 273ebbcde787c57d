import Foundation
import WasmInterpreter
import WasmJIT
import WasmRuntime

/// Runs each kernel's `run` export in wasmcheck's interpreter and JIT and in
/// WasmKit, in this one process, and prints JSON:
/// {engine: {kernel: [checksum, best seconds, compile seconds]}}.
/// Instantiation is not timed; the best of `--repeat` calls is reported.
var arguments = Array(CommandLine.arguments.dropFirst())
var repeatCount = 3
if let i = arguments.firstIndex(of: "--repeat"), i + 1 < arguments.count {
    repeatCount = Int(arguments[i + 1]) ?? 3
    arguments.removeSubrange(i...(i + 1))
}

func bestOf(_ n: Int, _ body: () throws -> UInt32) rethrows -> (UInt32, Double) {
    var best = Double.infinity
    var result: UInt32 = 0
    for _ in 0..<n {
        let start = DispatchTime.now().uptimeNanoseconds
        result = try body()
        best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return (result, best)
}

/// `--compile FILES`: only compile, in each tier (best of `--repeat`):
/// {engine: {file: [ok (1/0), best seconds]}}. `--only wasmcheck-jit` (or
/// `wasmcheck`) compiles in that tier alone, for a profiler.
if let i = arguments.firstIndex(of: "--compile") {
    arguments.remove(at: i)
    var only: String?
    if let j = arguments.firstIndex(of: "--only"), j + 1 < arguments.count {
        only = arguments[j + 1]
        arguments.removeSubrange(j...(j + 1))
    }
    let tiers = [("wasmcheck", Interpreter() as any ExecutionTier), ("wasmcheck-jit", JIT())].filter { only == nil || $0.0 == only }
    var compiled: [String: [String: [Double]]] = Dictionary(uniqueKeysWithValues: tiers.map { ($0.0, [:]) })
    for path in arguments {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        for (engine, tier) in tiers {
            var best = Double.infinity
            var ok = 1.0
            for _ in 0..<repeatCount {
                let start = DispatchTime.now().uptimeNanoseconds
                do { _ = try Module(engine: Engine(tier: tier), bytes: bytes) } catch { ok = 0 }
                best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            }
            compiled[engine]![path] = [ok, best]
        }
    }
    let json = try JSONSerialization.data(withJSONObject: compiled, options: [.sortedKeys])
    print(String(decoding: json, as: UTF8.self))
    exit(0)
}

var results: [String: [String: [Double]]] = ["wasmcheck": [:], "wasmcheck-jit": [:], "wasmkit": [:]]
for path in arguments {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    for (engine, tier) in [("wasmcheck", Interpreter() as any ExecutionTier), ("wasmcheck-jit", JIT())] {
        let ours = try WasmCheckKernel(bytes: bytes, tier: tier)
        let (a, ta) = try bestOf(repeatCount) { try ours.run() }
        results[engine]![name] = [Double(a), ta, ours.compileSeconds]
    }
    let theirs = try WasmKitKernel(bytes: bytes)
    let (b, tb) = try bestOf(repeatCount) { try theirs.run() }
    results["wasmkit"]![name] = [Double(b), tb]
}
let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
