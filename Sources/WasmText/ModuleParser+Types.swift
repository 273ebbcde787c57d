import WasmSyntax

/// Types: value, reference and heap types, type definitions and recursion
/// groups, type uses, and the types of tables, memories and globals.
extension ModuleParser {
    // MARK: - Type definitions

    /// `(type ...)` or `(rec (type ...)*)` at the cursor.
    mutating func typeField() throws(TextError) {
        try cursor.expectLeftParen()
        if cursor.takeKeyword("rec") {
            var group: [SubType] = []
            while cursor.peekIsOpen("type") {
                group.append(try typeDefinition())
            }
            try cursor.expectRightParen()
            module.types.append(RecGroup(types: group, isExplicit: true))
        } else {
            cursor.pos -= 1
            module.types.append(RecGroup(types: [try typeDefinition()]))
        }
    }

    /// `(type $id? subtype)`.
    private mutating func typeDefinition() throws(TextError) -> SubType {
        try cursor.expectLeftParen()
        try cursor.expectKeyword("type")
        _ = cursor.optionalID()
        let index = nextType
        nextType += 1
        if let name = try nameAnnotation("type") { names.types[index] = name }
        let sub = try subType(index: index)
        try cursor.expectRightParen()
        return sub
    }

    /// `(sub final? $super* comptype)` or a bare composite type (final).
    private mutating func subType(index: UInt32) throws(TextError) -> SubType {
        if cursor.peekIsOpen("descriptor") || cursor.peekIsOpen("describes") {
            throw cursor.unsupported("custom descriptors", at: cursor.peek(1))
        }
        guard cursor.takeOpen("sub") else {
            return SubType(isFinal: true, supertypes: [], composite: try compositeType(index: index))
        }
        let isFinal = cursor.takeKeyword("final")
        var supertypes: [UInt32] = []
        while cursor.atIndex { supertypes.append(try self.index(types)) }
        if cursor.peekIsOpen("descriptor") || cursor.peekIsOpen("describes") {
            throw cursor.unsupported("custom descriptors", at: cursor.peek(1))
        }
        let composite = try compositeType(index: index)
        try cursor.expectRightParen()
        return SubType(isFinal: isFinal, supertypes: supertypes, composite: composite)
    }

    private mutating func compositeType(index: UInt32) throws(TextError) -> CompositeType {
        try cursor.expectLeftParen()
        let keyword = cursor.peek
        if cursor.takeKeyword("func") {
            let signature = try functionSignature(allowNames: true)
            try cursor.expectRightParen()
            return .func(FuncType(params: signature.params, results: signature.results))
        }
        if cursor.takeKeyword("struct") {
            var fields: [FieldType] = []
            var fieldIDs = IndexSpace("field")
            while cursor.takeOpen("field") {
                if let id = cursor.optionalID() {
                    let field = try fieldIDs.declare(id, in: text)
                    if let name = try nameAnnotation("field") { names.fields[index, default: [:]][field] = name }
                    fields.append(try fieldType())
                } else {
                    // A name annotation names a declaration of one field.
                    let site = cursor.pos
                    let first = fieldIDs.count
                    while !cursor.atRightParen {
                        try fieldIDs.declare(nil, in: text)
                        fields.append(try fieldType())
                    }
                    if fieldIDs.count == first + 1, let name = try nameAnnotation(at: site, "field") {
                        names.fields[index, default: [:]][first] = name
                    }
                }
                try cursor.expectRightParen()
            }
            try cursor.expectRightParen()
            if !fieldIDs.names.isEmpty { fieldNames[index] = fieldIDs }
            return .struct(fields)
        }
        if cursor.takeKeyword("array") {
            let field = try fieldType()
            try cursor.expectRightParen()
            return .array(field)
        }
        throw cursor.unexpected(keyword)
    }

    /// `storagetype` or `(mut storagetype)`.
    private mutating func fieldType() throws(TextError) -> FieldType {
        if cursor.takeOpen("mut") {
            let storage = try storageType()
            try cursor.expectRightParen()
            return FieldType(storage: storage, mutable: true)
        }
        return FieldType(storage: try storageType(), mutable: false)
    }

    private mutating func storageType() throws(TextError) -> StorageType {
        if cursor.takeKeyword("i8") { return .i8 }
        if cursor.takeKeyword("i16") { return .i16 }
        return .value(try valueType())
    }

    // MARK: - Value types

    mutating func valueType() throws(TextError) -> ValueType {
        let t = cursor.peek
        if t.kind == .keyword {
            let v: ValueType
            switch text.text(t) {
            case "i32": v = .i32
            case "i64": v = .i64
            case "f32": v = .f32
            case "f64": v = .f64
            case "v128": v = .v128
            default:
                guard let r = Self.referenceTypeAbbreviation(text.text(t)) else { throw cursor.unexpected() }
                v = .ref(r)
            }
            cursor.pos += 1
            return v
        }
        if cursor.peekIsOpen("ref") { return .ref(try referenceType()) }
        throw cursor.unexpected()
    }

    /// Whether a value type starts at the cursor.
    var atValueType: Bool {
        let t = cursor.peek
        if t.kind == .keyword {
            switch text.text(t) {
            case "i32", "i64", "f32", "f64", "v128": return true
            default: return Self.referenceTypeAbbreviation(text.text(t)) != nil
            }
        }
        return cursor.peekIsOpen("ref")
    }

    static func referenceTypeAbbreviation(_ s: String) -> RefType? {
        switch s {
        case "funcref": return .funcref
        case "externref": return .externref
        case "anyref": return .anyref
        case "eqref": return .eqref
        case "i31ref": return .i31ref
        case "structref": return .structref
        case "arrayref": return .arrayref
        case "nullref": return .nullref
        case "nullfuncref": return .nullfuncref
        case "nullexternref": return .nullexternref
        case "exnref": return .exnref
        case "nullexnref": return .nullexnref
        default: return nil
        }
    }

    /// `(ref null? heaptype)` or an abbreviation such as `funcref`.
    mutating func referenceType() throws(TextError) -> RefType {
        let t = cursor.peek
        if t.kind == .keyword, let r = Self.referenceTypeAbbreviation(text.text(t)) {
            cursor.pos += 1
            return r
        }
        guard cursor.takeOpen("ref") else { throw cursor.unexpected() }
        let nullable = cursor.takeKeyword("null")
        if cursor.peekIsKeyword("exact") { throw cursor.unsupported("exact reference types", at: cursor.peek) }
        let heap = try heapType()
        try cursor.expectRightParen()
        return RefType(nullable: nullable, heapType: heap)
    }

    mutating func heapType() throws(TextError) -> HeapType {
        let t = cursor.peek
        if t.kind == .keyword {
            guard let a = AbstractHeapType.allCases.first(where: { text.equals(t, $0.staticName) }) else {
                throw cursor.unexpected()
            }
            cursor.pos += 1
            return .abstract(a)
        }
        if cursor.peekIsOpen("exact") { throw cursor.unsupported("exact reference types", at: cursor.peek(1)) }
        return .concrete(try index(types))
    }

    // MARK: - Type uses

    /// The parts of a type use: `(type x)? (param ...)* (result ...)*`.
    struct TypeUse {
        var index: UInt32?
        var indexToken: Token?
        var params: [ValueType] = []
        var paramNames: [Token?] = []
        /// `@name` annotations of parameters, by parameter index.
        var paramAnnotations: [(UInt32, String)] = []
        var results: [ValueType] = []
        var hasInlineSignature = false
    }

    /// `(param ...)* (result ...)*`, as in a function type or type use.
    mutating func functionSignature(allowNames: Bool) throws(TextError) -> TypeUse {
        var use = TypeUse()
        while cursor.takeOpen("param") {
            use.hasInlineSignature = true
            if cursor.peek.kind == .id {
                guard allowNames else { throw cursor.unexpected() }
                let id = cursor.advance()
                if let name = try nameAnnotation("local") { use.paramAnnotations.append((UInt32(use.params.count), name)) }
                use.params.append(try valueType())
                use.paramNames.append(id)
            } else {
                // A name annotation names a declaration of one parameter.
                let site = cursor.pos
                let first = use.params.count
                while !cursor.atRightParen {
                    use.params.append(try valueType())
                    use.paramNames.append(nil)
                }
                if allowNames && use.params.count == first + 1, let name = try nameAnnotation(at: site, "local") {
                    use.paramAnnotations.append((UInt32(first), name))
                }
            }
            try cursor.expectRightParen()
        }
        while cursor.takeOpen("result") {
            use.hasInlineSignature = true
            while !cursor.atRightParen { use.results.append(try valueType()) }
            try cursor.expectRightParen()
        }
        return use
    }

    mutating func typeUse(allowNames: Bool) throws(TextError) -> TypeUse {
        var index: UInt32?
        var indexToken: Token?
        if cursor.takeOpen("type") {
            indexToken = cursor.peek
            index = try self.index(types)
            try cursor.expectRightParen()
        }
        var use = try functionSignature(allowNames: allowNames)
        // Out of order clauses are a syntax error, reported before any
        // mismatch with the named type.
        if cursor.peekIsOpen("param") || cursor.peekIsOpen("result") || cursor.peekIsOpen("type") {
            throw cursor.unexpected(cursor.peek(1))
        }
        use.index = index
        use.indexToken = indexToken
        return use
    }

    /// The type index a type use denotes, and the parameter types the
    /// function's locals start with. An inline signature must match an
    /// explicit type; without one, it names the first matching function
    /// type, or a new one appended to the type section.
    mutating func resolve(_ use: TypeUse) throws(TextError) -> (index: UInt32, params: [ValueType]) {
        if let index = use.index {
            let defined = index < UInt32(definedTypes.count) ? definedTypes[Int(index)].funcType : nil
            if use.hasInlineSignature {
                guard index < UInt32(definedTypes.count) else {
                    throw TextError(message: "unknown type", offset: Int(use.indexToken?.start ?? 0))
                }
                guard let ft = defined, ft.params == use.params, ft.results == use.results else {
                    throw TextError(message: "inline function type", offset: Int(use.indexToken?.start ?? 0))
                }
                return (index, ft.params)
            }
            return (index, defined?.params ?? [])
        }
        let ft = FuncType(params: use.params, results: use.results)
        if let index = implicitTypeIndex[ft] { return (index, ft.params) }
        let index = UInt32(definedTypes.count)
        definedTypes.append(SubType(isFinal: true, supertypes: [], composite: .func(ft)))
        implicitTypes.append(ft)
        implicitTypeIndex[ft] = index
        return (index, ft.params)
    }

    /// A block type: empty, one result type, or a type use.
    mutating func blockType() throws(TextError) -> BlockType {
        let use = try typeUse(allowNames: false)
        if use.index == nil && use.params.isEmpty && use.results.count <= 1 {
            return use.results.first.map(BlockType.value) ?? .empty
        }
        return .typeIndex(try resolve(use).index)
    }

    // MARK: - External types

    /// `i32` or `i64` before limits, when present.
    mutating func addressType() -> AddressType? {
        if cursor.takeKeyword("i64") { return .i64 }
        if cursor.takeKeyword("i32") { return .i32 }
        return nil
    }

    /// 3.0 reads limits as 64-bit numbers (validation bounds them); before
    /// memory64 they were 32-bit, and a larger number is malformed.
    mutating func limits(_ address: AddressType) throws(TextError) -> Limits {
        let wide = features.contains(.memory64)
        let min = wide ? try cursor.u64() : UInt64(try cursor.u32())
        let max = cursor.peek.kind == .nat ? (wide ? try cursor.u64() : UInt64(try cursor.u32())) : nil
        return Limits(min: min, max: max, addressType: address)
    }

    /// `addrtype? limits reftype`.
    mutating func tableType() throws(TextError) -> TableType {
        let address = addressType() ?? .i32
        let limits = try self.limits(address)
        return TableType(elementType: try referenceType(), limits: limits)
    }

    /// `addrtype? limits shared? (pagesize n)?`.
    mutating func memoryType() throws(TextError) -> MemoryType {
        let address = addressType() ?? .i32
        var limits = try self.limits(address)
        var pageSize: UInt8?
        while true {
            if cursor.takeKeyword("shared") {
                limits.shared = true
            } else if cursor.peekIsOpen("pagesize") {
                pageSize = try pageSizeClause()
            } else {
                break
            }
        }
        return MemoryType(limits: limits, pageSizeLog2: pageSize)
    }

    /// `(pagesize n)` with n a power of two; returns log2 n.
    mutating func pageSizeClause() throws(TextError) -> UInt8 {
        cursor.pos += 2
        let t = cursor.peek
        let size = try cursor.u64()
        guard size != 0, size & (size - 1) == 0 else { throw cursor.error("invalid custom page size", at: t) }
        try cursor.expectRightParen()
        return UInt8(size.trailingZeroBitCount)
    }

    /// `valtype` or `(mut valtype)`.
    mutating func globalType() throws(TextError) -> GlobalType {
        if cursor.takeOpen("mut") {
            let t = try valueType()
            try cursor.expectRightParen()
            return GlobalType(valueType: t, mutable: true)
        }
        return GlobalType(valueType: try valueType(), mutable: false)
    }
}

extension AbstractHeapType {
    /// The text keyword, as a static string for allocation-free comparison.
    var staticName: StaticString {
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
