import ArgumentParser
import Foundation
import WasmInterpreter
import WasmRuntime
import WasmScript

struct Wast: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run .wast spec scripts and report, directive by directive, what passes.",
        discussion: """
            Exits 0 when no directive failed (skipped and expected failures listed in the skip list \
            are fine), 1 otherwise. An expected failure that passes is a failure: remove it from the list.
            """
    )

    @Argument(help: "Script files or folders (searched recursively for .wast files).")
    var paths: [String]

    @Option(help: "The execution tier: interpreter.")
    var engine: String = "interpreter"

    @Option(name: .shortAndLong, help: "Scripts run in parallel.")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    @Option(help: "A skip list (see testsuite/skiplist.txt).")
    var skipList: String?

    @Option(help: "Failures shown per file.")
    var maxFailures: Int = 10

    @Flag(help: "List every file, not only those with failures.")
    var verbose = false

    @OptionGroup var features: FeatureOptions

    func run() throws {
        guard engine == "interpreter" else {
            throw ArgumentParser.ValidationError("unknown engine \(engine); available: interpreter")
        }
        var skips = SkipList()
        if let skipList {
            do { skips = try SkipList(contentsOf: URL(fileURLWithPath: skipList)) } catch {
                printError("\(skipList): \(error)")
                throw ExitStatus.usage
            }
        }
        var configuration = EngineConfiguration()
        configuration.features = features.features
        let runner = WastRunner(configuration: configuration, skipList: skips) { Interpreter() }
        let files = WastSuite.collect(paths)
        guard !files.isEmpty else {
            printError("no .wast files in \(paths.joined(separator: " "))")
            throw ExitStatus.usage
        }
        let interactive = isatty(STDERR_FILENO) != 0
        let start = Date()
        let reports = WastSuite.run(files, runner: runner, jobs: jobs) { done, report in
            if interactive {
                printError("\u{1B}[2K\r[\(done)/\(files.count)] \(report.path)", newline: false)
            }
        }
        if interactive { printError("\u{1B}[2K\r", newline: false) }

        var total = Counts()
        for report in reports {
            let c = report.counts
            total = total + c
            guard verbose || c.failed > 0 else { continue }
            let status = c.failed > 0 ? "FAIL" : "ok  "
            print("\(status) \(report.path): \(c.passed) passed, \(c.failed) failed, \(c.skipped) skipped")
            if let error = report.error { print("  \(report.path): \(error)") }
            for r in report.results.filter({ $0.outcome.isFailure }).prefix(maxFailures) {
                print("  \(report.path):\(r.line): \(r.directive): \(describe(r.outcome))")
                if let e = r.expected { print("    expected: \(e)") }
                if let a = r.actual { print("    actual:   \(a)") }
            }
        }
        let failedFiles = reports.filter { $0.counts.failed > 0 }.count
        let percent = total.total == 0 ? 0 : Double(total.passed) * 100 / Double(total.passed + total.failed)
        print(String(format: "%d files (%d with failures), %.1fs, engine %@: %.2f%% of run directives passed", files.count, failedFiles, Date().timeIntervalSince(start), engine, percent))
        print("\(total.passed) passed, \(total.failed) failed, \(total.skipped) skipped")
        if total.failed > 0 { throw ExitStatus.failure }
    }

    private func describe(_ outcome: Outcome) -> String {
        switch outcome {
        case .passed: return "passed"
        case .failed(let why): return why
        case .skipped(let why): return "skipped: \(why)"
        case .expectedFailure(let why): return "expected failure: \(why)"
        case .unexpectedPass(let why): return why
        }
    }
}
