import Foundation
import Testing
import WasmEngines
@testable import WasmScript

/// JSON reports: every directive with its outcome, values and time, read
/// back unchanged; shard reports merge into the whole run.
@Suite struct ReportMergingTests {
    @Test func jsonReportCarriesEveryDirectiveAndReadsBack() throws {
        let scripts = try TestScripts(["gate.wast": gateScript, "simd_x.wast": floatScript])
        defer { scripts.remove() }
        let report = ConformanceReport(runs: [try scripts.run()])
        let data = try report.jsonData()
        #expect(try ConformanceReport(jsonData: data) == report)

        let object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == ConformanceReport.schemaVersion)
        let run = try #require((object["runs"] as? [[String: Any]])?.first)
        #expect(run["engine"] as? String == "interpreter")
        let groups = try #require(run["groups"] as? [[String: Any]])
        #expect(groups.map { $0["id"] as? String } == ["mvp", "simd"])
        let gate = try #require((run["files"] as? [[String: Any]])?.first { $0["name"] as? String == "gate.wast" })
        let failure = try #require((gate["results"] as? [[String: Any]])?.first { $0["line"] as? Int == 7 })
        #expect(failure["directive"] as? String == "assert_return")
        #expect(failure["outcome"] as? String == "fail")
        #expect(failure["reason"] as? String == "wrong result")
        #expect(failure["expected"] as? String == "(i32.const 5)")
        #expect(failure["actual"] as? String == "(i32.const 4)")
        #expect(failure["seconds"] is Double)
    }

    @Test func shardsMergeIntoTheWholeRun() throws {
        let scripts = try TestScripts(["a.wast": floatScript, "b.wast": gateScript, "c.wast": floatScript])
        defer { scripts.remove() }
        let whole = try scripts.run()
        let all = WastSuite.collectFiles([scripts.folder])
        let runner = WastRunner(features: .all, makeEngine: { InProcessEngine.interpreter() })
        var shards: [ConformanceReport] = []
        for index in 1...2 {
            let shard = try #require(Shard(index: index, count: 2))
            let files = WastSuite.run(shard.select(all), runner: runner, jobs: 1)
            shards.append(ConformanceReport(runs: [ConformanceRun(engine: "interpreter", suite: "test-suite", features: "all",
                                                                  shards: [shard.description], seconds: 1, files: files)]))
        }
        // Through JSON, in the order a CI job might download them.
        let read = try shards.reversed().map { try ConformanceReport(jsonData: try $0.jsonData()) }
        let merged = try ConformanceReport.merging(read)
        #expect(merged.runs.count == 1)
        let run = merged.runs[0]
        #expect(run.shards == ["1/2", "2/2"])
        #expect(run.files.map(\.name) == ["a.wast", "b.wast", "c.wast"])
        #expect(run.counts == whole.counts)
        #expect(run.seconds == 2)
        #expect(Baseline(run: run) == Baseline(run: whole))
    }

    @Test func differentEnginesStaySideBySide() throws {
        let a = ConformanceRun(engine: "interpreter", suite: "s", features: "all", files: [FileReport(path: "x.wast")])
        let b = ConformanceRun(engine: "jit", suite: "s", features: "all", files: [FileReport(path: "x.wast")])
        let merged = try ConformanceReport.merging([ConformanceReport(runs: [a]), ConformanceReport(runs: [b])])
        #expect(merged.runs.map(\.engine) == ["interpreter", "jit"])
    }

    @Test func overlappingShardsAreAnError() {
        let a = ConformanceRun(engine: "interpreter", suite: "s", features: "all", shards: ["1/2"], files: [FileReport(path: "x.wast")])
        let b = ConformanceRun(engine: "interpreter", suite: "s", features: "all", shards: ["2/2"], files: [FileReport(path: "x.wast")])
        #expect(throws: ReportError.self) { try ConformanceReport.merging([ConformanceReport(runs: [a]), ConformanceReport(runs: [b])]) }
    }

    @Test func refusesNewerSchemasAndNonReports() {
        #expect(throws: ReportError.self) { try ConformanceReport(jsonData: Data(#"{"schemaVersion": 99, "runs": []}"#.utf8)) }
        #expect(throws: ReportError.self) { try ConformanceReport(jsonData: Data("[1, 2]".utf8)) }
        #expect(throws: ReportError.self) { try ConformanceReport(contentsOf: "/nonexistent/report.json") }
    }
}
