/// Why instantiation failed.
public enum InstantiationError: Error, CustomStringConvertible {
    /// The imports do not fit (`assert_unlinkable`): nothing was changed.
    case unlinkable(LinkError)
    /// Initialisation trapped (`assert_uninstantiable`): segments applied
    /// before the trap stay applied, as the spec requires.
    case trap(Trap)

    public var description: String {
        switch self {
        case .unlinkable(let e): return e.description
        case .trap(let t): return t.description
        }
    }
}

/// An import that cannot be satisfied.
public struct LinkError: Error, Hashable, Sendable, CustomStringConvertible {
    /// "unknown import" or "incompatible import type", as the suite expects.
    public var message: String
    public var module: String
    public var name: String

    public init(_ message: String, module: String, name: String) {
        self.message = message
        self.module = module
        self.name = name
    }

    public var description: String { "\(message): \(module).\(name)" }
}
