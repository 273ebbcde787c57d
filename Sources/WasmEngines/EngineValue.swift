import WasmSyntax

/// A value as it crosses the engine boundary: numbers as bit patterns (so
/// NaN payloads survive), references by what can be compared across engines
/// (their kind, and the value of an `i31`), since an engine's references
/// are opaque to every other engine.
public enum EngineValue: Hashable, Sendable, CustomStringConvertible {
    case i32(UInt32)
    case i64(UInt64)
    /// The bit pattern of an f32.
    case f32(UInt32)
    /// The bit pattern of an f64.
    case f64(UInt64)
    case v128(V128)
    case ref(ReferenceKind)

    /// The default value of a type, as an argument: zero or null; nil for a
    /// non-nullable reference type. `types` are the module's (for
    /// concrete heap types).
    public static func zero(of type: ValueType, types: [SubType]) -> EngineValue? {
        switch type {
        case .i32: return .i32(0)
        case .i64: return .i64(0)
        case .f32: return .f32(0)
        case .f64: return .f64(0)
        case .v128: return .v128(.zero)
        case .ref(let r): return r.nullable ? .ref(.null(RefHierarchy(r.heapType, types: types))) : nil
        }
    }

    /// The type name of the wire protocol.
    public var typeName: String {
        switch self {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        case .ref: return "ref"
        }
    }

    public var description: String {
        switch self {
        case .i32(let v): return "i32:\(v)"
        case .i64(let v): return "i64:\(v)"
        case .f32(let v):
            let f = Float(bitPattern: v)
            return f.isNaN ? "f32:nan(0x\(String(v, radix: 16)))" : "f32:\(f)"
        case .f64(let v):
            let f = Double(bitPattern: v)
            return f.isNaN ? "f64:nan(0x\(String(v, radix: 16)))" : "f64:\(f)"
        case .v128(let v): return "v128:\(V128Hex.string(v))"
        case .ref(let r): return "ref:\(r.wireName)"
        }
    }
}

/// The four reference type hierarchies: a null reference of one is not a
/// null of another (and engines' host APIs need to know which).
public enum RefHierarchy: String, Hashable, Sendable {
    case `func`, extern, any, exn

    /// The hierarchy of `heapType`; `types` resolves concrete type indices.
    public init(_ heapType: HeapType, types: [SubType]) {
        switch heapType {
        case .abstract(let a):
            switch a {
            case .func, .nofunc: self = .func
            case .extern, .noextern: self = .extern
            case .exn, .noexn: self = .exn
            case .any, .eq, .i31, .struct, .array, .none: self = .any
            }
        case .concrete(let i):
            if Int(i) < types.count, case .func = types[Int(i)].composite { self = .func } else { self = .any }
        }
    }
}

/// What the oracle can compare about a reference.
public enum ReferenceKind: Hashable, Sendable {
    case null(RefHierarchy)
    case function
    /// A host value (the spec suite's `ref.extern N` and `ref.host N`),
    /// with its number; internalized into the any hierarchy it stays one.
    case host(UInt32)
    /// An internal reference made external (`extern.convert_any`).
    case extern
    case i31(Int32)
    case structure
    case array
    case exception
    /// A reference the engine cannot classify further.
    case other

    /// The wire protocol's name: null:HIERARCHY, func, host:N, extern,
    /// i31:N, struct, array, exn, other.
    public var wireName: String {
        switch self {
        case .null(let h): return "null:\(h.rawValue)"
        case .function: return "func"
        case .host(let n): return "host:\(n)"
        case .extern: return "extern"
        case .i31(let v): return "i31:\(v)"
        case .structure: return "struct"
        case .array: return "array"
        case .exception: return "exn"
        case .other: return "other"
        }
    }

    public init?(wireName: String) {
        switch wireName {
        case "null:func": self = .null(.func)
        case "null:extern": self = .null(.extern)
        case "null:any": self = .null(.any)
        case "null:exn": self = .null(.exn)
        case "func": self = .function
        case "extern": self = .extern
        case "struct": self = .structure
        case "array": self = .array
        case "exn": self = .exception
        case "other": self = .other
        default:
            if wireName.hasPrefix("host:"), let n = UInt32(wireName.dropFirst(5)) {
                self = .host(n)
            } else if wireName.hasPrefix("i31:"), let v = Int32(wireName.dropFirst(4)) {
                self = .i31(v)
            } else {
                return nil
            }
        }
    }

    /// One letter per kind, for table entries on the wire (an i31 loses
    /// its value there).
    public var letter: Character {
        switch self {
        case .null: return "n"
        case .function: return "f"
        case .host, .extern: return "e"
        case .i31: return "i"
        case .structure: return "s"
        case .array: return "a"
        case .exception: return "x"
        case .other: return "o"
        }
    }
}

/// v128 values on the wire: the 16 bytes in memory order, as 32 hex digits.
enum V128Hex {
    static func string(_ v: V128) -> String {
        let digits = Array("0123456789abcdef")
        var s = ""
        s.reserveCapacity(32)
        for b in v.bytes {
            s.append(digits[Int(b >> 4)])
            s.append(digits[Int(b & 15)])
        }
        return s
    }

    static func parse(_ s: String) -> V128? {
        let utf8 = Array(s.utf8)
        guard utf8.count == 32 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        var i = 0
        while i < 32 {
            guard let hi = hexDigit(utf8[i]), let lo = hexDigit(utf8[i + 1]) else { return nil }
            bytes.append(hi << 4 | lo)
            i += 2
        }
        return V128(bytes: bytes)
    }

    static func hexDigit(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
