import WasmSyntax

/// One entry of the control stack (the spec's `ctrl_frame`, appendix
/// "Validation Algorithm").
public struct ControlFrame: Hashable, Sendable {
    public enum Kind: Hashable, Sendable {
        /// The implicit block of the function body (or of a constant expression).
        case function
        case block
        case loop
        case `if`
        case `else`
        case tryTable
        /// Legacy exception handling: `try`, and the handlers that follow it.
        case `try`
        case `catch`
        case catchAll
    }

    public var kind: Kind
    /// The types the block consumes on entry (and a loop's label types).
    public var startTypes: [ValueType]
    /// The types the block produces (and the label types of all but a loop).
    public var endTypes: [ValueType]
    /// The operand stack height at the start of the block, below which the
    /// block may not pop.
    public var height: Int
    /// The height of the initialisation stack of non-defaultable locals.
    public var initHeight: Int
    /// Whether the rest of the block is unreachable (after `br`, `return`,
    /// `unreachable`, `throw`...), making the stack polymorphic.
    public var unreachable: Bool

    public init(kind: Kind, startTypes: [ValueType], endTypes: [ValueType], height: Int, initHeight: Int, unreachable: Bool = false) {
        self.kind = kind
        self.startTypes = startTypes
        self.endTypes = endTypes
        self.height = height
        self.initHeight = initHeight
        self.unreachable = unreachable
    }

    /// The types a branch to this frame's label carries.
    public var labelTypes: [ValueType] {
        kind == .loop ? startTypes : endTypes
    }
}
