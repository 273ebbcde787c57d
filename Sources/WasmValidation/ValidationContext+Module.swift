import WasmSyntax
import WasmBinary

extension ValidationContext {
    /// Validates one defined function's body, reading it from its bytes.
    /// `index` is the function's index in the function index space.
    public func validateFunction(_ function: Function, index: UInt32) throws(ModuleCheckError) {
        var reader = InstructionReader(function.body, features: features)
        var validator: FunctionValidator
        do {
            validator = try FunctionValidator(context: self, functionIndex: index, locals: function.locals, offset: function.bodyOffset)
        } catch {
            throw ModuleCheckError(error)
        }
        while !validator.isFinished {
            if reader.isAtEnd {
                throw .malformed(DecodingError(DecodingError.Message.unexpectedEnd, at: reader.offset))
            }
            let offset = reader.offset
            let instruction: Instruction
            do {
                instruction = try reader.read()
            } catch {
                throw .malformed(error)
            }
            do {
                try validator.validate(instruction, offset: offset)
            } catch {
                throw ModuleCheckError(error)
            }
        }
        if !reader.isAtEnd {
            throw .malformed(DecodingError(DecodingError.Message.sectionSizeMismatch, at: reader.offset))
        }
    }

    /// Validates everything but function bodies, the start function and
    /// exports: globals, tables, element and data segments.
    public func validateDefinitions(of module: Module) throws(ValidationError) {
        for (i, global) in module.globals.enumerated() {
            try validateConstantExpression(global.initializer, type: global.type.valueType,
                                           visibleGlobals: visibleGlobals(definedBefore: i))
        }
        for table in module.tables {
            if let initializer = table.initializer {
                try validateConstantExpression(initializer, type: .ref(table.type.elementType),
                                               visibleGlobals: importedGlobalCount)
            } else if !table.type.elementType.nullable {
                throw .typeMismatch("a table of non-nullable \(table.type.elementType.textName) needs an initializer", offset: 0)
            }
        }
        let allGlobals = visibleGlobals(definedBefore: module.globals.count)
        for segment in module.elements {
            try validateElementSegment(segment, visibleGlobals: allGlobals)
        }
        for segment in module.datas {
            if case .active(let memoryIndex, let offset) = segment.mode {
                guard memoryIndex < memories.count else { throw .unknown("memory", memoryIndex, offset: 0) }
                try validateConstantExpression(offset, type: memories[Int(memoryIndex)].limits.addressType.valueType,
                                               visibleGlobals: allGlobals)
            }
        }
    }

    private func validateElementSegment(_ segment: ElementSegment, visibleGlobals: Int) throws(ValidationError) {
        switch segment.items {
        case .functions(let functions):
            for f in functions {
                guard f < functionTypeIndices.count else { throw .unknown("function", f, offset: 0) }
                let type = RefType(nullable: false, heapType: .concrete(functionTypeIndices[Int(f)]))
                guard isSubtype(type, of: segment.type) else {
                    throw .typeMismatch("function \(f) does not match the element type \(segment.type.textName)", offset: 0)
                }
            }
        case .expressions(let expressions):
            for e in expressions {
                try validateConstantExpression(e, type: .ref(segment.type), visibleGlobals: visibleGlobals)
            }
        }
        if case .active(let tableIndex, let offset) = segment.mode {
            guard tableIndex < tables.count else { throw .unknown("table", tableIndex, offset: 0) }
            let table = tables[Int(tableIndex)]
            guard isSubtype(segment.type, of: table.elementType) else {
                throw .typeMismatch("element segment's type \(segment.type.textName) does not match table's element type \(table.elementType.textName)", offset: 0)
            }
            try validateConstantExpression(offset, type: table.limits.addressType.valueType, visibleGlobals: visibleGlobals)
        }
    }

    /// Validates the start function and the exports.
    public func validateStartAndExports(of module: Module) throws(ValidationError) {
        if let start = module.start {
            guard let type = funcType(ofFunction: start) else { throw .unknown("function", start, offset: 0) }
            guard type.params.isEmpty, type.results.isEmpty else {
                throw ValidationError("start function must not have parameters or results")
            }
        }
        // Names are compared as bytes: Swift's String equality would treat
        // canonically equivalent spellings as one name.
        var names = Set<[UInt8]>()
        names.reserveCapacity(module.exports.count)
        for export in module.exports {
            switch export.descriptor {
            case .function(let x):
                guard x < functionTypeIndices.count else { throw .unknown("function", x, offset: 0) }
            case .table(let x):
                guard x < tables.count else { throw .unknown("table", x, offset: 0) }
            case .memory(let x):
                guard x < memories.count else { throw .unknown("memory", x, offset: 0) }
            case .global(let x):
                guard x < globals.count else { throw .unknown("global", x, offset: 0) }
            case .tag(let x):
                guard x < tags.count else { throw .unknown("tag", x, offset: 0) }
            }
            guard names.insert(Array(export.name.utf8)).inserted else {
                throw ValidationError("duplicate export name")
            }
        }
    }
}
