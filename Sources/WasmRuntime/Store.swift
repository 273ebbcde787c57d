import WasmSyntax

/// Owns all runtime objects: instances and the functions, tables, memories,
/// globals and tags they define or the host creates. Objects live as long as
/// their store. A store is not thread-safe: use it from one thread at a time.
public final class Store {
    public let engine: Engine

    package var instances: [InstanceEntity] = []
    /// Entities created by the host (instances own the ones they define).
    package var hostFunctions: [FunctionEntity] = []
    package var hostTables: [TableEntity] = []
    package var hostMemories: [MemoryEntity] = []
    package var hostGlobals: [GlobalEntity] = []
    package var hostTags: [TagEntity] = []

    /// Canonical type IDs of every type registered in this store.
    package var types = TypeRegistry()

    /// Host values (`Reference.extern`) seen so far; a reference slot holds
    /// the index of its payload (see `ReferenceBits`).
    package var hostValues: [UInt64] = []
    package var hostValueIndices: [UInt64: Int] = [:]

    /// Exception objects (`ExceptionLayout`), kept until the store goes.
    package var exceptions: [UnsafeMutablePointer<UInt64>] = []
    /// GC objects (`ObjectLayout`), kept until the store goes: there is no
    /// collector yet, so `EngineConfiguration.maxHeapBytes` bounds them
    /// (with the exception objects).
    package var objects: [UnsafeMutablePointer<UInt64>] = []
    package var heapBytes: UInt64 = 0

    /// Fuel left, when the engine consumes fuel. Tiers write it back when
    /// they return to the host.
    public var fuel: UInt64 = 0

    /// Per-store state of the tier (its stacks), created on first use.
    package var tierState: AnyObject?

    /// How many invocations are active (host -> wasm -> host -> wasm ...).
    package var invocationDepth = 0
    /// Re-entrant invocations nest on the native stack, so they are capped.
    package static let maxInvocationDepth = 200

    public init(engine: Engine) {
        self.engine = engine
    }

    deinit {
        for e in exceptions { e.deallocate() }
        for o in objects { o.deallocate() }
    }

    /// Creates a GC object of type `typeID` with `slots` zeroed field or
    /// element slots; traps when the heap limit would be exceeded.
    package func allocateObject(typeID: Int, length: UInt64, slots: UInt64) throws(Trap) -> UnsafeMutablePointer<UInt64> {
        let words = UInt64(ObjectLayout.fields) + slots
        let (bytes, overflow) = words.multipliedReportingOverflow(by: 8)
        guard !overflow, bytes <= engine.configuration.maxHeapBytes &- heapBytes else { throw Trap(.resourceExhausted) }
        heapBytes += bytes
        let object = UnsafeMutablePointer<UInt64>.allocate(capacity: Int(words))
        object.initialize(repeating: 0, count: Int(words))
        object[ObjectLayout.typeID] = UInt64(typeID)
        object[ObjectLayout.length] = length
        objects.append(object)
        return object
    }

    /// Creates an exception object of `tag` (an identity, `TagEntity.identity`)
    /// with `count` payload slots copied from `payload`. Exceptions count
    /// towards the heap limit like GC objects.
    package func allocateException(tag: UnsafeRawPointer, payload: UnsafePointer<UInt64>, count: Int) throws(Trap) -> UnsafeMutablePointer<UInt64> {
        let bytes = UInt64(ExceptionLayout.payload + count) * 8
        guard bytes <= engine.configuration.maxHeapBytes &- heapBytes else { throw Trap(.resourceExhausted) }
        heapBytes += bytes
        let object = UnsafeMutablePointer<UInt64>.allocate(capacity: ExceptionLayout.payload + count)
        object[ExceptionLayout.tag] = UInt64(UInt(bitPattern: tag))
        object[ExceptionLayout.count] = UInt64(count)
        (object + ExceptionLayout.payload).initialize(from: payload, count: count)
        exceptions.append(object)
        return object
    }
}
