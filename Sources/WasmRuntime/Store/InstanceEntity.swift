import WasmSyntax

/// A module instance of the store: the entities of its index spaces and
/// the `InstanceContext` tiers run on, which points to the store's `VMRuntime`.
package final class InstanceEntity {
    package let module: Module
    package let context: UnsafeMutablePointer<InstanceContext>
    /// The store's ID of each of the module's type indices.
    package let typeIDs: [Int]

    package private(set) var functions: [FunctionEntity] = []
    package private(set) var tables: [TableEntity] = []
    package private(set) var memories: [MemoryEntity] = []
    package private(set) var globals: [GlobalEntity] = []
    package private(set) var tags: [TagEntity] = []
    /// The evaluated element segments (freed with the instance).
    private var elementItems: [UnsafeMutablePointer<UInt64>] = []
    /// Exports by name. Names are compared as code points, not as Swift
    /// strings (which would equate canonically equivalent spellings).
    package var exports: [[UInt8]: ExportDescriptor] = [:]

    private let functionCapacity, tableCapacity, memoryCapacity, globalCapacity, tagCapacity, elementCapacity, dataCapacity: Int

    package init(module: Module, typeIDs: [Int], runtime: UnsafeMutablePointer<VMRuntime>) {
        self.module = module
        self.typeIDs = typeIDs
        let v = module.validation
        functionCapacity = v.functionTypeIndices.count
        tableCapacity = v.tables.count
        memoryCapacity = v.memories.count
        globalCapacity = v.globals.count
        tagCapacity = v.tags.count
        elementCapacity = module.syntax.elements.count
        dataCapacity = module.syntax.datas.count
        let ids = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(typeIDs.count, 1))
        ids.initialize(repeating: 0, count: Swift.max(typeIDs.count, 1))
        for (i, id) in typeIDs.enumerated() { ids[i] = id }
        let elements = UnsafeMutablePointer<ElementSegmentState>.allocate(capacity: Swift.max(elementCapacity, 1))
        elements.initialize(repeating: ElementSegmentState(items: nil, count: 0), count: Swift.max(elementCapacity, 1))
        let datas = UnsafeMutablePointer<DataSegmentState>.allocate(capacity: Swift.max(dataCapacity, 1))
        datas.initialize(repeating: DataSegmentState(bytes: nil, count: 0), count: Swift.max(dataCapacity, 1))
        context = .allocate(capacity: 1)
        context.initialize(to: InstanceContext(
            functions: .allocate(capacity: Swift.max(functionCapacity, 1)),
            tables: .allocate(capacity: Swift.max(tableCapacity, 1)),
            memories: .allocate(capacity: Swift.max(memoryCapacity, 1)),
            globals: .allocate(capacity: Swift.max(globalCapacity, 1)),
            tags: .allocate(capacity: Swift.max(tagCapacity, 1)),
            typeIDs: ids, elements: elements, datas: datas, memory0: MemoryState.none, entity: nil, runtime: runtime))
        context.pointee.entity = UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque())
    }

    deinit {
        let c = context.pointee
        c.functions.deallocate()
        c.tables.deallocate()
        c.memories.deallocate()
        c.globals.deallocate()
        c.tags.deallocate()
        c.typeIDs.deallocate()
        c.elements.deallocate()
        c.datas.deallocate()
        for items in elementItems { items.deallocate() }
        context.deallocate()
    }

    // Entities are added in index order: imports first, then definitions.

    package func add(_ f: FunctionEntity) {
        precondition(functions.count < functionCapacity)
        context.pointee.functions[functions.count] = f.header
        functions.append(f)
    }

    package func add(_ t: TableEntity) {
        precondition(tables.count < tableCapacity)
        context.pointee.tables[tables.count] = t.state
        tables.append(t)
    }

    package func add(_ m: MemoryEntity) {
        precondition(memories.count < memoryCapacity)
        context.pointee.memories[memories.count] = m.state
        if memories.isEmpty { context.pointee.memory0 = m.state }
        memories.append(m)
    }

    package func add(_ g: GlobalEntity) {
        precondition(globals.count < globalCapacity)
        context.pointee.globals[globals.count] = g.cell
        globals.append(g)
    }

    package func add(_ t: TagEntity) {
        precondition(tags.count < tagCapacity)
        context.pointee.tags[tags.count] = t.identity
        tags.append(t)
    }

    /// Sets element segment `index` to a copy of `items`.
    package func setElementSegment(_ index: Int, _ items: [UInt64]) {
        precondition(index < elementCapacity)
        let storage = UnsafeMutablePointer<UInt64>.allocate(capacity: Swift.max(items.count, 1))
        for (i, bits) in items.enumerated() { storage[i] = bits }
        elementItems.append(storage)
        context.pointee.elements[index] = ElementSegmentState(items: storage, count: items.count)
    }

    package func setDataSegment(_ index: Int, bytes: UnsafeRawPointer, count: Int) {
        precondition(index < dataCapacity)
        context.pointee.datas[index] = DataSegmentState(bytes: bytes, count: count)
    }
}
