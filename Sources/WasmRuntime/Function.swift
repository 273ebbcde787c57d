import WasmSyntax

/// A function of a store: exported WebAssembly code or a host function.
public struct Function: Hashable {
    public let store: Store
    package let entity: FunctionEntity

    package init(store: Store, entity: FunctionEntity) {
        self.store = store
        self.entity = entity
    }

    /// Creates a host function: a Swift closure WebAssembly code can import
    /// and call. It gets arguments of `type.params` and must return results
    /// of `type.results`, or throw a trap.
    public init(store: Store, type: FuncType, body: @escaping HostFunctionBody) {
        let id = store.types.intern(type)
        let entity = FunctionEntity(type: type, typeID: id, host: body)
        store.hostFunctions.append(entity)
        self.init(store: store, entity: entity)
    }

    /// The function's type. Concrete heap types in it are store type IDs.
    public var type: FuncType { entity.type }

    /// Calls the function. Traps when it traps, or when the arguments do not
    /// match its type (`TrapKind.typeMismatch`).
    public func call(_ arguments: [Value]) throws(Trap) -> [Value] {
        let type = entity.type
        guard arguments.count == type.params.count else { throw Trap(.typeMismatch) }
        for (value, t) in zip(arguments, type.params) where !store.matches(value, t) {
            throw Trap(.typeMismatch)
        }
        if let host = entity.host {
            return try store.callHost(host, type: type, arguments: arguments)
        }
        let count = Swift.max(type.params.slotCount, type.results.slotCount, 1)
        let slots = UnsafeMutablePointer<UInt64>.allocate(capacity: count)
        defer { slots.deallocate() }
        slots.initialize(repeating: 0, count: count)
        var offset = 0
        for value in arguments { offset += store.encode(value, to: slots + offset) }
        try store.invokeWasm(entity.header, slots: slots)
        var results: [Value] = []
        results.reserveCapacity(type.results.count)
        offset = 0
        for t in type.results {
            results.append(store.decode(slots + offset, as: t))
            offset += t.slotCount
        }
        return results
    }

    /// Calls the function in `store`, which must be the function's store.
    public func call(_ arguments: [Value], in store: Store) throws(Trap) -> [Value] {
        guard store === self.store else { throw Trap(.typeMismatch) }
        return try call(arguments)
    }

    public static func == (a: Function, b: Function) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
