import Foundation
import Testing
import WasmEngines
@testable import WasmScript

/// The conformance gate (issue "Done when"): against a stored baseline, the
/// correct engine passes; an engine with an injected fault fails, and the
/// comparison names exactly the assertions that regressed; a passing
/// directive that is skipped or gone fails it too, even when an improvement
/// in the same script keeps the number of passes level.
@Suite struct BaselineGateTests {
    /// Stores the baseline of a correct run, and reads it back as the gate
    /// does.
    func storedBaseline(_ scripts: TestScripts) throws -> Baseline {
        let baselinePath = scripts.path("interpreter-test.json")
        try Baseline(run: try scripts.run()).write(to: baselinePath)
        return try Baseline(contentsOf: baselinePath)
    }

    /// Runs the folder's scripts on the correct interpreter with a skip
    /// list.
    func run(_ scripts: TestScripts, skipList: String) throws -> [FileReport] {
        let runner = WastRunner(features: .all, skipList: try SkipList(parsing: skipList), makeEngine: { InProcessEngine.interpreter() })
        return WastSuite.run(WastSuite.collectFiles([scripts.folder]), runner: runner, jobs: 1)
    }

    @Test func correctEnginePassesItsOwnStoredBaseline() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        // The known failures are listed, the passes counted.
        #expect(stored.scripts["gate.wast"] == .init(passed: 4, failed: [
            .init(file: "gate.wast", line: 7, directive: "assert_return"), .init(file: "gate.wast", line: 10, directive: "assert_trap"),
        ]))
        #expect(stored.scripts["float.wast"] == .init(passed: 3))

        let comparison = stored.compare(try scripts.run().files)
        #expect(comparison.passed)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.passCountDrops.isEmpty)
        #expect(comparison.improvements.isEmpty)
        #expect(comparison.comparedFiles == 2)
    }

    @Test func injectedFaultFailsTheGateNamingTheRegressedAssertions() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)

        let faulty = try scripts.run(fault: .i32OffByOne)
        let comparison = stored.compare(faulty.files)
        #expect(!comparison.passed)
        // Exactly the one assertion whose i32 result the fault changes.
        #expect(comparison.regressions.map(\.key.description) == ["gate.wast:5:assert_return"])
        let regression = try #require(comparison.regressions.first)
        #expect(regression.result.expected == "(i32.const 3)")
        #expect(regression.result.actual == "(i32.const 4)")
        #expect(regression.path == scripts.path("gate.wast"))
        // The pass it lost is that failure: no second report for the count.
        #expect(comparison.passCountDrops.isEmpty)
        // 2 + 2 + 1 = 5: the broken engine "fixes" the wrong script, which
        // the gate reports as an improvement, not a failure.
        #expect(comparison.improvements.map(\.key.description) == ["gate.wast:7:assert_return"])

        let summary = comparison.summary(baselinePath: "interpreter-test.json")
        #expect(summary.contains("REGRESSION \(scripts.path("gate.wast")):5: assert_return (pass or new -> fail): wrong result"))
        #expect(summary.contains("expected: (i32.const 3)"))
        #expect(summary.contains("actual:   (i32.const 4)"))
        #expect(summary.contains("FAILED, 2 scripts compared, 1 regressions, 1 improvements"))
        #expect(!summary.contains("raise the baseline"))
    }

    @Test func everyAssertionOfABrokenEngineRegresses() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        let comparison = stored.compare(try scripts.run(fault: .trapOnCall).files)
        #expect(!comparison.passed)
        #expect(comparison.regressions.map(\.key.description) == [
            "float.wast:2:assert_return", "float.wast:3:assert_return",
            "gate.wast:5:assert_return", "gate.wast:8:assert_return", "gate.wast:9:assert_return",
        ])
    }

    @Test func aPassingDirectiveThatIsGoneFailsTheGateWithTheCounts() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        // Line 8 passed; it is now a comment. Nothing fails.
        var edited = gateScript
        edited[7] = ";; (assert_return (invoke \"half\") (f32.const 0.5))"
        try (edited.joined(separator: "\n") + "\n").write(toFile: scripts.path("gate.wast"), atomically: true, encoding: .utf8)

        let comparison = stored.compare(try scripts.run().files)
        #expect(!comparison.passed)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.passCountDrops == [.init(name: "gate.wast", path: scripts.path("gate.wast"), baselinePassed: 4,
                                                    passedNow: 3, improvements: 0, newFailures: 0)])
        let summary = comparison.summary(baselinePath: "b.json")
        #expect(summary.contains("REGRESSION \(scripts.path("gate.wast")): 4 directives passed in the baseline, 3 pass now: 1 that passed are skipped or no longer run"))
        #expect(summary.contains("1 scripts lost passing directives"))
    }

    @Test func anImprovementDoesNotHideALostPass() throws {
        let scripts = try TestScripts(["gate.wast": gateScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        // Line 7 is fixed (an improvement) and line 8, which passed, is
        // gone: the script still passes 4 directives, but only 3 of them
        // can be ones that passed before.
        var edited = gateScript
        edited[6] = "(assert_return (invoke \"add\" (i32.const 2) (i32.const 2)) (i32.const 4))"
        edited[7] = ""
        try (edited.joined(separator: "\n") + "\n").write(toFile: scripts.path("gate.wast"), atomically: true, encoding: .utf8)

        let comparison = stored.compare(try scripts.run().files)
        #expect(!comparison.passed)
        #expect(comparison.improvements.map(\.key.description) == ["gate.wast:7:assert_return"])
        let drop = try #require(comparison.passCountDrops.first)
        #expect((drop.baselinePassed, drop.passedNow, drop.improvements, drop.lost) == (4, 4, 1, 1))
    }

    @Test func aPassingDirectiveNowSkippedFailsTheGate() throws {
        let scripts = try TestScripts(["gate.wast": gateScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        let comparison = stored.compare(try run(scripts, skipList: "skip gate.wast:9 not supported yet"))
        #expect(!comparison.passed)
        #expect(comparison.regressions.isEmpty)
        #expect(comparison.newlySkipped.map(\.key.description) == ["gate.wast:9:assert_return"])
        #expect(comparison.passCountDrops.map(\.lost) == [1])

        // The baseline takes the skip when updated; then the gate passes.
        let updated = stored.updated(with: try run(scripts, skipList: "skip gate.wast:9 not supported yet"))
        #expect(updated.scripts["gate.wast"]?.skipped == [.init(file: "gate.wast", line: 9, directive: "assert_return")])
        #expect(updated.compare(try run(scripts, skipList: "skip gate.wast:9 not supported yet")).passed)
        // A skipped directive that runs again and passes is an improvement;
        // one that fails is a regression (the baseline lists it as skipped,
        // not failing).
        let unskipped = updated.compare(try scripts.run().files)
        #expect(unskipped.passed)
        #expect(unskipped.summary(baselinePath: "b.json").hasSuffix("passed, 1 scripts compared, 0 regressions, 1 improvements; raise the baseline with --update-baseline"))
        #expect(unskipped.improvements.map(\.key.description) == ["gate.wast:9:assert_return"])
        let xpass = updated.compare(try run(scripts, skipList: "xfail gate.wast:9 thought to fail"))
        #expect(!xpass.passed)
        #expect(xpass.regressions.map(\.description) == ["\(scripts.path("gate.wast")):9: assert_return (skip -> fail): \(try #require(xpass.regressions.first?.result.outcome.reason))"])
    }

    @Test func aScriptThatNoLongerParsesFailsTheGate() throws {
        let scripts = try TestScripts(["gate.wast": gateScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        try ("(module" + "\n").write(toFile: scripts.path("gate.wast"), atomically: true, encoding: .utf8)
        let comparison = stored.compare(try scripts.run().files)
        #expect(!comparison.passed)
        #expect(comparison.regressions.map(\.key.description) == ["gate.wast:0:file"])
        #expect(comparison.passCountDrops.map(\.description) == [
            "\(scripts.path("gate.wast")): 4 directives passed in the baseline, 0 pass now, 1 fail (above): 3 that passed are skipped or no longer run",
        ])
    }

    @Test func aNewScriptGatesItsFailures() throws {
        let scripts = try TestScripts(["float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        try (gateScript.joined(separator: "\n") + "\n").write(toFile: scripts.path("gate.wast"), atomically: true, encoding: .utf8)
        let comparison = stored.compare(try scripts.run().files)
        #expect(comparison.newScripts == [scripts.path("gate.wast")])
        #expect(!comparison.passed)
        #expect(comparison.regressions.map(\.description) == [
            "\(scripts.path("gate.wast")):7: assert_return (new -> fail): wrong result",
            "\(scripts.path("gate.wast")):10: assert_trap (new -> fail): \(try #require(comparison.regressions.last?.result.outcome.reason))",
        ])
        // Once the baseline has it, its failures are known ones.
        #expect(stored.updated(with: try scripts.run().files).compare(try scripts.run().files).passed)
    }

    @Test func scriptsOutsideTheRunAreNotCompared() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "float.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        let onlyFloat = try scripts.run().files.filter { $0.name == "float.wast" }
        let comparison = stored.compare(onlyFloat)
        #expect(comparison.passed)
        #expect(comparison.notRun == ["gate.wast"])
        #expect(comparison.comparedFiles == 1)

        // A merged run must be whole: there, a missing script with passing
        // directives fails the gate (a lost shard).
        let whole = stored.compare(onlyFloat, requireAll: true)
        #expect(!whole.passed)
        #expect(whole.regressions.isEmpty)
        #expect(whole.missingScripts == [.init(name: "gate.wast", passing: 4)])
        #expect(whole.summary(baselinePath: "b.json").contains("MISSING    gate.wast: not in the reports; 4 directives passed in the baseline"))
    }

    @Test func aScriptRunFromASubfolderFindsItsBaselineEntries() throws {
        let scripts = try TestScripts(["legacy/gate.wast": gateScript, "gate.wast": floatScript])
        defer { scripts.remove() }
        let stored = try storedBaseline(scripts)
        #expect(stored.files == ["legacy/gate.wast", "gate.wast"])

        let runner = WastRunner(features: .all, makeEngine: { InProcessEngine.interpreter(fault: .i32OffByOne) })
        let files = WastSuite.collectFiles([scripts.path("legacy")])
        #expect(files.map(\.name) == ["legacy/gate.wast"])
        let comparison = stored.compare(WastSuite.run(files, runner: runner, jobs: 1))
        #expect(comparison.regressions.map(\.key.description) == ["legacy/gate.wast:5:assert_return"])
        #expect(comparison.newScripts.isEmpty)

        // Reports named by their full path find the longest tail the
        // baseline knows, not the root's `gate.wast`.
        let byPath = WastSuite.run([scripts.path("legacy/gate.wast")], runner: runner, jobs: 1)
        #expect(byPath.map(\.name) == [scripts.path("legacy/gate.wast")])
        #expect(stored.compare(byPath).regressions.map(\.key.description) == ["legacy/gate.wast:5:assert_return"])
    }
}
