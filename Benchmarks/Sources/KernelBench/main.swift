import Foundation

/// Runs each kernel's `run` export in wasmcheck's interpreter and in WasmKit, in
/// this one process, and prints JSON: {engine: {kernel: [checksum, best seconds]}}.
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

var results: [String: [String: [Double]]] = ["wasmcheck": [:], "wasmkit": [:]]
for path in arguments {
    let name = URL(fileURLWithPath: path).deletingPathExtension().lastPathComponent
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    let ours = try WasmCheckKernel(bytes: bytes)
    let (a, ta) = try bestOf(repeatCount) { try ours.run() }
    results["wasmcheck"]![name] = [Double(a), ta]
    let theirs = try WasmKitKernel(bytes: bytes)
    let (b, tb) = try bestOf(repeatCount) { try theirs.run() }
    results["wasmkit"]![name] = [Double(b), tb]
}
let json = try JSONSerialization.data(withJSONObject: results, options: [.sortedKeys])
print(String(decoding: json, as: UTF8.self))
