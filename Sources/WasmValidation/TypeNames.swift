import WasmSyntax

/// Text-format spellings of types, for error messages (`[i32 i64]`,
/// `(ref null 3)`). Kept internal so that no conformance of the shared
/// WasmSyntax types leaks out of this module.
enum TypeNames {
    static func heapType(_ h: HeapType) -> String {
        switch h {
        case .abstract(let a): return a.name
        case .concrete(let i): return String(i)
        }
    }

    static func refType(_ r: RefType) -> String {
        if r.nullable, case .abstract(let a) = r.heapType {
            switch a {
            case .func: return "funcref"
            case .extern: return "externref"
            case .any: return "anyref"
            case .eq: return "eqref"
            case .i31: return "i31ref"
            case .struct: return "structref"
            case .array: return "arrayref"
            case .exn: return "exnref"
            case .none: return "nullref"
            case .nofunc: return "nullfuncref"
            case .noextern: return "nullexternref"
            case .noexn: return "nullexnref"
            }
        }
        return "(ref \(r.nullable ? "null " : "")\(heapType(r.heapType)))"
    }

    static func valueType(_ t: ValueType) -> String {
        switch t {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        case .ref(let r): return refType(r)
        }
    }

    static func operand(_ t: OperandType) -> String {
        switch t {
        case .known(let v): return valueType(v)
        case .unknown: return "_"
        case .unknownReference: return "(ref _)"
        }
    }

    static func resultType(_ ts: some Sequence<ValueType>) -> String {
        "[" + ts.map(valueType).joined(separator: " ") + "]"
    }

    static func operands(_ ts: some Sequence<OperandType>) -> String {
        "[" + ts.map(operand).joined(separator: " ") + "]"
    }
}
