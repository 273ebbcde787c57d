import WasmRuntime
import WasmSyntax

extension Executor {
    /// `memoryAccess`: any load or store that is not a memory-0, 32-bit
    /// access of a plain type. Words: [a = result, b = address] [offset]
    /// [opcode | memory << 16 | lane << 48] [value slot].
    static func memoryAccess(_ pc: UnsafeMutablePointer<UInt64>, sp: UnsafeMutablePointer<UInt64>,
                             ctx: UnsafeMutablePointer<InstanceContext>) throws(Trap) {
        let w0 = pc[0]
        let a = IR.a(w0)
        let b = IR.b(w0)
        let w2 = pc[2]
        let op = opcode(w2 & 0xFFFF)
        let memory = ctx.pointee.memories[Int((w2 >> 16) & 0xFFFF_FFFF)]
        let lane = UInt8(truncatingIfNeeded: w2 >> 48)
        let value = Int(truncatingIfNeeded: pc[3])
        let base = memory.pointee.is64 ? sp[b] : UInt64(sp[i32: b])
        let (ea, overflow) = base.addingReportingOverflow(pc[1])
        let size = accessSize(op)
        guard !overflow, ea <= UInt64(UInt(bitPattern: memory.pointee.byteCount)),
              size <= UInt64(UInt(bitPattern: memory.pointee.byteCount)) - ea else {
            throw Trap(.outOfBoundsMemoryAccess)
        }
        let p = memory.pointee.base + Int(ea)
        switch op {
        case .i32Load, .f32Load: sp[i32: a] = p.loadUnaligned(as: UInt32.self)
        case .i64Load, .f64Load: sp[a] = p.loadUnaligned(as: UInt64.self)
        case .i32Load8S: sp[s32: a] = Int32(p.loadUnaligned(as: Int8.self))
        case .i32Load8U: sp[i32: a] = UInt32(p.loadUnaligned(as: UInt8.self))
        case .i32Load16S: sp[s32: a] = Int32(p.loadUnaligned(as: Int16.self))
        case .i32Load16U: sp[i32: a] = UInt32(p.loadUnaligned(as: UInt16.self))
        case .i64Load8S: sp[s64: a] = Int64(p.loadUnaligned(as: Int8.self))
        case .i64Load8U: sp[a] = UInt64(p.loadUnaligned(as: UInt8.self))
        case .i64Load16S: sp[s64: a] = Int64(p.loadUnaligned(as: Int16.self))
        case .i64Load16U: sp[a] = UInt64(p.loadUnaligned(as: UInt16.self))
        case .i64Load32S: sp[s64: a] = Int64(p.loadUnaligned(as: Int32.self))
        case .i64Load32U: sp[a] = UInt64(p.loadUnaligned(as: UInt32.self))
        case .i32Store, .f32Store: p.storeBytes(of: sp[i32: value], as: UInt32.self)
        case .i64Store, .f64Store: p.storeBytes(of: sp[value], as: UInt64.self)
        case .i32Store8, .i64Store8: p.storeBytes(of: UInt8(truncatingIfNeeded: sp[value]), as: UInt8.self)
        case .i32Store16, .i64Store16: p.storeBytes(of: UInt16(truncatingIfNeeded: sp[value]), as: UInt16.self)
        case .i64Store32: p.storeBytes(of: UInt32(truncatingIfNeeded: sp[value]), as: UInt32.self)
        case .v128Load:
            sp[v128: a] = V128(lo: p.loadUnaligned(as: UInt64.self), hi: p.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
        case .v128Store:
            let v = sp[v128: value]
            p.storeBytes(of: v.lo, as: UInt64.self)
            p.storeBytes(of: v.hi, toByteOffset: 8, as: UInt64.self)
        case .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U, .v128Load32x2S, .v128Load32x2U:
            // Extend the low half, as `extend_low` does.
            let half = V128(lo: p.loadUnaligned(as: UInt64.self), hi: 0)
            let extend: Opcode
            switch op {
            case .v128Load8x8S: extend = .i16x8ExtendLowI8x16S
            case .v128Load8x8U: extend = .i16x8ExtendLowI8x16U
            case .v128Load16x4S: extend = .i32x4ExtendLowI16x8S
            case .v128Load16x4U: extend = .i32x4ExtendLowI16x8U
            case .v128Load32x2S: extend = .i64x2ExtendLowI32x4S
            default: extend = .i64x2ExtendLowI32x4U
            }
            sp[v128: a] = VectorOps.unary(extend, half)
        case .v128Load8Splat: sp[v128: a] = VectorOps.splat(.i8x16Splat, UInt64(p.loadUnaligned(as: UInt8.self)))
        case .v128Load16Splat: sp[v128: a] = VectorOps.splat(.i16x8Splat, UInt64(p.loadUnaligned(as: UInt16.self)))
        case .v128Load32Splat: sp[v128: a] = VectorOps.splat(.i32x4Splat, UInt64(p.loadUnaligned(as: UInt32.self)))
        case .v128Load64Splat: sp[v128: a] = VectorOps.splat(.i64x2Splat, p.loadUnaligned(as: UInt64.self))
        case .v128Load32Zero: sp[v128: a] = V128(lo: UInt64(p.loadUnaligned(as: UInt32.self)), hi: 0)
        case .v128Load64Zero: sp[v128: a] = V128(lo: p.loadUnaligned(as: UInt64.self), hi: 0)
        case .v128Load8Lane:
            sp[v128: a] = VectorOps.replaceLane(.i8x16ReplaceLane, sp[v128: value], lane, UInt64(p.loadUnaligned(as: UInt8.self)))
        case .v128Load16Lane:
            sp[v128: a] = VectorOps.replaceLane(.i16x8ReplaceLane, sp[v128: value], lane, UInt64(p.loadUnaligned(as: UInt16.self)))
        case .v128Load32Lane:
            sp[v128: a] = VectorOps.replaceLane(.i32x4ReplaceLane, sp[v128: value], lane, UInt64(p.loadUnaligned(as: UInt32.self)))
        case .v128Load64Lane:
            sp[v128: a] = VectorOps.replaceLane(.i64x2ReplaceLane, sp[v128: value], lane, p.loadUnaligned(as: UInt64.self))
        case .v128Store8Lane:
            p.storeBytes(of: UInt8(truncatingIfNeeded: VectorOps.extractLane(.i8x16ExtractLaneU, sp[v128: value], lane)), as: UInt8.self)
        case .v128Store16Lane:
            p.storeBytes(of: UInt16(truncatingIfNeeded: VectorOps.extractLane(.i16x8ExtractLaneU, sp[v128: value], lane)), as: UInt16.self)
        case .v128Store32Lane:
            p.storeBytes(of: UInt32(truncatingIfNeeded: VectorOps.extractLane(.i32x4ExtractLane, sp[v128: value], lane)), as: UInt32.self)
        case .v128Store64Lane:
            p.storeBytes(of: VectorOps.extractLane(.i64x2ExtractLane, sp[v128: value], lane), as: UInt64.self)
        default:
            throw Trap(.unreachable)
        }
    }

    /// The bytes a memory instruction touches.
    static func accessSize(_ op: Opcode) -> UInt64 {
        switch op {
        case .i32Load8S, .i32Load8U, .i64Load8S, .i64Load8U, .i32Store8, .i64Store8, .v128Load8Splat, .v128Load8Lane, .v128Store8Lane:
            return 1
        case .i32Load16S, .i32Load16U, .i64Load16S, .i64Load16U, .i32Store16, .i64Store16, .v128Load16Splat, .v128Load16Lane, .v128Store16Lane:
            return 2
        case .i32Load, .f32Load, .i64Load32S, .i64Load32U, .i32Store, .f32Store, .i64Store32, .v128Load32Splat, .v128Load32Zero,
             .v128Load32Lane, .v128Store32Lane:
            return 4
        case .i64Load, .f64Load, .i64Store, .f64Store, .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U,
             .v128Load32x2S, .v128Load32x2U, .v128Load64Splat, .v128Load64Zero, .v128Load64Lane, .v128Store64Lane:
            return 8
        default:
            return 16
        }
    }
}

/// Bulk memory and table operations: the operands decoded from the IR
/// (w1 = two slots (lo, hi), w2 = the slot of the length), the operation
/// itself the runtime's (shared with the builtins compiled code calls).
enum Bulk {
    /// An address or length operand: 64-bit for 64-bit memories and tables.
    @inline(__always)
    static func operand(_ sp: UnsafeMutablePointer<UInt64>, _ slot: Int, is64: Bool) -> UInt64 {
        is64 ? sp[slot] : UInt64(sp[i32: slot])
    }

    static func memoryFill(_ memory: UnsafeMutablePointer<MemoryState>, sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let is64 = memory.pointee.is64
        let d = operand(sp, IR.lo(w1), is64: is64)
        let value = UInt8(truncatingIfNeeded: sp[IR.lo(w1 >> 32)])
        let n = operand(sp, Int(w2), is64: is64)
        try memory.fill(at: d, value: value, count: n)
    }

    static func memoryCopy(_ destination: UnsafeMutablePointer<MemoryState>, _ source: UnsafeMutablePointer<MemoryState>,
                           sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let d = operand(sp, IR.lo(w1), is64: destination.pointee.is64)
        let s = operand(sp, IR.hi(w1), is64: source.pointee.is64)
        let n = operand(sp, Int(w2), is64: destination.pointee.is64 && source.pointee.is64)
        try destination.copy(to: d, from: source, at: s, count: n)
    }

    static func memoryInit(_ memory: UnsafeMutablePointer<MemoryState>, _ data: UnsafeMutablePointer<DataSegmentState>,
                           sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let d = operand(sp, IR.lo(w1), is64: memory.pointee.is64)
        try memory.initialize(at: d, from: data, offset: UInt64(sp[i32: IR.hi(w1)]), count: UInt64(sp[i32: Int(w2)]))
    }

    static func tableFill(_ table: UnsafeMutablePointer<TableState>, sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let is64 = table.pointee.is64
        let i = operand(sp, IR.lo(w1), is64: is64)
        let n = operand(sp, Int(w2), is64: is64)
        try table.fill(at: i, value: sp[IR.hi(w1)], count: n)
    }

    static func tableCopy(_ destination: UnsafeMutablePointer<TableState>, _ source: UnsafeMutablePointer<TableState>,
                          sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let d = operand(sp, IR.lo(w1), is64: destination.pointee.is64)
        let s = operand(sp, IR.hi(w1), is64: source.pointee.is64)
        let n = operand(sp, Int(w2), is64: destination.pointee.is64 && source.pointee.is64)
        try destination.copy(to: d, from: source, at: s, count: n)
    }

    static func tableInit(_ table: UnsafeMutablePointer<TableState>, _ segment: UnsafeMutablePointer<ElementSegmentState>,
                          sp: UnsafeMutablePointer<UInt64>, _ w1: UInt64, _ w2: UInt64) throws(Trap) {
        let d = operand(sp, IR.lo(w1), is64: table.pointee.is64)
        try table.initialize(at: d, from: segment, offset: UInt64(sp[i32: IR.hi(w1)]), count: UInt64(sp[i32: Int(w2)]))
    }
}
