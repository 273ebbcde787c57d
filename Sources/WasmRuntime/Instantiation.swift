import WasmSyntax

/// Module instantiation (spec exec/modules.rst "Instantiation"): check the
/// imports, allocate the instance, evaluate initialisers, apply active
/// segments in order, run the start function.
enum Instantiation {
    static func instantiate(_ module: Module, imports: [Extern], in store: Store) throws(InstantiationError) -> Instance {
        guard module.engine === store.engine else {
            throw .unlinkable(LinkError("module and store belong to different engines", module: "", name: ""))
        }
        let syntax = module.syntax
        guard imports.count == syntax.imports.count else {
            let missing = syntax.imports.count > imports.count ? syntax.imports[imports.count] : nil
            throw .unlinkable(LinkError("unknown import", module: missing?.module ?? "", name: missing?.name ?? ""))
        }
        let typeIDs = store.types.register(syntax.types)
        for (item, value) in zip(syntax.imports, imports) {
            guard value.store === store, ImportMatching.matches(value, item.descriptor, typeIDs: typeIDs, store: store) else {
                throw .unlinkable(LinkError("incompatible import type", module: item.module, name: item.name))
            }
        }

        let instance = InstanceEntity(module: module, typeIDs: typeIDs, runtime: store.runtime)
        for value in imports {
            switch value {
            case .function(let f): instance.add(f.entity)
            case .table(let t): instance.add(t.entity)
            case .memory(let m): instance.add(m.entity)
            case .global(let g): instance.add(g.entity)
            case .tag(let t): instance.add(t.entity)
            }
        }
        do {
            // Initialiser values sit in Swift locals and the instance is not
            // a root until it is complete: no collection may run meanwhile.
            try store.deferringCollections { () throws(Trap) in
                try allocate(module, instance: instance, store: store)
            }
        } catch {
            throw .trap(error)
        }
        // From here on the instance's entities may be referenced by imported
        // tables, so the store keeps it even if initialisation traps.
        store.instances.append(instance)
        do {
            try initialize(module, instance: instance, store: store)
        } catch {
            throw .trap(error)
        }
        return Instance(store: store, entity: instance)
    }

    /// Creates the module's own functions, globals, tables, memories, tags,
    /// segments and exports.
    private static func allocate(_ module: Module, instance: InstanceEntity, store: Store) throws(Trap) {
        let syntax = module.syntax
        let types = syntax.definedTypes
        let ids = instance.typeIDs
        let context = instance.context
        let configuration = store.engine.configuration

        for (i, function) in syntax.functions.enumerated() {
            let typeIndex = Int(function.typeIndex)
            let type = types[typeIndex].funcType ?? FuncType()
            let closed = FuncType(params: type.params.map { TypeRegistry.close($0, ids: ids) },
                                  results: type.results.map { TypeRegistry.close($0, ids: ids) })
            instance.add(FunctionEntity(type: closed, typeID: ids[typeIndex], instance: instance,
                                        code: module.code.entry(ofDefinedFunction: i)))
        }
        let functionCount = instance.functions.count

        for global in syntax.globals {
            let evaluator = ConstantEvaluator(context: context, functionCount: functionCount, globalCount: instance.globals.count,
                                              store: store, types: types, typeIDs: ids)
            let (lo, hi) = try evaluator.evaluate(global.initializer)
            var type = global.type
            type.valueType = TypeRegistry.close(type.valueType, ids: ids)
            let entity = GlobalEntity(type: type)
            entity.cell[0] = lo
            entity.cell[1] = hi
            instance.add(entity)
        }
        let evaluator = ConstantEvaluator(context: context, functionCount: functionCount, globalCount: instance.globals.count,
                                          store: store, types: types, typeIDs: ids)

        for table in syntax.tables {
            var type = table.type
            type.elementType = TypeRegistry.close(type.elementType, ids: ids)
            var initial = ReferenceBits.null
            if let e = table.initializer { initial = try evaluator.evaluate(e).0 }
            instance.add(try TableEntity(type: type, initial: initial, maxElements: configuration.maxTableElements))
        }
        for memory in syntax.memories {
            instance.add(try MemoryEntity(type: memory, maxBytes: configuration.maxMemoryBytes))
        }
        for tag in syntax.tags {
            let type = types[Int(tag.typeIndex)].funcType ?? FuncType()
            let closed = FuncType(params: type.params.map { TypeRegistry.close($0, ids: ids) }, results: [])
            instance.add(TagEntity(typeID: ids[Int(tag.typeIndex)], type: closed))
        }
        for (i, segment) in syntax.elements.enumerated() {
            var items: [UInt64] = []
            items.reserveCapacity(segment.items.count)
            switch segment.items {
            case .functions(let indices):
                for f in indices {
                    guard Int(f) < functionCount else { throw Trap(.host("invalid element segment")) }
                    items.append(UInt64(UInt(bitPattern: context.pointee.functions[Int(f)])))
                }
            case .expressions(let expressions):
                for e in expressions { items.append(try evaluator.evaluate(e).0) }
            }
            instance.setElementSegment(i, items)
        }
        for (i, buffer) in module.dataSegments.enumerated() {
            instance.setDataSegment(i, bytes: UnsafeRawPointer(buffer.baseAddress!), count: syntax.datas[i].bytes.count)
        }
        for export in syntax.exports {
            instance.exports[Array(export.name.utf8)] = export.descriptor
        }
    }

    /// Applies active segments in order and runs the start function. A trap
    /// leaves the effects of earlier segments in place.
    private static func initialize(_ module: Module, instance: InstanceEntity, store: Store) throws(Trap) {
        let syntax = module.syntax
        let context = instance.context
        let evaluator = ConstantEvaluator(context: context, functionCount: instance.functions.count, globalCount: instance.globals.count,
                                          store: store, types: syntax.definedTypes, typeIDs: instance.typeIDs)

        for (i, segment) in syntax.elements.enumerated() {
            switch segment.mode {
            case .passive:
                continue
            case .declarative:
                context.pointee.elements[i].count = 0
            case .active(let tableIndex, let offsetExpression):
                let offset = try evaluator.evaluate(offsetExpression).0
                let table = context.pointee.tables[Int(tableIndex)]
                let source = context.pointee.elements[i]
                let isTable64 = table.pointee.is64
                let start = isTable64 ? offset : UInt64(UInt32(truncatingIfNeeded: offset))
                guard start <= UInt64(table.pointee.count), UInt64(source.count) <= UInt64(table.pointee.count) - start else {
                    throw Trap(.outOfBoundsTableAccess)
                }
                if let items = source.items, source.count > 0 {
                    (table.pointee.elements + Int(start)).update(from: items, count: source.count)
                }
                context.pointee.elements[i].count = 0
            }
        }
        for (i, segment) in syntax.datas.enumerated() {
            guard case .active(let memoryIndex, let offsetExpression) = segment.mode else { continue }
            let offset = try evaluator.evaluate(offsetExpression).0
            let memory = context.pointee.memories[Int(memoryIndex)]
            let source = context.pointee.datas[i]
            let start = memory.pointee.is64 ? offset : UInt64(UInt32(truncatingIfNeeded: offset))
            let size = UInt64(memory.pointee.byteCount)
            guard start <= size, UInt64(source.count) <= size - start else {
                throw Trap(.outOfBoundsMemoryAccess)
            }
            if let bytes = source.bytes, source.count > 0 {
                (memory.pointee.base + Int(start)).copyMemory(from: bytes, byteCount: source.count)
            }
            context.pointee.datas[i].count = 0
        }
        if let start = syntax.start {
            let function = Function(store: store, entity: instance.functions[Int(start)])
            _ = try function.call([])
        }
    }
}
