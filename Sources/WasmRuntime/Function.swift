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

extension Store {
    /// Runs WebAssembly code through the engine's tier, counting nested
    /// invocations (each one takes native stack).
    package func invokeWasm(_ header: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>) throws(Trap) {
        guard invocationDepth < Store.maxInvocationDepth else { throw Trap(.callStackExhausted) }
        invocationDepth += 1
        defer { invocationDepth -= 1 }
        try engine.implementation.invoke(header, slots: slots, store: self)
    }

    /// Calls a host function and checks its results.
    package func callHost(_ body: HostFunctionBody, type: FuncType, arguments: [Value]) throws(Trap) -> [Value] {
        guard invocationDepth < Store.maxInvocationDepth else { throw Trap(.callStackExhausted) }
        invocationDepth += 1
        defer { invocationDepth -= 1 }
        let results: [Value]
        do {
            results = try body(arguments)
        } catch let trap as Trap {
            throw trap
        } catch {
            throw Trap(.host(String(describing: error)))
        }
        guard results.count == type.results.count else { throw Trap(.typeMismatch) }
        for (value, t) in zip(results, type.results) where !matches(value, t) {
            throw Trap(.typeMismatch)
        }
        return results
    }

    /// Calls a host function from a tier: arguments are read from `slots`,
    /// results written back to them.
    package func callHost(_ header: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>) throws(Trap) {
        let entity = FunctionEntity.of(header)
        guard let body = entity.host else { throw Trap(.typeMismatch) }
        let type = entity.type
        var arguments: [Value] = []
        arguments.reserveCapacity(type.params.count)
        var offset = 0
        for t in type.params {
            arguments.append(decode(slots + offset, as: t))
            offset += t.slotCount
        }
        let results = try callHost(body, type: type, arguments: arguments)
        offset = 0
        for value in results { offset += encode(value, to: slots + offset) }
    }
}
