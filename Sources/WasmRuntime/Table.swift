import WasmSyntax

/// A table of references of a store.
public struct Table: Hashable {
    public let store: Store
    package let entity: TableEntity

    package init(store: Store, entity: TableEntity) {
        self.store = store
        self.entity = entity
    }

    /// Creates a table whose entries are `initial`. Traps with
    /// `resourceExhausted` when its minimum exceeds the engine's limit, or
    /// `typeMismatch` when `initial` does not fit the element type.
    public init(store: Store, type: TableType, initial: Reference? = nil) throws(Trap) {
        let initial = initial ?? .null(type.elementType.heapType)
        guard store.matches(.ref(initial), .ref(type.elementType)) else { throw Trap(.typeMismatch) }
        let entity = try TableEntity(type: type, initial: store.referenceBits(initial), maxElements: store.engine.configuration.maxTableElements)
        store.hostTables.append(entity)
        self.init(store: store, entity: entity)
    }

    /// The table's type, with its current size as the minimum.
    public var type: TableType {
        var t = entity.type
        t.limits.min = UInt64(entity.state.pointee.count)
        return t
    }

    public var size: Int { entity.state.pointee.count }

    /// The entry at `index`, nil when out of bounds.
    public func get(_ index: Int) -> Reference? {
        let s = entity.state.pointee
        guard index >= 0 && index < s.count else { return nil }
        return store.reference(bits: s.elements[index], type: entity.type.elementType)
    }

    /// Sets the entry at `index`; false when out of bounds or of the wrong type.
    @discardableResult
    public func set(_ index: Int, _ value: Reference) -> Bool {
        let s = entity.state.pointee
        guard index >= 0 && index < s.count, store.matches(.ref(value), .ref(entity.type.elementType)) else { return false }
        s.elements[index] = store.referenceBits(value)
        return true
    }

    /// Grows by `delta` entries set to `value`; returns the old size, or nil.
    public func grow(by delta: UInt64, value: Reference? = nil) -> UInt64? {
        let value = value ?? .null(entity.type.elementType.heapType)
        guard store.matches(.ref(value), .ref(entity.type.elementType)) else { return nil }
        return entity.state.grow(by: delta, value: store.referenceBits(value))
    }

    public static func == (a: Table, b: Table) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
