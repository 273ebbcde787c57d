import WasmSyntax

/// Text-format spellings of operand stacks and result types for error
/// messages (`[i32 _]`); single types spell themselves (`textName`).
enum TypeNames {
    static func operand(_ t: OperandType) -> String {
        switch t {
        case .known(let v): return v.textName
        case .unknown: return "_"
        case .unknownReference: return "(ref _)"
        }
    }

    static func resultType(_ ts: some Sequence<ValueType>) -> String {
        "[" + ts.map(\.textName).joined(separator: " ") + "]"
    }

    static func operands(_ ts: some Sequence<OperandType>) -> String {
        "[" + ts.map(operand).joined(separator: " ") + "]"
    }
}
