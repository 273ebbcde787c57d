import WasmSyntax

/// SIMD on AdvSIMD (ARMv8.0-A): the `MacroAssembler` SIMD methods. v128 operands are in frame slots
/// (`MacroAssembler`): they are loaded into v16 (first), v17 (second) and
/// v18 (third); v19-v23 are temporaries. v16-v31 are caller-saved and hold
/// nothing between instructions (the frontend keeps no vector registers),
/// and the backend's own float scratch (v0-v2) is left alone. General
/// scratch is x16/x17 (`s0`, `s1`).
///
/// NEON matches wasm where x86 needs sequences: fcvtzs/fcvtzu saturate and
/// give 0 for NaN (trunc_sat), sqxtn/sqxtun narrow with saturation, tbl
/// gives 0 for an index past the table (swizzle), sqrdmulh saturates
/// exactly where q15mulr_sat_s does, and register shifts take a negative
/// count as a right shift. Where the interpreter (VectorOps.swift) is
/// stricter than the spec the code follows the interpreter: min and max
/// give the canonical NaN, and the relaxed operators run in its
/// deterministic profile (unfused madd with the negation on `a`,
/// laneselect = bitselect, trunc = trunc_sat, dot with signed operands and
/// saturating pair sums).
extension A64MacroAssembler {
    private static let va = A64FPRegister.v16, vb = A64FPRegister.v17, vc = A64FPRegister.v18
    private static let t0 = A64FPRegister.v19, t1 = A64FPRegister.v20, t2 = A64FPRegister.v21, t3 = A64FPRegister.v22

    private mutating func simdLoad(_ v: A64FPRegister, _ slot: Int) { access(.ldrQ, v, Self.frame, slotOffset(slot)) }
    private mutating func simdStore(_ slot: Int, _ v: A64FPRegister) { access(.strQ, v, Self.frame, slotOffset(slot)) }

    /// v = the 128-bit constant (lo, hi), through x16 and x17.
    private mutating func simdConstant(_ v: A64FPRegister, _ lo: UInt64, _ hi: UInt64) {
        asm.moveImmediate(Self.s0, lo)
        if lo == hi {
            asm.dup(.d2, v, Self.s0)
        } else {
            asm.moveImmediate(Self.s1, hi)
            asm.fmov(double: true, v, Self.s0)
            asm.ins(.d, v, lane: 1, Self.s1)
        }
    }

    /// The 128-bit arrangement of an operator's lanes, by its name's shape.
    private static func arrangement(_ op: Opcode) -> A64Arrangement {
        let name = op.mnemonic
        if name.hasPrefix("i8x16") { return .b16 }
        if name.hasPrefix("i16x8") { return .h8 }
        if name.hasPrefix("i32x4") || name.hasPrefix("f32x4") { return .s4 }
        return .d2
    }

    /// v128 -> v128 and (v128, v128[, v128]) -> v128 operators, on slots.
    /// False for an operator that is not one of them.
    mutating func vector(_ op: Opcode, destination: Int, operands: [Int]) -> Bool {
        let (a, b, c) = (Self.va, Self.vb, Self.vc)
        let (t0, t1, t2, t3) = (Self.t0, Self.t1, Self.t2, Self.t3)
        let t = Self.arrangement(op)
        let name = op.mnemonic
        let signed = name.hasSuffix("_s")
        let high = name.contains("high")
        for (i, slot) in operands.prefix(3).enumerated() { simdLoad([a, b, c][i], slot) }
        var result = a
        /// a = a op b in the operator's arrangement.
        func binary(_ o: A64Assembler.VectorThreeSame) { asm.vector(o, t, a, a, b) }
        func swapped(_ o: A64Assembler.VectorThreeSame) { asm.vector(o, t, a, b, a) }
        func float(_ o: A64Assembler.VectorFloatThreeSame) { asm.vector(o, t, a, a, b) }
        func floatSwapped(_ o: A64Assembler.VectorFloatThreeSame) { asm.vector(o, t, a, b, a) }
        func unary(_ o: A64Assembler.VectorTwoMisc) { asm.vector(o, t, a, a) }
        func floatUnary(_ o: A64Assembler.VectorFloatTwoMisc) { asm.vector(o, t, a, a) }
        func not() { asm.vector(.not, .b16, a, a) }
        /// The source arrangement of a widening operator: the lower half's
        /// lanes, or the upper half's (the "2" forms), half as wide as `t`.
        let source = A64Arrangement(size: t.size - (t.size > 0 ? 1 : 0), full: high)
        switch op {
        // Bitwise.
        case .v128Not: not()
        case .v128And: asm.vector(.and, a, a, b)
        case .v128Or: asm.vector(.orr, a, a, b)
        case .v128Xor: asm.vector(.eor, a, a, b)
        case .v128Andnot: asm.vector(.bic, a, a, b)
        case .v128Bitselect, .i8x16RelaxedLaneselect, .i16x8RelaxedLaneselect, .i32x4RelaxedLaneselect,
             .i64x2RelaxedLaneselect:
            // bsl: mask ? a : b, bit by bit, into the mask's register.
            asm.vector(.bsl, c, a, b)
            result = c
        // Integer arithmetic.
        case .i8x16Add, .i16x8Add, .i32x4Add, .i64x2Add: binary(.add)
        case .i8x16Sub, .i16x8Sub, .i32x4Sub, .i64x2Sub: binary(.sub)
        case .i16x8Mul, .i32x4Mul: binary(.mul)
        case .i64x2Mul:
            // No 64-bit lane multiply: lo(a)*lo(b) + ((lo(a)*hi(b) +
            // hi(a)*lo(b)) << 32), from 32-bit products.
            asm.vector(.rev64, .s4, t0, b)
            asm.vector(.mul, .s4, t0, t0, a)
            asm.vector(.uaddlp, .s4, t0, t0)
            asm.vector(.shl, .d2, t0, t0, 32)
            asm.vector(.xtn, .s2, t1, a)
            asm.vector(.xtn, .s2, t2, b)
            asm.vector(.umull, .s2, t1, t1, t2)
            asm.vector(.add, .d2, a, t0, t1)
        case .i8x16AddSatS, .i16x8AddSatS: binary(.sqadd)
        case .i8x16AddSatU, .i16x8AddSatU: binary(.uqadd)
        case .i8x16SubSatS, .i16x8SubSatS: binary(.sqsub)
        case .i8x16SubSatU, .i16x8SubSatU: binary(.uqsub)
        case .i8x16MinS, .i16x8MinS, .i32x4MinS: binary(.smin)
        case .i8x16MinU, .i16x8MinU, .i32x4MinU: binary(.umin)
        case .i8x16MaxS, .i16x8MaxS, .i32x4MaxS: binary(.smax)
        case .i8x16MaxU, .i16x8MaxU, .i32x4MaxU: binary(.umax)
        case .i8x16AvgrU, .i16x8AvgrU: binary(.urhadd)
        case .i8x16Abs, .i16x8Abs, .i32x4Abs, .i64x2Abs: unary(.abs)
        case .i8x16Neg, .i16x8Neg, .i32x4Neg, .i64x2Neg: unary(.neg)
        case .i8x16Popcnt: unary(.cnt)
        case .i16x8Q15mulrSatS, .i16x8RelaxedQ15mulrS:
            // (2ab + 2^15) >> 16 = (ab + 2^14) >> 15, saturated: only
            // -32768 * -32768 overflows, to 32767 as wasm wants.
            binary(.sqrdmulh)
        case .i32x4DotI16x8S:
            // Products of i16 pairs as i32, then adjacent ones added (wrapping).
            asm.vector(.smull, .h4, t0, a, b)
            asm.vector(.smull, .h8, t1, a, b)
            asm.vector(.addp, .s4, a, t0, t1)
        case .i16x8RelaxedDotI8x16I7x16S, .i32x4RelaxedDotI8x16I7x16AddS:
            // i8 products as i16 (exact), the even and odd ones apart,
            // summed with signed saturation (the interpreter's profile).
            asm.vector(.smull, .b8, t0, a, b)
            asm.vector(.smull, .b16, t1, a, b)
            asm.vector(.uzp1, .h8, t2, t0, t1)
            asm.vector(.uzp2, .h8, t3, t0, t1)
            asm.vector(.sqadd, .h8, a, t2, t3)
            if op == .i32x4RelaxedDotI8x16I7x16AddS {
                asm.vector(.saddlp, .h8, a, a)
                asm.vector(.add, .s4, a, a, c)
            }
        case .i8x16Swizzle, .i8x16RelaxedSwizzle:
            // tbl gives 0 for an index past the 16-byte table, as swizzle does.
            asm.tbl(a, table: a, b)
        // Integer comparisons.
        case .i8x16Eq, .i16x8Eq, .i32x4Eq, .i64x2Eq: binary(.cmeq)
        case .i8x16Ne, .i16x8Ne, .i32x4Ne, .i64x2Ne:
            binary(.cmeq)
            not()
        case .i8x16GtS, .i16x8GtS, .i32x4GtS, .i64x2GtS: binary(.cmgt)
        case .i8x16LtS, .i16x8LtS, .i32x4LtS, .i64x2LtS: swapped(.cmgt)
        case .i8x16GeS, .i16x8GeS, .i32x4GeS, .i64x2GeS: binary(.cmge)
        case .i8x16LeS, .i16x8LeS, .i32x4LeS, .i64x2LeS: swapped(.cmge)
        case .i8x16GtU, .i16x8GtU, .i32x4GtU: binary(.cmhi)
        case .i8x16LtU, .i16x8LtU, .i32x4LtU: swapped(.cmhi)
        case .i8x16GeU, .i16x8GeU, .i32x4GeU: binary(.cmhs)
        case .i8x16LeU, .i16x8LeU, .i32x4LeU: swapped(.cmhs)
        // Narrowing (saturating), extension, pairwise and widening multiplies.
        case .i8x16NarrowI16x8S, .i8x16NarrowI16x8U, .i16x8NarrowI32x4S, .i16x8NarrowI32x4U:
            // Signed to signed (sqxtn) or signed to unsigned (sqxtun): a
            // into the lower half, b into the upper.
            let narrow: A64Assembler.VectorNarrow = signed ? .sqxtn : .sqxtun
            asm.vector(narrow, A64Arrangement(size: t.size, full: false), t0, a)
            asm.vector(narrow, t, t0, b)
            result = t0
        case .i16x8ExtendLowI8x16S, .i16x8ExtendHighI8x16S, .i16x8ExtendLowI8x16U, .i16x8ExtendHighI8x16U,
             .i32x4ExtendLowI16x8S, .i32x4ExtendHighI16x8S, .i32x4ExtendLowI16x8U, .i32x4ExtendHighI16x8U,
             .i64x2ExtendLowI32x4S, .i64x2ExtendHighI32x4S, .i64x2ExtendLowI32x4U, .i64x2ExtendHighI32x4U:
            asm.shiftLeftLong(signed: signed, source, a, a)
        case .i16x8ExtmulLowI8x16S, .i16x8ExtmulHighI8x16S, .i16x8ExtmulLowI8x16U, .i16x8ExtmulHighI8x16U,
             .i32x4ExtmulLowI16x8S, .i32x4ExtmulHighI16x8S, .i32x4ExtmulLowI16x8U, .i32x4ExtmulHighI16x8U,
             .i64x2ExtmulLowI32x4S, .i64x2ExtmulHighI32x4S, .i64x2ExtmulLowI32x4U, .i64x2ExtmulHighI32x4U:
            asm.vector(signed ? .smull : .umull, source, a, a, b)
        case .i16x8ExtaddPairwiseI8x16S, .i32x4ExtaddPairwiseI16x8S:
            asm.vector(.saddlp, A64Arrangement(size: t.size - 1, full: true), a, a)
        case .i16x8ExtaddPairwiseI8x16U, .i32x4ExtaddPairwiseI16x8U:
            asm.vector(.uaddlp, A64Arrangement(size: t.size - 1, full: true), a, a)
        // Floating point.
        case .f32x4Add, .f64x2Add: float(.fadd)
        case .f32x4Sub, .f64x2Sub: float(.fsub)
        case .f32x4Mul, .f64x2Mul: float(.fmul)
        case .f32x4Div, .f64x2Div: float(.fdiv)
        case .f32x4Sqrt, .f64x2Sqrt: floatUnary(.fsqrt)
        case .f32x4RelaxedMadd, .f64x2RelaxedMadd, .f32x4RelaxedNmadd, .f64x2RelaxedNmadd:
            // Unfused, as the interpreter: a * b rounds, then + c rounds;
            // nmadd negates a first (so a NaN a keeps the flipped sign).
            if op == .f32x4RelaxedNmadd || op == .f64x2RelaxedNmadd { floatUnary(.fneg) }
            float(.fmul)
            asm.vector(.fadd, t, a, a, c)
        case .f32x4Min, .f32x4RelaxedMin, .f64x2Min, .f64x2RelaxedMin,
             .f32x4Max, .f32x4RelaxedMax, .f64x2Max, .f64x2RelaxedMax:
            // fmin/fmax order -0 below +0 as wasm does; a lane with a NaN
            // operand becomes the canonical NaN, as in the interpreter.
            let isMin = name.hasSuffix("min")
            asm.vector(isMin ? .fmin : .fmax, t, t0, a, b)
            asm.vector(.fcmeq, t, t1, a, a)
            asm.vector(.fcmeq, t, t2, b, b)
            asm.vector(.and, t1, t1, t2)
            let nan: UInt64 = t == .s4 ? 0x7FC0_0000_7FC0_0000 : 0x7FF8_0000_0000_0000
            simdConstant(t2, nan, nan)
            asm.vector(.bsl, t1, t0, t2)
            result = t1
        case .f32x4Pmin, .f64x2Pmin:
            // b < a ? b : a (a for NaNs).
            asm.vector(.fcmgt, t, t0, a, b)
            asm.vector(.bsl, t0, b, a)
            result = t0
        case .f32x4Pmax, .f64x2Pmax:
            // a < b ? b : a.
            asm.vector(.fcmgt, t, t0, b, a)
            asm.vector(.bsl, t0, b, a)
            result = t0
        case .f32x4Abs, .f64x2Abs: floatUnary(.fabs)
        case .f32x4Neg, .f64x2Neg: floatUnary(.fneg)
        case .f32x4Ceil, .f64x2Ceil: floatUnary(.frintp)
        case .f32x4Floor, .f64x2Floor: floatUnary(.frintm)
        case .f32x4Trunc, .f64x2Trunc: floatUnary(.frintz)
        case .f32x4Nearest, .f64x2Nearest: floatUnary(.frintn)
        case .f32x4Eq, .f64x2Eq: float(.fcmeq)
        case .f32x4Ne, .f64x2Ne:
            // Not equal: true for NaNs too.
            float(.fcmeq)
            not()
        case .f32x4Lt, .f64x2Lt: floatSwapped(.fcmgt)
        case .f32x4Le, .f64x2Le: floatSwapped(.fcmge)
        case .f32x4Gt, .f64x2Gt: float(.fcmgt)
        case .f32x4Ge, .f64x2Ge: float(.fcmge)
        // Conversions.
        case .f32x4ConvertI32x4S: floatUnary(.scvtf)
        case .f32x4ConvertI32x4U: floatUnary(.ucvtf)
        case .f64x2ConvertLowI32x4S, .f64x2ConvertLowI32x4U:
            // Exact: every i32 is a double.
            let isSigned = op == .f64x2ConvertLowI32x4S
            asm.shiftLeftLong(signed: isSigned, .s2, a, a)
            asm.vector(isSigned ? .scvtf : .ucvtf, .d2, a, a)
        case .f32x4DemoteF64x2Zero: asm.fcvtn(a, a)
        case .f64x2PromoteLowF32x4: asm.fcvtl(a, a)
        case .i32x4TruncSatF32x4S, .i32x4RelaxedTruncF32x4S: floatUnary(.fcvtzs)
        case .i32x4TruncSatF32x4U, .i32x4RelaxedTruncF32x4U: floatUnary(.fcvtzu)
        case .i32x4TruncSatF64x2SZero, .i32x4RelaxedTruncF64x2SZero:
            // Saturated to i64, then to i32; the upper lanes are zeroed.
            asm.vector(.fcvtzs, .d2, a, a)
            asm.vector(.sqxtn, .s2, a, a)
        case .i32x4TruncSatF64x2UZero, .i32x4RelaxedTruncF64x2UZero:
            asm.vector(.fcvtzu, .d2, a, a)
            asm.vector(.uqxtn, .s2, a, a)
        default:
            return false
        }
        simdStore(destination, result)
        return true
    }

    // MARK: Operators with scalars

    /// Shifts by a scalar count, taken modulo the lane width: sshl/ushl by
    /// a splat of the count (negated for right shifts).
    mutating func vectorShift(_ op: Opcode, destination: Int, operand: Int, count: Register) -> Bool {
        let t = Self.arrangement(op)
        let name = op.mnemonic
        let shift: A64Assembler.VectorThreeSame
        switch op {
        case .i8x16Shl, .i16x8Shl, .i32x4Shl, .i64x2Shl: shift = .ushl
        case .i8x16ShrS, .i16x8ShrS, .i32x4ShrS, .i64x2ShrS: shift = .sshl
        case .i8x16ShrU, .i16x8ShrU, .i32x4ShrU, .i64x2ShrU: shift = .ushl
        default: return false
        }
        simdLoad(Self.va, operand)
        asm.logical(.and, is64: false, Self.s0, reg(count), immediate: UInt64(t.laneBits - 1))
        if !name.hasSuffix("shl") { asm.neg(is64: false, Self.s0, Self.s0) }
        // Only the low byte of each count lane is read (as signed), so the
        // w register's value serves every lane size.
        asm.dup(t, Self.vb, Self.s0)
        asm.vector(shift, t, Self.va, Self.va, Self.vb)
        simdStore(destination, Self.va)
        return true
    }

    /// Splats and lane replacement: `operand` is the vector (replace_lane
    /// only), `scalar` the lane value (a float's bits).
    mutating func scalarToVector(_ op: Opcode, destination: Int, operand: Int?, scalar: Register, lane: UInt8) -> Bool {
        let r = reg(scalar)
        let t = Self.arrangement(op)
        switch op {
        case .i8x16Splat, .i16x8Splat, .i32x4Splat, .f32x4Splat, .i64x2Splat, .f64x2Splat:
            asm.dup(t, Self.va, r)
        case .i8x16ReplaceLane, .i16x8ReplaceLane, .i32x4ReplaceLane, .i64x2ReplaceLane, .f32x4ReplaceLane,
             .f64x2ReplaceLane:
            guard let operand else { return false }
            let size = A64LaneSize(rawValue: t.size)!
            simdLoad(Self.va, operand)
            asm.ins(size, Self.va, lane: Int(lane) % size.lanes, r)
        default:
            return false
        }
        simdStore(destination, Self.va)
        return true
    }

    /// Lane extraction (a load of the lane straight from its slot, extended
    /// as the operator says) and the reductions (any_true, all_true,
    /// bitmask).
    mutating func vectorToScalar(_ op: Opcode, _ destination: Register, operand: Int, lane: UInt8) -> Bool {
        let d = reg(destination)
        let (a, b) = (Self.va, Self.vb)
        let base = slotOffset(operand)
        let lane = Int(lane)
        switch op {
        case .i8x16ExtractLaneS: access(.ldrsbW, d, Self.frame, base + lane % 16)
        case .i8x16ExtractLaneU: access(.ldrb, d, Self.frame, base + lane % 16)
        case .i16x8ExtractLaneS: access(.ldrshW, d, Self.frame, base + 2 * (lane % 8))
        case .i16x8ExtractLaneU: access(.ldrh, d, Self.frame, base + 2 * (lane % 8))
        case .i32x4ExtractLane, .f32x4ExtractLane: access(.ldrW, d, Self.frame, base + 4 * (lane % 4))
        case .i64x2ExtractLane, .f64x2ExtractLane: access(.ldrX, d, Self.frame, base + 8 * (lane % 2))
        case .v128AnyTrue:
            loadSlotX(Self.s0, operand)
            loadSlotX(Self.s1, operand + 1)
            asm.logical(.orr, is64: true, Self.s0, Self.s0, Self.s1)
            asm.cmp(is64: true, Self.s0, immediate: 0)
            asm.cset(is64: false, d, .ne)
        case .i8x16AllTrue, .i16x8AllTrue, .i32x4AllTrue:
            // The smallest lane is not zero.
            let t = Self.arrangement(op)
            simdLoad(a, operand)
            asm.vector(.uminv, t, a, a)
            asm.fmov(double: false, Self.s0, a)
            asm.cmp(is64: false, Self.s0, immediate: 0)
            asm.cset(is64: false, d, .ne)
        case .i64x2AllTrue:
            // lo != 0 && hi != 0: the second compare only when the first
            // holds, else flags that read as equal (Z).
            loadSlotX(Self.s0, operand)
            loadSlotX(Self.s1, operand + 1)
            asm.cmp(is64: true, Self.s0, immediate: 0)
            asm.ccmp(is64: true, Self.s1, immediate: 0, nzcv: 0b0100, .ne)
            asm.cset(is64: false, d, .ne)
        case .i8x16Bitmask:
            // Sign masks and-ed with each lane's bit (1 << i within each
            // half), the halves interleaved into 16-bit lanes (low byte:
            // lanes 0-7, high byte: lanes 8-15), summed.
            simdLoad(a, operand)
            asm.vector(.cmltZero, .b16, a, a)
            simdConstant(b, 0x8040_2010_0804_0201, 0x8040_2010_0804_0201)
            asm.vector(.and, a, a, b)
            asm.ext(b, a, a, 8)
            asm.vector(.zip1, .b16, a, a, b)
            asm.vector(.addv, .h8, a, a)
            asm.umov(.h, d, a, lane: 0)
        case .i16x8Bitmask, .i32x4Bitmask:
            let t = Self.arrangement(op)
            simdLoad(a, operand)
            asm.vector(.cmltZero, t, a, a)
            if t == .h8 {
                simdConstant(b, 0x0008_0004_0002_0001, 0x0080_0040_0020_0010)
            } else {
                simdConstant(b, 0x0000_0002_0000_0001, 0x0000_0008_0000_0004)
            }
            asm.vector(.and, a, a, b)
            asm.vector(.addv, t, a, a)
            asm.umov(t == .h8 ? .h : .s, d, a, lane: 0)
        case .i64x2Bitmask:
            loadSlotX(Self.s0, operand)
            loadSlotX(Self.s1, operand + 1)
            asm.lsr(is64: true, Self.s0, Self.s0, 63)
            asm.lsr(is64: true, Self.s1, Self.s1, 63)
            asm.addSub(.add, is64: false, d, Self.s0, Self.s1, shift: .lsl, amount: 1)
        default:
            return false
        }
        return true
    }

    /// i8x16.shuffle: one tbl over the 32 bytes of lhs:rhs (v16:v17,
    /// consecutive as tbl wants) with the lane indices as a constant; the
    /// destination may be either operand, which are read first.
    mutating func shuffle(destination: Int, lhs: Int, rhs: Int, lanes: [UInt8]) {
        precondition(lanes.count == 16 && lanes.allSatisfy { $0 < 32 }, "A64: a shuffle takes 16 lanes below 32")
        func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 { bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) } }
        simdLoad(Self.va, lhs)
        simdLoad(Self.vb, rhs)
        simdConstant(Self.vc, pack(lanes[0..<8]), pack(lanes[8..<16]))
        asm.tbl(Self.va, table: Self.va, count: 2, Self.vc)
        simdStore(destination, Self.va)
    }
}
