import WasmSyntax

/// A tag instance of the store (exception handling).
package final class TagEntity {
    /// The store's ID of the tag's function type.
    package let typeID: Int
    package let type: FuncType

    package init(typeID: Int, type: FuncType) {
        self.typeID = typeID
        self.type = type
    }

    /// What exception objects and `InstanceContext.tags` hold for the tag.
    package var identity: UnsafeRawPointer { UnsafeRawPointer(Unmanaged.passUnretained(self).toOpaque()) }

    package static func of(_ identity: UnsafeRawPointer) -> TagEntity {
        Unmanaged<TagEntity>.fromOpaque(identity).takeUnretainedValue()
    }
}
