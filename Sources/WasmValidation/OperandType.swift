import WasmSyntax

/// The type of one entry of the operand stack during validation.
///
/// In unreachable code the stack is polymorphic: popping below the frame's
/// height yields the bottom type, which matches everything. Such values can
/// be pushed back (by `br_table`, which re-pushes what it checked), so the
/// stack can hold them.
public enum OperandType: Hashable, Sendable {
    /// A value of a known type.
    case known(ValueType)
    /// The bottom value type: any type at all (only in unreachable code).
    case unknown
    /// `(ref bot)`: a non-null reference of unknown heap type. This is what
    /// `ref.as_non_null` and `br_on_null` produce from an unknown operand;
    /// it matches every reference type but no number or vector type.
    case unknownReference

    /// The known value type, if any.
    public var valueType: ValueType? {
        if case .known(let t) = self { return t }
        return nil
    }
}
