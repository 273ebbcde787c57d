import WasmRuntime
import WasmSyntax

/// Instantiation (spec exec/modules.rst "Instantiation"), driven from this
/// side: imports are resolved and checked here, the agent allocates, and
/// active segments go through its `table.init` / `memory.init` builtins, so
/// their bounds checks and partial effects are the compiled code's own.
extension AgentEngine {
    public func instantiate(_ handle: ModuleHandle, imports policy: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome {
        state.constantHeapFull = false
        do {
            return try instantiateSteps(handle, imports: policy)
        } catch where state.constantHeapFull {
            // A constant expression's object did not fit (as the store's
            // allocation traps in-process).
            return .exhausted(.resourceExhausted)
        }
    }

    private func instantiateSteps(_ handle: ModuleHandle, imports policy: ImportPolicy) throws(EngineFailure) -> InstantiateOutcome {
        guard state.modules.indices.contains(handle.id) else { throw EngineFailure(.badRequest, "unknown \(handle)") }
        let compiled = state.modules[handle.id]
        let syntax = compiled.module.syntax
        let typeIDs = state.types.register(syntax.types)
        try declareTypes()

        // Imports.
        var imported: [AgentExtern] = []
        for item in syntax.imports {
            let key = ImportKey(module: item.module, name: item.name)
            var found = try clientFunctions()[key]
            if found == nil, policy == .spectest { found = try spectest()[key] }
            if found == nil { found = state.registered[key] }
            guard let value = found else {
                return .unlinkable(LinkError("unknown import", module: item.module, name: item.name).description)
            }
            guard try matches(value, item.descriptor, typeIDs: typeIDs) else {
                return .unlinkable(LinkError("incompatible import type", module: item.module, name: item.name).description)
            }
            imported.append(value)
        }

        // Functions.
        let artifact = compiled.artifact
        if compiled.codeBase == nil && artifact.code.isEmpty {
            // A module without functions may have no code at all.
            compiled.codeBase = 0
        } else if compiled.codeBase == nil {
            var load = FrameWriter(.loadCode)
            load.int(artifact.code.count)
            load.raw(artifact.code)
            var r = try sendExpectingOK(load)
            compiled.codeBase = try read { try r.u64() }
        }
        let types = syntax.definedTypes
        var functionTypes: [FuncType] = []
        var request = FrameWriter(.newInstance)
        request.u64(compiled.codeBase ?? 0)
        var functionCount = 0
        for value in imported { if case .function = value { functionCount += 1 } }
        request.count(functionCount + syntax.functions.count)
        for value in imported {
            guard case .function(let header, let type) = value else { continue }
            request.u8(0)
            request.u64(header)
            functionTypes.append(type)
        }
        for (i, function) in syntax.functions.enumerated() {
            let type = types[Int(function.typeIndex)].funcType ?? FuncType()
            request.u8(1)
            request.int(artifact.entries[i])
            request.int(typeIDs[Int(function.typeIndex)])
            request.count(type.params.slotCount)
            request.count(type.results.slotCount)
            functionTypes.append(close(type, typeIDs))
        }
        var r = try sendExpectingOK(request)
        let (vmctx, headers) = try read { (try r.u64(), try r.slots()) }
        guard headers.count == functionTypes.count else { throw EngineFailure(.protocolViolation, "\(name): wrong header count") }
        for (i, function) in syntax.functions.enumerated() {
            state.functionTypeIDs[headers[functionCount + i]] = typeIDs[Int(function.typeIndex)]
        }

        var evaluator = ConstantValues(headers: headers, types: types, typeIDs: typeIDs) { [unowned self] typeID, length, slots throws(EngineFailure) in
            var create = FrameWriter(.newObject)
            create.int(typeID)
            create.u64(length)
            create.slots(slots)
            switch try self.send(create) {
            case .ok(var r): return try self.read { try r.u64() }
            case .trap, .exhausted:
                self.state.constantHeapFull = true
                throw EngineFailure(.badRequest, "the agent's heap is full")
            }
        }
        var tables: [(UInt64, TableType)] = [], memories: [(UInt64, MemoryType)] = []
        var globals: [(UInt64, GlobalType)] = [], tags: [(UInt64, Int)] = []
        for value in imported {
            switch value {
            case .function: break
            case .table(let t, let type): tables.append((t, type))
            case .memory(let m, let type): memories.append((m, type))
            case .global(let cell, let type):
                globals.append((cell, type))
                evaluator.globals.append(try readGlobal(cell))
            case .tag(let t, let id): tags.append((t, id))
            }
        }

        // Globals, tables, memories, tags: the module's own.
        for global in syntax.globals {
            let value = try evaluator.evaluate(global.initializer)
            var create = FrameWriter(.newGlobal)
            create.u64(value[0])
            create.u64(value[1])
            var r = try sendExpectingOK(create)
            var type = global.type
            type.valueType = TypeRegistry.close(type.valueType, ids: typeIDs)
            globals.append((try read { try r.u64() }, type))
            evaluator.globals.append(value)
        }
        let configuration = engine.configuration
        for table in syntax.tables {
            let initial = try table.initializer.map { e throws(EngineFailure) in try evaluator.evaluate(e)[0] } ?? 0
            let maximum = TableEntity.maximumElements(table.type, maxElements: configuration.maxTableElements)
            guard table.type.limits.min <= maximum else { return .exhausted(.resourceExhausted) }
            var create = FrameWriter(.newTable)
            create.u64(table.type.limits.min)
            create.u64(maximum)
            create.u8(table.type.limits.addressType == .i64 ? 1 : 0)
            create.u64(initial)
            guard case .ok(var r) = try send(create) else { return .exhausted(.resourceExhausted) }
            var type = table.type
            type.elementType = TypeRegistry.close(type.elementType, ids: typeIDs)
            tables.append((try read { try r.u64() }, type))
        }
        for memory in syntax.memories {
            let log2 = UInt64(memory.pageSizeLog2 ?? 16)
            let maximum = MemoryEntity.maximumPages(memory, maxBytes: configuration.maxMemoryBytes)
            guard memory.limits.min <= maximum else { return .exhausted(.resourceExhausted) }
            var create = FrameWriter(.newMemory)
            create.u64(memory.limits.min)
            create.u64(maximum)
            create.u8(UInt8(log2))
            create.u8(memory.limits.addressType == .i64 ? 1 : 0)
            guard case .ok(var r) = try send(create) else { return .exhausted(.resourceExhausted) }
            memories.append((try read { try r.u64() }, memory))
        }
        for tag in syntax.tags {
            let typeID = typeIDs[Int(tag.typeIndex)]
            var create = FrameWriter(.newTag)
            create.int(typeID)
            create.count((types[Int(tag.typeIndex)].funcType ?? FuncType()).params.slotCount)
            var r = try sendExpectingOK(create)
            tags.append((try read { try r.u64() }, typeID))
        }

        // The segments' references, then the instance is complete.
        var finish = FrameWriter(.finishInstance)
        finish.u64(vmctx)
        finish.slots(tables.map(\.0))
        finish.slots(memories.map(\.0))
        finish.slots(globals.map(\.0))
        finish.slots(tags.map(\.0))
        finish.slots(typeIDs.map { UInt64($0) })
        finish.count(syntax.elements.count)
        for segment in syntax.elements {
            switch segment.items {
            case .functions(let indices): finish.slots(indices.map { headers[Int($0)] })
            case .expressions(let expressions):
                var items: [UInt64] = []
                for e in expressions { items.append(try evaluator.evaluate(e)[0]) }
                finish.slots(items)
            }
        }
        finish.count(syntax.datas.count)
        for segment in syntax.datas {
            finish.count(segment.bytes.count)
            finish.raw(segment.bytes)
        }
        _ = try sendExpectingOK(finish)

        let instance = AgentInstance()
        for export in syntax.exports {
            let value: AgentExtern
            switch export.descriptor {
            case .function(let i): value = .function(headers[Int(i)], functionTypes[Int(i)])
            case .table(let i): value = .table(tables[Int(i)].0, tables[Int(i)].1)
            case .memory(let i): value = .memory(memories[Int(i)].0, memories[Int(i)].1)
            case .global(let i): value = .global(globals[Int(i)].0, globals[Int(i)].1)
            case .tag(let i): value = .tag(tags[Int(i)].0, typeID: tags[Int(i)].1)
            }
            instance.exports[Array(export.name.utf8)] = value
            instance.exportOrder.append(export.name)
        }

        // Active segments in order, then the start function; a trap keeps
        // the effects so far (the instance's tables and memories may be
        // imported ones).
        for (i, segment) in syntax.elements.enumerated() {
            switch segment.mode {
            case .passive: continue
            case .declarative: break
            case .active(let table, let offset):
                let start = try evaluator.evaluate(offset)[0]
                var initialize = FrameWriter(.tableInit)
                initialize.u64(vmctx)
                initialize.count(Int(table))
                initialize.count(i)
                initialize.u64(tables[Int(table)].1.limits.addressType == .i64 ? start : start & 0xFFFF_FFFF)
                initialize.u32(0)
                initialize.count(segment.items.count)
                if let trap = try trapOutcome(try send(initialize)) { return trap }
            }
            var drop = FrameWriter(.elemDrop)
            drop.u64(vmctx)
            drop.count(i)
            _ = try sendExpectingOK(drop)
        }
        for (i, segment) in syntax.datas.enumerated() {
            guard case .active(let memory, let offset) = segment.mode else { continue }
            let start = try evaluator.evaluate(offset)[0]
            var initialize = FrameWriter(.memoryInit)
            initialize.u64(vmctx)
            initialize.count(Int(memory))
            initialize.count(i)
            initialize.u64(memories[Int(memory)].1.limits.addressType == .i64 ? start : start & 0xFFFF_FFFF)
            initialize.u32(0)
            initialize.count(segment.bytes.count)
            if let trap = try trapOutcome(try send(initialize)) { return trap }
            var drop = FrameWriter(.dataDrop)
            drop.u64(vmctx)
            drop.count(i)
            _ = try sendExpectingOK(drop)
        }
        if let start = syntax.start {
            if case .trapped(let kind, let detail) = try call(headers[Int(start)], []) {
                return kind.isExhaustion ? .exhausted(kind) : .trapped(kind, detail: detail)
            }
        }
        state.instances.append(instance)
        return .instantiated(InstanceHandle(state.instances.count - 1))
    }

    private func trapOutcome(_ answer: AgentAnswer) throws(EngineFailure) -> InstantiateOutcome? {
        switch answer {
        case .ok: return nil
        case .exhausted: return .exhausted(.resourceExhausted)
        case .trap(let code, let detail):
            guard let trapCode = VMTrapCode(rawValue: code), let kind = TrapKind(trapCode) else {
                throw EngineFailure(.protocolViolation, "\(name): unknown trap code \(code)")
            }
            return .trapped(kind, detail: detail.map { "\($0)" })
        }
    }

    private func close(_ type: FuncType, _ ids: [Int]) -> FuncType {
        FuncType(params: type.params.map { TypeRegistry.close($0, ids: ids) },
                 results: type.results.map { TypeRegistry.close($0, ids: ids) })
    }

    /// Tells the agent the supertype of every type ID it does not know yet
    /// (call_indirect's subtype check).
    func declareTypes() throws(EngineFailure) {
        while state.declaredTypes < state.types.types.count {
            let id = state.declaredTypes
            let type = state.types.types[id]
            var declare = FrameWriter(.declareType)
            declare.int(id)
            declare.i64(type.supertypes.first.map { Int64($0) } ?? -1)
            switch type.composite {
            case .func:
                declare.u8(0)
            case .struct(let fields):
                declare.u8(1)
                declare.count(fields.count)
                for field in fields { declare.u8(Self.storageCode(field.storage)) }
            case .array(let element):
                declare.u8(2)
                declare.u8(Self.storageCode(element.storage))
            }
            _ = try sendExpectingOK(declare)
            state.declaredTypes += 1
        }
    }

    /// A field's storage as `declare-type` writes it.
    static func storageCode(_ storage: StorageType) -> UInt8 {
        switch storage {
        case .i8: return 0
        case .i16: return 1
        case .value(.i32): return 2
        case .value(.i64): return 3
        case .value(.f32): return 4
        case .value(.f64): return 5
        case .value(.v128): return 6
        case .value(.ref): return 7
        }
    }

    /// Import matching (spec "Import Subtyping") on closed types, with the
    /// current sizes of tables and memories read from the agent.
    private func matches(_ value: AgentExtern, _ descriptor: ImportDescriptor, typeIDs: [Int]) throws(EngineFailure) -> Bool {
        let types = state.types
        switch (value, descriptor) {
        case (.function(let header, _), .function(let typeIndex)):
            guard Int(typeIndex) < typeIDs.count, let actual = state.functionTypeIDs[header] else { return false }
            return types.isSubtype(actual, of: typeIDs[Int(typeIndex)])
        case (.table(let table, let actual), .table(let expected)):
            let element = TypeRegistry.close(expected.elementType, ids: typeIDs)
            guard types.isSubtype(actual.elementType, of: element), types.isSubtype(element, of: actual.elementType),
                  actual.limits.addressType == expected.limits.addressType else { return false }
            let size = try readTable(table, start: 0, count: 0).size
            return ImportMatching.limitsMatch(current: size, max: actual.limits.max, expected.limits)
        case (.memory(let memory, let actual), .memory(let expected)):
            guard actual.limits.addressType == expected.limits.addressType,
                  (actual.pageSizeLog2 ?? 16) == (expected.pageSizeLog2 ?? 16),
                  actual.limits.shared == expected.limits.shared else { return false }
            return ImportMatching.limitsMatch(current: try memoryPages(memory), max: actual.limits.max, expected.limits)
        case (.global(_, let actual), .global(let expected)):
            let valueType = TypeRegistry.close(expected.valueType, ids: typeIDs)
            guard actual.mutable == expected.mutable else { return false }
            if actual.mutable {
                return types.isSubtype(actual.valueType, of: valueType) && types.isSubtype(valueType, of: actual.valueType)
            }
            return types.isSubtype(actual.valueType, of: valueType)
        case (.tag(_, let id), .tag(let expected)):
            return Int(expected.typeIndex) < typeIDs.count && id == typeIDs[Int(expected.typeIndex)]
        default:
            return false
        }
    }

    // MARK: Host-side entities

    /// A host function in the agent: calls come back to `hostCall`.
    private func makeHostFunction(_ type: FuncType, handler: (any HostCallHandler, (function: HostFunctionImport, index: Int))?) throws(EngineFailure) -> AgentExtern {
        let typeID = state.types.intern(type)
        try declareTypes()
        var create = FrameWriter(.newHostFunction)
        create.int(typeID)
        create.count(type.params.slotCount)
        create.count(type.results.slotCount)
        create.count(state.hostFunctions.count)
        var r = try sendExpectingOK(create)
        let header = try read { try r.u64() }
        state.hostFunctions.append(AgentHostFunction(type: type, handler: handler))
        state.functionTypeIDs[header] = typeID
        return .function(header, type)
    }

    /// The client's host functions (`defineHostFunctions`), made in the
    /// agent's store on first use.
    private func clientFunctions() throws(EngineFailure) -> [ImportKey: AgentExtern] {
        if let made = state.clientFunctions { return made }
        var made: [ImportKey: AgentExtern] = [:]
        for definition in definedHostFunctions {
            let key = ImportKey(module: definition.function.module, name: definition.function.name)
            made[key] = try makeHostFunction(definition.function.type,
                                             handler: (definition.handler, (definition.function, definition.index)))
        }
        state.clientFunctions = made
        return made
    }

    /// The spec test suite's `spectest` module in the agent's store (one per
    /// store, as in the reference interpreter).
    private func spectest() throws(EngineFailure) -> [ImportKey: AgentExtern] {
        if let made = state.spectest { return made }
        var made: [ImportKey: AgentExtern] = [:]
        func key(_ name: String) -> ImportKey { ImportKey(module: "spectest", name: name) }
        for (name, type) in Spectest.printFunctions {
            made[key(name)] = try makeHostFunction(type, handler: nil)
        }
        let globals: [(String, ValueType, UInt64)] = [
            ("global_i32", .i32, 666), ("global_i64", .i64, 666),
            ("global_f32", .f32, UInt64(Float(666.6).bitPattern)), ("global_f64", .f64, Double(666.6).bitPattern),
        ]
        for (name, type, bits) in globals {
            var create = FrameWriter(.newGlobal)
            create.u64(bits)
            create.u64(0)
            var r = try sendExpectingOK(create)
            made[key(name)] = .global(try read { try r.u64() }, GlobalType(valueType: type, mutable: false))
        }
        for (name, addressType) in [("table", AddressType.i32), ("table64", .i64)] {
            var create = FrameWriter(.newTable)
            create.u64(10)
            create.u64(20)
            create.u8(addressType == .i64 ? 1 : 0)
            create.u64(0)
            var r = try sendExpectingOK(create)
            made[key(name)] = .table(try read { try r.u64() },
                                     TableType(elementType: .funcref, limits: Limits(min: 10, max: 20, addressType: addressType)))
        }
        // `shared_memory` is an ordinary memory to the agent: sharing only
        // matters to import matching (threads are not implemented).
        for (name, shared) in [("memory", false), ("shared_memory", true)] {
            var memory = FrameWriter(.newMemory)
            memory.u64(1)
            memory.u64(2)
            memory.u8(16)
            memory.u8(0)
            var r = try sendExpectingOK(memory)
            made[key(name)] = .memory(try read { try r.u64() }, MemoryType(limits: Limits(min: 1, max: 2, shared: shared)))
        }
        state.spectest = made
        return made
    }
}

/// Constant expressions (spec "Constant Expressions") on this side, with
/// the instance's function headers and the globals evaluated so far; GC
/// objects are made in the agent (`new-object`).
struct ConstantValues {
    let headers: [UInt64]
    /// The module's types and their store IDs (struct.new, array.new*).
    let types: [SubType]
    let typeIDs: [Int]
    /// Makes an object in the agent: type ID, length, every slot.
    let allocate: (Int, UInt64, [UInt64]) throws(EngineFailure) -> UInt64
    var globals: [[UInt64]] = []

    init(headers: [UInt64], types: [SubType], typeIDs: [Int],
         allocate: @escaping (Int, UInt64, [UInt64]) throws(EngineFailure) -> UInt64) {
        self.headers = headers
        self.types = types
        self.typeIDs = typeIDs
        self.allocate = allocate
    }

    func evaluate(_ expression: ConstExpression) throws(EngineFailure) -> [UInt64] {
        var stack: [[UInt64]] = []
        func pop() throws(EngineFailure) -> [UInt64] {
            guard let v = stack.popLast() else { throw EngineFailure(.badRequest, "invalid constant expression") }
            return v
        }
        /// The slots a value takes in a field of `storage`.
        func fieldSlots(_ value: [UInt64], _ storage: StorageType) -> [UInt64] {
            storage == .value(.v128) ? [value[0], value[1]] : [value[0]]
        }
        for instruction in expression {
            switch (instruction.opcode, instruction.immediate) {
            case (.i32Const, .i32(let v)): stack.append([UInt64(UInt32(bitPattern: v)), 0])
            case (.i64Const, .i64(let v)): stack.append([UInt64(bitPattern: v), 0])
            case (.f32Const, .f32(let bits)): stack.append([UInt64(bits), 0])
            case (.f64Const, .f64(let bits)): stack.append([bits, 0])
            case (.v128Const, .v128(let v)): stack.append([v.lo, v.hi])
            case (.refNull, _): stack.append([0, 0])
            case (.refFunc, .index(let i)) where Int(i) < headers.count: stack.append([headers[Int(i)], 0])
            case (.globalGet, .index(let i)) where Int(i) < globals.count: stack.append(globals[Int(i)])
            case (.i32Add, _), (.i32Sub, _), (.i32Mul, _):
                let b = UInt32(truncatingIfNeeded: try pop()[0]), a = UInt32(truncatingIfNeeded: try pop()[0])
                let r: UInt32 = instruction.opcode == .i32Add ? a &+ b : instruction.opcode == .i32Sub ? a &- b : a &* b
                stack.append([UInt64(r), 0])
            case (.i64Add, _), (.i64Sub, _), (.i64Mul, _):
                let b = try pop()[0], a = try pop()[0]
                let r: UInt64 = instruction.opcode == .i64Add ? a &+ b : instruction.opcode == .i64Sub ? a &- b : a &* b
                stack.append([r, 0])
            case (.refI31, _):
                stack.append([ReferenceBits.i31(UInt32(truncatingIfNeeded: try pop()[0])), 0])
            case (.anyConvertExtern, _), (.externConvertAny, _):
                break
            case (.structNew, .index(let t)), (.structNewDefault, .index(let t)):
                guard Int(t) < types.count, case .struct(let fields) = types[Int(t)].composite else {
                    throw EngineFailure(.badRequest, "invalid constant expression")
                }
                var slots: [UInt64] = []
                if instruction.opcode == .structNew {
                    var values: [[UInt64]] = []
                    for _ in fields { values.append(try pop()) }
                    for (field, value) in zip(fields, values.reversed()) { slots += fieldSlots(value, field.storage) }
                } else {
                    for field in fields { slots += fieldSlots([0, 0], field.storage) }
                }
                stack.append([try allocate(typeIDs[Int(t)], 0, slots), 0])
            case (.arrayNew, .index(let t)), (.arrayNewDefault, .index(let t)), (.arrayNewFixed, .indexPair(let t, _)):
                guard Int(t) < types.count, case .array(let element) = types[Int(t)].composite else {
                    throw EngineFailure(.badRequest, "invalid constant expression")
                }
                switch instruction.opcode {
                case .arrayNewFixed:
                    guard case .indexPair(_, let n) = instruction.immediate else { throw EngineFailure(.badRequest, "invalid constant expression") }
                    var values: [[UInt64]] = []
                    for _ in 0..<n { values.append(try pop()) }
                    values.reverse()
                    let slots = values.flatMap { fieldSlots($0, element.storage) }
                    stack.append([try allocate(typeIDs[Int(t)], UInt64(values.count), slots), 0])
                default:
                    // One element's slots fill the whole array in the
                    // agent (docs/agent-protocol.md, new-object): any
                    // length a module asks for costs one small frame, and
                    // the agent's heap limit decides, as in the store.
                    let length = UInt32(truncatingIfNeeded: try pop()[0])
                    let value = instruction.opcode == .arrayNew ? try pop() : [0, 0]
                    let one = fieldSlots(value, element.storage)
                    let slots = length == 0 ? [] : one
                    stack.append([try allocate(typeIDs[Int(t)], UInt64(length), slots), 0])
                }
            default:
                throw EngineFailure(.badRequest, "constant instruction \(instruction.opcode.mnemonic) is not supported by the agent")
            }
        }
        return try pop()
    }
}
