import WasmSyntax

/// Validation of the type section (spec "Recursive Types", rules
/// Rectype_ok and Subtype_ok).
extension ValidationContext {
    mutating func addRecGroup(_ group: RecGroup, canonicalizer: inout TypeCanonicalizer) throws(ValidationError) {
        let base = UInt32(truncatingIfNeeded: types.count)
        let end = UInt64(types.count) + UInt64(group.types.count)
        guard end <= UInt64(UInt32.max) else { throw ValidationError("too many types") }

        if !features.contains(.gc) {
            if group.isExplicit || group.types.count != 1 {
                throw ValidationError("rec groups require the gc feature")
            }
            for sub in group.types {
                guard sub.isFinal, sub.supertypes.isEmpty, case .func = sub.composite else {
                    throw ValidationError("struct, array and sub types require the gc feature")
                }
            }
        }

        // Type uses may refer to earlier types and to any type of this group.
        for sub in group.types {
            var unknown: UInt32?
            sub.forEachTypeIndex { index in
                if unknown == nil && UInt64(index) >= end { unknown = index }
            }
            if let unknown { throw ValidationError.unknown("type", unknown, offset: 0) }
        }

        for sub in group.types {
            types.append(sub)
            recGroupStarts.append(base)
        }
        let canonicalBase = canonicalizer.canonicalBase(of: group.types, start: base, canonical: canonicalTypeIndices, fresh: base)
        for i in 0..<group.types.count {
            canonicalTypeIndices.append(canonicalBase + UInt32(i))
        }

        for (i, sub) in group.types.enumerated() {
            let x = base + UInt32(i)
            try checkCompositeType(sub.composite)
            if sub.supertypes.count > 1 {
                throw ValidationError("sub type \(x) has more than one super type")
            }
            for y in sub.supertypes {
                guard y < x else {
                    throw ValidationError("sub type \(x) does not match super type \(y): forward use of a super type")
                }
                let supertype = types[Int(y)]
                if supertype.isFinal {
                    throw ValidationError("sub type \(x) does not match super type \(y): the super type is final")
                }
                if !isSubtype(sub.composite, of: supertype.composite) {
                    throw ValidationError("sub type \(x) does not match super type \(y)")
                }
            }
        }
    }

    private func checkCompositeType(_ composite: CompositeType) throws(ValidationError) {
        switch composite {
        case .func(let f):
            if f.results.count > 1 && !features.contains(.multiValue) {
                throw ValidationError("invalid result arity: multiple results require the multi-value feature")
            }
            for t in f.params { try checkValueType(t) }
            for t in f.results { try checkValueType(t) }
        case .struct(let fields):
            for field in fields { try checkStorageType(field.storage) }
        case .array(let field):
            try checkStorageType(field.storage)
        }
    }

    private func checkStorageType(_ storage: StorageType) throws(ValidationError) {
        if case .value(let t) = storage { try checkValueType(t) }
    }
}
