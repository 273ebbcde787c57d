import Foundation
import Testing
import WasmGenerator
import WasmEngines
@testable import WasmFuzz

/// The fuzzer's self-test (ci/fuzz.sh runs it too): with one planted bug, the fuzzer finds a
/// divergence within 60 seconds, and the case reduces to a module under
/// 300 bytes that still shows it.
@Suite("The fuzzer finds planted bugs", .serialized)
struct PlantedFaultTests {
    /// The seed each fault is found at, as in ci/fuzz.sh: wrapper faults
    /// (around calls), faults inside operations, and a validator hole only
    /// byte-flipped modules reach.
    static let seeds: [InjectedFault: UInt64] = [
        .integerOp: 2, .nanBits: 1, .memoryBound: 1, .trapKind: 1, .validator: 2,
        .promoteNaN: 4, .truncBoundary: 2, .laneSaturation: 13, .validatorAlignment: 1,
    ]

    /// The memory-unsafe fault would take this process down: ForkedFuzzingTests runs it in children.
    @Test(arguments: InjectedFault.allCases.filter { !$0.isMemoryUnsafe })
    func findsAndReduces(_ fault: InjectedFault) throws {
        let environment = EngineSpec.Environment(selfCommand: [], wasmtimeScript: nil)
        let specs = [try EngineSpec.parse("interp", environment: environment),
                     try EngineSpec.parse("interp!\(fault.rawValue)", environment: environment)]
        var options = FuzzOptions(engines: specs)
        options.time = 60
        options.seed = Self.seeds[fault] ?? 2025
        options.stopAfterFindings = 1
        options.findings = scratchDirectory()
        let start = Date()
        let summary = try Fuzzer(options: options) { _ in }.run()
        let elapsed = Date().timeIntervalSince(start)
        try #require(summary.stored.count == 1, "no finding in \(Int(elapsed)) s")
        #expect(elapsed < 60)

        let stored = try StoredCase(path: summary.stored[0])
        let record = try #require(stored.record)
        let oracle = DifferentialOracle(engines: specs.map { $0.make() })
        let template = stored.fuzzCase()
        #expect(oracle.run(template).verdict.finding?.signature == record.finding.signature)
        var reducer = Reducer(validateWith: Reproduction.validationFeatures(for: stored.bytes), deadline: Date(timeIntervalSinceNow: 120))
        reducer.log = nil
        let result = reducer.reduce(stored.bytes, while: Reproduction.predicate(oracle: oracle, template: template, signature: record.finding.signature))
        print("\(fault.rawValue): found after \(summary.cases) cases in \(String(format: "%.1f", elapsed)) s; \(stored.bytes.count) -> \(result.bytes.count) bytes")
        #expect(result.bytes.count < 300)
        var reduced = template
        reduced.bytes = result.bytes
        reduced.module = nil
        #expect(oracle.run(FuzzCase(bytes: result.bytes, expectation: template.expectation, argumentSeed: template.argumentSeed,
                                    strictNaNs: template.strictNaNs)).verdict.finding?.signature == record.finding.signature)
    }
}
