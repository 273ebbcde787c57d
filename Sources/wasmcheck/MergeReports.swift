import ArgumentParser
import Foundation
import WasmScript

struct MergeReports: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "merge-reports",
        abstract: "Combine JSON conformance reports (shards, engines, suites) into one, and gate it on baselines.",
        discussion: """
            Shards of one run (same engine, suite and features) become one run; other runs are kept \
            side by side, so the HTML page compares engines. A script reported by two shards of a \
            run is an error. With --baseline (repeatable; each applies to the run of its engine, \
            suite and features), exits 1 on regressions, and on baseline scripts missing from the \
            reports when --require-all is given (a lost shard).
            """
    )

    @Argument(help: "JSON reports written by `wasmcheck wast --json`.")
    var reports: [String]

    @Option(name: .shortAndLong, help: ArgumentHelp("Write the merged JSON report.", valueName: "file"))
    var output: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report.", valueName: "file"))
    var junit: String?

    @Option(help: "One JUnit test case per: directive, file.")
    var junitGranularity: String = "directive"

    @Option(help: ArgumentHelp("Write a self-contained HTML conformance page.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Gate the run of this baseline's engine, suite and features (repeatable).", valueName: "file"))
    var baseline: [String] = []

    @Flag(help: "Rewrite the --baseline files with the merged outcomes (atomically).")
    var updateBaseline = false

    @Flag(help: "With --baseline: scripts of the baseline missing from the reports are regressions.")
    var requireAll = false

    @Option(help: "Improvements listed by each baseline comparison.")
    var maxImprovements: Int = 200

    func validate() throws {
        if output == nil && junit == nil && html == nil && baseline.isEmpty {
            throw ArgumentParser.ValidationError("nothing to do: give -o, --junit, --html or --baseline")
        }
        if updateBaseline && baseline.isEmpty {
            throw ArgumentParser.ValidationError("--update-baseline needs --baseline FILE")
        }
        if JUnitReport.Granularity(rawValue: junitGranularity) == nil {
            throw ArgumentParser.ValidationError("--junit-granularity is one of: directive, file")
        }
    }

    func run() throws {
        let merged: ConformanceReport
        do {
            merged = try ConformanceReport.merging(try reports.map { path throws(ReportError) in try ConformanceReport(contentsOf: path) })
            if let output { try merged.write(to: output) }
            if let junit {
                try JUnitReport(merged, granularity: JUnitReport.Granularity(rawValue: junitGranularity) ?? .directive).write(to: junit)
            }
            if let html { try HTMLReport(merged).write(to: html) }
        } catch {
            printError("\(error)")
            throw ExitStatus.usage
        }
        for run in merged.runs {
            let c = run.counts
            let shards = run.shards.isEmpty ? "" : " (shards \(run.shards.joined(separator: ", ")))"
            print("\(run.engine) \(run.suite) --features \(run.features)\(shards): \(run.files.count) scripts, \(percentText(c)): \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped")
        }

        var passed = true
        for path in baseline {
            let stored = try readBaseline(path)
            guard let run = merged.runs.first(where: { $0.engine == stored.engine && $0.suite == stored.suite && $0.features == stored.features })
                ?? merged.runs.first(where: { $0.engine == stored.engine && $0.features == stored.features }) else {
                printError("\(path): no report of engine \(stored.engine), suite \(stored.suite), --features \(stored.features)")
                throw ExitStatus.usage
            }
            if !(try ConformanceGate.check(run: run, baselinePath: path, stored: stored, update: updateBaseline,
                                           maxImprovements: maxImprovements, requireAll: requireAll)) {
                passed = false
            }
        }
        if !passed { throw ExitStatus.failure }
    }
}
