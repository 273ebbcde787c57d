import WasmSyntax

/// A WebAssembly value as the embedding API passes it. Floats are kept as
/// bit patterns so that NaN payloads survive the trip through the host.
public enum Value: Hashable {
    case i32(UInt32)
    case i64(UInt64)
    /// The bit pattern of an f32.
    case f32(UInt32)
    /// The bit pattern of an f64.
    case f64(UInt64)
    case v128(V128)
    case ref(Reference)

    /// The default value of a type (zero, or null); nil for non-nullable
    /// references, which have none.
    public static func defaultValue(of type: ValueType) -> Value? {
        switch type {
        case .i32: return .i32(0)
        case .i64: return .i64(0)
        case .f32: return .f32(0)
        case .f64: return .f64(0)
        case .v128: return .v128(.zero)
        case .ref(let r): return r.nullable ? .ref(.null(r.heapType)) : nil
        }
    }

    public var i32: UInt32? { if case .i32(let v) = self { return v }; return nil }
    public var i64: UInt64? { if case .i64(let v) = self { return v }; return nil }
    public var f32: UInt32? { if case .f32(let v) = self { return v }; return nil }
    public var f64: UInt64? { if case .f64(let v) = self { return v }; return nil }
    public var v128: V128? { if case .v128(let v) = self { return v }; return nil }
    public var reference: Reference? { if case .ref(let v) = self { return v }; return nil }
}

/// A reference value.
public enum Reference: Hashable {
    /// A null reference of the given heap type.
    case null(HeapType)
    case function(Function)
    /// A host value (the spec's `ref.extern N` and `ref.host N`): an opaque
    /// payload the host gets back unchanged. It is an `externref`, and may
    /// also be passed where an `anyref` is expected (as `any.convert_extern`
    /// would make it).
    case extern(UInt64)
    /// An unboxed 31-bit integer (`ref.i31`), sign-extended.
    case i31(Int32)
    /// A GC object: a struct or an array of the store.
    case object(ObjectReference)
    /// An exception (`exnref`).
    case exception(ExceptionReference)
    /// A reference of the any hierarchy turned into an external reference
    /// (`extern.convert_any`); a host value stays `.extern` instead.
    indirect case externalized(Reference)

    public var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension Value: CustomStringConvertible {
    public var description: String {
        switch self {
        case .i32(let v): return "i32:\(v)"
        case .i64(let v): return "i64:\(v)"
        case .f32(let v): return "f32:\(Float(bitPattern: v))"
        case .f64(let v): return "f64:\(Double(bitPattern: v))"
        case .v128(let v): return "v128:0x\(String(v.hi, radix: 16))_\(String(v.lo, radix: 16))"
        case .ref(let r): return "\(r)"
        }
    }
}

extension Reference: CustomStringConvertible {
    public var description: String {
        switch self {
        case .null(let h): return "ref.null \(h)"
        case .function: return "ref.func"
        case .extern(let v): return "ref.extern \(v)"
        case .i31(let v): return "ref.i31 \(v)"
        case .object(let o): return o.isArray ? "ref.array" : "ref.struct"
        case .exception: return "ref.exn"
        case .externalized(let r): return "ref.extern (\(r))"
        }
    }
}

/// A GC object (struct or array) owned by a store. Equality is identity,
/// as for `ref.eq`.
public struct ObjectReference: Hashable {
    public let store: Store
    package let bits: UInt64

    package init(store: Store, bits: UInt64) {
        self.store = store
        self.bits = bits
    }

    /// Whether the object is an array (otherwise a struct).
    public var isArray: Bool { store.referenceMatches(bits, .array) }

    public static func == (a: ObjectReference, b: ObjectReference) -> Bool { a.store === b.store && a.bits == b.bits }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(store))
        hasher.combine(bits)
    }
}

/// An exception object owned by a store (`exnref`). Equality is identity.
public struct ExceptionReference: Hashable {
    public let store: Store
    package let bits: UInt64

    package init(store: Store, bits: UInt64) {
        self.store = store
        self.bits = bits
    }

    public static func == (a: ExceptionReference, b: ExceptionReference) -> Bool { a.store === b.store && a.bits == b.bits }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(ObjectIdentifier(store))
        hasher.combine(bits)
    }
}
