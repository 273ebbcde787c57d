import WasmSyntax

/// A global variable of a store.
public struct Global: Hashable {
    public let store: Store
    package let entity: GlobalEntity

    package init(store: Store, entity: GlobalEntity) {
        self.store = store
        self.entity = entity
    }

    /// Creates a global holding `value`. Traps with `typeMismatch` when the
    /// value does not fit the type.
    public init(store: Store, type: GlobalType, value: Value) throws(Trap) {
        guard store.matches(value, type.valueType) else { throw Trap(.typeMismatch) }
        let entity = GlobalEntity(type: type)
        _ = store.encode(value, to: entity.cell)
        store.hostGlobals.append(entity)
        self.init(store: store, entity: entity)
    }

    public var type: GlobalType { entity.type }

    /// The current value.
    public var value: Value { store.decode(entity.cell, as: entity.type.valueType) }

    /// Sets a mutable global; false when it is immutable or the value does
    /// not fit its type.
    @discardableResult
    public func set(_ value: Value) -> Bool {
        guard entity.type.mutable, store.matches(value, entity.type.valueType) else { return false }
        _ = store.encode(value, to: entity.cell)
        return true
    }

    public static func == (a: Global, b: Global) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
