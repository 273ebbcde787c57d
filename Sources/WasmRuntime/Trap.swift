/// The kinds of traps. Every tier maps its failures to one of these, so that
/// the spec runner and the differential fuzzer compare kinds, not strings
/// (docs/architecture.md, decision 7).
public enum TrapKind: Hashable, Sendable {
    case unreachable
    case integerDivideByZero
    case integerOverflow
    case invalidConversionToInteger
    case outOfBoundsMemoryAccess
    case outOfBoundsTableAccess
    /// `call_indirect` on an index beyond the table's size.
    case undefinedElement
    /// `call_indirect` on a null table entry.
    case uninitializedElement
    case indirectCallTypeMismatch
    /// A null reference where a function was needed (`call_ref`).
    case nullFunctionReference
    /// A null reference given to `ref.as_non_null` and friends.
    case nullReference
    case nullStructureReference
    case nullArrayReference
    /// `throw_ref` of a null reference.
    case nullExceptionReference
    case nullI31Reference
    case outOfBoundsArrayAccess
    case castFailure
    /// The wasm call depth limit or the value stack was exhausted.
    case callStackExhausted
    /// The engine was configured with fuel and it ran out.
    case outOfFuel
    /// An allocation (array, memory at instantiation) beyond the engine's limits.
    case resourceExhausted
    /// A function was called with the wrong number or types of arguments, or a
    /// host function returned results that do not match its type.
    case typeMismatch
    /// A WebAssembly exception was not caught before reaching the host
    /// (the spec suite's `assert_exception`). Not a trap in the spec's
    /// sense, but it ends the invocation the same way.
    case uncaughtException
    /// A trap raised by a host function, with its own message.
    case host(String)

    /// The text of the official test suite's `assert_trap`/`assert_exhaustion`.
    public var message: String {
        switch self {
        case .unreachable: return "unreachable"
        case .integerDivideByZero: return "integer divide by zero"
        case .integerOverflow: return "integer overflow"
        case .invalidConversionToInteger: return "invalid conversion to integer"
        case .outOfBoundsMemoryAccess: return "out of bounds memory access"
        case .outOfBoundsTableAccess: return "out of bounds table access"
        case .undefinedElement: return "undefined element"
        case .uninitializedElement: return "uninitialized element"
        case .indirectCallTypeMismatch: return "indirect call type mismatch"
        case .nullFunctionReference: return "null function reference"
        case .nullReference: return "null reference"
        case .nullStructureReference: return "null structure reference"
        case .nullArrayReference: return "null array reference"
        case .nullExceptionReference: return "null exception reference"
        case .nullI31Reference: return "null i31 reference"
        case .outOfBoundsArrayAccess: return "out of bounds array access"
        case .castFailure: return "cast failure"
        case .callStackExhausted: return "call stack exhausted"
        case .outOfFuel: return "out of fuel"
        case .resourceExhausted: return "resource exhausted"
        case .typeMismatch: return "type mismatch"
        case .uncaughtException: return "uncaught exception"
        case .host(let message): return message
        }
    }
}

/// A WebAssembly trap: execution stopped abnormally.
///
/// Two traps are equal when their kinds and details are: the backtrace is
/// where the trap happened, not what it is, so the spec runner and the
/// fuzzer compare traps of different tiers (with and without backtraces)
/// as before.
public struct Trap: Error, Hashable, Sendable, CustomStringConvertible {
    public var kind: TrapKind
    /// What the reference interpreter adds to some messages (the table
    /// index of an uninitialized element).
    public var detail: String?
    /// The WebAssembly frames active when the trap happened, innermost
    /// first, with function indices, names from the module's `name`
    /// section and byte offsets (see `WasmBacktrace`). Captured by the tier
    /// when the trap happens, never while code runs: the interpreter
    /// records one for every trap raised while one of its functions runs
    /// (its own, or one a host function it called threw, which gets the
    /// frames of the wasm callers). Nil when no WebAssembly frame was
    /// active (a call that failed before entering the function, a host
    /// function called directly by the embedder), and for traps of tiers
    /// that record no frames (the JIT, the agent).
    public var backtrace: WasmBacktrace?

    public init(_ kind: TrapKind, detail: String? = nil) {
        self.kind = kind
        self.detail = detail
    }

    /// Kind and detail; not the backtrace.
    public static func == (lhs: Trap, rhs: Trap) -> Bool {
        lhs.kind == rhs.kind && lhs.detail == rhs.detail
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(detail)
    }

    /// The suite's wording for the trap (see `TrapKind.message`), with the detail.
    public var message: String { detail.map { "\(kind.message) \($0)" } ?? kind.message }

    public var description: String { "trap: \(message)" }
}
