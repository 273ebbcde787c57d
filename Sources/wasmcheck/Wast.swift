import ArgumentParser
import Foundation
import WasmEngines
import WasmRuntime
import WasmScript

struct Wast: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run .wast spec scripts and report, directive by directive, what passes.",
        discussion: """
            Without --baseline, exits 0 when no directive failed (skipped and expected failures listed \
            in the skip list are fine), 1 otherwise; an expected failure that passes is a failure. \
            With --baseline FILE, exits 1 only on regressions: a directive that fails now and is not \
            a failure the baseline lists, or a script with fewer passing directives than the baseline \
            records (a passing directive now skipped or gone); listed failures are fine and \
            improvements are listed. \
            --update-baseline rewrites the baseline with this run's outcomes and exits 0.

            Reports: --json (every directive: file, line, directive, outcome, expected, actual, \
            time), --junit (JUnit XML for CI), --html (a self-contained conformance page). \
            --shard I/N runs every N-th script of the sorted suite; combine shard reports with \
            `wasmcheck merge-reports`.
            """
    )

    @Argument(help: "Script files or folders (searched recursively for .wast files).")
    var paths: [String] = []

    @Option(help: "The engine: \(EngineCatalog.names.joined(separator: ", ")) (see docs/engine-protocol.md).")
    var engine: String = "interpreter"

    @Option(name: .shortAndLong, help: "Scripts run in parallel.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "A skip list (see testsuite/skiplist.txt).")
    var skipList: String?

    @Option(help: "Failures shown per file.")
    var maxFailures: Int = 10

    @Flag(help: "List every file, not only those with failures (and, with --baseline, the known failures too).")
    var verbose = false

    @OptionGroup var features: FeatureOptions

    @Option(name: .customLong("feature-group"), help: ArgumentHelp(
        "Run only the scripts of this feature group (repeatable): \(FeatureGroup.known.map(\.id).joined(separator: ", ")), or a proposal folder's name.",
        valueName: "group"))
    var featureGroups: [String] = []

    @Option(help: ArgumentHelp("Run only shard I of N (1-based) of the sorted scripts.", valueName: "I/N"))
    var shard: String?

    @Option(help: "The suite's name in reports and baselines (default: the folder's name, e.g. wasm-2.0).")
    var suite: String?

    @Flag(help: "Print the selected scripts with their feature groups, and exit.")
    var list = false

    @Flag(help: "Print the engines that exist (the ones CI gates), and exit.")
    var listEngines = false

    @Option(help: ArgumentHelp("Write a JSON report of every directive.", valueName: "file"))
    var json: String?

    @Option(help: ArgumentHelp("Write a JUnit XML report.", valueName: "file"))
    var junit: String?

    @Option(help: "One JUnit test case per: directive, file.")
    var junitGranularity: String = "directive"

    @Option(help: ArgumentHelp("Write a self-contained HTML conformance page.", valueName: "file"))
    var html: String?

    @Option(help: ArgumentHelp("Compare with this baseline: fail on regressions only.", valueName: "file"))
    var baseline: String?

    @Flag(help: "Rewrite the --baseline file with this run's outcomes (atomically).")
    var updateBaseline = false

    @Option(help: "Improvements listed by the baseline comparison.")
    var maxImprovements: Int = 200


    func validate() throws {
        if shard != nil && Shard(parsing: shard ?? "") == nil {
            throw ArgumentParser.ValidationError("--shard takes I/N with 1 <= I <= N, e.g. 2/4")
        }
        if updateBaseline && baseline == nil {
            throw ArgumentParser.ValidationError("--update-baseline needs --baseline FILE")
        }
        if JUnitReport.Granularity(rawValue: junitGranularity) == nil {
            throw ArgumentParser.ValidationError("--junit-granularity is one of: directive, file")
        }
    }

    func run() throws {
        if listEngines {
            for name in EngineCatalog.gated { print(name) }
            return
        }
        let spec: EngineSpec
        do { spec = try EngineSpec.parse(engine, environment: .current()) } catch {
            throw ArgumentParser.ValidationError(error.description)
        }
        let engineName = spec.canonicalName
        var skips = SkipList()
        if let skipList {
            do { skips = try SkipList(contentsOf: URL(fileURLWithPath: skipList)) } catch {
                printError("\(skipList): \(error)")
                throw ExitStatus.usage
            }
        }
        let files = try selectFiles()
        if list {
            for file in files { print("\(file.group.id)\t\(file.name)\t\(file.path)") }
            return
        }
        // Read the baseline before running, so a bad path fails fast.
        var stored: Baseline?
        if let baseline {
            if FileManager.default.fileExists(atPath: baseline) || !updateBaseline {
                let read = try readBaseline(baseline)
                try ConformanceGate.requireCompatible(read, engine: engineName, features: features.featureList, baselinePath: baseline)
                stored = read
            }
        }

        var runner = WastRunner(features: features.features, skipList: skips) { spec.make() }
        runner.checksMessages = spec.usesSpecMessages
        let interactive = isatty(STDERR_FILENO) != 0
        let started = Date()
        let reports = WastSuite.run(files, runner: runner, jobs: jobs) { done, report in
            if interactive {
                printError("\u{1B}[2K\r[\(done)/\(files.count)] \(report.path)", newline: false)
            }
        }
        if interactive { printError("\u{1B}[2K\r", newline: false) }
        let seconds = Date().timeIntervalSince(started)

        let run = ConformanceRun(engine: engineName, suite: suite ?? Self.suiteName(paths), features: features.featureList,
                                 shards: shard.map { [$0] } ?? [], started: ISO8601DateFormatter().string(from: started),
                                 seconds: seconds, files: reports)
        printFailures(run, knownFailuresToo: baseline == nil || verbose)
        let total = run.counts
        let failedFiles = reports.filter { $0.counts.failed > 0 }.count
        print(String(format: "%d files (%d with failures), %.1fs, engine %@: %@ of run directives passed",
                     files.count, failedFiles, seconds, spec.name, percentText(total)))
        print("\(total.passed) passed, \(total.failed) failed, \(total.skipped) skipped")
        if verbose {
            print("\(reports.reduce(0) { $0 + $1.hostCalls }) spectest host calls answered by the runner")
        }
        printGroups(run)
        printUnsupported(reports)

        try writeReports(ConformanceReport(runs: [run]))

        if let baseline {
            let passed = try ConformanceGate.check(run: run, baselinePath: baseline, stored: stored, update: updateBaseline,
                                                   maxImprovements: maxImprovements, requireAll: false)
            if !passed { throw ExitStatus.failure }
        } else if total.failed > 0 {
            throw ExitStatus.failure
        }
    }

    /// The scripts of this run: collected, restricted to the feature
    /// groups, then to the shard.
    private func selectFiles() throws -> [SuiteFile] {
        var files = WastSuite.collectFiles(paths)
        guard !files.isEmpty else {
            printError(paths.isEmpty ? "no scripts: give files or folders of .wast scripts" : "no .wast files in \(paths.joined(separator: " "))")
            throw ExitStatus.usage
        }
        if !featureGroups.isEmpty {
            let wanted = Set(featureGroups.map { FeatureGroup.named($0)?.id ?? $0 })
            files = files.filter { wanted.contains($0.group.id) }
            if files.isEmpty {
                printError("no scripts in feature group \(featureGroups.joined(separator: ", ")); groups: \(FeatureGroup.known.map(\.id).joined(separator: ", "))")
                throw ExitStatus.usage
            }
        }
        if let shard, let selected = Shard(parsing: shard) {
            files = selected.select(files)
        }
        return files
    }

    private func printFailures(_ run: ConformanceRun, knownFailuresToo: Bool) {
        for report in run.files {
            let c = report.counts
            guard verbose || (knownFailuresToo && c.failed > 0) else { continue }
            let status = c.failed > 0 ? "FAIL" : "ok  "
            print("\(status) \(report.path): \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped")
            if let error = report.error { print("  \(report.path): \(error)") }
            for r in report.results.filter({ $0.outcome.isFailure }).prefix(maxFailures) {
                print("  \(report.path):\(r.line): \(r.directive): \(r.outcome.reason ?? "")")
                if let e = r.expected { print("    expected: \(e)") }
                if let a = r.actual { print("    actual:   \(a)") }
            }
        }
    }

    /// Modules the engine refused as beyond what it implements, counted by
    /// reason: a tier's gaps at a glance (the JIT names the instruction).
    private func printUnsupported(_ reports: [FileReport]) {
        let prefix = "unsupported module: "
        var counts: [String: Int] = [:]
        for report in reports {
            for result in report.results {
                if case .failed(let message) = result.outcome, message.hasPrefix(prefix) {
                    counts[String(message.dropFirst(prefix.count)), default: 0] += 1
                }
            }
        }
        guard !counts.isEmpty else { return }
        print("\(counts.values.reduce(0, +)) modules rejected as unsupported:")
        for (reason, n) in counts.sorted(by: { ($0.value, $1.key) > ($1.value, $0.key) }) {
            print("  \(n) x \(reason)")
        }
    }

    private func printGroups(_ run: ConformanceRun) {
        let groups = run.groupCounts
        guard groups.count > 1 else { return }
        let width = groups.map(\.group.title.count).max() ?? 0
        for (group, c) in groups {
            let title = group.title.padding(toLength: width, withPad: " ", startingAt: 0)
            print("  \(title)  \(percentText(c).leftPad(7))  \(c.passed)/\(c.passed + c.failed)" + (c.skipped > 0 ? " (+\(c.skipped) skipped)" : ""))
        }
    }

    private func writeReports(_ report: ConformanceReport) throws {
        do {
            if let json { try report.write(to: json) }
            if let junit {
                try JUnitReport(report, granularity: JUnitReport.Granularity(rawValue: junitGranularity) ?? .directive).write(to: junit)
            }
            if let html { try HTMLReport(report).write(to: html) }
        } catch {
            printError("\(error)")
            throw ExitStatus.usage
        }
    }

    /// `wasm-2.0` for `testsuite/official/wasm-2.0`; folders joined by `+`.
    static func suiteName(_ paths: [String]) -> String {
        var names: [String] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            let url = URL(fileURLWithPath: path).standardizedFileURL
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let name = exists && isDirectory.boolValue ? url.lastPathComponent : url.deletingLastPathComponent().lastPathComponent
            if !names.contains(name) { names.append(name) }
        }
        return names.isEmpty ? "scripts" : names.joined(separator: "+")
    }
}

/// `99.94%`, never rounding a failure up to 100%.
func percentText(_ c: Counts) -> String {
    if c.failed == 0 { return c.passed == 0 ? "-" : "100%" }
    return String(format: "%.2f%%", min(c.passRate, 99.99))
}

extension String {
    func leftPad(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

func readBaseline(_ path: String) throws -> Baseline {
    do { return try Baseline(contentsOf: path) } catch {
        printError("\(error)")
        throw ExitStatus.usage
    }
}

/// The conformance gate, shared by `wast` and `merge-reports`.
enum ConformanceGate {
    /// Compares `run` with the baseline at `baselinePath` (already read into
    /// `stored`, or nil when it does not exist yet and is being created),
    /// prints the comparison, and rewrites the baseline when `update`.
    /// Returns whether the gate passed.
    static func check(run: ConformanceRun, baselinePath: String, stored: Baseline?, update: Bool,
                      maxImprovements: Int, requireAll: Bool) throws -> Bool {
        guard let stored else {
            let created = Baseline(run: run)
            try writeBaseline(created, to: baselinePath)
            let c = created.counts
            print("baseline \(baselinePath): created (\(c[.pass] ?? 0) pass, \(c[.fail] ?? 0) fail, \(c[.skip] ?? 0) skip)")
            return true
        }
        try requireCompatible(stored, engine: run.engine, features: run.features, baselinePath: baselinePath)
        if stored.suite != run.suite {
            printError("note: \(baselinePath) is a baseline of suite \(stored.suite); this run's suite is \(run.suite)")
        }
        let comparison = stored.compare(run.files, requireAll: requireAll)
        print(comparison.summary(baselinePath: baselinePath, maxImprovements: maxImprovements))
        if update {
            let updated = stored.updated(with: run.files)
            try writeBaseline(updated, to: baselinePath)
            let c = updated.counts
            print("baseline \(baselinePath): updated (\(c[.pass] ?? 0) pass, \(c[.fail] ?? 0) fail, \(c[.skip] ?? 0) skip)")
            return true
        }
        return comparison.passed
    }

    /// A baseline only speaks for the engine and feature set it was made with.
    static func requireCompatible(_ stored: Baseline, engine: String, features: String, baselinePath: String) throws {
        guard stored.engine == engine, stored.features == features else {
            printError("\(baselinePath): the baseline is of engine \(stored.engine) with --features \(stored.features); this run is \(engine) with --features \(features)")
            throw ExitStatus.usage
        }
    }

    private static func writeBaseline(_ baseline: Baseline, to path: String) throws {
        do { try baseline.write(to: path) } catch {
            printError("\(error)")
            throw ExitStatus.usage
        }
    }
}
