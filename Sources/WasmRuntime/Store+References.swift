import WasmSyntax

// Run-time type tests of references (`ref.test`, `ref.cast`, `br_on_cast`,
// `call_indirect`'s subtyping), on the slot encoding of `ReferenceBits`.
extension Store {
    /// Whether the non-null reference `bits` has a type that matches the
    /// closed heap type `target`. The static type of the reference is in
    /// the target's hierarchy (validation guarantees it), which tells what
    /// the bits encode.
    package func referenceMatches(_ bits: UInt64, _ target: HeapType) -> Bool {
        switch target {
        case .abstract(let a):
            switch a {
            case .any: return true
            case .func, .extern, .exn: return true
            case .none, .nofunc, .noextern, .noexn: return false
            case .eq: return ReferenceBits.isI31(bits) || isObject(bits)
            case .i31: return ReferenceBits.isI31(bits)
            case .struct: return objectComposite(bits).map { if case .struct = $0 { return true }; return false } ?? false
            case .array: return objectComposite(bits).map { if case .array = $0 { return true }; return false } ?? false
            }
        case .concrete(let id):
            let target = Int(id)
            guard let kind = types.types.indices.contains(target) ? types.types[target].composite : nil else { return false }
            if case .func = kind {
                guard let header = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(bits)) else { return false }
                return types.isSubtype(header.pointee.typeID, of: target)
            }
            guard isObject(bits), let object = UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits)) else { return false }
            return types.isSubtype(Int(object[ObjectLayout.typeID]), of: target)
        }
    }

    /// Whether a non-null reference of the any hierarchy is a GC object.
    @inline(__always) package func isObject(_ bits: UInt64) -> Bool {
        bits != 0 && bits & ReferenceBits.tagMask == 0
    }

    private func objectComposite(_ bits: UInt64) -> CompositeType? {
        guard isObject(bits), let object = UnsafeMutablePointer<UInt64>(bitPattern: UInt(bits)) else { return nil }
        let id = Int(object[ObjectLayout.typeID])
        return types.types.indices.contains(id) ? types.types[id].composite : nil
    }
}

extension StorageType {
    /// The slots a field or element of this type takes in an object.
    package var slotCount: Int { self == .value(.v128) ? 2 : 1 }
}

extension CompositeType {
    /// The slots of a struct's fields, in order, and their total.
    package var fieldSlotOffsets: (offsets: [Int], total: Int) {
        guard case .struct(let fields) = self else { return ([], 0) }
        var offsets: [Int] = []
        var total = 0
        for f in fields {
            offsets.append(total)
            total += f.storage.slotCount
        }
        return (offsets, total)
    }
}

/// A cast's target heap type and nullability in one word, as the tiers
/// pass it to `Store.referenceMatches(_:castTarget:context:)`: bit 63 is
/// "null matches", bits 32-39 an abstract heap type + 1 (0: concrete),
/// bits 0-31 a concrete type's index in the module.
package enum CastTarget {
    package static func word(_ h: HeapType, nullable: Bool) -> UInt64 {
        var word: UInt64 = nullable ? 1 << 63 : 0
        switch h {
        case .concrete(let i): word |= UInt64(i)
        case .abstract(let a): word |= UInt64(a.rawValue + 1) << 32
        }
        return word
    }
}

extension Store {
    /// Whether a reference matches a cast target word (`CastTarget`), with
    /// concrete types resolved through the instance's type IDs.
    package func referenceMatches(_ bits: UInt64, castTarget target: UInt64,
                                  context: UnsafeMutablePointer<InstanceContext>) -> Bool {
        if bits == ReferenceBits.null { return target >> 63 == 1 }
        let abstract = Int((target >> 32) & 0xFF)
        if abstract == 0 {
            let id = context.pointee.typeIDs[Int(target & 0xFFFF_FFFF)]
            return referenceMatches(bits, .concrete(UInt32(truncatingIfNeeded: id)))
        }
        guard let heapType = AbstractHeapType(rawValue: UInt8(abstract - 1)) else { return false }
        return referenceMatches(bits, .abstract(heapType))
    }
}
