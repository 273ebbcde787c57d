/// Text-format spellings of types (`i32`, `funcref`, `(ref null 3)`), the
/// one spelling for the printer and for validation messages, which the
/// official test suite matches by prefix.
extension ValueType {
    public var textName: String {
        switch self {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        case .ref(let r): return r.textName
        }
    }
}

extension RefType {
    /// The shorthand (`anyref`, `nullfuncref`) for a nullable abstract
    /// heap type, `(ref null? ht)` otherwise.
    public var textName: String {
        if nullable, case .abstract(let a) = heapType {
            switch a {
            case .none: return "nullref"
            case .nofunc: return "nullfuncref"
            case .noextern: return "nullexternref"
            case .noexn: return "nullexnref"
            default: return a.name + "ref"
            }
        }
        return "(ref" + (nullable ? " null " : " ") + heapType.textName + ")"
    }
}

extension HeapType {
    /// The keyword of an abstract heap type, the index of a concrete one.
    public var textName: String {
        switch self {
        case .abstract(let a): return a.name
        case .concrete(let i): return String(i)
        }
    }
}
