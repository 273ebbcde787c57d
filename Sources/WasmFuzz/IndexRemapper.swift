import WasmEngines
import WasmBinary
import WasmSyntax

/// The index spaces of a module.
enum IndexSpace: CaseIterable {
    case type, function, table, memory, global, tag, element, data
}

/// Renumbers every reference to one index space of a module: what the
/// reducer needs to delete a function, global, segment or type group from
/// the middle of a module. A reference that the map drops marks the
/// result as failed (the item was still in use).
struct IndexRemapper {
    let space: IndexSpace
    let map: (UInt32) -> UInt32?
    private(set) var failed = false

    init(_ space: IndexSpace, _ map: @escaping (UInt32) -> UInt32?) {
        self.space = space
        self.map = map
    }

    mutating func index(_ i: UInt32, in s: IndexSpace) -> UInt32 {
        guard s == space else { return i }
        if let m = map(i) { return m }
        failed = true
        return i
    }

    mutating func heapType(_ h: HeapType) -> HeapType {
        if case .concrete(let i) = h { return .concrete(index(i, in: .type)) }
        return h
    }

    mutating func refType(_ r: RefType) -> RefType {
        RefType(nullable: r.nullable, heapType: heapType(r.heapType))
    }

    mutating func valueType(_ t: ValueType) -> ValueType {
        if case .ref(let r) = t { return .ref(refType(r)) }
        return t
    }

    mutating func funcType(_ f: FuncType) -> FuncType {
        FuncType(params: f.params.map { valueType($0) }, results: f.results.map { valueType($0) })
    }

    mutating func fieldType(_ f: FieldType) -> FieldType {
        if case .value(let t) = f.storage { return FieldType(storage: .value(valueType(t)), mutable: f.mutable) }
        return f
    }

    mutating func subType(_ s: SubType) -> SubType {
        var s = s
        s.supertypes = s.supertypes.map { index($0, in: .type) }
        switch s.composite {
        case .func(let f): s.composite = .func(funcType(f))
        case .struct(let fields): s.composite = .struct(fields.map { fieldType($0) })
        case .array(let f): s.composite = .array(fieldType(f))
        }
        return s
    }

    mutating func blockType(_ b: BlockType) -> BlockType {
        switch b {
        case .empty: return b
        case .value(let t): return .value(valueType(t))
        case .typeIndex(let i): return .typeIndex(index(i, in: .type))
        }
    }

    mutating func instruction(_ inst: Instruction) -> Instruction {
        var out = inst
        let kind = inst.opcode.immediateKind
        switch (kind, inst.immediate) {
        case (.function, .index(let i)): out.immediate = .index(index(i, in: .function))
        case (.global, .index(let i)): out.immediate = .index(index(i, in: .global))
        case (.table, .index(let i)): out.immediate = .index(index(i, in: .table))
        case (.table, .none): out.immediate = .index(index(0, in: .table))
        case (.memory, .index(let i)): out.immediate = .index(index(i, in: .memory))
        case (.memory, .none): out.immediate = .index(index(0, in: .memory))
        case (.tag, .index(let i)): out.immediate = .index(index(i, in: .tag))
        case (.elem, .index(let i)): out.immediate = .index(index(i, in: .element))
        case (.data, .index(let i)): out.immediate = .index(index(i, in: .data))
        case (.type, .index(let i)): out.immediate = .index(index(i, in: .type))
        case (.callIndirect, .indexPair(let t, let table)):
            out.immediate = .indexPair(index(t, in: .type), index(table, in: .table))
        case (.typeField, .indexPair(let t, let f)), (.typeCount, .indexPair(let t, let f)):
            out.immediate = .indexPair(index(t, in: .type), f)
        case (.typeData, .indexPair(let t, let d)): out.immediate = .indexPair(index(t, in: .type), index(d, in: .data))
        case (.typeElem, .indexPair(let t, let e)): out.immediate = .indexPair(index(t, in: .type), index(e, in: .element))
        case (.typeType, .indexPair(let a, let b)): out.immediate = .indexPair(index(a, in: .type), index(b, in: .type))
        case (.memoryInit, .indexPair(let d, let m)): out.immediate = .indexPair(index(d, in: .data), index(m, in: .memory))
        case (.memoryCopy, .indexPair(let a, let b)): out.immediate = .indexPair(index(a, in: .memory), index(b, in: .memory))
        case (.memoryCopy, .none): out.immediate = .indexPair(index(0, in: .memory), index(0, in: .memory))
        case (.tableInit, .indexPair(let e, let t)): out.immediate = .indexPair(index(e, in: .element), index(t, in: .table))
        case (.tableCopy, .indexPair(let a, let b)): out.immediate = .indexPair(index(a, in: .table), index(b, in: .table))
        case (.tableCopy, .none): out.immediate = .indexPair(index(0, in: .table), index(0, in: .table))
        case (.memarg, .memarg(var m)):
            m.memory = index(m.memory, in: .memory)
            out.immediate = .memarg(m)
        case (.memargLane, .memargLane(var m, let lane)):
            m.memory = index(m.memory, in: .memory)
            out.immediate = .memargLane(m, lane: lane)
        case (.block, .block(let b)): out.immediate = .block(blockType(b))
        case (.tryTable, .tryTable(let b, let catches)):
            let mapped = catches.map { c -> Catch in
                switch c {
                case .catch(let t, let l): return .catch(tag: index(t, in: .tag), label: l)
                case .catchRef(let t, let l): return .catchRef(tag: index(t, in: .tag), label: l)
                case .catchAll, .catchAllRef: return c
                }
            }
            out.immediate = .tryTable(blockType(b), mapped)
        case (.valueTypes, .valueTypes(let ts)): out.immediate = .valueTypes(ts.map { valueType($0) })
        case (.heapType, .heapType(let h)): out.immediate = .heapType(heapType(h))
        case (.brOnCast, .brOnCast(let l, let from, let to)): out.immediate = .brOnCast(label: l, from: refType(from), to: refType(to))
        default: break
        }
        return out
    }

    mutating func expression(_ e: [Instruction]) -> [Instruction] { e.map { instruction($0) } }

    /// `module` with every reference renumbered; nil when one was dropped
    /// or a body does not decode.
    mutating func apply(to module: Module) -> Module? {
        var m = module
        m.types = m.types.map { RecGroup(types: $0.types.map { subType($0) }, isExplicit: $0.isExplicit) }
        m.imports = m.imports.map { item in
            var item = item
            switch item.descriptor {
            case .function(let t): item.descriptor = .function(index(t, in: .type))
            case .table(var t):
                t.elementType = refType(t.elementType)
                item.descriptor = .table(t)
            case .memory: break
            case .global(var g):
                g.valueType = valueType(g.valueType)
                item.descriptor = .global(g)
            case .tag(var t):
                t.typeIndex = index(t.typeIndex, in: .type)
                item.descriptor = .tag(t)
            }
            return item
        }
        for i in m.functions.indices {
            m.functions[i].typeIndex = index(m.functions[i].typeIndex, in: .type)
            m.functions[i].locals = m.functions[i].locals.map { LocalRun(count: $0.count, type: valueType($0.type)) }
            guard let body = try? decodeInstructions(m.functions[i].body) else { return nil }
            var writer = BinaryWriter()
            for inst in body { writer.instruction(instruction(inst)) }
            m.functions[i].body = writer.bytes[...]
        }
        for i in m.tables.indices {
            m.tables[i].type.elementType = refType(m.tables[i].type.elementType)
            m.tables[i].initializer = m.tables[i].initializer.map { expression($0) }
        }
        for i in m.tags.indices { m.tags[i].typeIndex = index(m.tags[i].typeIndex, in: .type) }
        for i in m.globals.indices {
            m.globals[i].type.valueType = valueType(m.globals[i].type.valueType)
            m.globals[i].initializer = expression(m.globals[i].initializer)
        }
        m.exports = m.exports.map { e in
            var e = e
            switch e.descriptor {
            case .function(let i): e.descriptor = .function(index(i, in: .function))
            case .table(let i): e.descriptor = .table(index(i, in: .table))
            case .memory(let i): e.descriptor = .memory(index(i, in: .memory))
            case .global(let i): e.descriptor = .global(index(i, in: .global))
            case .tag(let i): e.descriptor = .tag(index(i, in: .tag))
            }
            return e
        }
        if let s = m.start { m.start = index(s, in: .function) }
        for i in m.elements.indices {
            m.elements[i].type = refType(m.elements[i].type)
            if case .active(let t, let offset) = m.elements[i].mode {
                m.elements[i].mode = .active(table: index(t, in: .table), offset: expression(offset))
            }
            switch m.elements[i].items {
            case .functions(let fs): m.elements[i].items = .functions(fs.map { index($0, in: .function) })
            case .expressions(let es): m.elements[i].items = .expressions(es.map { expression($0) })
            }
        }
        for i in m.datas.indices {
            if case .active(let mem, let offset) = m.datas[i].mode {
                m.datas[i].mode = .active(memory: index(mem, in: .memory), offset: expression(offset))
            }
        }
        return failed ? nil : m
    }
}

extension Module {
    /// How many items of `space` the imports define (they come first).
    func importedCount(_ space: IndexSpace) -> Int {
        imports.filter { item in
            switch (item.descriptor, space) {
            case (.function, .function), (.table, .table), (.memory, .memory), (.global, .global), (.tag, .tag): return true
            default: return false
            }
        }.count
    }

    /// How many items of `space` the module defines itself (for types:
    /// rec groups).
    func definedCount(_ space: IndexSpace) -> Int {
        switch space {
        case .type: return types.count
        case .function: return functions.count
        case .table: return tables.count
        case .memory: return memories.count
        case .global: return globals.count
        case .tag: return tags.count
        case .element: return elements.count
        case .data: return datas.count
        }
    }

    /// The module without its `k`th own item of `space` (for types, rec
    /// group `k`), every later index shifted down; nil when the item is
    /// still referenced.
    func removing(_ space: IndexSpace, _ k: Int) -> Module? {
        guard k >= 0, k < definedCount(space) else { return nil }
        let first: UInt32
        let count: UInt32
        if space == .type {
            first = UInt32(types[..<k].reduce(0) { $0 + $1.types.count })
            count = UInt32(types[k].types.count)
        } else {
            first = UInt32(importedCount(space) + k)
            count = 1
        }
        var remapper = IndexRemapper(space) { i in
            if i < first { return i }
            if i < first + count { return nil }
            return i - count
        }
        var m = self
        switch space {
        case .type: m.types.remove(at: k)
        case .function: m.functions.remove(at: k)
        case .table: m.tables.remove(at: k)
        case .memory: m.memories.remove(at: k)
        case .global: m.globals.remove(at: k)
        case .tag: m.tags.remove(at: k)
        case .element: m.elements.remove(at: k)
        case .data:
            m.datas.remove(at: k)
            if m.dataCount != nil { m.dataCount = UInt32(m.datas.count) }
        }
        return remapper.apply(to: m)
    }
}
