import WasmSyntax

/// Everything the function validator needs to know about the module (the
/// spec's context C), built once per module.
///
/// Building it validates the type section (rec groups, sub types) and the
/// types of all imports and definitions, because subtyping queries and
/// function signatures are only meaningful for valid types. Constant
/// expressions, segments, exports and the start function are checked by
/// `validateDefinitions(of:)`, function bodies by `FunctionValidator`.
public struct ValidationContext: Sendable {
    public var features: Features

    /// The defined types, flattened across rec groups.
    public var types: [SubType]
    /// For each type, the index of the first type of its rec group.
    public var recGroupStarts: [UInt32]
    /// For each type, the smallest index of a type that is equivalent to it
    /// (same rec group structure, same position), so that type equality of
    /// closed types is a comparison of integers.
    public var canonicalTypeIndices: [UInt32]

    /// The type index of every function: imported, then defined.
    public var functionTypeIndices: [UInt32]
    public var importedFunctionCount: Int
    public var tables: [TableType]
    public var importedTableCount: Int
    public var memories: [MemoryType]
    public var importedMemoryCount: Int
    public var globals: [GlobalType]
    public var importedGlobalCount: Int
    public var tags: [TagType]
    public var importedTagCount: Int
    /// The type of every element segment.
    public var elementTypes: [RefType]
    /// The value of the data count section, if the module has one.
    public var dataCount: UInt32?
    /// The number of data segments (C.datas).
    public var dataSegmentCount: Int
    /// C.refs: the functions that `ref.func` may name in function bodies,
    /// those referenced outside of functions (globals, tables, element
    /// segments, exports).
    public var declaredFunctionReferences: Set<UInt32>

    /// Builds the context of `module`, validating its types.
    public init(module: Module, features: Features = .all) throws(ValidationError) {
        self.features = features
        types = []
        recGroupStarts = []
        canonicalTypeIndices = []
        functionTypeIndices = []
        importedFunctionCount = 0
        tables = []
        importedTableCount = 0
        memories = []
        importedMemoryCount = 0
        globals = []
        importedGlobalCount = 0
        tags = []
        importedTagCount = 0
        elementTypes = []
        dataCount = module.dataCount
        dataSegmentCount = module.datas.count
        declaredFunctionReferences = []

        var canonicalizer = TypeCanonicalizer()
        for group in module.types {
            try addRecGroup(group, canonicalizer: &canonicalizer)
        }

        for item in module.imports {
            switch item.descriptor {
            case .function(let typeIndex):
                try checkFunctionTypeIndex(typeIndex)
                functionTypeIndices.append(typeIndex)
                importedFunctionCount += 1
            case .table(let t):
                try checkTableType(t)
                tables.append(t)
                importedTableCount += 1
            case .memory(let m):
                try checkMemoryType(m)
                memories.append(m)
                importedMemoryCount += 1
            case .global(let g):
                try checkValueType(g.valueType)
                globals.append(g)
                importedGlobalCount += 1
            case .tag(let t):
                try checkTagType(t)
                tags.append(t)
                importedTagCount += 1
            }
        }
        for function in module.functions {
            try checkFunctionTypeIndex(function.typeIndex)
            functionTypeIndices.append(function.typeIndex)
        }
        for table in module.tables {
            try checkTableType(table.type)
            tables.append(table.type)
        }
        for memory in module.memories {
            try checkMemoryType(memory)
            memories.append(memory)
        }
        for global in module.globals {
            try checkValueType(global.type.valueType)
            globals.append(global.type)
        }
        for tag in module.tags {
            try checkTagType(tag)
            tags.append(tag)
        }
        for segment in module.elements {
            try checkRefType(segment.type)
            elementTypes.append(segment.type)
        }

        if !features.contains(.multiMemory) && memories.count > 1 {
            throw ValidationError("multiple memories")
        }
        if !features.contains(.referenceTypes) && tables.count > 1 {
            throw ValidationError("multiple tables")
        }

        declaredFunctionReferences = Self.functionReferences(of: module)
    }

    /// The functions referenced outside function bodies (the spec's
    /// `funcidx(global* mem* table* elem* export*)`).
    static func functionReferences(of module: Module) -> Set<UInt32> {
        var refs = Set<UInt32>()
        func scan(_ expression: ConstExpression) {
            for instruction in expression where instruction.opcode == .refFunc {
                if case .index(let f) = instruction.immediate { refs.insert(f) }
            }
        }
        for global in module.globals { scan(global.initializer) }
        for table in module.tables { if let e = table.initializer { scan(e) } }
        for segment in module.elements {
            switch segment.items {
            case .functions(let fs): refs.formUnion(fs)
            case .expressions(let es): for e in es { scan(e) }
            }
            if case .active(_, let offset) = segment.mode { scan(offset) }
        }
        for export in module.exports {
            if case .function(let f) = export.descriptor { refs.insert(f) }
        }
        return refs
    }

    // MARK: Look-ups

    /// The type of a function (imported or defined), if the index is valid.
    public func funcType(ofFunction index: UInt32) -> FuncType? {
        guard index < functionTypeIndices.count else { return nil }
        return funcType(atTypeIndex: functionTypeIndices[Int(index)])
    }

    /// The function type at a type index, if the index is valid and names a
    /// function type.
    public func funcType(atTypeIndex index: UInt32) -> FuncType? {
        guard index < types.count else { return nil }
        return types[Int(index)].funcType
    }

    /// The parameter types of a tag (its payload).
    public func tagParameters(_ index: UInt32) -> [ValueType]? {
        guard index < tags.count else { return nil }
        return funcType(atTypeIndex: tags[Int(index)].typeIndex)?.params
    }

    /// The structure of the type at `index`, if the index is valid.
    public func compositeType(at index: UInt32) -> CompositeType? {
        guard index < types.count else { return nil }
        return types[Int(index)].composite
    }

    // MARK: Checks of types

    /// Checks that a value type is well-formed: type indices in range, and
    /// the feature that introduced it enabled.
    public func checkValueType(_ t: ValueType, offset: Int = 0) throws(ValidationError) {
        switch t {
        case .i32, .i64, .f32, .f64: return
        case .v128:
            if !features.contains(.simd) { throw ValidationError("v128 requires the simd feature", offset: offset) }
        case .ref(let r): try checkRefType(r, offset: offset)
        }
    }

    public func checkRefType(_ r: RefType, offset: Int = 0) throws(ValidationError) {
        // Non-nullable references need no check: 2.0 element segments of
        // function indices have type (ref func) in the 3.0 reading.
        try checkHeapType(r.heapType, offset: offset)
    }

    public func checkHeapType(_ h: HeapType, offset: Int = 0) throws(ValidationError) {
        switch h {
        case .concrete(let i):
            if i >= types.count { throw ValidationError.unknown("type", i, offset: offset) }
            if !features.contains(.functionReferences) {
                throw ValidationError("typed references require the function-references feature", offset: offset)
            }
        case .abstract(let a):
            switch a {
            case .func:
                return // funcref is the MVP's table element type
            case .extern:
                if !features.contains(.referenceTypes) {
                    throw ValidationError("reference types require the reference-types feature", offset: offset)
                }
            case .exn, .noexn:
                if !features.contains(.exceptions) && !features.contains(.legacyExceptions) {
                    throw ValidationError("exnref requires the exceptions feature", offset: offset)
                }
            case .any, .eq, .i31, .struct, .array, .none, .nofunc, .noextern:
                if !features.contains(.gc) {
                    throw ValidationError("\(a.name) references require the gc feature", offset: offset)
                }
            }
        }
    }

    func checkFunctionTypeIndex(_ index: UInt32, offset: Int = 0) throws(ValidationError) {
        guard index < types.count else { throw ValidationError.unknown("type", index, offset: offset) }
        guard types[Int(index)].funcType != nil else {
            throw ValidationError("type mismatch: type \(index) is not a function type", offset: offset)
        }
    }

    func checkTagType(_ tag: TagType, offset: Int = 0) throws(ValidationError) {
        try checkFunctionTypeIndex(tag.typeIndex, offset: offset)
        if let f = funcType(atTypeIndex: tag.typeIndex), !f.results.isEmpty {
            throw ValidationError("non-empty tag result type", offset: offset)
        }
    }

    func checkTableType(_ t: TableType, offset: Int = 0) throws(ValidationError) {
        try checkAddressType(t.limits)
        let bound: UInt64 = t.limits.addressType == .i32 ? 0xFFFF_FFFF : UInt64.max
        let message = t.limits.addressType == .i32
            ? "table size must be at most 2^32-1" : "table size must be at most 2^64-1"
        try checkLimits(t.limits, bound: bound, message: message, offset: offset)
        if t.limits.shared { throw ValidationError("tables cannot be shared", offset: offset) }
        try checkRefType(t.elementType, offset: offset)
    }

    func checkMemoryType(_ m: MemoryType, offset: Int = 0) throws(ValidationError) {
        try checkAddressType(m.limits)
        let log2 = m.pageSizeLog2 ?? 16
        if m.pageSizeLog2 != nil && !features.contains(.customPageSizes) {
            throw ValidationError("custom page sizes require the custom-page-sizes feature", offset: offset)
        }
        guard log2 == 0 || log2 == 16 else { throw ValidationError("invalid custom page size", offset: offset) }
        let bits: UInt64 = m.limits.addressType == .i32 ? 32 : 64
        // The size in bytes must be addressable: at most 2^bits bytes, and
        // for one-byte pages at most 2^bits - 1 pages.
        let bound: UInt64 = log2 == 0
            ? (bits == 32 ? 0xFFFF_FFFF : UInt64.max)
            : UInt64(1) << (bits - UInt64(log2))
        let message: String
        if log2 == 16 {
            message = bits == 32
                ? "memory size must be at most 65536 pages (4GiB)"
                : "memory size must be at most 2^48 pages (256TiB)"
        } else {
            message = "memory size must be at most \(bound) pages"
        }
        try checkLimits(m.limits, bound: bound, message: message, offset: offset)
        if m.limits.shared {
            if !features.contains(.threads) {
                throw ValidationError("shared memories require the threads feature", offset: offset)
            }
            if m.limits.max == nil { throw ValidationError("shared memory must have maximum", offset: offset) }
        }
    }

    private func checkAddressType(_ limits: Limits, offset: Int = 0) throws(ValidationError) {
        if limits.addressType == .i64 && !features.contains(.memory64) {
            throw ValidationError("64-bit address types require the memory64 feature", offset: offset)
        }
    }

    private func checkLimits(_ limits: Limits, bound: UInt64, message: String, offset: Int) throws(ValidationError) {
        if limits.min > bound { throw ValidationError(message, offset: offset) }
        if let max = limits.max {
            if max > bound { throw ValidationError(message, offset: offset) }
            if limits.min > max {
                throw ValidationError("size minimum must not be greater than maximum", offset: offset)
            }
        }
    }
}
