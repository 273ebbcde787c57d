import Foundation
import Testing
import WasmEngines
@testable import WasmFuzz

/// A crash of an in-process engine takes the fuzzer's process down with
/// it; the case it was running must not be lost (a libFuzzer crash-
/// artifact): each job keeps it in `<findings>/in-flight/`, and the next
/// run stores what it finds there as a crash finding.
@Suite("The running case survives a crash")
struct InFlightCaseTests {
    @Test func aCaseLeftInFlightBecomesACrashFinding() throws {
        let findings = scratchDirectory()
        try FileManager.default.createDirectory(atPath: findings + "/in-flight", withIntermediateDirectories: true)
        let bytes = try wasm("(module (func (export \"f\") (result i32) (i32.const 7)))")
        try Data(bytes).write(to: URL(fileURLWithPath: findings + "/in-flight/job-0.wasm"))

        let environment = EngineSpec.Environment(selfCommand: [], wasmtimeScript: nil)
        var options = FuzzOptions(engines: [try EngineSpec.parse("interp", environment: environment),
                                            try EngineSpec.parse("jit", environment: environment)])
        options.runs = 5
        options.seed = 1
        options.findings = findings
        _ = try Fuzzer(options: options) { _ in }.run()

        let crashes = try FileManager.default.contentsOfDirectory(atPath: findings + "/crash").filter { $0.hasSuffix(".wasm") }
        #expect(crashes.count == 1)
        let stored = try StoredCase(path: findings + "/crash/" + crashes[0])
        #expect(stored.bytes == bytes)
        #expect(stored.record?.finding.kind == .crash)
        // A run that ends normally leaves nothing in flight.
        let left = try FileManager.default.contentsOfDirectory(atPath: findings + "/in-flight")
        #expect(left.isEmpty)
    }
}
