import Foundation
import Testing
@testable import WasmScript

/// The baseline file: per script a passed count and the sorted keys of what
/// did not pass (`line:directive` within the script), one a line; read back unchanged, written atomically,
/// updated only for the scripts a run included.
@Suite struct BaselineFileFormatTests {
    func sample() -> Baseline {
        var b = Baseline(engine: "interpreter", suite: "wasm-2.0", features: "wasm2")
        b.scripts["b.wast"] = .init(passed: 7, failed: [.init(file: "b.wast", line: 1000, directive: "assert_trap"),
                                                        .init(file: "b.wast", line: 999, directive: "assert_return")])
        b.scripts["a.wast"] = .init(passed: 2, skipped: [.init(file: "a.wast", line: 3, directive: "module", occurrence: 2)])
        b.scripts["c.wast"] = .init(passed: 310)
        b.scripts["proposals/x/c.wast"] = .init(passed: 0, failed: [.init(file: "proposals/x/c.wast", line: 12, directive: "assert_invalid")],
                                                skipped: [.init(file: "proposals/x/c.wast", line: 3, directive: "module")])
        return b
    }

    @Test func encodesOneScriptALineWithTheKeysOfWhatDidNotPassSortedByLine() {
        let lines = sample().encoded().split(separator: "\n").map(String.init)
        #expect(lines == [
            "{",
            "  \"schemaVersion\": 2,",
            "  \"engine\": \"interpreter\",",
            "  \"suite\": \"wasm-2.0\",",
            "  \"features\": \"wasm2\",",
            "  \"counts\": {\"pass\": 319, \"fail\": 3, \"skip\": 2},",
            "  \"scripts\": {",
            "    \"a.wast\": {\"pass\": 2,",
            "      \"skip\": [",
            "        \"3:module#2\"",
            "      ]},",
            "    \"b.wast\": {\"pass\": 7,",
            "      \"fail\": [",
            "        \"999:assert_return\",",
            "        \"1000:assert_trap\"",
            "      ]},",
            "    \"c.wast\": {\"pass\": 310},",
            "    \"proposals/x/c.wast\": {\"pass\": 0,",
            "      \"fail\": [",
            "        \"12:assert_invalid\"",
            "      ],",
            "      \"skip\": [",
            "        \"3:module\"",
            "      ]}",
            "  }",
            "}",
        ])
    }

    @Test func aRunThatPassesIsAFewBytesPerScript() throws {
        let results = (1...5000).map { DirectiveResult(line: $0, directive: "assert_return", outcome: .passed) }
        let run = ConformanceRun(engine: "interpreter", suite: "s", features: "wasm2",
                                 files: [FileReport(path: "x/big.wast", results: results, name: "big.wast")])
        let text = Baseline(run: run).encoded()
        #expect(text.contains("\"big.wast\": {\"pass\": 5000}"))
        #expect(text.utf8.count < 250)
    }

    @Test func aRunBecomesCountsAndTheKeysOfFailuresAndSkips() throws {
        let run = ConformanceRun(engine: "interpreter", suite: "s", features: "wasm2", files: [
            FileReport(path: "suite/a.wast", results: [
                DirectiveResult(line: 1, directive: "module", outcome: .passed),
                DirectiveResult(line: 2, directive: "assert_return", outcome: .failed("wrong")),
                DirectiveResult(line: 2, directive: "assert_return", outcome: .passed),
                DirectiveResult(line: 2, directive: "assert_return", outcome: .unexpectedPass("passes")),
                DirectiveResult(line: 3, directive: "assert_trap", outcome: .skipped("listed")),
                DirectiveResult(line: 4, directive: "assert_trap", outcome: .expectedFailure("listed")),
            ], name: "a.wast"),
            FileReport(path: "suite/broken.wast", error: "unexpected end", name: "broken.wast"),
        ])
        let baseline = Baseline(run: run)
        #expect(baseline.scripts["a.wast"] == .init(
            passed: 2,
            failed: [.init(file: "a.wast", line: 2, directive: "assert_return"),
                     .init(file: "a.wast", line: 2, directive: "assert_return", occurrence: 3)],
            skipped: [.init(file: "a.wast", line: 3, directive: "assert_trap"), .init(file: "a.wast", line: 4, directive: "assert_trap")]))
        // A script that cannot run is one failure at line 0.
        #expect(baseline.scripts["broken.wast"] == .init(passed: 0, failed: [.init(file: "broken.wast", line: 0, directive: "file")]))
        #expect(baseline.counts == [.pass: 2, .fail: 3, .skip: 2])
        #expect(baseline.state(of: .init(file: "a.wast", line: 2, directive: "assert_return", occurrence: 3)) == .fail)
        #expect(baseline.state(of: .init(file: "a.wast", line: 4, directive: "assert_trap")) == .skip)
        #expect(baseline.state(of: .init(file: "a.wast", line: 1, directive: "module")) == nil)
    }

    @Test func readsBackWhatItWrites() throws {
        let folder = NSTemporaryDirectory() + "baseline-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/interpreter-wasm-2.0.json"
        try sample().write(to: path)
        #expect(try Baseline(contentsOf: path) == sample())
        // The output is valid JSON for other tools too.
        let object = try JSONSerialization.jsonObject(with: try Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 2)
        #expect((object?["scripts"] as? [String: Any])?.count == 4)
        // Atomic: only the target is left behind, no temporary file.
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["interpreter-wasm-2.0.json"])
        // Rewriting replaces the file.
        var changed = sample()
        changed.scripts["b.wast"]?.failed.remove(.init(file: "b.wast", line: 999, directive: "assert_return"))
        changed.scripts["b.wast"]?.passed += 1
        try changed.write(to: path)
        #expect(try Baseline(contentsOf: path) == changed)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["interpreter-wasm-2.0.json"])
    }

    @Test func keysParseBackIncludingColonsAndOccurrences() {
        for script in sample().scripts.values {
            for key in script.failed.union(script.skipped) {
                #expect(Baseline.Key(parsing: key.description) == key)
            }
        }
        #expect(Baseline.Key(parsing: "c:/x.wast:7:assert_return") == .init(file: "c:/x.wast", line: 7, directive: "assert_return"))
        #expect(Baseline.Key(parsing: "x.wast:assert_return") == nil)
        #expect(Baseline.Key(parsing: ":7:module") == nil)
        #expect(Baseline.Key(parsing: "x.wast:-1:module") == nil)
    }

    @Test(arguments: [
        // Newer and older schemas.
        #"{"schemaVersion": 3, "engine": "e", "suite": "s", "features": "f", "scripts": {}}"#,
        #"{"schemaVersion": 1, "engine": "e", "suite": "s", "features": "f", "outcomes": {"a.wast:1:module": "pass"}}"#,
        // Not a key; a whole key (keys are written within their script); a
        // key twice; failed and skipped.
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"pass": 1, "fail": ["nonsense"]}}}"#,
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"pass": 1, "fail": ["a.wast:1:module"]}}}"#,
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"pass": 1, "skip": ["1:module", "1:module"]}}}"#,
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"pass": 1, "fail": ["1:module"], "skip": ["1:module"]}}}"#,
        // A negative or missing count.
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"pass": -1}}}"#,
        #"{"schemaVersion": 2, "engine": "e", "suite": "s", "features": "f", "scripts": {"a.wast": {"fail": ["1:module"]}}}"#,
        "not json",
    ])
    func rejectsOtherSchemasAndBadEntries(_ text: String) {
        #expect(throws: ReportError.self) { try Baseline(jsonData: Data(text.utf8)) }
    }

    @Test func saysHowToReplaceAVersion1Baseline() {
        let old = #"{"schemaVersion": 1, "engine": "e", "suite": "s", "features": "f", "outcomes": {}}"#
        #expect {
            try Baseline(jsonData: Data(old.utf8), path: "b.json")
        } throws: { error in
            (error as? ReportError)?.description.contains("--update-baseline") == true
        }
    }

    @Test func updateReplacesOnlyTheScriptsThatRan() {
        let run = [FileReport(path: "suite/b.wast", results: [
            DirectiveResult(line: 999, directive: "assert_return", outcome: .passed),
            DirectiveResult(line: 1001, directive: "assert_return", outcome: .failed("wrong result")),
        ], name: "b.wast")]
        let updated = sample().updated(with: run)
        // b.wast is this run's: line 1000 is gone from it, 999 passes now.
        #expect(updated.scripts["b.wast"] == .init(passed: 1, failed: [.init(file: "b.wast", line: 1001, directive: "assert_return")]))
        // Scripts that did not run keep their records.
        #expect(updated.scripts["a.wast"] == sample().scripts["a.wast"])
        #expect(updated.scripts["proposals/x/c.wast"] == sample().scripts["proposals/x/c.wast"])
        #expect(updated.scripts.count == 4)
    }

    @Test func writingIntoAMissingFolderFailsWithoutCrashing() {
        #expect(throws: ReportError.self) { try sample().write(to: "/nonexistent-\(UUID().uuidString)/b.json") }
    }
}
