import WasmBinary
import WasmSyntax

/// Module fields other than types: functions, tables, memories, globals,
/// tags, imports, exports, the start function, and segments.
extension ModuleParser {
    // MARK: - Functions

    /// `(func $id? (export ..)* (import ..)? typeuse local* instr*)`.
    mutating func functionField() throws(TextError) {
        let open = cursor.pos
        cursor.pos += 2
        _ = cursor.optionalID()
        let index = nextFunction
        nextFunction += 1
        if let name = try nameAnnotation("function") { names.functions[index] = name }
        try inlineExports(.function(index))
        if let (moduleName, name) = try inlineImport() {
            let use = try typeUse(allowNames: true)
            try cursor.expectRightParen()
            module.imports.append(Import(module: moduleName, name: name, descriptor: .function(try resolve(use).index)))
            return
        }
        let use = try typeUse(allowNames: true)
        let (typeIndex, params) = try resolve(use)

        locals = IndexSpace("local")
        if use.index != nil && !use.hasInlineSignature {
            for _ in params { try locals.declare(nil, in: text) }
        } else {
            for name in use.paramNames { try locals.declare(name, in: text) }
            for (param, name) in use.paramAnnotations { names.locals[index, default: [:]][param] = name }
        }
        var runs: [LocalRun] = []
        func add(_ t: ValueType) {
            if let last = runs.last, last.type == t, last.count < UInt32.max {
                runs[runs.count - 1].count += 1
            } else {
                runs.append(LocalRun(count: 1, type: t))
            }
        }
        while cursor.takeOpen("local") {
            if let id = cursor.optionalID() {
                let local = try locals.declare(id, in: text)
                if let name = try nameAnnotation("local") { names.locals[index, default: [:]][local] = name }
                add(try valueType())
            } else {
                // A name annotation names a declaration of one local.
                let site = cursor.pos
                let first = locals.count
                while !cursor.atRightParen {
                    try locals.declare(nil, in: text)
                    add(try valueType())
                }
                if locals.count == first + 1, let name = try nameAnnotation(at: site, "local") {
                    names.locals[index, default: [:]][first] = name
                }
            }
            try cursor.expectRightParen()
        }

        code = BinaryWriter()
        labels = []
        inConstantExpression = false
        // A hint belongs to the function when it comes after its `(`.
        beginBranchHints(in: (open + 1)...Int(text.matching[open]))
        try instructions()
        try cursor.expectRightParen()
        code.byte(0x0B)
        try endBranchHints(function: index, locals: runs)
        module.functions.append(Function(typeIndex: typeIndex, locals: runs, body: ArraySlice(code.bytes)))
    }

    // MARK: - Tables, memories, globals, tags

    /// `(table $id? (export ..)* (import ..)? tabletype)`, a table with an
    /// optional initialiser, or a table with inline elements.
    mutating func tableField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        let index = nextTable
        nextTable += 1
        try inlineExports(.table(index))
        if let (moduleName, name) = try inlineImport() {
            let type = try tableType()
            try cursor.expectRightParen()
            module.imports.append(Import(module: moduleName, name: name, descriptor: .table(type)))
            return
        }
        let address = addressType()
        if cursor.peek.kind == .nat {
            let limits = try self.limits(address ?? .i32)
            let type = TableType(elementType: try referenceType(), limits: limits)
            let initializer: ConstExpression? = cursor.atRightParen ? nil : try constantExpression()
            try cursor.expectRightParen()
            module.tables.append(Table(type: type, initializer: initializer))
            return
        }
        // `reftype (elem ...)`: a table exactly as large as its elements,
        // and an active segment at offset 0.
        let elementType = try referenceType()
        guard cursor.takeOpen("elem") else { throw cursor.unexpected() }
        let items: ElementSegment.Items
        if cursor.atLeftParen {
            var expressions: [ConstExpression] = []
            while cursor.atLeftParen { expressions.append(try elementExpression()) }
            items = .expressions(expressions)
        } else {
            var functions: [UInt32] = []
            while cursor.atIndex { functions.append(try self.index(self.functions)) }
            // The segment has the table's element type.
            items = elementType == Self.functionReference
                ? .functions(functions)
                : .expressions(functions.map { [Instruction(.refFunc, .index($0))] })
        }
        try cursor.expectRightParen()
        try cursor.expectRightParen()
        let count = UInt64(items.count)
        let addressType = address ?? .i32
        let limits = Limits(min: count, max: count, addressType: addressType)
        module.tables.append(Table(type: TableType(elementType: elementType, limits: limits)))
        module.elements.append(ElementSegment(
            type: elementType, mode: .active(table: index, offset: [Self.zero(addressType)]), items: items))
    }

    /// The type of a segment of function indices: `(ref func)`, as the
    /// text abbreviation `func x*` and the binary element kind 0 denote.
    static let functionReference = RefType(nullable: false, heapType: .func)

    static func zero(_ address: AddressType) -> Instruction {
        address == .i64 ? Instruction(.i64Const, .i64(0)) : Instruction(.i32Const, .i32(0))
    }

    /// `(memory $id? (export ..)* (import ..)? memtype)` or a memory with
    /// inline data.
    mutating func memoryField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        let index = nextMemory
        nextMemory += 1
        try inlineExports(.memory(index))
        if let (moduleName, name) = try inlineImport() {
            let type = try memoryType()
            try cursor.expectRightParen()
            module.imports.append(Import(module: moduleName, name: name, descriptor: .memory(type)))
            return
        }
        if cursor.peek.kind == .nat || (cursor.peek(1).kind == .nat && cursor.peek.kind == .keyword) {
            let type = try memoryType()
            try cursor.expectRightParen()
            module.memories.append(type)
            return
        }
        // `addrtype? (pagesize n)? (data ...)`: a memory exactly as large as
        // its data, and an active segment at offset 0.
        let address = addressType() ?? .i32
        let pageSize = cursor.peekIsOpen("pagesize") ? try pageSizeClause() : nil
        guard cursor.takeOpen("data") else { throw cursor.unexpected() }
        let bytes = cursor.strings()
        try cursor.expectRightParen()
        try cursor.expectRightParen()
        let log2 = UInt64(pageSize ?? 16)
        let pages = (UInt64(bytes.count) + (1 << log2) - 1) >> log2
        module.memories.append(MemoryType(
            limits: Limits(min: pages, max: pages, addressType: address), pageSizeLog2: pageSize))
        module.datas.append(DataSegment(mode: .active(memory: index, offset: [Self.zero(address)]), bytes: bytes))
    }

    /// `(global $id? (export ..)* (import ..)? globaltype expr?)`.
    mutating func globalField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        let index = nextGlobal
        nextGlobal += 1
        try inlineExports(.global(index))
        if let (moduleName, name) = try inlineImport() {
            let type = try globalType()
            try cursor.expectRightParen()
            module.imports.append(Import(module: moduleName, name: name, descriptor: .global(type)))
            return
        }
        let type = try globalType()
        let initializer = try constantExpression()
        try cursor.expectRightParen()
        module.globals.append(Global(type: type, initializer: initializer))
    }

    /// `(tag $id? (export ..)* (import ..)? typeuse)`.
    mutating func tagField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        let index = nextTag
        nextTag += 1
        if let name = try nameAnnotation("tag") { names.tags[index] = name }
        try inlineExports(.tag(index))
        let imported = try inlineImport()
        let type = TagType(typeIndex: try resolve(try typeUse(allowNames: true)).index)
        try cursor.expectRightParen()
        if let (moduleName, name) = imported {
            module.imports.append(Import(module: moduleName, name: name, descriptor: .tag(type)))
        } else {
            module.tags.append(type)
        }
    }

    // MARK: - Imports, exports, start

    /// `(import "module" "name" externtype)`.
    mutating func importField() throws(TextError) {
        cursor.pos += 2
        let moduleName = try cursor.name()
        let name = try cursor.name()
        try cursor.expectLeftParen()
        let kind = cursor.peek
        let descriptor: ImportDescriptor
        if cursor.takeKeyword("func") {
            _ = cursor.optionalID()
            if let name = try nameAnnotation("function") { names.functions[nextFunction] = name }
            nextFunction += 1
            if cursor.peekIsOpen("exact") { throw cursor.unsupported("exact function imports", at: cursor.peek(1)) }
            descriptor = .function(try resolve(try typeUse(allowNames: true)).index)
        } else if cursor.takeKeyword("table") {
            _ = cursor.optionalID()
            nextTable += 1
            descriptor = .table(try tableType())
        } else if cursor.takeKeyword("memory") {
            _ = cursor.optionalID()
            nextMemory += 1
            descriptor = .memory(try memoryType())
        } else if cursor.takeKeyword("global") {
            _ = cursor.optionalID()
            nextGlobal += 1
            descriptor = .global(try globalType())
        } else if cursor.takeKeyword("tag") {
            _ = cursor.optionalID()
            if let name = try nameAnnotation("tag") { names.tags[nextTag] = name }
            nextTag += 1
            descriptor = .tag(TagType(typeIndex: try resolve(try typeUse(allowNames: true)).index))
        } else {
            throw cursor.unexpected(kind)
        }
        try cursor.expectRightParen()
        try cursor.expectRightParen()
        module.imports.append(Import(module: moduleName, name: name, descriptor: descriptor))
    }

    /// `(export "name" (kind index))`.
    mutating func exportField() throws(TextError) {
        cursor.pos += 2
        let name = try cursor.name()
        try cursor.expectLeftParen()
        let kind = cursor.peek
        let descriptor: ExportDescriptor
        if cursor.takeKeyword("func") {
            descriptor = .function(try index(functions))
        } else if cursor.takeKeyword("table") {
            descriptor = .table(try index(tables))
        } else if cursor.takeKeyword("memory") {
            descriptor = .memory(try index(memories))
        } else if cursor.takeKeyword("global") {
            descriptor = .global(try index(globals))
        } else if cursor.takeKeyword("tag") {
            descriptor = .tag(try index(tags))
        } else {
            throw cursor.unexpected(kind)
        }
        try cursor.expectRightParen()
        try cursor.expectRightParen()
        module.exports.append(Export(name: name, descriptor: descriptor))
    }

    /// `(start funcidx)`; a module has at most one.
    mutating func startField() throws(TextError) {
        let open = cursor.peek
        cursor.pos += 2
        let function = try index(functions)
        try cursor.expectRightParen()
        guard !sawStart else { throw cursor.error("multiple start sections", at: open) }
        sawStart = true
        module.start = function
    }

    // MARK: - Segments

    /// `(elem $id? ...)`: passive, declarative, or active with a table use
    /// and an offset.
    mutating func elemField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        var mode = ElementSegment.Mode.passive
        var bareFunctionsAllowed = false
        if cursor.takeKeyword("declare") {
            mode = .declarative
        } else {
            var table: UInt32?
            if cursor.peek.kind == .nat {
                // The 1.0 form `(elem tableidx offset ...)`.
                table = try index(tables)
            } else if cursor.takeOpen("table") {
                table = try index(tables)
                try cursor.expectRightParen()
            }
            if cursor.atLeftParen && !cursor.peekIsOpen("ref") || table != nil {
                mode = .active(table: table ?? 0, offset: try offsetExpression())
                bareFunctionsAllowed = true
            }
        }
        let (type, items) = try elementList(bareFunctionsAllowed: bareFunctionsAllowed)
        try cursor.expectRightParen()
        module.elements.append(ElementSegment(type: type, mode: mode, items: items))
    }

    /// `func funcidx*`, `reftype elemexpr*`, or (after an offset) just
    /// `funcidx*`.
    private mutating func elementList(bareFunctionsAllowed: Bool) throws(TextError) -> (RefType, ElementSegment.Items) {
        if cursor.takeKeyword("func") || (bareFunctionsAllowed && (cursor.atIndex || cursor.atRightParen)) {
            var functions: [UInt32] = []
            while cursor.atIndex { functions.append(try index(self.functions)) }
            return (Self.functionReference, .functions(functions))
        }
        let type = try referenceType()
        var expressions: [ConstExpression] = []
        while cursor.atLeftParen { expressions.append(try elementExpression()) }
        return (type, .expressions(expressions))
    }

    /// `(item instr*)` or one folded instruction.
    mutating func elementExpression() throws(TextError) -> ConstExpression {
        if cursor.takeOpen("item") {
            let e = try constantExpression()
            try cursor.expectRightParen()
            return e
        }
        return try constantExpression(singleFolded: true)
    }

    /// `(data $id? (memory x)? offset? string*)`.
    mutating func dataField() throws(TextError) {
        cursor.pos += 2
        _ = cursor.optionalID()
        var mode = DataSegment.Mode.passive
        var memory: UInt32?
        if cursor.peek.kind == .nat {
            // The 1.0 form `(data memidx offset ...)`.
            memory = try index(memories)
        } else if cursor.takeOpen("memory") {
            memory = try index(memories)
            try cursor.expectRightParen()
        }
        if memory != nil || cursor.atLeftParen {
            mode = .active(memory: memory ?? 0, offset: try offsetExpression())
        }
        let bytes = cursor.strings()
        try cursor.expectRightParen()
        module.datas.append(DataSegment(mode: mode, bytes: bytes))
    }

    /// `(offset instr*)` or one folded instruction.
    mutating func offsetExpression() throws(TextError) -> ConstExpression {
        if cursor.takeOpen("offset") {
            let e = try constantExpression()
            try cursor.expectRightParen()
            return e
        }
        guard cursor.atLeftParen else { throw cursor.unexpected() }
        return try constantExpression(singleFolded: true)
    }

    /// Instructions up to a `)`, collected as a constant expression (or
    /// just one folded instruction).
    mutating func constantExpression(singleFolded: Bool = false) throws(TextError) -> ConstExpression {
        let savedLabels = labels
        labels = []
        inConstantExpression = true
        constantInstructions = []
        defer {
            inConstantExpression = false
            labels = savedLabels
        }
        if singleFolded {
            try foldedInstruction()
        } else {
            try instructions()
        }
        let result = constantInstructions
        constantInstructions = []
        return result
    }
}
