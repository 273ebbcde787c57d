import WasmSyntax

/// Import matching (spec "Import Subtyping") on closed types.
package enum ImportMatching {
    static func matches(_ value: Extern, _ descriptor: ImportDescriptor, typeIDs: [Int], store: Store) -> Bool {
        let types = store.types
        switch (value, descriptor) {
        case (.function(let f), .function(let typeIndex)):
            guard Int(typeIndex) < typeIDs.count else { return false }
            return types.isSubtype(f.entity.header.pointee.typeID, of: typeIDs[Int(typeIndex)])
        case (.table(let t), .table(let expected)):
            let actual = t.entity.type
            let element = TypeRegistry.close(expected.elementType, ids: typeIDs)
            guard types.isSubtype(actual.elementType, of: element), types.isSubtype(element, of: actual.elementType),
                  actual.limits.addressType == expected.limits.addressType else { return false }
            return limitsMatch(current: UInt64(t.entity.state.pointee.count), max: actual.limits.max, expected.limits)
        case (.memory(let m), .memory(let expected)):
            let actual = m.entity.type
            guard actual.limits.addressType == expected.limits.addressType,
                  (actual.pageSizeLog2 ?? 16) == (expected.pageSizeLog2 ?? 16),
                  actual.limits.shared == expected.limits.shared else { return false }
            return limitsMatch(current: m.entity.state.pointee.pageCount, max: actual.limits.max, expected.limits)
        case (.global(let g), .global(let expected)):
            let actual = g.entity.type
            let valueType = TypeRegistry.close(expected.valueType, ids: typeIDs)
            guard actual.mutable == expected.mutable else { return false }
            if actual.mutable {
                return types.isSubtype(actual.valueType, of: valueType) && types.isSubtype(valueType, of: actual.valueType)
            }
            return types.isSubtype(actual.valueType, of: valueType)
        case (.tag(let t), .tag(let expected)):
            guard Int(expected.typeIndex) < typeIDs.count else { return false }
            return t.entity.typeID == typeIDs[Int(expected.typeIndex)]
        default:
            return false
        }
    }

    /// `{min n, max m?} <= {min n', max m'?}`: at least as large, and at most
    /// as large as the expected maximum when there is one.
    package static func limitsMatch(current: UInt64, max: UInt64?, _ expected: Limits) -> Bool {
        guard current >= expected.min else { return false }
        guard let expectedMax = expected.max else { return true }
        guard let max else { return false }
        return max <= expectedMax
    }
}
