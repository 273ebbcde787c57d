import WasmEngines
import ArgumentParser
import WasmFuzz

/// `wasmcheck repro`: replays stored findings.
struct Repro: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay stored findings against the engines and report which still diverge.",
        discussion: """
            Exits with status 1 when any case still diverges: CI runs `wasmcheck repro corpora/regressions` \
            (cases whose bug was fixed) so that a bug that comes back fails the build.
            """
    )

    @ArgumentParser.Argument(help: "Cases: .wasm or .json files, or directories searched recursively.") var paths: [String]

    @Option(help: "Comma-separated engines (default: each record's, else interp,wasmtime).") var engines: String?

    @Option(help: "Seconds an out-of-process engine may take per request.") var timeout: Double = 10

    @Flag(help: "Run in-process engines in child processes (`wasmcheck serve`); always done for crash findings, so that the crash is reported rather than suffered.")
    var fork = false

    func run() throws {
        var cases: [StoredCase] = []
        for path in paths {
            do {
                cases += try StoredCase.all(under: path)
            } catch {
                printError("repro: \(error)")
                throw ExitStatus.usage
            }
        }
        var oracles: [String: DifferentialOracle] = [:]
        var diverging = 0
        var inconclusive = 0
        for stored in cases {
            let names = engines ?? stored.record?.engines.joined(separator: ",") ?? "interp,wasmtime"
            // A crash of an in-process tier would end this replay too.
            let isolate = fork || stored.record?.finding.kind == .crash
            let key = (isolate ? "fork:" : "") + names
            if oracles[key] == nil {
                do {
                    var specs = try EngineSpec.parseList(names, environment: .current())
                    for i in specs.indices { specs[i].timeout = timeout }
                    if isolate { specs = specs.map { $0.isolated(environment: .current()) } }
                    oracles[key] = DifferentialOracle(engines: specs.map { $0.make() })
                } catch {
                    printError("repro: \(stored.path): \(error)")
                    throw ExitStatus.usage
                }
            }
            guard let oracle = oracles[key] else { continue }
            let report = oracle.run(stored.fuzzCase())
            let recorded = stored.record?.finding.signature
            switch report.verdict {
            case .finding(let f):
                diverging += 1
                let same = recorded.map { $0 == f.signature ? "same signature" : "was \($0)" } ?? "no record"
                print("DIVERGES \(stored.path): \(f.kind.rawValue) at \(f.step): \(f.detail) [\(f.signature); \(same)]")
            case .inconclusive(let why):
                inconclusive += 1
                print("inconclusive \(stored.path): \(why)")
            case .unexpected(let why):
                print("agrees \(stored.path) (\(why))")
            case .agreed:
                print("agrees \(stored.path)")
            }
        }
        print("\(cases.count) cases: \(diverging) diverge, \(inconclusive) inconclusive, \(cases.count - diverging - inconclusive) agree")
        if diverging > 0 { throw ExitStatus.failure }
    }
}
