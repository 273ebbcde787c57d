import WasmEngines

/// A divergence between engines, or an engine that failed: what the fuzzer
/// saves and the reducer preserves.
public struct Finding: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable {
        /// Engines disagree on whether a module is valid.
        case validation
        /// Engines disagree on instantiation (linking, a trap in a segment
        /// or the start function).
        case instantiation
        /// A call returned different values.
        case result
        /// A call trapped in one engine and not in another, or with
        /// different trap kinds.
        case trap
        /// Exported globals, memories or tables differ after a step.
        case state
        /// An engine's process died.
        case crash
        /// An engine's process did not answer in time.
        case timeout
        /// An engine broke the wire protocol.
        case `protocol`
    }

    public var kind: Kind
    /// What identifies the bug, for deduplication: the kind, the engines
    /// and the shape of the divergence, but no names, numbers or
    /// positions that change from case to case (or under reduction).
    public var signature: String
    /// Where it happened: "compile", "instantiate", "call f3", "after call f3".
    public var step: String
    /// What differs, in words.
    public var detail: String
    /// Each engine's outcome at that step.
    public var outcomes: [String: String]

    public init(kind: Kind, signature: String, step: String, detail: String, outcomes: [String: String]) {
        self.kind = kind
        self.signature = signature
        self.step = step
        self.detail = detail
        self.outcomes = outcomes
    }
}

/// What the oracle concluded about a case.
public enum Verdict: Sendable, Hashable {
    /// Every engine agreed on everything compared.
    case agreed
    /// Engines differed only where the spec allows it (resource
    /// exhaustion, relaxed SIMD, an unsupported feature), or the case
    /// could not be run as meant; never a finding.
    case inconclusive(String)
    /// A case the oracle could not judge for a reason outside the
    /// engines. The oracle no longer gives it for generated modules judged
    /// against their construction: those are findings (`isUnexpected`).
    case unexpected(String)
    case finding(Finding)

    /// Whether this is a finding where every engine judged a generated
    /// module against its construction ("unexpected": all accept one
    /// built invalid, all reject one built valid, or for another rule).
    public var isUnexpected: Bool {
        finding?.signature.hasPrefix("validation|unexpected") ?? false
    }

    public var finding: Finding? {
        if case .finding(let f) = self { return f }
        return nil
    }
}

/// The oracle's account of one case.
public struct CaseReport: Sendable {
    public var verdict: Verdict
    /// Each engine's outcomes, step by step, in order.
    public var transcripts: [String: [String]]
    /// Calls made in each engine.
    public var calls: Int

    public init(verdict: Verdict, transcripts: [String: [String]], calls: Int) {
        self.verdict = verdict
        self.transcripts = transcripts
        self.calls = calls
    }
}
