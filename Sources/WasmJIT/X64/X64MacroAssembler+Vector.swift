import WasmSyntax

/// SIMD on SSE4.1 (SSE4.2 for i64x2.gt_s): v128 operands are in frame
/// slots (`MacroAssembler`), loaded into xmm0 (first), xmm1 (second) and
/// xmm2 (third); xmm3-xmm7 are temporaries. Sequences follow the wasm
/// semantics exactly where x86 differs (NaNs and ±0 in min/max, saturating
/// truncation, byte shifts, unsigned compares); relaxed operators run in
/// the interpreter's deterministic profile (VectorOps.swift).
extension X64MacroAssembler {
    private func slotAddress(_ index: Int) -> X64Address { X64Address(.r12, Int32(index * 8)) }
    private mutating func load(_ x: XMM, _ index: Int) { asm.movdqu(x, slotAddress(index)) }
    private mutating func store(_ index: Int, _ x: XMM) { asm.movdqu(slotAddress(index), x) }

    /// x = the 128-bit constant (lo, hi), through rax.
    private mutating func constant(_ x: XMM, _ lo: UInt64, _ hi: UInt64) {
        asm.moveConstant(.rax, lo)
        asm.movToXMM(is64: true, x, .rax)
        asm.moveConstant(.rax, hi)
        asm.pinsrq(x, .rax, lane: 1)
    }

    /// x = `pattern` in every 64-bit half.
    private mutating func splat64(_ x: XMM, _ pattern: UInt64) { constant(x, pattern, pattern) }

    private mutating func allOnes(_ x: XMM) { asm.packed(.pcmpeqd, x, x) }

    private mutating func not(_ x: XMM, scratch: XMM = .xmm7) {
        allOnes(scratch)
        asm.packed(.pxor, x, scratch)
    }

    /// v128 -> v128 and (v128, v128[, v128]) -> v128 operators, on slots.
    /// False for an operator this backend does not have yet.
    mutating func vector(_ op: Opcode, destination: Int, operands: [Int]) -> Bool {
        for (i, slot) in operands.enumerated() { load([XMM.xmm0, .xmm1, .xmm2][i], slot) }
        var result = XMM.xmm0
        func binary(_ p: SSEPacked) { asm.packed(p, .xmm0, .xmm1) }
        func swapped(_ p: SSEPacked) {
            asm.packed(p, .xmm1, .xmm0)
            result = .xmm1
        }
        switch op {
        // Bitwise.
        case .v128Not: not(.xmm0)
        case .v128And: binary(.pand)
        case .v128Or: binary(.por)
        case .v128Xor: binary(.pxor)
        case .v128Andnot: swapped(.pandn)
        case .v128Bitselect, .i8x16RelaxedLaneselect, .i16x8RelaxedLaneselect, .i32x4RelaxedLaneselect,
             .i64x2RelaxedLaneselect:
            asm.packed(.pand, .xmm0, .xmm2)
            asm.packed(.pandn, .xmm2, .xmm1)
            asm.packed(.por, .xmm0, .xmm2)
        // Integer arithmetic.
        case .i8x16Add: binary(.paddb)
        case .i16x8Add: binary(.paddw)
        case .i32x4Add: binary(.paddd)
        case .i64x2Add: binary(.paddq)
        case .i8x16Sub: binary(.psubb)
        case .i16x8Sub: binary(.psubw)
        case .i32x4Sub: binary(.psubd)
        case .i64x2Sub: binary(.psubq)
        case .i16x8Mul: binary(.pmullw)
        case .i32x4Mul: binary(.pmulld)
        case .i64x2Mul: multiply64()
        case .i8x16AddSatS: binary(.paddsb)
        case .i8x16AddSatU: binary(.paddusb)
        case .i16x8AddSatS: binary(.paddsw)
        case .i16x8AddSatU: binary(.paddusw)
        case .i8x16SubSatS: binary(.psubsb)
        case .i8x16SubSatU: binary(.psubusb)
        case .i16x8SubSatS: binary(.psubsw)
        case .i16x8SubSatU: binary(.psubusw)
        case .i8x16MinS: binary(.pminsb)
        case .i8x16MinU: binary(.pminub)
        case .i16x8MinS: binary(.pminsw)
        case .i16x8MinU: binary(.pminuw)
        case .i32x4MinS: binary(.pminsd)
        case .i32x4MinU: binary(.pminud)
        case .i8x16MaxS: binary(.pmaxsb)
        case .i8x16MaxU: binary(.pmaxub)
        case .i16x8MaxS: binary(.pmaxsw)
        case .i16x8MaxU: binary(.pmaxuw)
        case .i32x4MaxS: binary(.pmaxsd)
        case .i32x4MaxU: binary(.pmaxud)
        case .i8x16AvgrU: binary(.pavgb)
        case .i16x8AvgrU: binary(.pavgw)
        case .i8x16Abs: asm.packed(.pabsb, .xmm0, .xmm0)
        case .i16x8Abs: asm.packed(.pabsw, .xmm0, .xmm0)
        case .i32x4Abs: asm.packed(.pabsd, .xmm0, .xmm0)
        case .i64x2Abs:
            // m = 0 > a (all ones for negatives); (a ^ m) - m.
            asm.packed(.pxor, .xmm3, .xmm3)
            asm.packed(.pcmpgtq, .xmm3, .xmm0)
            asm.packed(.pxor, .xmm0, .xmm3)
            asm.packed(.psubq, .xmm0, .xmm3)
        case .i8x16Neg, .i16x8Neg, .i32x4Neg, .i64x2Neg:
            let sub: SSEPacked = op == .i8x16Neg ? .psubb : (op == .i16x8Neg ? .psubw : (op == .i32x4Neg ? .psubd : .psubq))
            asm.packed(.pxor, .xmm1, .xmm1)
            asm.packed(sub, .xmm1, .xmm0)
            result = .xmm1
        case .i16x8Q15mulrSatS, .i16x8RelaxedQ15mulrS:
            // pmulhrsw gives 0x8000 for 0x8000 * 0x8000, where wasm saturates.
            binary(.pmulhrsw)
            splat64(.xmm3, 0x8000_8000_8000_8000)
            asm.packed(.pcmpeqw, .xmm3, .xmm0)
            asm.packed(.pxor, .xmm0, .xmm3)
        case .i32x4DotI16x8S: binary(.pmaddwd)
        case .i16x8RelaxedDotI8x16I7x16S, .i32x4RelaxedDotI8x16I7x16AddS:
            relaxedDot()
            if op == .i32x4RelaxedDotI8x16I7x16AddS {
                splat64(.xmm3, 0x0001_0001_0001_0001)
                asm.packed(.pmaddwd, .xmm0, .xmm3)
                asm.packed(.paddd, .xmm0, .xmm2)
            }
        case .i8x16Popcnt:
            // Per nibble, through a 16-entry table.
            splat64(.xmm3, 0x0F0F_0F0F_0F0F_0F0F)
            constant(.xmm4, 0x0302_0201_0201_0100, 0x0403_0302_0302_0201)
            asm.movaps(.xmm5, .xmm0)
            asm.packedShift(.psrlw, .xmm5, by: 4)
            asm.packed(.pand, .xmm5, .xmm3)
            asm.packed(.pand, .xmm0, .xmm3)
            asm.movaps(.xmm6, .xmm4)
            asm.packed(.pshufb, .xmm6, .xmm5)
            asm.packed(.pshufb, .xmm4, .xmm0)
            asm.packed(.paddb, .xmm4, .xmm6)
            result = .xmm4
        case .i8x16Swizzle, .i8x16RelaxedSwizzle:
            // Indices >= 16 select 0: saturating-add 0x70 sets their top bit.
            splat64(.xmm3, 0x7070_7070_7070_7070)
            asm.packed(.paddusb, .xmm1, .xmm3)
            binary(.pshufb)
        // Integer comparisons.
        case .i8x16Eq: binary(.pcmpeqb)
        case .i16x8Eq: binary(.pcmpeqw)
        case .i32x4Eq: binary(.pcmpeqd)
        case .i64x2Eq: binary(.pcmpeqq)
        case .i8x16Ne, .i16x8Ne, .i32x4Ne, .i64x2Ne:
            binary(op == .i8x16Ne ? .pcmpeqb : (op == .i16x8Ne ? .pcmpeqw : (op == .i32x4Ne ? .pcmpeqd : .pcmpeqq)))
            not(.xmm0)
        case .i8x16GtS, .i16x8GtS, .i32x4GtS, .i64x2GtS:
            binary(Self.greater(op))
        case .i8x16LtS, .i16x8LtS, .i32x4LtS, .i64x2LtS:
            swapped(Self.greater(op))
        case .i8x16LeS, .i16x8LeS, .i32x4LeS, .i64x2LeS:
            binary(Self.greater(op))
            not(.xmm0)
        case .i8x16GeS, .i16x8GeS, .i32x4GeS, .i64x2GeS:
            swapped(Self.greater(op))
            not(.xmm1)
        case .i8x16GeU, .i16x8GeU, .i32x4GeU, .i8x16LeU, .i16x8LeU, .i32x4LeU,
             .i8x16LtU, .i16x8LtU, .i32x4LtU, .i8x16GtU, .i16x8GtU, .i32x4GtU:
            // a >= b  <=>  max(a, b) == a;  a <= b  <=>  min(a, b) == a.
            let name = op.mnemonic
            let size = name.hasPrefix("i8") ? 0 : (name.hasPrefix("i16") ? 1 : 2)
            let max: [SSEPacked] = [.pmaxub, .pmaxuw, .pmaxud], min: [SSEPacked] = [.pminub, .pminuw, .pminud]
            let eq: [SSEPacked] = [.pcmpeqb, .pcmpeqw, .pcmpeqd]
            let usesMax = name.hasSuffix("ge_u") || name.hasSuffix("lt_u")
            asm.movaps(.xmm3, .xmm0)
            asm.packed(usesMax ? max[size] : min[size], .xmm3, .xmm1)
            asm.packed(eq[size], .xmm0, .xmm3)
            if name.hasSuffix("lt_u") || name.hasSuffix("gt_u") { not(.xmm0) }
        // Extension, narrowing, pairwise and widening multiplies.
        case .i8x16NarrowI16x8S: binary(.packsswb)
        case .i8x16NarrowI16x8U: binary(.packuswb)
        case .i16x8NarrowI32x4S: binary(.packssdw)
        case .i16x8NarrowI32x4U: binary(.packusdw)
        case .i16x8ExtendLowI8x16S, .i16x8ExtendHighI8x16S, .i16x8ExtendLowI8x16U, .i16x8ExtendHighI8x16U,
             .i32x4ExtendLowI16x8S, .i32x4ExtendHighI16x8S, .i32x4ExtendLowI16x8U, .i32x4ExtendHighI16x8U,
             .i64x2ExtendLowI32x4S, .i64x2ExtendHighI32x4S, .i64x2ExtendLowI32x4U, .i64x2ExtendHighI32x4U:
            extend(op, .xmm0)
        case .i16x8ExtmulLowI8x16S, .i16x8ExtmulHighI8x16S, .i16x8ExtmulLowI8x16U, .i16x8ExtmulHighI8x16U,
             .i32x4ExtmulLowI16x8S, .i32x4ExtmulHighI16x8S, .i32x4ExtmulLowI16x8U, .i32x4ExtmulHighI16x8U,
             .i64x2ExtmulLowI32x4S, .i64x2ExtmulHighI32x4S, .i64x2ExtmulLowI32x4U, .i64x2ExtmulHighI32x4U:
            extend(op, .xmm0)
            extend(op, .xmm1)
            let name = op.mnemonic
            if name.hasPrefix("i16") { binary(.pmullw) } else if name.hasPrefix("i32") { binary(.pmulld) } else {
                // i64 lanes of 32-bit values: the low halves multiply exactly
                // (pmuludq), signed ones by the i64 product sequence.
                if name.hasSuffix("_u") { binary(.pmuludq) } else { multiply64() }
            }
        case .i16x8ExtaddPairwiseI8x16S:
            splat64(.xmm3, 0x0101_0101_0101_0101)
            asm.packed(.pmaddubsw, .xmm3, .xmm0)
            result = .xmm3
        case .i16x8ExtaddPairwiseI8x16U:
            splat64(.xmm3, 0x0101_0101_0101_0101)
            asm.packed(.pmaddubsw, .xmm0, .xmm3)
        case .i32x4ExtaddPairwiseI16x8S:
            splat64(.xmm3, 0x0001_0001_0001_0001)
            asm.packed(.pmaddwd, .xmm0, .xmm3)
        case .i32x4ExtaddPairwiseI16x8U:
            // Flip to signed, add pairs, add back 2 * 0x8000.
            splat64(.xmm3, 0x8000_8000_8000_8000)
            asm.packed(.pxor, .xmm0, .xmm3)
            splat64(.xmm3, 0x0001_0001_0001_0001)
            asm.packed(.pmaddwd, .xmm0, .xmm3)
            splat64(.xmm3, 0x0001_0000_0001_0000)
            asm.packed(.paddd, .xmm0, .xmm3)
        // Floating point.
        case .f32x4Add: binary(.addps)
        case .f64x2Add: binary(.addpd)
        case .f32x4Sub: binary(.subps)
        case .f64x2Sub: binary(.subpd)
        case .f32x4Mul: binary(.mulps)
        case .f64x2Mul: binary(.mulpd)
        case .f32x4Div: binary(.divps)
        case .f64x2Div: binary(.divpd)
        case .f32x4Sqrt: asm.packed(.sqrtps, .xmm0, .xmm0)
        case .f64x2Sqrt: asm.packed(.sqrtpd, .xmm0, .xmm0)
        case .f32x4RelaxedMadd, .f64x2RelaxedMadd, .f32x4RelaxedNmadd, .f64x2RelaxedNmadd:
            // Unfused, as the interpreter: a * b rounds, then c +- it rounds.
            let double = op == .f64x2RelaxedMadd || op == .f64x2RelaxedNmadd
            binary(double ? .mulpd : .mulps)
            if op == .f32x4RelaxedMadd || op == .f64x2RelaxedMadd {
                asm.packed(double ? .addpd : .addps, .xmm0, .xmm2)
            } else {
                asm.packed(double ? .subpd : .subps, .xmm2, .xmm0)
                result = .xmm2
            }
        case .f32x4Min, .f32x4RelaxedMin: floatMin(double: false)
        case .f64x2Min, .f64x2RelaxedMin: floatMin(double: true)
        case .f32x4Max, .f32x4RelaxedMax: floatMax(double: false)
        case .f64x2Max, .f64x2RelaxedMax: floatMax(double: true)
        case .f32x4Pmin: swapped(.minps)
        case .f64x2Pmin: swapped(.minpd)
        case .f32x4Pmax: swapped(.maxps)
        case .f64x2Pmax: swapped(.maxpd)
        case .f32x4Abs, .f64x2Abs:
            splat64(.xmm3, op == .f32x4Abs ? 0x7FFF_FFFF_7FFF_FFFF : 0x7FFF_FFFF_FFFF_FFFF)
            asm.packed(.pand, .xmm0, .xmm3)
        case .f32x4Neg, .f64x2Neg:
            splat64(.xmm3, op == .f32x4Neg ? 0x8000_0000_8000_0000 : 0x8000_0000_0000_0000)
            asm.packed(.pxor, .xmm0, .xmm3)
        case .f32x4Ceil: asm.packed(.roundps, .xmm0, .xmm0, 0x0A)
        case .f32x4Floor: asm.packed(.roundps, .xmm0, .xmm0, 0x09)
        case .f32x4Trunc: asm.packed(.roundps, .xmm0, .xmm0, 0x0B)
        case .f32x4Nearest: asm.packed(.roundps, .xmm0, .xmm0, 0x08)
        case .f64x2Ceil: asm.packed(.roundpd, .xmm0, .xmm0, 0x0A)
        case .f64x2Floor: asm.packed(.roundpd, .xmm0, .xmm0, 0x09)
        case .f64x2Trunc: asm.packed(.roundpd, .xmm0, .xmm0, 0x0B)
        case .f64x2Nearest: asm.packed(.roundpd, .xmm0, .xmm0, 0x08)
        case .f32x4Eq: asm.packed(.cmpps, .xmm0, .xmm1, 0)
        case .f32x4Ne: asm.packed(.cmpps, .xmm0, .xmm1, 4)
        case .f32x4Lt: asm.packed(.cmpps, .xmm0, .xmm1, 1)
        case .f32x4Le: asm.packed(.cmpps, .xmm0, .xmm1, 2)
        case .f32x4Gt: asm.packed(.cmpps, .xmm1, .xmm0, 1); result = .xmm1
        case .f32x4Ge: asm.packed(.cmpps, .xmm1, .xmm0, 2); result = .xmm1
        case .f64x2Eq: asm.packed(.cmppd, .xmm0, .xmm1, 0)
        case .f64x2Ne: asm.packed(.cmppd, .xmm0, .xmm1, 4)
        case .f64x2Lt: asm.packed(.cmppd, .xmm0, .xmm1, 1)
        case .f64x2Le: asm.packed(.cmppd, .xmm0, .xmm1, 2)
        case .f64x2Gt: asm.packed(.cmppd, .xmm1, .xmm0, 1); result = .xmm1
        case .f64x2Ge: asm.packed(.cmppd, .xmm1, .xmm0, 2); result = .xmm1
        // Conversions.
        case .f32x4ConvertI32x4S: asm.packed(.cvtdq2ps, .xmm0, .xmm0)
        case .f64x2ConvertLowI32x4S: asm.packed(.cvtdq2pd, .xmm0, .xmm0)
        case .f32x4DemoteF64x2Zero: asm.packed(.cvtpd2ps, .xmm0, .xmm0)
        case .f64x2PromoteLowF32x4: asm.packed(.cvtps2pd, .xmm0, .xmm0)
        case .i32x4TruncSatF32x4S, .i32x4RelaxedTruncF32x4S:
            // NaN lanes to 0; cvttps2dq gives 0x80000000 for out of range,
            // which positive overflow turns into 0x7FFFFFFF.
            asm.movaps(.xmm3, .xmm0)
            asm.packed(.cmpps, .xmm3, .xmm3, 0)
            asm.packed(.pand, .xmm0, .xmm3)
            asm.packed(.pxor, .xmm3, .xmm0)
            asm.packed(.cvttps2dq, .xmm0, .xmm0)
            asm.packed(.pand, .xmm3, .xmm0)
            asm.packedShift(.psrad, .xmm3, by: 31)
            asm.packed(.pxor, .xmm0, .xmm3)
        case .f32x4ConvertI32x4U:
            // Low 16 bits exactly, high bits halved, converted and doubled.
            asm.packed(.pxor, .xmm3, .xmm3)
            asm.packed(.pblendw, .xmm3, .xmm0, 0x55)
            asm.packed(.psubd, .xmm0, .xmm3)
            asm.packed(.cvtdq2ps, .xmm3, .xmm3)
            asm.packedShift(.psrld, .xmm0, by: 1)
            asm.packed(.cvtdq2ps, .xmm0, .xmm0)
            asm.packed(.addps, .xmm0, .xmm0)
            asm.packed(.addps, .xmm0, .xmm3)
        case .f64x2ConvertLowI32x4U:
            // 2^52 + u32 as a double, minus 2^52.
            splat64(.xmm3, 0x4330_0000_4330_0000)
            asm.packed(.unpcklps, .xmm0, .xmm3)
            splat64(.xmm3, 0x4330_0000_0000_0000)
            asm.packed(.subpd, .xmm0, .xmm3)
        case .i32x4TruncSatF64x2SZero, .i32x4RelaxedTruncF64x2SZero:
            // Clamp to [min, max] (NaN to 0 by the self-compare), then convert.
            asm.movaps(.xmm3, .xmm0)
            asm.packed(.cmppd, .xmm3, .xmm3, 0)
            splat64(.xmm4, 0x41DF_FFFF_FFC0_0000)  // 2147483647.0
            asm.packed(.andpd, .xmm3, .xmm4)
            asm.packed(.minpd, .xmm0, .xmm3)
            asm.packed(.cvttpd2dq, .xmm0, .xmm0)
        case .i32x4TruncSatF32x4U, .i32x4RelaxedTruncF32x4U:
            // NaN and negatives to 0 (maxps with 0 returns 0 for NaN); below
            // 2^31 cvttps2dq is exact; above it, x - 2^31 is added to
            // 0x80000000, saturating at 2^32 through the compare mask.
            asm.packed(.xorps, .xmm3, .xmm3)
            asm.packed(.maxps, .xmm0, .xmm3)
            allOnes(.xmm3)
            asm.packedShift(.psrld, .xmm3, by: 1)
            asm.packed(.cvtdq2ps, .xmm3, .xmm3)
            asm.movaps(.xmm4, .xmm0)
            asm.packed(.subps, .xmm4, .xmm3)
            asm.packed(.cmpps, .xmm3, .xmm4, 2)
            asm.packed(.cvttps2dq, .xmm4, .xmm4)
            asm.packed(.pxor, .xmm4, .xmm3)
            asm.packed(.pxor, .xmm3, .xmm3)
            asm.packed(.pmaxsd, .xmm4, .xmm3)
            asm.packed(.cvttps2dq, .xmm0, .xmm0)
            asm.packed(.paddd, .xmm0, .xmm4)
        case .i32x4TruncSatF64x2UZero, .i32x4RelaxedTruncF64x2UZero:
            // Clamp to [0, 2^32 - 1], truncate, and read the integer from the
            // low word of 2^52 + x; the upper lanes are zero.
            asm.packed(.xorpd, .xmm3, .xmm3)
            asm.packed(.maxpd, .xmm0, .xmm3)
            splat64(.xmm4, 0x41EF_FFFF_FFE0_0000)  // 4294967295.0
            asm.packed(.minpd, .xmm0, .xmm4)
            asm.packed(.roundpd, .xmm0, .xmm0, 0x0B)
            splat64(.xmm4, 0x4330_0000_0000_0000)  // 2^52
            asm.packed(.addpd, .xmm0, .xmm4)
            asm.packed(.shufps, .xmm0, .xmm3, 0x88)
        default:
            return false
        }
        store(destination, result)
        return true
    }

    private static func greater(_ op: Opcode) -> SSEPacked {
        let name = op.mnemonic
        if name.hasPrefix("i8") { return .pcmpgtb }
        if name.hasPrefix("i16") { return .pcmpgtw }
        if name.hasPrefix("i32") { return .pcmpgtd }
        return .pcmpgtq
    }

    /// Widens the low or high half of `x` in place, by the operator's name.
    private mutating func extend(_ op: Opcode, _ x: XMM) {
        let name = op.mnemonic
        if name.contains("high") {
            asm.packed(.pshufd, x, x, 0xEE)
        }
        let signed = name.hasSuffix("_s")
        let widen: SSEPacked
        if name.hasPrefix("i16") { widen = signed ? .pmovsxbw : .pmovzxbw }
        else if name.hasPrefix("i32") { widen = signed ? .pmovsxwd : .pmovzxwd }
        else { widen = signed ? .pmovsxdq : .pmovzxdq }
        asm.packed(widen, x, x)
    }

    /// xmm0 = xmm0 * xmm1 on i64 lanes, wrapping: lo*lo + ((hi(a)*lo(b) +
    /// lo(a)*hi(b)) << 32), from pmuludq's 32x32->64 products.
    private mutating func multiply64() {
        asm.movaps(.xmm3, .xmm0)
        asm.packedShift(.psrlq, .xmm3, by: 32)
        asm.packed(.pmuludq, .xmm3, .xmm1)
        asm.movaps(.xmm4, .xmm1)
        asm.packedShift(.psrlq, .xmm4, by: 32)
        asm.packed(.pmuludq, .xmm4, .xmm0)
        asm.packed(.paddq, .xmm3, .xmm4)
        asm.packedShift(.psllq, .xmm3, by: 32)
        asm.packed(.pmuludq, .xmm0, .xmm1)
        asm.packed(.paddq, .xmm0, .xmm3)
    }

    /// i16x8 lanes of signed byte pairs, added with signed saturation.
    private mutating func relaxedDot() {
        asm.packed(.pmovsxbw, .xmm3, .xmm0)
        asm.packed(.pmovsxbw, .xmm4, .xmm1)
        asm.packed(.pmaddwd, .xmm3, .xmm4)
        asm.packed(.pshufd, .xmm0, .xmm0, 0xEE)
        asm.packed(.pshufd, .xmm1, .xmm1, 0xEE)
        asm.packed(.pmovsxbw, .xmm0, .xmm0)
        asm.packed(.pmovsxbw, .xmm1, .xmm1)
        asm.packed(.pmaddwd, .xmm0, .xmm1)
        asm.packed(.packssdw, .xmm3, .xmm0)
        asm.movaps(.xmm0, .xmm3)
    }

    /// wasm min: minps in both orders, -0 and NaNs merged, NaNs made quiet.
    private mutating func floatMin(double: Bool) {
        asm.movaps(.xmm3, .xmm1)
        asm.packed(double ? .minpd : .minps, .xmm3, .xmm0)
        asm.packed(double ? .minpd : .minps, .xmm0, .xmm1)
        asm.packed(double ? .orpd : .orps, .xmm3, .xmm0)
        asm.packed(double ? .cmppd : .cmpps, .xmm0, .xmm3, 3)
        asm.packed(double ? .orpd : .orps, .xmm3, .xmm0)
        asm.packedShift(double ? .psrlq : .psrld, .xmm0, by: double ? 13 : 10)
        asm.packed(double ? .andnpd : .andnps, .xmm0, .xmm3)
    }

    /// wasm max: maxps in both orders, +0 and NaNs merged, NaNs made quiet.
    private mutating func floatMax(double: Bool) {
        asm.movaps(.xmm3, .xmm1)
        asm.packed(double ? .maxpd : .maxps, .xmm3, .xmm0)
        asm.packed(double ? .maxpd : .maxps, .xmm0, .xmm1)
        asm.packed(double ? .xorpd : .xorps, .xmm0, .xmm3)
        asm.packed(double ? .orpd : .orps, .xmm3, .xmm0)
        asm.packed(double ? .subpd : .subps, .xmm3, .xmm0)
        asm.packed(double ? .cmppd : .cmpps, .xmm0, .xmm3, 3)
        asm.packedShift(double ? .psrlq : .psrld, .xmm0, by: double ? 13 : 10)
        asm.packed(double ? .andnpd : .andnps, .xmm0, .xmm3)
    }

    // MARK: Operators with scalars

    /// Shifts by a scalar count (taken modulo the lane width).
    mutating func vectorShift(_ op: Opcode, destination: Int, operand: Int, count: Register) -> Bool {
        let name = op.mnemonic
        let bits = name.hasPrefix("i8") ? 8 : (name.hasPrefix("i16") ? 16 : (name.hasPrefix("i32") ? 32 : 64))
        let kind = name.hasSuffix("shl") ? 0 : (name.hasSuffix("shr_s") ? 1 : 2)
        load(.xmm0, operand)
        asm.mov(is64: false, .rcx, GPR(rawValue: count.index)!)
        asm.alu(.and, is64: false, .rcx, immediate: Int32(bits - 1))
        asm.movToXMM(is64: false, .xmm1, .rcx)
        switch (bits, kind) {
        case (16, 0): asm.packed(.psllw, .xmm0, .xmm1)
        case (16, 1): asm.packed(.psraw, .xmm0, .xmm1)
        case (16, 2): asm.packed(.psrlw, .xmm0, .xmm1)
        case (32, 0): asm.packed(.pslld, .xmm0, .xmm1)
        case (32, 1): asm.packed(.psrad, .xmm0, .xmm1)
        case (32, 2): asm.packed(.psrld, .xmm0, .xmm1)
        case (64, 0): asm.packed(.psllq, .xmm0, .xmm1)
        case (64, 2): asm.packed(.psrlq, .xmm0, .xmm1)
        case (64, 1):
            // No psraq: ((a >>u n) ^ m) - m with m = 0x8000... >>u n.
            asm.packed(.psrlq, .xmm0, .xmm1)
            splat64(.xmm3, 1 << 63)
            asm.packed(.psrlq, .xmm3, .xmm1)
            asm.packed(.pxor, .xmm0, .xmm3)
            asm.packed(.psubq, .xmm0, .xmm3)
        case (8, 1):
            // Bytes widen to words (in their high halves), shift by n + 8,
            // and narrow back with saturation (exact: values fit).
            asm.movaps(.xmm3, .xmm0)
            asm.packed(.punpcklbw, .xmm0, .xmm0)
            asm.packed(.punpckhbw, .xmm3, .xmm3)
            asm.alu(.add, is64: false, .rcx, immediate: 8)
            asm.movToXMM(is64: false, .xmm1, .rcx)
            asm.packed(.psraw, .xmm0, .xmm1)
            asm.packed(.psraw, .xmm3, .xmm1)
            asm.packed(.packsswb, .xmm0, .xmm3)
        case (8, _):
            // Words shift, then a byte mask drops the bits that crossed lanes.
            allOnes(.xmm3)
            if kind == 0 {
                asm.packed(.psllw, .xmm0, .xmm1)
                asm.packed(.psllw, .xmm3, .xmm1)
                asm.packed(.pxor, .xmm4, .xmm4)
                asm.packed(.pshufb, .xmm3, .xmm4)
            } else {
                asm.packed(.psrlw, .xmm0, .xmm1)
                asm.packed(.psrlw, .xmm3, .xmm1)
                // Broadcast byte 1 (the word's high byte: 0xFF >> n).
                splat64(.xmm4, 0x0101_0101_0101_0101)
                asm.packed(.pshufb, .xmm3, .xmm4)
            }
            asm.packed(.pand, .xmm0, .xmm3)
        default:
            return false
        }
        store(destination, .xmm0)
        return true
    }

    /// Splats and lane replacement: `operand` is the vector (replace_lane
    /// only), `scalar` the lane value (a float's bits).
    mutating func scalarToVector(_ op: Opcode, destination: Int, operand: Int?, scalar: Register, lane: UInt8) -> Bool {
        let r = GPR(rawValue: scalar.index)!
        switch op {
        case .i8x16Splat:
            asm.movToXMM(is64: false, .xmm0, r)
            asm.packed(.pxor, .xmm1, .xmm1)
            asm.packed(.pshufb, .xmm0, .xmm1)
        case .i16x8Splat:
            asm.movToXMM(is64: false, .xmm0, r)
            asm.packed(.pshuflw, .xmm0, .xmm0, 0)
            asm.packed(.pshufd, .xmm0, .xmm0, 0)
        case .i32x4Splat, .f32x4Splat:
            asm.movToXMM(is64: false, .xmm0, r)
            asm.packed(.pshufd, .xmm0, .xmm0, 0)
        case .i64x2Splat, .f64x2Splat:
            asm.movToXMM(is64: true, .xmm0, r)
            asm.packed(.punpcklqdq, .xmm0, .xmm0)
        case .i8x16ReplaceLane, .i16x8ReplaceLane, .i32x4ReplaceLane, .i64x2ReplaceLane, .f32x4ReplaceLane,
             .f64x2ReplaceLane:
            guard let operand else { return false }
            load(.xmm0, operand)
            switch op {
            case .i8x16ReplaceLane: asm.pinsrb(.xmm0, r, lane: lane)
            case .i16x8ReplaceLane: asm.pinsrw(.xmm0, r, lane: lane)
            case .i32x4ReplaceLane, .f32x4ReplaceLane: asm.pinsrd(.xmm0, r, lane: lane)
            default: asm.pinsrq(.xmm0, r, lane: lane)
            }
        default:
            return false
        }
        store(destination, .xmm0)
        return true
    }

    /// Lane extraction and the reductions (any_true, all_true, bitmask).
    mutating func vectorToScalar(_ op: Opcode, _ destination: Register, operand: Int, lane: UInt8) -> Bool {
        let d = GPR(rawValue: destination.index)!
        load(.xmm0, operand)
        switch op {
        case .i8x16ExtractLaneS:
            asm.pextrb(d, .xmm0, lane: lane)
            asm.signExtend(bytes: 1, is64: false, d, d)
        case .i8x16ExtractLaneU: asm.pextrb(d, .xmm0, lane: lane)
        case .i16x8ExtractLaneS:
            asm.pextrw(d, .xmm0, lane: lane)
            asm.signExtend(bytes: 2, is64: false, d, d)
        case .i16x8ExtractLaneU: asm.pextrw(d, .xmm0, lane: lane)
        case .i32x4ExtractLane, .f32x4ExtractLane: asm.pextrd(d, .xmm0, lane: lane)
        case .i64x2ExtractLane, .f64x2ExtractLane: asm.pextrq(d, .xmm0, lane: lane)
        case .v128AnyTrue:
            asm.packed(.ptest, .xmm0, .xmm0)
            asm.set(.ne, .rax)
            asm.zeroExtend(bytes: 1, d, .rax)
        case .i8x16AllTrue, .i16x8AllTrue, .i32x4AllTrue, .i64x2AllTrue:
            // No lane equals zero.
            let eq: SSEPacked = op == .i8x16AllTrue ? .pcmpeqb : (op == .i16x8AllTrue ? .pcmpeqw
                : (op == .i32x4AllTrue ? .pcmpeqd : .pcmpeqq))
            asm.packed(.pxor, .xmm1, .xmm1)
            asm.packed(eq, .xmm1, .xmm0)
            asm.packed(.ptest, .xmm1, .xmm1)
            asm.set(.e, .rax)
            asm.zeroExtend(bytes: 1, d, .rax)
        case .i8x16Bitmask: asm.pmovmskb(d, .xmm0)
        case .i16x8Bitmask:
            asm.packed(.packsswb, .xmm0, .xmm0)
            asm.pmovmskb(d, .xmm0)
            asm.zeroExtend(bytes: 1, d, d)
        case .i32x4Bitmask: asm.movmskps(d, .xmm0)
        case .i64x2Bitmask: asm.movmskpd(d, .xmm0)
        default:
            return false
        }
        return true
    }

    /// i8x16.shuffle: each result byte picks one of the 32 bytes of the two
    /// operands; two pshufbs (out-of-range indices give 0) and an or.
    mutating func shuffle(destination: Int, lhs: Int, rhs: Int, lanes: [UInt8]) {
        var low = [UInt8](repeating: 0x80, count: 16), high = low
        for (i, l) in lanes.enumerated() {
            if l < 16 { low[i] = l } else { high[i] = l - 16 }
        }
        func pack(_ bytes: ArraySlice<UInt8>) -> UInt64 {
            bytes.reversed().reduce(0) { $0 << 8 | UInt64($1) }
        }
        load(.xmm0, lhs)
        load(.xmm1, rhs)
        constant(.xmm2, pack(low[0..<8]), pack(low[8..<16]))
        constant(.xmm3, pack(high[0..<8]), pack(high[8..<16]))
        asm.packed(.pshufb, .xmm0, .xmm2)
        asm.packed(.pshufb, .xmm1, .xmm3)
        asm.packed(.por, .xmm0, .xmm1)
        store(destination, .xmm0)
    }
}
