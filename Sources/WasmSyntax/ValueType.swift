/// A value type (WebAssembly 3.0 `valtype`): a number type, the vector type,
/// or a reference type.
public enum ValueType: Hashable, Sendable {
    case i32
    case i64
    case f32
    case f64
    case v128
    case ref(RefType)

    /// Equality, inlinable across modules: the compilers compare value
    /// types on every instruction, and the derived `==` was a call each
    /// time (2.7% of the JIT's compile time).
    @inlinable
    public static func == (lhs: ValueType, rhs: ValueType) -> Bool {
        switch (lhs, rhs) {
        case (.i32, .i32), (.i64, .i64), (.f32, .f32), (.f64, .f64), (.v128, .v128): return true
        case (.ref(let a), .ref(let b)): return a.nullable == b.nullable && a.heapType == b.heapType
        default: return false
        }
    }

    public static let funcref = ValueType.ref(.funcref)
    public static let externref = ValueType.ref(.externref)
    public static let exnref = ValueType.ref(.exnref)
    public static let anyref = ValueType.ref(.anyref)

    public var isNumber: Bool {
        switch self {
        case .i32, .i64, .f32, .f64: return true
        case .v128, .ref: return false
        }
    }

    public var isReference: Bool {
        if case .ref = self { return true }
        return false
    }

    /// The reference type, when this is one.
    public var refType: RefType? {
        if case .ref(let r) = self { return r }
        return nil
    }

    /// Whether a local of this type has a default value (a non-nullable
    /// reference has none, so such locals must be set before use).
    public var isDefaultable: Bool {
        if case .ref(let r) = self { return r.nullable }
        return true
    }
}

/// A reference type: `(ref null? heaptype)`.
public struct RefType: Hashable, Sendable {
    public var nullable: Bool
    public var heapType: HeapType

    public init(nullable: Bool, heapType: HeapType) {
        self.nullable = nullable
        self.heapType = heapType
    }

    public static let funcref = RefType(nullable: true, heapType: .func)
    public static let externref = RefType(nullable: true, heapType: .extern)
    public static let exnref = RefType(nullable: true, heapType: .exn)
    public static let anyref = RefType(nullable: true, heapType: .any)
    public static let eqref = RefType(nullable: true, heapType: .eq)
    public static let i31ref = RefType(nullable: true, heapType: .i31)
    public static let structref = RefType(nullable: true, heapType: .struct)
    public static let arrayref = RefType(nullable: true, heapType: .array)
    public static let nullref = RefType(nullable: true, heapType: .none)
    public static let nullfuncref = RefType(nullable: true, heapType: .nofunc)
    public static let nullexternref = RefType(nullable: true, heapType: .noextern)
    public static let nullexnref = RefType(nullable: true, heapType: .noexn)
}

/// The abstract heap types of WebAssembly 3.0.
public enum AbstractHeapType: UInt8, Hashable, Sendable, CaseIterable {
    case `func`, nofunc, extern, noextern, any, eq, i31, `struct`, array, none, exn, noexn

    /// The binary encoding (a negative s33, one byte).
    public var binaryCode: UInt8 {
        switch self {
        case .nofunc: return 0x73
        case .noextern: return 0x72
        case .none: return 0x71
        case .func: return 0x70
        case .extern: return 0x6F
        case .any: return 0x6E
        case .eq: return 0x6D
        case .i31: return 0x6C
        case .struct: return 0x6B
        case .array: return 0x6A
        case .exn: return 0x69
        case .noexn: return 0x74
        }
    }

    public init?(binaryCode: UInt8) {
        guard let t = AbstractHeapType.allCases.first(where: { $0.binaryCode == binaryCode }) else { return nil }
        self = t
    }

    /// The text keyword (`func`, `extern`, ...).
    public var name: String {
        switch self {
        case .func: return "func"
        case .nofunc: return "nofunc"
        case .extern: return "extern"
        case .noextern: return "noextern"
        case .any: return "any"
        case .eq: return "eq"
        case .i31: return "i31"
        case .struct: return "struct"
        case .array: return "array"
        case .none: return "none"
        case .exn: return "exn"
        case .noexn: return "noexn"
        }
    }
}

/// A heap type: abstract, or a concrete type index into the module's
/// type section (flattened across rec groups).
public enum HeapType: Hashable, Sendable {
    case abstract(AbstractHeapType)
    case concrete(UInt32)

    public static let `func` = HeapType.abstract(.func)
    public static let nofunc = HeapType.abstract(.nofunc)
    public static let extern = HeapType.abstract(.extern)
    public static let noextern = HeapType.abstract(.noextern)
    public static let any = HeapType.abstract(.any)
    public static let eq = HeapType.abstract(.eq)
    public static let i31 = HeapType.abstract(.i31)
    public static let `struct` = HeapType.abstract(.struct)
    public static let array = HeapType.abstract(.array)
    public static let none = HeapType.abstract(.none)
    public static let exn = HeapType.abstract(.exn)
    public static let noexn = HeapType.abstract(.noexn)
}

/// The storage type of a struct field or array element: a value type or a
/// packed integer type.
public enum StorageType: Hashable, Sendable {
    case value(ValueType)
    case i8
    case i16

    /// The type a field of this storage type has on the operand stack.
    public var unpacked: ValueType {
        switch self {
        case .value(let t): return t
        case .i8, .i16: return .i32
        }
    }
}

public struct FieldType: Hashable, Sendable {
    public var storage: StorageType
    public var mutable: Bool

    public init(storage: StorageType, mutable: Bool) {
        self.storage = storage
        self.mutable = mutable
    }
}

public struct FuncType: Hashable, Sendable {
    public var params: [ValueType]
    public var results: [ValueType]

    public init(params: [ValueType] = [], results: [ValueType] = []) {
        self.params = params
        self.results = results
    }
}

/// The structure of a defined type.
public enum CompositeType: Hashable, Sendable {
    case `func`(FuncType)
    case `struct`([FieldType])
    case array(FieldType)
}

/// A sub type: a composite type with its declared supertypes (at most one)
/// and whether it is final. A plain `(type (func ...))` is final with no
/// supertypes.
public struct SubType: Hashable, Sendable {
    public var isFinal: Bool
    public var supertypes: [UInt32]
    public var composite: CompositeType

    public init(isFinal: Bool = true, supertypes: [UInt32] = [], composite: CompositeType) {
        self.isFinal = isFinal
        self.supertypes = supertypes
        self.composite = composite
    }

    public var funcType: FuncType? {
        if case .func(let f) = composite { return f }
        return nil
    }
}

/// A recursion group. A type definition outside `(rec ...)` is a group of one.
public struct RecGroup: Hashable, Sendable {
    public var types: [SubType]
    /// Whether the group was written as an explicit `rec` (binary 0x4E), kept
    /// so that a group of one round-trips byte for byte.
    public var isExplicit: Bool

    public init(types: [SubType], isExplicit: Bool = false) {
        self.types = types
        self.isExplicit = isExplicit
    }
}

/// The address type of a memory or table (memory64 / table64).
public enum AddressType: Hashable, Sendable {
    case i32
    case i64

    public var valueType: ValueType { self == .i32 ? .i32 : .i64 }
}

public struct Limits: Hashable, Sendable {
    public var min: UInt64
    public var max: UInt64?
    public var addressType: AddressType
    public var shared: Bool

    public init(min: UInt64, max: UInt64? = nil, addressType: AddressType = .i32, shared: Bool = false) {
        self.min = min
        self.max = max
        self.addressType = addressType
        self.shared = shared
    }
}

public struct MemoryType: Hashable, Sendable {
    public var limits: Limits
    /// log2 of the page size; 16 (64 KiB) unless the custom-page-sizes
    /// proposal says otherwise.
    public var pageSizeLog2: UInt8?

    public init(limits: Limits, pageSizeLog2: UInt8? = nil) {
        self.limits = limits
        self.pageSizeLog2 = pageSizeLog2
    }
}

public struct TableType: Hashable, Sendable {
    public var elementType: RefType
    public var limits: Limits

    public init(elementType: RefType, limits: Limits) {
        self.elementType = elementType
        self.limits = limits
    }
}

public struct GlobalType: Hashable, Sendable {
    public var valueType: ValueType
    public var mutable: Bool

    public init(valueType: ValueType, mutable: Bool) {
        self.valueType = valueType
        self.mutable = mutable
    }
}

/// A tag type: the index of a function type whose params are the payload
/// (results must be empty).
public struct TagType: Hashable, Sendable {
    public var typeIndex: UInt32

    public init(typeIndex: UInt32) { self.typeIndex = typeIndex }
}
