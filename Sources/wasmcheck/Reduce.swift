import WasmEngines
import ArgumentParser
import Foundation
import WasmFuzz

/// `wasmcheck reduce`: shrinks a finding while it still reproduces.
struct Reduce: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Shrink a finding while it still reproduces (structure-aware, then bytes).",
        discussion: """
            By default a candidate is interesting when the engines of the finding's record (or --engines) still \
            diverge with the same signature. With --predicate, it is interesting when the command, run with the \
            candidate's path appended, exits with status 0. When the case is a valid module, only valid \
            candidates are tried.
            """
    )

    @ArgumentParser.Argument(help: "The case: a .wasm (with its .json record beside it) or a .json record.") var path: String

    @Option(help: "Comma-separated engines (default: the record's).") var engines: String?

    @Option(help: "A shell command; exit status 0 means the candidate (appended path) is still interesting.")
    var predicate: String?

    @Option(name: .shortAndLong, help: "Where to write the reduced module (default: CASE.reduced.wasm).") var output: String?

    @Option(help: "Give up after this many seconds.") var time: Double = 300

    @Option(help: "Seconds an out-of-process engine may take per request.") var timeout: Double = 10

    @Flag(help: "Report every round.") var verbose = false

    func run() throws {
        let stored: StoredCase
        do {
            stored = try StoredCase(path: path)
        } catch {
            printError("reduce: \(error)")
            throw ExitStatus.usage
        }
        var reducer = Reducer(deadline: Date(timeIntervalSinceNow: time))
        if verbose { reducer.log = { printError("reduce: \($0)") } }
        let test: Reducer.Predicate
        var what = ""
        if let predicate {
            test = { bytes in Self.runPredicate(predicate, bytes) }
            guard test(stored.bytes) else {
                printError("reduce: the predicate does not hold for the original case")
                throw ExitStatus.failure
            }
            what = "predicate \(predicate)"
            // A valid module stays valid: candidates that are not are never tried.
            reducer.validateWith = Reproduction.validationFeatures(for: stored.bytes)
        } else {
            guard let names = engines ?? stored.record?.engines.joined(separator: ",") else {
                printError("reduce: no record beside \(path): name the engines with --engines, or give --predicate")
                throw ExitStatus.usage
            }
            var specs: [EngineSpec]
            do {
                specs = try EngineSpec.parseList(names, environment: .current())
            } catch {
                printError("reduce: \(error)")
                throw ExitStatus.usage
            }
            for i in specs.indices { specs[i].timeout = timeout }
            // Candidates of a crash crash too: in-process tiers run in child processes.
            if stored.record?.finding.kind == .crash { specs = specs.map { $0.isolated(environment: .current()) } }
            let oracle = DifferentialOracle(engines: specs.map { $0.make() })
            let template = stored.fuzzCase()
            guard let finding = oracle.run(template).verdict.finding else {
                printError("reduce: the case does not diverge on \(names)")
                throw ExitStatus.failure
            }
            if let recorded = stored.record?.finding.signature, recorded != finding.signature {
                printError("reduce: note: the case now diverges as \(finding.signature) (recorded: \(recorded))")
            }
            test = Reproduction.predicate(oracle: oracle, template: template, signature: finding.signature)
            reducer.validateWith = Reproduction.validationFeatures(for: stored.bytes)
            what = "signature \(finding.signature)"
        }
        let result = reducer.reduce(stored.bytes, while: test)
        let out = output ?? ((stored.path as NSString).deletingPathExtension + ".reduced.wasm")
        do {
            try FindingStore.writeAtomically(Data(result.bytes), to: out)
        } catch {
            printError("reduce: cannot write \(out): \(error)")
            throw ExitStatus.usage
        }
        // A record beside the reduced module, so that `repro` replays it
        // with the same argument seed.
        if var record = stored.record {
            record.moduleFile = (out as NSString).lastPathComponent
            record.moduleSize = result.bytes.count
            let recordPath = (out as NSString).deletingPathExtension + ".json"
            try? FindingStore.writeAtomically(Data(record.json.pretty.utf8), to: recordPath)
        }
        print("reduced \(stored.path): \(result.originalSize) -> \(result.bytes.count) bytes "
              + "(\(result.tests) candidates tested, \(result.accepted) kept), keeping \(what)")
        print("wrote \(out)")
    }

    /// Runs the user's predicate on a candidate written to a temporary file.
    static func runPredicate(_ command: String, _ bytes: [UInt8]) -> Bool {
        let file = NSTemporaryDirectory() + "wasmcheck-reduce-\(UUID().uuidString).wasm"
        guard FileManager.default.createFile(atPath: file, contents: Data(bytes)) else { return false }
        defer { try? FileManager.default.removeItem(atPath: file) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", command + " \"$0\"", file]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return false }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }
}
