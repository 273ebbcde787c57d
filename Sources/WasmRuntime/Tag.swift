import WasmSyntax

/// An exception tag of a store.
public struct Tag: Hashable {
    public let store: Store
    package let entity: TagEntity

    package init(store: Store, entity: TagEntity) {
        self.store = store
        self.entity = entity
    }

    /// Creates a tag whose exceptions carry values of `type.params`.
    public init(store: Store, type: FuncType) {
        let entity = TagEntity(typeID: store.types.intern(type), type: type)
        store.hostTags.append(entity)
        self.init(store: store, entity: entity)
    }

    public var type: FuncType { entity.type }

    public static func == (a: Tag, b: Tag) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
