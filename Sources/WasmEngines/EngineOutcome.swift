import WasmRuntime

/// What compiling a module gave.
public enum CompileOutcome: Hashable, Sendable, CustomStringConvertible {
    case compiled(ModuleHandle)
    case rejected(Rejection)

    public var description: String {
        switch self {
        case .compiled: return "compiled"
        case .rejected(let r): return "rejected (\(r.kind.rawValue)): \(r.message)"
        }
    }
}

/// Why an engine refused a module.
public struct Rejection: Hashable, Sendable {
    public enum Kind: String, Hashable, Sendable, CaseIterable {
        /// Not in the binary format.
        case malformed
        /// Breaks a validation rule.
        case invalid
        /// Valid, but beyond what this engine implements: never a finding.
        case unsupported
        /// The engine does not say which of the above.
        case unknown
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}

/// What instantiating a module gave.
public enum InstantiateOutcome: Hashable, Sendable, CustomStringConvertible {
    case instantiated(InstanceHandle)
    /// The imports do not fit.
    case unlinkable(String)
    /// Initialisation (segments, start function) trapped. The detail is what
    /// the reference interpreter adds to some messages (see `Trap.detail`).
    case trapped(TrapKind, detail: String? = nil)
    /// A limit of the engine was hit (see `TrapKind.isExhaustion`).
    case exhausted(TrapKind)

    public var description: String {
        switch self {
        case .instantiated: return "instantiated"
        case .unlinkable(let m): return "unlinkable: \(m)"
        case .trapped(let k, let detail): return "trap: \(Trap(k, detail: detail).message)"
        case .exhausted(let k): return "exhausted: \(k.message)"
        }
    }
}

/// What calling an export gave.
public enum InvokeOutcome: Hashable, Sendable, CustomStringConvertible {
    case returned([EngineValue])
    /// The detail is what the reference interpreter adds to some messages
    /// (see `Trap.detail`); the oracle compares kinds only.
    case trapped(TrapKind, detail: String? = nil)
    /// A limit of the engine was hit: fuel, call depth, memory. Engines may
    /// legitimately differ here, so this is never compared.
    case exhausted(TrapKind)

    public var description: String {
        switch self {
        case .returned(let values): return "returned [\(values.map(\.description).joined(separator: ", "))]"
        case .trapped(let k, let detail): return "trap: \(Trap(k, detail: detail).message)"
        case .exhausted(let k): return "exhausted: \(k.message)"
        }
    }
}

extension TrapKind {
    /// Whether the trap is the engine's resource limit rather than a rule of
    /// WebAssembly: the spec lets engines differ in where these happen.
    public var isExhaustion: Bool {
        switch self {
        case .callStackExhausted, .outOfFuel, .resourceExhausted: return true
        default: return false
        }
    }

    /// Every kind except `host`, for decoding names.
    static let named: [TrapKind] = [
        .unreachable, .integerDivideByZero, .integerOverflow, .invalidConversionToInteger,
        .outOfBoundsMemoryAccess, .outOfBoundsTableAccess, .undefinedElement, .uninitializedElement,
        .indirectCallTypeMismatch, .nullFunctionReference, .nullReference, .nullStructureReference,
        .nullArrayReference, .nullExceptionReference, .nullI31Reference, .outOfBoundsArrayAccess,
        .castFailure, .callStackExhausted, .outOfFuel, .resourceExhausted, .typeMismatch, .uncaughtException,
    ]

    /// The kind whose `message` is `message` (the wire protocol's trap
    /// names); anything else is a host trap with that message.
    public init(wireName message: String) {
        self = Self.named.first { $0.message == message } ?? .host(message)
    }

    /// The class the differential oracle compares: engines report some
    /// failures at different granularity (wasmtime has one "null reference"
    /// trap code for every null dereference, and one "table out of bounds"
    /// for accesses and for `call_indirect` beyond the table), so kinds
    /// that some engine cannot tell apart compare equal.
    public var comparisonClass: String {
        switch self {
        case .nullFunctionReference, .nullReference, .nullStructureReference, .nullArrayReference,
             .nullExceptionReference, .nullI31Reference:
            return "null reference"
        case .undefinedElement, .outOfBoundsTableAccess:
            return "out of bounds table access"
        case .host:
            return "host"
        default:
            return message
        }
    }
}

extension Rejection {
    /// How one of our tiers rejected a module.
    init(_ error: CompileError) {
        let kind: Kind
        switch error.kind {
        case .malformed: kind = .malformed
        case .invalid: kind = .invalid
        case .unsupported: kind = .unsupported
        }
        self.init(kind, error.message)
    }
}
