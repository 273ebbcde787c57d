import Foundation
import Testing
import WasmEngines
@testable import WasmFuzz

/// The `wasmcheck` executable beside the tests (`swift build` builds it).
let wasmcheckExecutable: String? = {
    let candidates = [ProcessInfo.processInfo.environment["WASMCHECK"], repositoryRoot + "/.build/debug/wasmcheck"].compactMap { $0 }
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

/// A memory-unsafe tier must not end the run: with `--fork`, in-process
/// engines run in `wasmcheck serve` children, so a wild read is a stored
/// crash finding, the child is restarted, and `repro` reproduces it.
@Suite("A crashing tier is a finding, and the run goes on")
struct ForkedFuzzingTests {
    static let environment = EngineSpec.Environment(selfCommand: [wasmcheckExecutable ?? "wasmcheck"], wasmtimeScript: nil)

    @Test func isolationRunsInProcessTiersInServeChildren() throws {
        let spec = try EngineSpec.parse("interp!wild-read", environment: Self.environment).isolated(environment: Self.environment)
        guard case .process(let command) = spec.kind else {
            Issue.record("not isolated: \(spec.kind)")
            return
        }
        #expect(command.suffix(5) == ["serve", "--tier", "interpreter", "--inject-fault", "wild-read"])
        #expect(spec.name == "interp!wild-read")
        let jit = try EngineSpec.parse("jit", environment: Self.environment).isolated(environment: Self.environment)
        guard case .process(let jitCommand) = jit.kind else {
            Issue.record("not isolated: \(jit.kind)")
            return
        }
        #expect(jitCommand.suffix(3) == ["serve", "--tier", "jit"])
        #expect(jit.canonicalName == "jit")
    }

    @Test func theWildReadIsOnlyTheInterpreters() {
        #expect(throws: EngineSpec.ParseError.self) { try EngineSpec.parse("jit!wild-read", environment: Self.environment) }
    }

    @Test(.enabled(if: wasmcheckExecutable != nil, "needs .build/debug/wasmcheck (swift build)"))
    func aWildReadIsAStoredCrashFindingThatReproduces() throws {
        let specs = try EngineSpec.parseList("interp,interp!wild-read", environment: Self.environment)
            .map { $0.isolated(environment: Self.environment) }
        var options = FuzzOptions(engines: specs)
        options.runs = 80
        options.seed = 2
        options.findings = scratchDirectory()
        let summary = try Fuzzer(options: options) { _ in }.run()
        // Every case ran: the crash did not end the run.
        #expect(summary.cases == 80)
        #expect(summary.restarts["interp!wild-read", default: 0] > 0)
        let crash = try #require(summary.stored.first { $0.contains("/crash/") }, "no crash finding among \(summary.stored)")
        let stored = try StoredCase(path: crash)
        let record = try #require(stored.record)
        #expect(record.finding.detail.contains("signal 11") || record.finding.detail.contains("signal 7"))

        // `repro` replays it in children too (a crash record always is).
        let oracle = DifferentialOracle(engines: specs.map { $0.make() })
        let again = oracle.run(stored.fuzzCase()).verdict.finding
        #expect(again?.kind == .crash)
        #expect(again?.signature == record.finding.signature)
    }
}
