/// A WebAssembly module as an abstract syntax tree.
///
/// Function bodies are kept as bytes (see `Function.body`): the one path to
/// execution reads them in a single streaming pass. Everything else is fully
/// decoded.
public struct Module: Hashable, Sendable {
    public var types: [RecGroup] = []
    public var imports: [Import] = []
    public var functions: [Function] = []
    public var tables: [Table] = []
    public var memories: [MemoryType] = []
    public var tags: [TagType] = []
    public var globals: [Global] = []
    public var exports: [Export] = []
    public var start: UInt32?
    public var elements: [ElementSegment] = []
    /// The data count section, when present.
    public var dataCount: UInt32?
    public var datas: [DataSegment] = []
    public var customSections: [CustomSection] = []

    public init() {}

    /// All defined types, flattened across rec groups: the index space that
    /// type indices refer to.
    public var definedTypes: [SubType] {
        types.flatMap(\.types)
    }
}

public struct Import: Hashable, Sendable {
    public var module: String
    public var name: String
    public var descriptor: ImportDescriptor

    public init(module: String, name: String, descriptor: ImportDescriptor) {
        self.module = module
        self.name = name
        self.descriptor = descriptor
    }
}

public enum ImportDescriptor: Hashable, Sendable {
    /// A function of the given type index.
    case function(UInt32)
    case table(TableType)
    case memory(MemoryType)
    case global(GlobalType)
    case tag(TagType)
}

public struct Export: Hashable, Sendable {
    public var name: String
    public var descriptor: ExportDescriptor

    public init(name: String, descriptor: ExportDescriptor) {
        self.name = name
        self.descriptor = descriptor
    }
}

public enum ExportDescriptor: Hashable, Sendable {
    case function(UInt32)
    case table(UInt32)
    case memory(UInt32)
    case global(UInt32)
    case tag(UInt32)
}

/// The kinds of external values, for index spaces and diagnostics.
public enum ExternalKind: UInt8, Hashable, Sendable {
    case function = 0, table = 1, memory = 2, global = 3, tag = 4
}

/// A function defined in the module.
public struct Function: Hashable, Sendable {
    public var typeIndex: UInt32
    /// Local declarations as written: runs of `count` locals of one type.
    /// Kept compressed so that a hostile count costs nothing until validated.
    public var locals: [LocalRun]
    /// The body's code bytes, from the first instruction to the final `end`
    /// (inclusive). The slice's `startIndex` is the byte offset of the body
    /// in the module's binary, so diagnostics can point into the file; it
    /// does not take part in equality.
    public var body: ArraySlice<UInt8>

    public init(typeIndex: UInt32, locals: [LocalRun] = [], body: ArraySlice<UInt8>) {
        self.typeIndex = typeIndex
        self.locals = locals
        self.body = body
    }

    /// The byte offset of the body in the binary it was decoded from.
    public var bodyOffset: Int { body.startIndex }
}

public struct LocalRun: Hashable, Sendable {
    public var count: UInt32
    public var type: ValueType

    public init(count: UInt32, type: ValueType) {
        self.count = count
        self.type = type
    }
}

public struct Table: Hashable, Sendable {
    public var type: TableType
    /// The initialiser of every entry (3.0 `table` with an init expression);
    /// nil means `ref.null` of the element type.
    public var initializer: ConstExpression?

    public init(type: TableType, initializer: ConstExpression? = nil) {
        self.type = type
        self.initializer = initializer
    }
}

public struct Global: Hashable, Sendable {
    public var type: GlobalType
    public var initializer: ConstExpression

    public init(type: GlobalType, initializer: ConstExpression) {
        self.type = type
        self.initializer = initializer
    }
}

public struct ElementSegment: Hashable, Sendable {
    public enum Mode: Hashable, Sendable {
        case passive
        case active(table: UInt32, offset: ConstExpression)
        case declarative
    }

    public enum Items: Hashable, Sendable {
        /// Function indices (binary flags 0-3): the element type is `funcref`.
        case functions([UInt32])
        /// Constant expressions (binary flags 4-7).
        case expressions([ConstExpression])

        public var count: Int {
            switch self {
            case .functions(let f): return f.count
            case .expressions(let e): return e.count
            }
        }
    }

    public var type: RefType
    public var mode: Mode
    public var items: Items

    public init(type: RefType, mode: Mode, items: Items) {
        self.type = type
        self.mode = mode
        self.items = items
    }
}

public struct DataSegment: Hashable, Sendable {
    public enum Mode: Hashable, Sendable {
        case passive
        case active(memory: UInt32, offset: ConstExpression)
    }

    public var mode: Mode
    public var bytes: [UInt8]

    public init(mode: Mode, bytes: [UInt8]) {
        self.mode = mode
        self.bytes = bytes
    }
}

public struct CustomSection: Hashable, Sendable {
    public var name: String
    /// The section's content after its name: a slice of the binary it was
    /// decoded from (its `startIndex` is the content's byte offset there),
    /// never a copy. Rust programs carry megabytes of DWARF in custom
    /// sections; copying them was 5% of the JIT's compile time.
    public var contents: ArraySlice<UInt8>
    /// The id of the last non-custom section before this one (0 if none), so
    /// that encoding puts it back in place.
    public var after: UInt8

    /// The content, as an array of its own.
    public var bytes: [UInt8] {
        get { Array(contents) }
        set { contents = newValue[...] }
    }

    public init(name: String, bytes: [UInt8], after: UInt8 = 0) {
        self.init(name: name, contents: bytes[...], after: after)
    }

    public init(name: String, contents: ArraySlice<UInt8>, after: UInt8 = 0) {
        self.name = name
        self.contents = contents
        self.after = after
    }
}

extension Function {
    public static func == (lhs: Function, rhs: Function) -> Bool {
        lhs.typeIndex == rhs.typeIndex && lhs.locals == rhs.locals && lhs.body.elementsEqual(rhs.body)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(typeIndex)
        hasher.combine(locals)
        for b in body { hasher.combine(b) }
    }
}
