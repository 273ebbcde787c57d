import WasmBinary
import WasmSyntax

/// Imports and definitions, in module order, each kept within the limits
/// and the features, and recorded in the environment as it is made.
extension ModuleBuilder {
    var bounded: Bool { config.fuel != nil || config.noTraps }

    // MARK: Imports

    mutating func generateImports() {
        if let template {
            for item in template.imports where u.chance(1, 2) {
                if addImportIfAllowed(item) { module.imports.append(item) }
            }
            return
        }
        guard config.allowImports else { return }
        let count = u.int(in: 0...config.maxImports)
        for i in 0..<count where !u.isExhausted {
            let descriptor: ImportDescriptor
            switch u.index(5) {
            case 0:
                guard let t = u.choose(env.funcTypeIndices) else { continue }
                descriptor = .function(t)
            case 1:
                let type = env.valueType(&u, concreteBelow: UInt32(env.types.count))
                descriptor = .global(GlobalType(valueType: type, mutable: env.has(.mutableGlobals) && u.chance(1, 3)))
            case 2:
                descriptor = .memory(memoryType())
            case 3:
                guard let t = tableType(requireDefaultable: true) else { continue }
                descriptor = .table(t)
            default:
                guard env.has(.exceptions), let t = u.choose(tagTypeCandidates) else { continue }
                descriptor = .tag(TagType(typeIndex: t))
            }
            let item = Import(module: "env", name: "\(kindName(descriptor))\(i)", descriptor: descriptor)
            if addImportIfAllowed(item) { module.imports.append(item) }
        }
    }

    private func kindName(_ d: ImportDescriptor) -> String {
        switch d {
        case .function: return "func"
        case .global: return "global"
        case .memory: return "memory"
        case .table: return "table"
        case .tag: return "tag"
        }
    }

    /// Records an import in the environment unless a limit forbids it.
    private mutating func addImportIfAllowed(_ item: Import) -> Bool {
        switch item.descriptor {
        case .function(let t):
            env.functionTypes.append(t)
            env.importedFunctionCount += 1
        case .global(let g):
            env.globals.append(g)
            env.importedGlobalCount += 1
        case .memory(let m):
            guard env.memories.isEmpty || env.has(.multiMemory) else { return false }
            env.memories.append(m)
        case .table(let t):
            guard env.tables.isEmpty || env.has(.referenceTypes) else { return false }
            env.tables.append(t)
        case .tag(let t):
            env.tags.append(t.typeIndex)
        }
        return true
    }

    var tagTypeCandidates: [UInt32] {
        env.funcTypeIndices.filter { env.funcType($0)?.results.isEmpty == true }
    }

    // MARK: Functions, tables, memories, tags

    mutating func generateFunctions() {
        if let template {
            // Exported functions of the template: same types.
            for export in template.exports {
                if case .function(let f) = export.descriptor, let t = templateFunctionType(f) {
                    module.functions.append(Function(typeIndex: t, body: []))
                    env.functionTypes.append(t)
                }
            }
        }
        let funcTypes = env.funcTypeIndices
        let count = u.int(in: 0...config.maxFunctions)
        for _ in 0..<count where !u.isExhausted {
            guard let t = u.choose(funcTypes) else { break }
            module.functions.append(Function(typeIndex: t, body: []))
            env.functionTypes.append(t)
        }
        // Every function may be named by `ref.func` in code.
        env.functionsDeclared = env.has(.referenceTypes) && !env.functionTypes.isEmpty
    }

    func templateFunctionType(_ f: UInt32) -> UInt32? {
        guard let template else { return nil }
        var index: UInt32 = 0
        for item in template.imports {
            if case .function(let t) = item.descriptor {
                if index == f { return t }
                index += 1
            }
        }
        let defined = Int(f) - Int(index)
        guard defined >= 0, defined < template.functions.count else { return nil }
        return template.functions[defined].typeIndex
    }

    mutating func memoryType() -> MemoryType {
        let is64 = env.has(.memory64) && u.chance(1, 3)
        let minimum = UInt64(u.int(in: (config.noTraps ? 1 : 0)...max(config.maxMemoryPages, config.noTraps ? 1 : 0)))
        var maximum: UInt64? = nil
        if bounded || u.chance(1, 2) {
            maximum = minimum + UInt64(u.int(in: 0...max(1, 3 * config.maxMemoryPages)))
        }
        return MemoryType(limits: Limits(min: minimum, max: maximum, addressType: is64 ? .i64 : .i32))
    }

    /// A table type; `requireDefaultable` for imports (which take no
    /// initialiser) and without function references.
    mutating func tableType(requireDefaultable: Bool) -> TableType? {
        var element = RefType.funcref
        if env.has(.referenceTypes) && u.chance(1, 2) {
            element = env.refType(&u, concreteBelow: UInt32(env.types.count))
            if requireDefaultable || !env.has(.functionReferences) { element.nullable = true }
        }
        let is64 = env.has(.memory64) && u.chance(1, 4)
        let minimum = UInt64(u.int(in: (config.noTraps ? 1 : 0)...max(config.maxTableSize, 1)))
        var maximum: UInt64? = nil
        if bounded || u.chance(1, 2) { maximum = minimum + UInt64(u.int(in: 0...8)) }
        return TableType(elementType: element, limits: Limits(min: minimum, max: maximum, addressType: is64 ? .i64 : .i32))
    }

    mutating func generateTables() {
        if let template {
            for export in template.exports {
                if case .table(let x) = export.descriptor, let t = templateTable(x) { addTable(t) }
            }
        }
        let limit = env.has(.referenceTypes) ? config.maxTables : min(1, config.maxTables)
        let count = u.int(in: 0...limit)
        for _ in 0..<count where env.tables.count < limit {
            guard let t = tableType(requireDefaultable: false) else { continue }
            addTable(t)
        }
    }

    private mutating func addTable(_ type: TableType) {
        var type = type
        var initializer: ConstExpression? = nil
        if env.has(.functionReferences) && (!type.elementType.nullable || u.chance(1, 3)) {
            if let (code, _) = env.constantValue(.ref(type.elementType), &u, visibleGlobals: env.importedGlobalCount) {
                initializer = code
            }
        }
        if initializer == nil { type.elementType.nullable = true }
        module.tables.append(Table(type: type, initializer: initializer))
        env.tables.append(type)
    }

    func templateTable(_ x: UInt32) -> TableType? {
        guard let template else { return nil }
        var tables: [TableType] = []
        for item in template.imports { if case .table(let t) = item.descriptor { tables.append(t) } }
        tables += template.tables.map(\.type)
        return Int(x) < tables.count ? tables[Int(x)] : nil
    }

    func templateMemory(_ x: UInt32) -> MemoryType? {
        guard let template else { return nil }
        var memories: [MemoryType] = []
        for item in template.imports { if case .memory(let m) = item.descriptor { memories.append(m) } }
        memories += template.memories
        return Int(x) < memories.count ? memories[Int(x)] : nil
    }

    func templateGlobal(_ x: UInt32) -> GlobalType? {
        guard let template else { return nil }
        var globals: [GlobalType] = []
        for item in template.imports { if case .global(let g) = item.descriptor { globals.append(g) } }
        globals += template.globals.map(\.type)
        return Int(x) < globals.count ? globals[Int(x)] : nil
    }

    func templateTag(_ x: UInt32) -> UInt32? {
        guard let template else { return nil }
        var tags: [UInt32] = []
        for item in template.imports { if case .tag(let t) = item.descriptor { tags.append(t.typeIndex) } }
        tags += template.tags.map(\.typeIndex)
        return Int(x) < tags.count ? tags[Int(x)] : nil
    }

    mutating func generateMemories() {
        if let template {
            for export in template.exports {
                if case .memory(let x) = export.descriptor, let m = templateMemory(x) {
                    module.memories.append(m)
                    env.memories.append(m)
                }
            }
        }
        let limit = env.has(.multiMemory) ? config.maxMemories : min(1, config.maxMemories)
        let count = u.int(in: 0...limit)
        for _ in 0..<count where env.memories.count < limit {
            let m = memoryType()
            module.memories.append(m)
            env.memories.append(m)
        }
    }

    mutating func generateTags() {
        if let template {
            for export in template.exports {
                if case .tag(let x) = export.descriptor, let t = templateTag(x) {
                    module.tags.append(TagType(typeIndex: t))
                    env.tags.append(t)
                }
            }
        }
        guard env.has(.exceptions) else { return }
        let candidates = tagTypeCandidates
        let count = u.int(in: 0...config.maxTags)
        for _ in 0..<count where !u.isExhausted {
            guard let t = u.choose(candidates) else { break }
            module.tags.append(TagType(typeIndex: t))
            env.tags.append(t)
        }
    }

    // MARK: Globals

    mutating func generateGlobals() {
        if let template {
            for export in template.exports {
                if case .global(let x) = export.descriptor, let g = templateGlobal(x) { addGlobal(g) }
            }
        }
        let count = u.int(in: 0...config.maxGlobals)
        for _ in 0..<count where !u.isExhausted {
            let type = env.valueType(&u, concreteBelow: UInt32(env.types.count))
            addGlobal(GlobalType(valueType: type, mutable: u.chance(1, 2)))
        }
        if let fuel = config.fuel {
            env.fuelGlobal = UInt32(env.globals.count)
            module.globals.append(Global(type: GlobalType(valueType: .i32, mutable: true),
                                         initializer: [Instruction(.i32Const, .i32(Int32(bitPattern: fuel)))]))
            env.globals.append(GlobalType(valueType: .i32, mutable: true))
        }
    }

    private mutating func addGlobal(_ type: GlobalType) {
        // With GC, initialisers may read the globals defined before.
        let visible = env.has(.gc) ? env.globals.count : env.importedGlobalCount
        var type = type
        var made = env.constantValue(type.valueType, &u, visibleGlobals: visible)
        if made == nil, case .ref(var r) = type.valueType {
            r.nullable = true
            type.valueType = .ref(r)
            made = env.constantValue(type.valueType, &u, visibleGlobals: visible)
        }
        guard let (code, _) = made else { return }
        module.globals.append(Global(type: type, initializer: code))
        env.globals.append(type)
    }

    // MARK: Exports and start

    mutating func generateExports() {
        if let template {
            // The definitions made for the template's exports come first in
            // each index space after the imports, in export order.
            var next = (function: UInt32(env.importedFunctionCount), table: UInt32(env.tables.count - module.tables.count),
                        memory: UInt32(env.memories.count - module.memories.count), global: UInt32(env.importedGlobalCount),
                        tag: UInt32(env.tags.count - module.tags.count))
            for export in template.exports {
                var descriptor: ExportDescriptor?
                switch export.descriptor {
                case .function(let f) where templateFunctionType(f) != nil:
                    descriptor = .function(next.function); next.function += 1
                case .table(let x) where templateTable(x) != nil:
                    descriptor = .table(next.table); next.table += 1
                case .memory(let x) where templateMemory(x) != nil:
                    descriptor = .memory(next.memory); next.memory += 1
                case .global(let x) where templateGlobal(x) != nil:
                    descriptor = .global(next.global); next.global += 1
                case .tag(let x) where templateTag(x) != nil:
                    descriptor = .tag(next.tag); next.tag += 1
                default: break
                }
                if let descriptor { addExport(export.name, descriptor) }
            }
        }
        if config.exportAllFunctions {
            for f in env.importedFunctionCount..<env.functionTypes.count {
                addExport("f\(f)", .function(UInt32(f)))
            }
        }
        let count = u.int(in: 0...config.maxExports)
        for i in 0..<count where !u.isExhausted {
            let descriptor: ExportDescriptor
            switch u.index(5) {
            case 0:
                guard !env.functionTypes.isEmpty else { continue }
                descriptor = .function(UInt32(u.index(env.functionTypes.count)))
            case 1:
                guard !env.tables.isEmpty else { continue }
                descriptor = .table(UInt32(u.index(env.tables.count)))
            case 2:
                guard !env.memories.isEmpty else { continue }
                descriptor = .memory(UInt32(u.index(env.memories.count)))
            case 3:
                guard !env.globals.isEmpty else { continue }
                let g = u.index(env.globals.count)
                if env.globals[g].mutable && !env.has(.mutableGlobals) { continue }
                descriptor = .global(UInt32(g))
            default:
                guard !env.tags.isEmpty else { continue }
                descriptor = .tag(UInt32(u.index(env.tags.count)))
            }
            addExport("e\(i)", descriptor)
        }
        if let fuel = env.fuelGlobal { addExport("fuel", .global(fuel)) }
    }

    private mutating func addExport(_ name: String, _ descriptor: ExportDescriptor) {
        var name = name
        var n = 0
        while exportNames.contains(name) {
            n += 1
            name = "\(name)_\(n)"
        }
        exportNames.insert(name)
        module.exports.append(Export(name: name, descriptor: descriptor))
    }

    mutating func generateStart() {
        guard config.allowStart, u.chance(1, 4) else { return }
        let candidates = env.functionTypes.indices.filter {
            let t = env.funcType(ofFunction: $0)
            return t.params.isEmpty && t.results.isEmpty
        }
        if let f = u.choose(candidates) { module.start = UInt32(f) }
    }

    // MARK: Segments

    mutating func generateElements() {
        let bulk = env.has(.bulkMemory) && env.has(.referenceTypes)
        let count = u.int(in: 0...config.maxElementSegments)
        for _ in 0..<count where !u.isExhausted {
            if bulk {
                generateElementSegment()
            } else if let table = env.tables.first, env.isSubtype(RefType(nullable: false, heapType: .func), table.elementType),
                      !env.functionTypes.isEmpty {
                // 2.0 without bulk memory: function indices into table 0.
                let n = u.int(in: 0...min(4, Int(table.limits.min)))
                let items = (0..<n).map { _ in UInt32(u.index(env.functionTypes.count)) }
                let offset = u.int(in: 0...(Int(table.limits.min) - n))
                module.elements.append(ElementSegment(type: RefType(nullable: false, heapType: .func),
                                                      mode: .active(table: 0, offset: addressConstant(offset, table.limits.addressType)),
                                                      items: .functions(items)))
                env.elements.append(.init(type: RefType(nullable: false, heapType: .func), length: n, isPassive: false))
            }
        }
        if env.functionsDeclared {
            let all = (0..<env.functionTypes.count).map { UInt32($0) }
            module.elements.append(ElementSegment(type: RefType(nullable: false, heapType: .func), mode: .declarative,
                                                  items: .functions(all)))
            env.elements.append(.init(type: RefType(nullable: false, heapType: .func), length: all.count, isPassive: false))
        }
    }

    private mutating func generateElementSegment() {
        let refFunc = RefType(nullable: false, heapType: .func)
        var type: RefType
        var items: ElementSegment.Items
        let n = u.int(in: 0...4)
        if !env.functionTypes.isEmpty && u.chance(1, 2) {
            type = refFunc
            items = .functions((0..<n).map { _ in UInt32(u.index(env.functionTypes.count)) })
        } else {
            // Often the element type of an array, for array.new_elem.
            var candidates: [RefType] = []
            for x in env.arrayTypeIndices {
                if let f = env.arrayField(x), case .value(.ref(let r)) = f.storage { candidates.append(r) }
            }
            type = u.chance(1, 2) ? (u.choose(candidates) ?? .funcref) : env.refType(&u, concreteBelow: UInt32(env.types.count))
            var expressions: [ConstExpression] = []
            for _ in 0..<n {
                // Segments see every global with GC, only imported ones in 2.0.
                let visible = env.has(.gc) ? env.globals.count : env.importedGlobalCount
                guard let (code, _) = env.constantValue(.ref(type), &u, visibleGlobals: visible) else { break }
                expressions.append(code)
            }
            items = .expressions(expressions)
        }
        let length = items.count
        var mode = ElementSegment.Mode.passive
        switch u.index(3) {
        case 0:
            let tables = env.tables.indices.filter { env.isSubtype(type, env.tables[$0].elementType) && env.tables[$0].limits.min >= UInt64(length) }
            if let t = u.choose(tables) {
                let table = env.tables[t]
                let offset = u.int(in: 0...(Int(min(table.limits.min, 1 << 20)) - length))
                mode = .active(table: UInt32(t), offset: addressConstant(offset, table.limits.addressType))
            }
        case 1: mode = .declarative
        default: break
        }
        module.elements.append(ElementSegment(type: type, mode: mode, items: items))
        env.elements.append(.init(type: type, length: length, isPassive: mode == .passive))
    }

    /// An address constant (with extended-const arithmetic sometimes).
    mutating func addressConstant(_ value: Int, _ type: AddressType) -> ConstExpression {
        if env.has(.extendedConst) && u.chance(1, 4) {
            let a = u.int(in: 0...value)
            if type == .i32 {
                return [Instruction(.i32Const, .i32(Int32(a))), Instruction(.i32Const, .i32(Int32(value - a))), Instruction(.i32Add)]
            }
            return [Instruction(.i64Const, .i64(Int64(a))), Instruction(.i64Const, .i64(Int64(value - a))), Instruction(.i64Add)]
        }
        return type == .i32 ? [Instruction(.i32Const, .i32(Int32(value)))] : [Instruction(.i64Const, .i64(Int64(value)))]
    }

    mutating func generateData() {
        let count = u.int(in: 0...config.maxDataSegments)
        for _ in 0..<count where !u.isExhausted {
            let length = u.int(in: 0...16)
            var bytes: [UInt8] = []
            for _ in 0..<length { bytes.append(u.byte()) }
            let memories = env.memories.indices.filter { env.memories[$0].limits.min * 65536 >= UInt64(length) }
            if (!env.has(.bulkMemory) || u.chance(1, 2)), let m = u.choose(memories) {
                let memory = env.memories[m]
                let size = Int(min(memory.limits.min * 65536, 1 << 20))
                let offset = u.chance(1, 2) ? u.int(in: 0...min(64, size - length)) : size - length - u.int(in: 0...min(16, size - length))
                module.datas.append(DataSegment(mode: .active(memory: UInt32(m), offset: addressConstant(offset, memory.limits.addressType)),
                                                bytes: bytes))
                env.datas.append(.init(length: length, isPassive: false))
            } else if env.has(.bulkMemory) {
                module.datas.append(DataSegment(mode: .passive, bytes: bytes))
                env.datas.append(.init(length: length, isPassive: true))
            }
        }
        if env.has(.bulkMemory) && !module.datas.isEmpty {
            module.dataCount = UInt32(module.datas.count)
            env.hasDataCount = true
        }
    }

    // MARK: Code

    mutating func generateCode() {
        for i in module.functions.indices {
            let index = env.importedFunctionCount + i
            var generator = CodeGenerator(env: env, function: index, source: u)
            let body = generator.generate()
            u = generator.u
            var writer = BinaryWriter()
            for instruction in body { writer.instruction(instruction) }
            module.functions[i].locals = generator.localRuns
            module.functions[i].body = writer.bytes[...]
            scratchLocals.append(Set(generator.scratchIndices.map { UInt32($0) }))
        }
    }
}
