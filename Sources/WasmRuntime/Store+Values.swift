import WasmSyntax

// The encoding of values in 64-bit slots, shared by all tiers: i32 and f32
// zero-extended, i64 and f64 as is, v128 as two slots (low half first),
// references as `ReferenceBits` describes.
extension Store {
    /// Writes `value` at `slots` and returns the number of slots written.
    package func encode(_ value: Value, to slots: UnsafeMutablePointer<UInt64>) -> Int {
        switch value {
        case .i32(let v): slots[0] = UInt64(v); return 1
        case .i64(let v): slots[0] = v; return 1
        case .f32(let v): slots[0] = UInt64(v); return 1
        case .f64(let v): slots[0] = v; return 1
        case .v128(let v): slots[0] = v.lo; slots[1] = v.hi; return 2
        case .ref(let r): slots[0] = referenceBits(r); return 1
        }
    }

    /// Reads a value of type `type` from `slots`.
    package func decode(_ slots: UnsafePointer<UInt64>, as type: ValueType) -> Value {
        switch type {
        case .i32: return .i32(UInt32(truncatingIfNeeded: slots[0]))
        case .i64: return .i64(slots[0])
        case .f32: return .f32(UInt32(truncatingIfNeeded: slots[0]))
        case .f64: return .f64(slots[0])
        case .v128: return .v128(V128(lo: slots[0], hi: slots[1]))
        case .ref(let r): return .ref(reference(bits: slots[0], type: r))
        }
    }

    package func referenceBits(_ reference: Reference) -> UInt64 {
        switch reference {
        case .null: return ReferenceBits.null
        case .function(let f): return UInt64(UInt(bitPattern: f.entity.header))
        case .extern(let payload): return hostValueBits(payload)
        case .i31(let v): return ReferenceBits.i31(UInt32(bitPattern: v))
        case .object(let o): return o.bits
        case .exception(let e): return e.bits
        case .externalized(let r): return referenceBits(r)
        }
    }

    package func hostValueBits(_ payload: UInt64) -> UInt64 {
        let index: Int
        if let i = hostValueIndices[payload] {
            index = i
        } else {
            index = hostValues.count
            hostValues.append(payload)
            hostValueIndices[payload] = index
        }
        return UInt64(index) << 2 | ReferenceBits.hostTag
    }

    /// Decodes a reference slot of static type `type`. The static type says
    /// which hierarchy the bits belong to (functions, exceptions, or the
    /// any/extern hierarchy whose tag bits tell host values, i31 and objects apart).
    ///
    /// A GC object or exception handed out this way is pinned: the
    /// collector keeps it (and what it reaches) for as long as the store
    /// lives. `ObjectReference` is a plain value with no way to tell when
    /// the host drops its last copy, so this is the price of never leaving
    /// the host with a dangling reference; hosts that pass many objects
    /// out of a long-lived store retain them all.
    package func reference(bits: UInt64, type: RefType) -> Reference {
        if bits == ReferenceBits.null { return .null(type.heapType) }
        if ReferenceBits.isHost(bits) {
            let index = Int(bits >> 2)
            return .extern(index < hostValues.count ? hostValues[index] : 0)
        }
        if isExternType(type) { return .externalized(reference(bits: bits, type: .anyref)) }
        if ReferenceBits.isI31(bits) { return .i31(ReferenceBits.i31Signed(bits)) }
        if isFunctionType(type), let header = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(bits)) {
            return .function(Function(store: self, entity: FunctionEntity.of(header)))
        }
        pinnedReferences.insert(bits)
        if isExceptionType(type) { return .exception(ExceptionReference(store: self, bits: bits)) }
        return .object(ObjectReference(store: self, bits: bits))
    }

    /// Whether references of this (closed) type are external references.
    package func isExternType(_ type: RefType) -> Bool {
        type.heapType == .extern || type.heapType == .noextern
    }

    /// Whether references of this (closed) type are exceptions.
    package func isExceptionType(_ type: RefType) -> Bool {
        type.heapType == .exn || type.heapType == .noexn
    }

    /// Whether references of this (closed) type are function references.
    package func isFunctionType(_ type: RefType) -> Bool {
        switch type.heapType {
        case .abstract(let a): return a == .func || a == .nofunc
        case .concrete(let id):
            guard Int(id) < types.types.count else { return false }
            if case .func = types.types[Int(id)].composite { return true }
            return false
        }
    }

    /// Whether a value fits a (closed) type, for arguments and host results.
    package func matches(_ value: Value, _ type: ValueType) -> Bool {
        switch (value, type) {
        case (.i32, .i32), (.i64, .i64), (.f32, .f32), (.f64, .f64), (.v128, .v128): return true
        case (.ref(let r), .ref(let t)):
            switch r {
            case .null: return t.nullable
            case .function(let f):
                return f.store === self && types.isSubtype(.concrete(UInt32(truncatingIfNeeded: f.entity.header.pointee.typeID)), of: t.heapType)
            case .extern:
                // A host value is an `externref`, and, internalized, an `anyref`.
                return types.isSubtype(.extern, of: t.heapType) || t.heapType == .any
            case .i31:
                return types.isSubtype(.i31, of: t.heapType)
            case .object(let o):
                return o.store === self && !isFunctionType(t) && !isExceptionType(t) && referenceMatches(o.bits, t.heapType)
            case .exception(let e):
                return e.store === self && isExceptionType(t) && t.heapType == .exn
            case .externalized(let r):
                return t.heapType == .extern && matches(.ref(r), .anyref)
            }
        default: return false
        }
    }
}
