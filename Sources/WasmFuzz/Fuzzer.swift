import WasmEngines
import Foundation
import WasmBinary
import WasmGenerator
import WasmSyntax

/// What `wasmcheck fuzz` runs.
public struct FuzzOptions: Sendable {
    public var engines: [EngineSpec]
    /// Stop after this many seconds (nil: no limit).
    public var time: Double?
    /// Stop after this many cases (nil: no limit).
    public var runs: Int?
    public var jobs = 1
    /// A directory of seed inputs, read at start and extended with inputs
    /// that reach opcodes no earlier case used.
    public var corpus: String?
    /// Where findings go (`corpora`).
    public var findings: String = "corpora"
    /// The base seed; runs with equal seeds, options and one job are equal.
    public var seed: UInt64 = UInt64.random(in: 0...UInt64.max)
    /// The generator's configuration; its features are narrowed to those
    /// every engine supports.
    public var generator: GeneratorConfig = CaseGenerator.defaultConfig(features: .wasm3)
    /// One case in this many is an invalid module (0: none).
    public var invalidShare = 4
    /// Which generator makes the valid cases (`CaseGenerator.Mode`).
    public var mode: CaseGenerator.Mode = .mixed
    public var maxInputLength = 4096
    /// Stop once this many distinct findings were stored (0: never).
    public var stopAfterFindings = 0
    /// Seconds between status lines.
    public var statusInterval = 2.0

    public init(engines: [EngineSpec]) { self.engines = engines }
}

/// What a run did.
public struct FuzzSummary: Sendable {
    public var cases = 0
    public var calls = 0
    public var seconds = 0.0
    public var findings = 0
    /// Paths of the findings stored (new signatures).
    public var stored: [String] = []
    public var inconclusive = 0
    /// Findings where every engine judged a generated module against its
    /// construction (counted in `findings` too).
    public var unexpected = 0
    public var agreed = 0
    public var coveredOpcodes = 0
    public var totalOpcodes = 0
    public var features: Features = []
    /// Inconclusive reasons, counted (their first words).
    public var reasons: [String: Int] = [:]
    /// Engine restarts (after a crash or timeout), by engine.
    public var restarts: [String: Int] = [:]
    /// What the single-instruction cases reached (nil before the run).
    public var single: SingleInstructionCoverage?

    public var casesPerSecond: Double { seconds > 0 ? Double(cases) / seconds : 0 }
}

/// The fuzzing loop (`wasmcheck fuzz`): jobs generate cases from random or
/// mutated inputs, run them through the oracle with their own engines,
/// and store findings; a status line like libFuzzer's reports progress.
public final class Fuzzer: @unchecked Sendable {
    public let options: FuzzOptions
    private let log: @Sendable (String) -> Void
    private let lock = NSLock()
    private var summary = FuzzSummary()
    private var seen: [Bool] = Array(repeating: false, count: Opcode.allCases.count)
    private var corpus: [[UInt8]] = []
    /// The corpus directory's files already in `corpus`.
    private var corpusFiles: Set<String> = []
    private var started = 0
    private var stop = false
    private var store: FindingStore

    public init(options: FuzzOptions, log: @escaping @Sendable (String) -> Void) {
        self.options = options
        self.log = log
        self.store = FindingStore(directory: options.findings)
    }

    public struct SetupError: Error, CustomStringConvertible {
        public var description: String
    }

    /// The features every engine supports, within what the generator makes.
    public static func commonFeatures(_ specs: [EngineSpec], within features: Features) throws(SetupError) -> Features {
        var common = features
        for spec in specs {
            let engine = spec.make()
            do {
                common.formIntersection(try engine.features())
            } catch {
                throw SetupError(description: "engine \(spec.name) is not usable: \(error)")
            }
            (engine as? ProcessEngine)?.stop()
        }
        return common
    }

    public func run() throws -> FuzzSummary {
        var generatorConfig = options.generator
        generatorConfig.features = try Self.commonFeatures(options.engines, within: generatorConfig.features)
        var smith: SmithGenerator?
        if options.mode == .wasmTools {
            do {
                smith = SmithGenerator(executable: try SmithGenerator.locate(), features: generatorConfig.features)
            } catch {
                throw SetupError(description: "--generator wasm-tools: \(error)")
            }
        }
        let caseGenerator = try CaseGenerator(config: generatorConfig, invalidShare: options.invalidShare, mode: options.mode,
                                              smith: smith)
        summary.features = generatorConfig.features
        summary.single = SingleInstructionCoverage(caseGenerator.single)
        summary.totalOpcodes = OpcodeCoverage.opcodes(of: generatorConfig.features).count
        loadCorpus()
        recoverInFlightCases()
        if options.engines.contains(where: \.isInProcess) {
            let inProcess = options.engines.filter(\.isInProcess).map(\.name).joined(separator: ", ")
            FatalSignalNotice.install("""

                ==wasmcheck fuzz== a fatal signal while a case ran in an in-process engine (\(inProcess)).
                The case is in \(options.findings)/in-flight/job-N.wasm: the next `wasmcheck fuzz -o \(options.findings)` \
                stores it as a crash finding, and `wasmcheck repro` replays it in child processes. \
                `--fork N` runs in-process engines in child processes, so that a crash is a finding and the run goes on.


                """)
        }
        log("fuzzing with \(options.engines.map(\.name).joined(separator: ", ")); seed \(options.seed); \(options.jobs) job(s); "
            + "generator \(options.mode.rawValue); "
            + "features \(GeneratorConfig.featureNames(generatorConfig.features).joined(separator: ","))"
            + (corpus.isEmpty ? "" : "; corpus of \(corpus.count) inputs"))

        let start = Date()
        let group = DispatchGroup()
        for job in 0..<Swift.max(1, options.jobs) {
            group.enter()
            let thread = Thread { [self] in
                work(job: job, generator: caseGenerator, start: start)
                group.leave()
            }
            thread.stackSize = 64 << 20
            thread.start()
        }
        var nextStatus = Date(timeIntervalSinceNow: Swift.min(options.statusInterval, 1))
        var nextReload = Date(timeIntervalSinceNow: Self.corpusReloadInterval)
        while group.wait(timeout: .now() + 0.1) == .timedOut {
            if Date() >= nextStatus {
                status(start: start, label: "pulse")
                nextStatus = Date(timeIntervalSinceNow: options.statusInterval)
            }
            if Date() >= nextReload {
                loadCorpus()
                nextReload = Date(timeIntervalSinceNow: Self.corpusReloadInterval)
            }
        }
        lock.lock()
        summary.seconds = Date().timeIntervalSince(start)
        let result = summary
        lock.unlock()
        status(start: start, label: "DONE ")
        return result
    }

    private func status(start: Date, label: String) {
        lock.lock()
        let s = summary
        let covered = seen.enumerated().filter { $0.element && s.features.isSuperset(of: Opcode.allCases[$0.offset].feature) }.count
        let corpusSize = corpus.count
        lock.unlock()
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(s.cases) / elapsed : 0
        log("#\(s.cases)\t\(label) cov: \(covered)/\(s.totalOpcodes) ops corp: \(corpusSize) findings: \(s.findings) (\(s.stored.count) new) "
            + "inconclusive: \(s.inconclusive) unexpected: \(s.unexpected) exec/s: \(Int(rate.rounded())) calls: \(s.calls) "
            + "time: \(Int(elapsed))s")
    }

    // MARK: Jobs

    private func work(job: Int, generator: CaseGenerator, start: Date) {
        let engines = options.engines.map { $0.make() }
        let oracle = DifferentialOracle(engines: engines)
        let inFlight = InFlightCase(path: inFlightPath(job: job))
        var random = SplitMix64(seed: options.seed &+ UInt64(job) &* 0x9E37_79B9_7F4A_7C15)
        defer {
            try? FileManager.default.removeItem(atPath: inFlightPath(job: job))
            lock.lock()
            for engine in engines {
                if let p = engine as? ProcessEngine {
                    summary.restarts[engine.name, default: 0] += p.restarts
                    p.stop()
                }
            }
            lock.unlock()
        }
        while true {
            lock.lock()
            if stop || options.runs.map({ started >= $0 }) == true
                || options.time.map({ Date().timeIntervalSince(start) >= $0 }) == true {
                stop = true
                lock.unlock()
                return
            }
            started += 1
            let parent = corpus.isEmpty || random.next() % 4 == 0 ? nil : corpus[Int(random.next() % UInt64(corpus.count))]
            let other = corpus.isEmpty ? nil : corpus[Int(random.next() % UInt64(corpus.count))]
            lock.unlock()

            let input = parent.map { Mutator.mutate($0, splice: other, maxLength: options.maxInputLength, &random) }
                ?? random.bytes(maxLength: options.maxInputLength)
            let fuzzCase = generator.makeCase(input)
            // Written before it runs: a tier that brings the process down
            // (a wild write, bad generated code) leaves the case behind,
            // and the next run stores it as a crash finding. One open file,
            // rewritten in place: a create and rename per case cost 5% of
            // the run.
            inFlight.record(fuzzCase.bytes)
            let report = oracle.run(fuzzCase)
            record(report, fuzzCase: fuzzCase, input: input, engines: engines.map(\.name), generator: generator.config)
        }
    }

    /// The case a job is running, in a file kept open.
    private final class InFlightCase {
        private let descriptor: Int32

        init(path: String) {
            descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }

        deinit { if descriptor >= 0 { close(descriptor) } }

        func record(_ bytes: [UInt8]) {
            guard descriptor >= 0 else { return }
            _ = ftruncate(descriptor, 0)
            _ = bytes.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, $0.count, 0) }
        }
    }

    /// Where job `job` keeps the case it is running.
    private func inFlightPath(job: Int) -> String {
        options.findings + "/in-flight/job-\(job).wasm"
    }

    /// Cases left in flight by a run that died: each is a crash of an
    /// in-process engine, stored like any other finding.
    private func recoverInFlightCases() {
        let folder = options.findings + "/in-flight"
        let fm = FileManager.default
        for file in ((try? fm.contentsOfDirectory(atPath: folder)) ?? []).sorted() where file.hasSuffix(".wasm") {
            let path = folder + "/" + file
            defer { try? fm.removeItem(atPath: path) }
            guard let data = fm.contents(atPath: path) else { continue }
            let bytes = [UInt8](data)
            let engines = options.engines.map(\.name)
            let finding = Finding(kind: .crash, signature: "crash|in-process|\(ContentHash.of(bytes).hex16)", step: "run",
                                  detail: "the fuzzer's process died while this case ran in an in-process engine (\(engines.joined(separator: ", ")))",
                                  outcomes: [:])
            let report = CaseReport(verdict: .finding(finding), transcripts: [:], calls: 0)
            if let stored = try? store.add(finding, fuzzCase: FuzzCase(bytes: bytes), report: report, engines: engines, generator: nil) {
                log("a previous run died while running a case: stored as \(stored)")
            }
        }
        try? fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
    }

    private func record(_ report: CaseReport, fuzzCase: FuzzCase, input: [UInt8], engines: [String], generator: GeneratorConfig) {
        // Opcodes this case used: inputs reaching new ones join the corpus.
        var used: [Int] = []
        if let module = fuzzCase.module, fuzzCase.expectation == .valid {
            var coverage = OpcodeCoverage()
            coverage.record(module)
            for (i, n) in coverage.counts.enumerated() where n > 0 { used.append(i) }
        }
        var newCoverage = false
        var stored: String?
        lock.lock()
        summary.cases += 1
        summary.calls += report.calls
        if let entry = fuzzCase.boundary { summary.single?.record(entry) }
        for i in used where !seen[i] {
            seen[i] = true
            newCoverage = true
        }
        if newCoverage { corpus.append(input) }
        switch report.verdict {
        case .agreed: summary.agreed += 1
        case .inconclusive(let why):
            summary.inconclusive += 1
            summary.reasons[Self.reasonKey(why), default: 0] += 1
        case .unexpected(let why):
            summary.unexpected += 1
            summary.reasons[Self.reasonKey(why), default: 0] += 1
        case .finding:
            summary.findings += 1
            if report.verdict.isUnexpected { summary.unexpected += 1 }
        }
        lock.unlock()

        if newCoverage, let directory = options.corpus {
            let name = ContentHash.of(input).hex16
            lock.lock()
            corpusFiles.insert(name)
            lock.unlock()
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? FindingStore.writeAtomically(Data(input), to: directory + "/" + name)
        }
        guard let finding = report.verdict.finding else { return }
        do {
            stored = try store.add(finding, fuzzCase: fuzzCase, report: report, engines: engines, generator: generator)
        } catch {
            log("cannot store a finding: \(error)")
        }
        guard let stored else { return }
        lock.lock()
        summary.stored.append(stored)
        if options.stopAfterFindings > 0 && summary.stored.count >= options.stopAfterFindings { stop = true }
        let n = summary.cases
        lock.unlock()
        log("#\(n)\tNEW \(finding.kind.rawValue) finding: \(finding.step): \(finding.detail)\n\tsignature: \(finding.signature)\n\tsaved: \(stored)")
    }

    /// A reason without its step and numbers, for grouping: "call f3:
    /// result 0: ... (the module uses relaxed SIMD)" and "call f7: ..." count
    /// as one.
    static func reasonKey(_ why: String) -> String {
        var text = Substring(why)
        if text.hasPrefix("call ") || text.hasPrefix("after ") || text.hasPrefix("instantiate"),
           let colon = text.firstIndex(of: ":") {
            text = text[text.index(after: colon)...]
        }
        if let open = text.lastIndex(of: "("), text.hasSuffix(")") {
            // The explanation in parentheses is the useful part.
            return String(text[open...]).trimmingCharacters(in: CharacterSet(charactersIn: "()"))
        }
        // "ENGINE could not STEP: why": the why is the useful part.
        let couldNot = text.range(of: " could not ") != nil
        var key = ""
        for c in text {
            if (c == ":" && !couldNot) || c.isNumber { break }
            key.append(c)
        }
        return key.trimmingCharacters(in: .whitespaces)
    }

    /// Seconds between reads of the corpus directory for inputs other
    /// processes added (libFuzzer's `-reload`).
    static let corpusReloadInterval = 10.0

    /// Adds the corpus directory's inputs not read yet: at start, and
    /// again every `corpusReloadInterval`, so that several processes
    /// (`wasmcheck fuzz --corpus DIR` on one machine or over a shared file
    /// system) grow one corpus, as jobs in one process do.
    private func loadCorpus() {
        guard let directory = options.corpus else { return }
        let fm = FileManager.default
        lock.lock()
        let known = corpusFiles
        lock.unlock()
        var added: [(String, [UInt8])] = []
        for file in ((try? fm.contentsOfDirectory(atPath: directory)) ?? []).sorted() where !file.hasPrefix(".") && !known.contains(file) {
            if let data = fm.contents(atPath: directory + "/" + file) { added.append((file, Array(data.prefix(options.maxInputLength)))) }
        }
        lock.lock()
        for (file, input) in added where corpusFiles.insert(file).inserted { corpus.append(input) }
        lock.unlock()
    }
}

/// libFuzzer-style input mutations: the generator reads its decisions
/// from the input, so small byte changes make related modules.
enum Mutator {
    static func mutate(_ input: [UInt8], splice other: [UInt8]?, maxLength: Int, _ r: inout SplitMix64) -> [UInt8] {
        var bytes = input
        for _ in 0..<(1 + r.below(4)) {
            switch r.below(7) {
            case 0 where !bytes.isEmpty:
                let i = r.below(bytes.count)
                bytes[i] ^= UInt8(1 << r.below(8))
            case 1 where !bytes.isEmpty:
                bytes[r.below(bytes.count)] = UInt8(truncatingIfNeeded: r.next())
            case 2:
                let at = r.below(bytes.count + 1)
                let count = 1 + r.below(16)
                bytes.insert(contentsOf: (0..<count).map { _ in UInt8(truncatingIfNeeded: r.next()) }, at: at)
            case 3 where bytes.count > 1:
                let at = r.below(bytes.count)
                let count = 1 + r.below(Swift.min(32, bytes.count - at))
                bytes.removeSubrange(at..<at + count)
            case 4 where !bytes.isEmpty:
                let at = r.below(bytes.count)
                let count = 1 + r.below(Swift.min(32, bytes.count - at))
                bytes.insert(contentsOf: bytes[at..<at + count], at: r.below(bytes.count + 1))
            case 5 where other?.isEmpty == false:
                let o = other ?? []
                let cut = r.below(bytes.count + 1)
                let from = r.below(o.count)
                bytes = Array(bytes[..<cut]) + o[from...]
            case 6 where !bytes.isEmpty:
                // The selector byte: the kind of case.
                bytes[0] = UInt8(truncatingIfNeeded: r.next())
            default:
                bytes.append(UInt8(truncatingIfNeeded: r.next()))
            }
        }
        return Array(bytes.prefix(maxLength))
    }
}
