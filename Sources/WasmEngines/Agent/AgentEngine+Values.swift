import WasmRuntime
import WasmSyntax

/// Values between the engine protocol and the agent's 64-bit slots, in the
/// runtime's encoding (CWasmVM's `ReferenceBits`: a function is its
/// header's address, a host value is tagged 0b10).
extension AgentEngine {
    /// The slots of an argument; nil when it does not fit `type`.
    static func slots(_ v: EngineValue, as type: ValueType) -> [UInt64]? {
        switch (v, type) {
        case (.i32(let x), .i32): return [UInt64(x)]
        case (.i64(let x), .i64): return [x]
        case (.f32(let x), .f32): return [UInt64(x)]
        case (.f64(let x), .f64): return [x]
        case (.v128(let x), .v128): return [x.lo, x.hi]
        case (.ref(.null), .ref(let r)) where r.nullable: return [ReferenceBits.null]
        case (.ref(.host(let n)), .ref): return [UInt64(n) << 2 | ReferenceBits.hostTag]
        default: return nil
        }
    }

    /// The values of result slots.
    func values(_ slots: [UInt64], types: [ValueType]) throws(EngineFailure) -> [EngineValue] {
        var values: [EngineValue] = []
        var i = 0
        for type in types {
            let n = type.slotCount
            values.append(try value(Array(slots[Swift.min(i, slots.count)..<Swift.min(i + n, slots.count)]), type: type))
            i += n
        }
        return values
    }

    /// One value from its slots (missing slots read as zero).
    func value(_ slots: [UInt64], type: ValueType) throws(EngineFailure) -> EngineValue {
        let lo = slots.first ?? 0, hi = slots.count > 1 ? slots[1] : 0
        switch type {
        case .i32: return .i32(UInt32(truncatingIfNeeded: lo))
        case .i64: return .i64(lo)
        case .f32: return .f32(UInt32(truncatingIfNeeded: lo))
        case .f64: return .f64(lo)
        case .v128: return .v128(V128(lo: lo, hi: hi))
        case .ref(let r): return .ref(try referenceKind(lo, heapType: r.heapType))
        }
    }

    /// What the oracle may compare of a reference of static type `heapType`
    /// (closed: a concrete type is a type ID of the store). Whether an
    /// internal reference is a struct or an array only the agent knows.
    func referenceKind(_ bits: UInt64, heapType: HeapType) throws(EngineFailure) -> ReferenceKind {
        let hierarchy: RefHierarchy
        if case .concrete(let id) = heapType {
            hierarchy = state.types.funcType(Int(id)) != nil ? .func : .any
        } else {
            hierarchy = RefHierarchy(heapType, types: [])
        }
        if bits == ReferenceBits.null { return .null(hierarchy) }
        if ReferenceBits.isHost(bits) {
            let n = bits >> 2
            return n <= UInt64(UInt32.max) ? .host(UInt32(n)) : .other
        }
        switch hierarchy {
        case .func: return .function
        // An internal reference made external, i31 or object alike.
        case .extern: return .extern
        case .exn: return .exception
        case .any:
            if ReferenceBits.isI31(bits) { return .i31(ReferenceBits.i31Signed(bits)) }
            var request = FrameWriter(.referenceKind)
            request.u64(bits)
            var r = try sendExpectingOK(request)
            switch try read({ try r.u8() }) {
            case 2: return .structure
            case 3: return .array
            default: return .other
            }
        }
    }
}
