import WasmEngines
import WasmGenerator
import WasmSyntax

/// Runs one case in every engine and compares them step by step, in the
/// manner of wasmtime's `differential` fuzz target but stricter: whether
/// the module compiles, how instantiation ends, then for every exported
/// function (in export order, with arguments derived from the case) the
/// results or the trap kind, and after instantiation and after every call
/// the exported globals, memories (hash, then the first differing byte)
/// and tables.
///
/// The first engine is the reference every other is compared with.
/// Differences the spec allows (resource exhaustion, a relaxed SIMD
/// instruction in the code a step may run, a feature an engine does not
/// implement) make a case inconclusive, never a finding; an engine that
/// crashes, hangs or breaks the protocol is a finding of its own.
///
/// The comparison is strict: memories and `v128` values compare bit for
/// bit, and only scalar floats (values known to be floats) may differ, and
/// only between NaNs of the class the case allows (`ValueComparison`).
/// Where the spec lets engines store different NaN bits to memory, the
/// generator canonicalises NaNs instead (`GeneratorConfig.canonicalizeNaNs`),
/// so that a wrong integer that happens to look like a NaN is never
/// excused. A generated module that every engine judges against its
/// construction (all accept one built invalid, all reject one built valid,
/// or all reject an invalid one for another rule than the one it breaks)
/// is a finding too: our tiers share one validator, so agreement proves
/// nothing there.
public final class DifferentialOracle {
    public let engines: [any WasmEngine]
    /// How imports are satisfied (generated modules have none).
    public var imports: ImportPolicy = .registered
    /// At most this many exported functions are called per case.
    public var maxCalls = 64

    public init(engines: [any WasmEngine]) {
        precondition(!engines.isEmpty, "the oracle needs an engine")
        self.engines = engines
    }

    /// Ends a run early with its verdict.
    private struct Stop: Error {
        var verdict: Verdict
        init(_ verdict: Verdict) { self.verdict = verdict }
    }

    /// The state of one run.
    private struct Run {
        let fuzzCase: FuzzCase
        var transcripts: [[String]]
        var calls = 0
        /// Whether the running step may execute a relaxed SIMD
        /// instruction (then its results may legitimately differ).
        var stepMayRunRelaxed = false
        /// The first divergence relaxed SIMD excused: the case ends
        /// inconclusive, and later steps are excused too (state that is
        /// not exported may differ since).
        var excused: String?
        /// `FuzzCase.functionsReachingRelaxedSimd`, once computed.
        var relaxed: Set<UInt32>? = nil

        /// The functions that may execute a relaxed SIMD instruction,
        /// computed on first need (most cases never diverge).
        mutating func mayRunRelaxed(_ function: UInt32?) -> Bool {
            guard let function else { return false }
            if relaxed == nil { relaxed = fuzzCase.functionsReachingRelaxedSimd }
            return relaxed?.contains(function) ?? false
        }
    }

    public func run(_ fuzzCase: FuzzCase) -> CaseReport {
        var run = Run(fuzzCase: fuzzCase, transcripts: Array(repeating: [], count: engines.count))
        let verdict: Verdict
        do {
            try execute(&run)
            verdict = run.excused.map { .inconclusive($0) } ?? .agreed
        } catch {
            verdict = error.verdict
        }
        var transcripts: [String: [String]] = [:]
        for (engine, lines) in zip(engines, run.transcripts) { transcripts[engine.name] = lines }
        return CaseReport(verdict: verdict, transcripts: transcripts, calls: run.calls)
    }

    // MARK: Steps

    private func execute(_ run: inout Run) throws(Stop) {
        if let why = run.fuzzCase.unusable { throw Stop(.inconclusive(why)) }
        for i in engines.indices {
            try perform(i, "reset", &run) { () throws(EngineFailure) in try engines[i].reset() }
        }

        // Compile.
        let bytes = run.fuzzCase.bytes
        var modules: [ModuleHandle] = []
        var compiled: [CompileOutcome] = []
        for i in engines.indices {
            let outcome = try perform(i, "compile", &run) { () throws(EngineFailure) in try engines[i].compile(bytes) }
            run.transcripts[i].append("compile: \(outcome)")
            compiled.append(outcome)
            if case .compiled(let m) = outcome { modules.append(m) }
        }
        try compareCompilation(compiled, &run)
        guard modules.count == engines.count, !run.fuzzCase.compileOnly else { return }
        run.stepMayRunRelaxed = run.mayRunRelaxed(run.fuzzCase.module?.start)

        // Instantiate.
        var instances: [InstanceHandle] = []
        var instantiated: [InstantiateOutcome] = []
        for i in engines.indices {
            let outcome = try perform(i, "instantiate", &run) { () throws(EngineFailure) in
                try engines[i].instantiate(modules[i], imports: imports)
            }
            run.transcripts[i].append("instantiate: \(outcome)")
            instantiated.append(outcome)
            if case .instantiated(let h) = outcome { instances.append(h) }
        }
        try compareInstantiation(instantiated, &run)
        guard instances.count == engines.count else { return }
        try compareState(instances, step: "after instantiate", &run)

        // Call every exported function.
        guard let module = run.fuzzCase.module else { return }
        let types = module.definedTypes
        for export in module.exports.prefix(maxCalls * 4) where run.calls < maxCalls {
            guard case .function(let index) = export.descriptor, let type = functionType(module, index) else { continue }
            var source = ArgumentSource(seed: run.fuzzCase.argumentSeed, export: export.name)
            guard let arguments = source.arguments(type.params, types: types) else { continue }
            let step = "call \(export.name)"
            run.calls += 1
            run.stepMayRunRelaxed = run.mayRunRelaxed(index)
            var outcomes: [InvokeOutcome] = []
            for i in engines.indices {
                let outcome = try perform(i, "invoke", &run) { () throws(EngineFailure) in
                    try engines[i].invoke(instances[i], export: export.name, arguments: arguments)
                }
                run.transcripts[i].append("\(step)(\(arguments.map(\.description).joined(separator: ", "))): \(outcome)")
                outcomes.append(outcome)
            }
            let exhausted = outcomes.filter { if case .exhausted = $0 { return true } else { return false } }.count
            if exhausted > 0 {
                // Engines count resources differently: after one runs out,
                // their states no longer need to agree.
                if exhausted == outcomes.count { return }
                throw Stop(.inconclusive("\(step): resource exhaustion in some engines only"))
            }
            try compareCalls(outcomes, step: step, strict: run.fuzzCase.strictNaNs, &run)
            try compareState(instances, step: "after \(step)", &run)
        }
    }

    /// The type of function `index` of `module` (imports first).
    private func functionType(_ module: Module, _ index: UInt32) -> FuncType? {
        var imported: [UInt32] = []
        for item in module.imports { if case .function(let t) = item.descriptor { imported.append(t) } }
        let typeIndex: UInt32
        if Int(index) < imported.count {
            typeIndex = imported[Int(index)]
        } else {
            let defined = Int(index) - imported.count
            guard defined < module.functions.count else { return nil }
            typeIndex = module.functions[defined].typeIndex
        }
        let types = module.definedTypes
        return Int(typeIndex) < types.count ? types[Int(typeIndex)].funcType : nil
    }

    /// Runs one engine operation; a misbehaving engine ends the case.
    private func perform<T>(_ i: Int, _ operation: String, _ run: inout Run, _ body: () throws(EngineFailure) -> T) throws(Stop) -> T {
        do {
            return try body()
        } catch {
            let engine = engines[i].name
            run.transcripts[i].append("\(operation): engine failure: \(error)")
            let kind: Finding.Kind
            switch error.kind {
            case .crash: kind = .crash
            case .timeout: kind = .timeout
            case .protocolViolation: kind = .protocol
            case .badRequest, .unavailable, .unsupported:
                throw Stop(.inconclusive("\(engine) could not \(operation): \(error.message)"))
            }
            throw Stop(.finding(Finding(kind: kind, signature: "\(kind.rawValue)|\(engine)|\(operation)", step: operation,
                                        detail: error.message, outcomes: [engine: error.description])))
        }
    }

    // MARK: Comparisons

    private func compareCompilation(_ outcomes: [CompileOutcome], _ run: inout Run) throws(Stop) {
        var accepting: [String] = []
        var rejecting: [(String, Rejection)] = []
        for (engine, outcome) in zip(engines, outcomes) {
            switch outcome {
            case .compiled: accepting.append(engine.name)
            case .rejected(let r): rejecting.append((engine.name, r))
            }
        }
        let expectation = run.fuzzCase.expectation
        let rule = run.fuzzCase.invalidRule
        if rejecting.isEmpty {
            if expectation == .invalid {
                try unexpected("accept invalid|\(rule ?? "?")", detail: "every engine accepts a module generated invalid (\(rule ?? "?"))",
                               outcomes, &run)
            }
            return
        }
        if accepting.isEmpty {
            if expectation == .valid {
                if let unsupported = rejecting.first(where: { $0.1.kind == .unsupported }) {
                    throw Stop(.inconclusive("\(unsupported.0) does not support the module: \(unsupported.1.message)"))
                }
                try unexpected("reject valid (\(Self.messageClass(rejecting[0].1.message)))",
                               detail: "every engine rejects a module generated valid: \(rejecting[0].1.message)", outcomes, &run)
            }
            if expectation == .invalid, let name = rule, let broken = InvalidModuleRule(rawValue: name) {
                // Engines that say which rule failed must name the broken one
                // (wasmtime's own wording is `unknown` and not checked). A
                // binary-format slip is reported where the decoder notices
                // it ("section size mismatch", "illegal opcode" for a body
                // without its `end`), so only its kind is checked.
                for (engine, rejection) in rejecting where rejection.kind == .malformed || rejection.kind == .invalid {
                    let kindMatches = (rejection.kind == .malformed) == broken.isMalformed
                    if !kindMatches || (!broken.isMalformed && !rejection.message.contains(broken.expectedMessage)) {
                        try unexpected("other rule|\(name)|\(engine) (\(rejection.kind.rawValue): \(Self.messageClass(rejection.message)))",
                                       detail: "\(engine) rejects a module that breaks \(name) (\(broken.isMalformed ? "malformed" : "invalid"): "
                                           + "\"\(broken.expectedMessage)\") for another reason: \(rejection.kind.rawValue): \(rejection.message)",
                                       outcomes, &run)
                    }
                }
            }
            throw Stop(.agreed)
        }
        if let unsupported = rejecting.first(where: { $0.1.kind == .unsupported }) {
            throw Stop(.inconclusive("\(unsupported.0) does not support the module: \(unsupported.1.message)"))
        }
        let reason = Self.messageClass(rejecting[0].1.message)
        let signature = "validation|\(rejecting.map(\.0).joined(separator: ",")) reject (\(reason))|\(accepting.joined(separator: ",")) accept"
        var byEngine: [String: String] = [:]
        for (engine, outcome) in zip(engines, outcomes) { byEngine[engine.name] = outcome.description }
        let detail = "\(accepting.joined(separator: ", ")) accept\(accepting.count == 1 ? "s" : ""); "
            + rejecting.map { "\($0.0) rejects: \($0.1.message)" }.joined(separator: "; ")
            + (run.fuzzCase.invalidRule.map { " (generated invalid: \($0))" } ?? "")
        throw Stop(.finding(Finding(kind: .validation, signature: signature, step: "compile", detail: detail, outcomes: byEngine)))
    }

    /// A module that every engine judges against its construction: a
    /// validation finding (the engines may share the bug, or the generator
    /// has one; either needs a look).
    private func unexpected(_ shape: String, detail: String, _ outcomes: [CompileOutcome], _ run: inout Run) throws(Stop) {
        var byEngine: [String: String] = [:]
        for (engine, outcome) in zip(engines, outcomes) { byEngine[engine.name] = outcome.description }
        throw Stop(.finding(Finding(kind: .validation, signature: "validation|unexpected: \(shape)", step: "compile",
                                    detail: detail, outcomes: byEngine)))
    }

    /// A rejection message without numbers and details, for signatures:
    /// "immutable global 3" and "immutable global 0" are one bug.
    static func messageClass(_ message: String) -> String {
        var out = ""
        for c in message.prefix(60) {
            if c.isNumber || c == "\n" { continue }
            out.append(c)
        }
        return out.split(separator: " ").joined(separator: " ")
    }

    private func outcomeClass(_ outcome: InstantiateOutcome) -> String {
        switch outcome {
        case .instantiated: return "instantiated"
        case .unlinkable: return "unlinkable"
        case .trapped(let k, _): return "trap \(k.comparisonClass)"
        case .exhausted: return "exhausted"
        }
    }

    private func compareInstantiation(_ outcomes: [InstantiateOutcome], _ run: inout Run) throws(Stop) {
        let exhausted = outcomes.filter { if case .exhausted = $0 { return true } else { return false } }.count
        if exhausted == outcomes.count { throw Stop(.agreed) }
        if exhausted > 0 { throw Stop(.inconclusive("instantiate: resource exhaustion in some engines only")) }
        let reference = outcomeClass(outcomes[0])
        for i in 1..<engines.count where outcomeClass(outcomes[i]) != reference {
            try divergence(.instantiation, "\(engines[0].name): \(reference)|\(engines[i].name): \(outcomeClass(outcomes[i]))",
                           step: "instantiate", detail: "\(engines[0].name): \(outcomes[0]); \(engines[i].name): \(outcomes[i])",
                           outcomes.map(\.description), &run)
        }
        if reference != "instantiated" { throw Stop(.agreed) }
    }

    private func invokeClass(_ outcome: InvokeOutcome) -> String {
        switch outcome {
        case .returned: return "returned"
        case .trapped(let k, _): return k.comparisonClass
        case .exhausted: return "exhausted"
        }
    }

    private func compareCalls(_ outcomes: [InvokeOutcome], step: String, strict: Bool, _ run: inout Run) throws(Stop) {
        let pair = { (i: Int) in "\(self.engines[0].name) vs \(self.engines[i].name)" }
        for i in 1..<engines.count {
            switch (outcomes[0], outcomes[i]) {
            case (.returned(let a), .returned(let b)):
                guard a.count == b.count else {
                    try divergence(.result, "result arity|\(pair(i))", step: step,
                                   detail: "\(a.count) results vs \(b.count)", outcomes.map(\.description), &run)
                    continue
                }
                for (k, (x, y)) in zip(a, b).enumerated() where !ValueComparison.equivalent(x, y, strict: strict) {
                    let nan = ValueComparison.isNaN(x) || ValueComparison.isNaN(y)
                    try divergence(.result, "result \(x.typeName)\(nan ? " nan" : "")|\(pair(i))", step: step,
                                   detail: "result \(k): \(engines[0].name) \(ValueComparison.describe(x)), \(engines[i].name) \(ValueComparison.describe(y))",
                                   outcomes.map(\.description), &run)
                }
            default:
                let a = invokeClass(outcomes[0]), b = invokeClass(outcomes[i])
                if a != b {
                    try divergence(.trap, "\(a) vs \(b)|\(pair(i))", step: step,
                                   detail: "\(engines[0].name): \(outcomes[0]); \(engines[i].name): \(outcomes[i])",
                                   outcomes.map(\.description), &run)
                }
            }
        }
    }

    private func compareState(_ instances: [InstanceHandle], step: String, _ run: inout Run) throws(Stop) {
        var snapshots: [InstanceSnapshot] = []
        for i in engines.indices {
            snapshots.append(try perform(i, "snapshot", &run) { () throws(EngineFailure) in try engines[i].snapshot(instances[i]) })
        }
        let reference = snapshots[0]
        let referenceHash = reference.hash
        for i in 1..<engines.count where snapshots[i].hash != referenceHash {
            let other = snapshots[i]
            let pair = "\(engines[0].name) vs \(engines[i].name)"
            let states = snapshots.map { "state \($0.hash.hex16)" }
            guard reference.exports.count == other.exports.count else {
                try divergence(.state, "exports|\(pair)", step: step,
                               detail: "\(reference.exports.count) exports vs \(other.exports.count)", states, &run)
                continue
            }
            for (a, b) in zip(reference.exports, other.exports) {
                guard a.name == b.name else {
                    try divergence(.state, "exports|\(pair)", step: step, detail: "export \(a.name) vs \(b.name)", states, &run)
                    break
                }
                switch (a.state, b.state) {
                case (.function, .function), (.tag, .tag):
                    continue
                case (.global(let x), .global(let y)):
                    if !ValueComparison.equivalent(x, y, strict: run.fuzzCase.strictNaNs) {
                        try divergence(.state, "global \(x.typeName)|\(pair)", step: step,
                                       detail: "global \(a.name): \(ValueComparison.describe(x)) vs \(ValueComparison.describe(y))", states, &run)
                    }
                case (.memory(let sizeA, let hashA), .memory(let sizeB, let hashB)):
                    if sizeA != sizeB {
                        try divergence(.state, "memory size|\(pair)", step: step,
                                       detail: "memory \(a.name): \(sizeA) bytes vs \(sizeB)", states, &run)
                    } else if hashA != hashB {
                        if let detail = firstDifference(memory: a.name, size: sizeA, instances, 0, i, &run) {
                            try divergence(.state, "memory|\(pair)", step: step, detail: detail, states, &run)
                        }
                    }
                case (.table(let sizeA, let entriesA), .table(let sizeB, let entriesB)):
                    if sizeA != sizeB || entriesA != entriesB {
                        try divergence(.state, "table|\(pair)", step: step,
                                       detail: "table \(a.name): \(sizeA) entries \(entriesA.prefix(64)) vs \(sizeB) entries \(entriesB.prefix(64))",
                                       states, &run)
                    }
                default:
                    try divergence(.state, "export kind|\(pair)", step: step, detail: "export \(a.name) has different kinds", states, &run)
                }
            }
        }
    }

    /// Words for where two memories first differ (nil if they read back
    /// equal after all).
    private func firstDifference(memory name: String, size: Int, _ instances: [InstanceHandle], _ x: Int, _ y: Int,
                                 _ run: inout Run) -> String? {
        let chunk = 1 << 16
        var offset = 0
        while offset < size {
            let count = Swift.min(chunk, size - offset)
            guard let a = try? engines[x].readMemory(instances[x], export: name, offset: offset, count: count),
                  let b = try? engines[y].readMemory(instances[y], export: name, offset: offset, count: count),
                  a.count == count, b.count == count else {
                return "memory \(name) differs (hashes), bytes unreadable"
            }
            if let k = Self.firstDifference(a, b) {
                func hex(_ v: UInt8) -> String { "0x" + String(v, radix: 16) }
                return "memory \(name): first difference at byte \(offset + k): \(hex(a[k])) vs \(hex(b[k]))"
            }
            offset += count
        }
        return nil
    }

    /// The first index where two byte strings differ. Bit for bit: bytes
    /// that look like a NaN in both memories are no excuse (a wrong -5
    /// stored where -6 belongs is a quiet f32 NaN in both).
    static func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int? {
        for k in 0..<Swift.min(a.count, b.count) where a[k] != b[k] { return k }
        return a.count == b.count ? nil : Swift.min(a.count, b.count)
    }

    /// Reports a divergence, unless relaxed SIMD may explain it: only a
    /// step that may run a relaxed instruction (the called function or
    /// the start function reaches one) is excused, not the whole module.
    private func divergence(_ kind: Finding.Kind, _ shape: String, step: String, detail: String,
                            _ outcomes: [String], _ run: inout Run) throws(Stop) {
        if run.stepMayRunRelaxed || run.excused != nil {
            if run.excused == nil { run.excused = "\(step): \(detail) (the step may run relaxed SIMD)" }
            return
        }
        var byEngine: [String: String] = [:]
        for (engine, outcome) in zip(engines, outcomes) { byEngine[engine.name] = outcome }
        throw Stop(.finding(Finding(kind: kind, signature: "\(kind.rawValue)|\(shape)", step: step, detail: detail, outcomes: byEngine)))
    }
}

extension ValueComparison {
    static func isNaN(_ v: EngineValue) -> Bool {
        switch v {
        case .f32(let b): return nanClass(f32: b) != nil
        case .f64(let b): return nanClass(f64: b) != nil
        default: return false
        }
    }
}
