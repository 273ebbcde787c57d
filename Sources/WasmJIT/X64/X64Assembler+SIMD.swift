/// The packed SSE2..SSE4.2 operations of two xmm registers, dst = dst op src
/// (the one-operand ones, pabs*, pmovsx*, pmovzx*, sqrt*, cvt*, write dst from
/// src; ptest only sets flags).
///
/// The raw value is the mandatory prefix in the top byte (0 for none) and
/// the opcode of one to three bytes below it: 0x66_0F_38_00 is 66 0F 38 00,
/// 0x66_00_0F_FC is 66 0F FC, 0x00_00_0F_58 is 0F 58.
public enum SSEPacked: UInt32, CaseIterable, Sendable {
    // Integer arithmetic.
    case paddb = 0x66_00_0F_FC, paddw = 0x66_00_0F_FD, paddd = 0x66_00_0F_FE, paddq = 0x66_00_0F_D4
    case psubb = 0x66_00_0F_F8, psubw = 0x66_00_0F_F9, psubd = 0x66_00_0F_FA, psubq = 0x66_00_0F_FB
    case pmullw = 0x66_00_0F_D5, pmulld = 0x66_0F_38_40, pmuludq = 0x66_00_0F_F4
    case pmulhw = 0x66_00_0F_E5, pmulhuw = 0x66_00_0F_E4, pmulhrsw = 0x66_0F_38_0B
    case pmaddwd = 0x66_00_0F_F5, pmaddubsw = 0x66_0F_38_04
    case paddsb = 0x66_00_0F_EC, paddsw = 0x66_00_0F_ED, paddusb = 0x66_00_0F_DC, paddusw = 0x66_00_0F_DD
    case psubsb = 0x66_00_0F_E8, psubsw = 0x66_00_0F_E9, psubusb = 0x66_00_0F_D8, psubusw = 0x66_00_0F_D9
    case pavgb = 0x66_00_0F_E0, pavgw = 0x66_00_0F_E3
    case pminsb = 0x66_0F_38_38, pminub = 0x66_00_0F_DA, pminsw = 0x66_00_0F_EA
    case pminuw = 0x66_0F_38_3A, pminsd = 0x66_0F_38_39, pminud = 0x66_0F_38_3B
    case pmaxsb = 0x66_0F_38_3C, pmaxub = 0x66_00_0F_DE, pmaxsw = 0x66_00_0F_EE
    case pmaxuw = 0x66_0F_38_3E, pmaxsd = 0x66_0F_38_3D, pmaxud = 0x66_0F_38_3F
    case pabsb = 0x66_0F_38_1C, pabsw = 0x66_0F_38_1D, pabsd = 0x66_0F_38_1E

    // Bitwise and comparisons.
    case pand = 0x66_00_0F_DB, pandn = 0x66_00_0F_DF, por = 0x66_00_0F_EB, pxor = 0x66_00_0F_EF
    case pcmpeqb = 0x66_00_0F_74, pcmpeqw = 0x66_00_0F_75, pcmpeqd = 0x66_00_0F_76, pcmpeqq = 0x66_0F_38_29
    case pcmpgtb = 0x66_00_0F_64, pcmpgtw = 0x66_00_0F_65, pcmpgtd = 0x66_00_0F_66, pcmpgtq = 0x66_0F_38_37

    // Narrowing, interleaving, shuffling.
    case packsswb = 0x66_00_0F_63, packuswb = 0x66_00_0F_67, packssdw = 0x66_00_0F_6B, packusdw = 0x66_0F_38_2B
    case punpcklbw = 0x66_00_0F_60, punpcklwd = 0x66_00_0F_61, punpckldq = 0x66_00_0F_62, punpcklqdq = 0x66_00_0F_6C
    case punpckhbw = 0x66_00_0F_68, punpckhwd = 0x66_00_0F_69, punpckhdq = 0x66_00_0F_6A, punpckhqdq = 0x66_00_0F_6D
    case pshufb = 0x66_0F_38_00

    // Shifts by the count in the low quadword of an xmm register.
    case psllw = 0x66_00_0F_F1, pslld = 0x66_00_0F_F2, psllq = 0x66_00_0F_F3
    case psrlw = 0x66_00_0F_D1, psrld = 0x66_00_0F_D2, psrlq = 0x66_00_0F_D3
    case psraw = 0x66_00_0F_E1, psrad = 0x66_00_0F_E2

    // Widening of the low half, and the flags-only test.
    case pmovsxbw = 0x66_0F_38_20, pmovsxwd = 0x66_0F_38_23, pmovsxdq = 0x66_0F_38_25
    case pmovzxbw = 0x66_0F_38_30, pmovzxwd = 0x66_0F_38_33, pmovzxdq = 0x66_0F_38_35
    case ptest = 0x66_0F_38_17

    // Floating point.
    case addps = 0x00_00_0F_58, addpd = 0x66_00_0F_58, subps = 0x00_00_0F_5C, subpd = 0x66_00_0F_5C
    case mulps = 0x00_00_0F_59, mulpd = 0x66_00_0F_59, divps = 0x00_00_0F_5E, divpd = 0x66_00_0F_5E
    case sqrtps = 0x00_00_0F_51, sqrtpd = 0x66_00_0F_51
    case minps = 0x00_00_0F_5D, minpd = 0x66_00_0F_5D, maxps = 0x00_00_0F_5F, maxpd = 0x66_00_0F_5F
    case andps = 0x00_00_0F_54, andnps = 0x00_00_0F_55, orps = 0x00_00_0F_56, xorps = 0x00_00_0F_57
    case andpd = 0x66_00_0F_54, andnpd = 0x66_00_0F_55, orpd = 0x66_00_0F_56, xorpd = 0x66_00_0F_57
    case cvtdq2ps = 0x00_00_0F_5B, cvttps2dq = 0xF3_00_0F_5B, cvtdq2pd = 0xF3_00_0F_E6, cvttpd2dq = 0x66_00_0F_E6
    case cvtps2pd = 0x00_00_0F_5A, cvtpd2ps = 0x66_00_0F_5A
    case unpcklps = 0x00_00_0F_14, unpcklpd = 0x66_00_0F_14, unpckhpd = 0x66_00_0F_15
    case movlhps = 0x00_00_0F_16, movhlps = 0x00_00_0F_12

    /// The mandatory prefix (0x66, 0xF2, 0xF3) or 0.
    public var prefix: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 24) }
    /// The opcode bytes after the prefix, most significant first.
    public var opcode: UInt32 { rawValue & 0xFF_FFFF }
}

/// The packed operations of two xmm registers and an 8-bit immediate
/// (dst = op(dst, src, imm); pshufd/pshufhw/pshuflw and roundps/roundpd
/// write dst from src alone). The raw value is laid out as SSEPacked's.
public enum SSEPackedImmediate: UInt32, CaseIterable, Sendable {
    case pshufd = 0x66_00_0F_70, pshufhw = 0xF3_00_0F_70, pshuflw = 0xF2_00_0F_70
    case shufps = 0x00_00_0F_C6, shufpd = 0x66_00_0F_C6
    case palignr = 0x66_0F_3A_0F, pblendw = 0x66_0F_3A_0E, blendps = 0x66_0F_3A_0C, blendpd = 0x66_0F_3A_0D
    case roundps = 0x66_0F_3A_08, roundpd = 0x66_0F_3A_09
    /// The immediate is the predicate: 0 eq, 1 lt, 2 le, 3 unord, 4 neq, 5 nlt, 6 nle, 7 ord.
    case cmpps = 0x00_00_0F_C2, cmppd = 0x66_00_0F_C2
    case insertps = 0x66_0F_3A_21

    /// The mandatory prefix (0x66, 0xF2, 0xF3) or 0.
    public var prefix: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 24) }
    /// The opcode bytes after the prefix, most significant first.
    public var opcode: UInt32 { rawValue & 0xFF_FFFF }
}

/// The shifts of an xmm register by an immediate: 66 0F 71/72/73 /digit ib.
/// The raw value is the opcode byte after 0F times 8 plus the /digit.
public enum SSEShiftImmediate: UInt16, CaseIterable, Sendable {
    case psrlw = 0x38A, psraw = 0x38C, psllw = 0x38E
    case psrld = 0x392, psrad = 0x394, pslld = 0x396
    /// psrldq and pslldq shift the whole register by bytes, the others each lane by bits.
    case psrlq = 0x39A, psrldq = 0x39B, psllq = 0x39E, pslldq = 0x39F

    /// The opcode byte after 0F (0x71, 0x72 or 0x73).
    public var opcode: UInt8 { UInt8(truncatingIfNeeded: rawValue >> 3) }
    /// The operation in the ModRM reg field.
    public var digit: UInt8 { UInt8(truncatingIfNeeded: rawValue & 7) }
}

/// Packed (SIMD) SSE encoders for the WebAssembly v128 operations. Every
/// form is checked against llvm-mc's disassembly (X64SIMDEncoderTests).
extension X64Assembler {
    // MARK: Encoding (SIMD)

    /// Legacy prefix, REX when needed (W, R from reg, X from index, B from
    /// base or r/m), then the opcode of one to three bytes.
    fileprivate mutating func simdPrefixAndOpcode(w: Bool, _ opcode: UInt32, prefix: UInt8, reg: UInt8, x: UInt8 = 0, b: UInt8) {
        if prefix != 0 { code.emit(prefix) }
        let bits = (w ? 8 : 0) | ((reg >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((b >> 3) & 1)
        if bits != 0 { code.emit(0x40 | bits) }
        if opcode > 0xFFFF { code.emit(UInt8(truncatingIfNeeded: opcode >> 16)) }
        if opcode > 0xFF { code.emit(UInt8(truncatingIfNeeded: opcode >> 8)) }
        code.emit(UInt8(truncatingIfNeeded: opcode))
    }

    /// An instruction of two registers by number (GPR or XMM): reg, then r/m.
    fileprivate mutating func simdRegisterForm(w: Bool = false, _ opcode: UInt32, reg: UInt8, rm: UInt8, prefix: UInt8) {
        simdPrefixAndOpcode(w: w, opcode, prefix: prefix, reg: reg, b: rm)
        code.emit(0xC0 | (reg & 7) << 3 | (rm & 7))
    }

    /// An instruction whose r/m operand is memory.
    fileprivate mutating func simdMemoryForm(_ opcode: UInt32, reg: UInt8, _ address: X64Address, prefix: UInt8) {
        simdPrefixAndOpcode(w: false, opcode, prefix: prefix, reg: reg, x: address.index?.rawValue ?? 0, b: address.base.rawValue)
        let d = address.displacement
        // rbp and r13 as a base have no displacement-free form.
        let mod: UInt8 = d == 0 && address.base.low3 != 5 ? 0 : (Int8(exactly: d) != nil ? 1 : 2)
        if address.index != nil || address.base.low3 == 4 {
            // rsp and r12 as a base need a SIB byte (index 100: none).
            code.emit(mod << 6 | (reg & 7) << 3 | 4)
            let scaleBits: UInt8 = address.scale == 8 ? 3 : (address.scale == 4 ? 2 : (address.scale == 2 ? 1 : 0))
            code.emit(scaleBits << 6 | (address.index?.low3 ?? 4) << 3 | address.base.low3)
        } else {
            code.emit(mod << 6 | (reg & 7) << 3 | address.base.low3)
        }
        if mod == 1 { code.emit(UInt8(bitPattern: Int8(d))) }
        if mod == 2 { code.emit32(UInt32(bitPattern: d)) }
    }

    // MARK: Moves (SIMD)

    /// movdqu xmm, xmmword [address] (unaligned 128-bit load)
    public mutating func movdqu(_ destination: XMM, _ address: X64Address) {
        simdMemoryForm(0x0F6F, reg: destination.rawValue, address, prefix: 0xF3)
    }

    /// movdqu xmmword [address], xmm (unaligned 128-bit store)
    public mutating func movdqu(_ address: X64Address, _ source: XMM) {
        simdMemoryForm(0x0F7F, reg: source.rawValue, address, prefix: 0xF3)
    }

    /// movaps xmm, xmm (a 128-bit register copy)
    public mutating func movaps(_ destination: XMM, _ source: XMM) {
        simdRegisterForm(0x0F28, reg: destination.rawValue, rm: source.rawValue, prefix: 0)
    }

    // MARK: Packed operations

    /// paddb, pshufb, addps, cvtdq2ps... xmm, xmm (see SSEPacked)
    public mutating func packed(_ op: SSEPacked, _ destination: XMM, _ source: XMM) {
        simdRegisterForm(op.opcode, reg: destination.rawValue, rm: source.rawValue, prefix: op.prefix)
    }

    /// pshufd, shufps, palignr, blendps, roundps, cmpps, insertps... xmm, xmm, imm8 (see SSEPackedImmediate)
    public mutating func packed(_ op: SSEPackedImmediate, _ destination: XMM, _ source: XMM, _ immediate: UInt8) {
        simdRegisterForm(op.opcode, reg: destination.rawValue, rm: source.rawValue, prefix: op.prefix)
        code.emit(immediate)
    }

    /// psllw/pslld/psllq/psrlw/psrld/psrlq/psraw/psrad/pslldq/psrldq xmm, imm8
    public mutating func packedShift(_ op: SSEShiftImmediate, _ register: XMM, by count: UInt8) {
        simdRegisterForm(0x0F00 | UInt32(op.opcode), reg: op.digit, rm: register.rawValue, prefix: 0x66)
        code.emit(count)
    }

    // MARK: Lanes

    /// pinsrb xmm, r32, imm8 (SSE4.1): the low byte of src into byte lane `lane`.
    public mutating func pinsrb(_ destination: XMM, _ source: GPR, lane: UInt8) {
        assert(lane < 16, "pinsrb lane out of range")
        simdRegisterForm(0x0F_3A20, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pinsrw xmm, r32, imm8: the low word of src into word lane `lane`.
    public mutating func pinsrw(_ destination: XMM, _ source: GPR, lane: UInt8) {
        assert(lane < 8, "pinsrw lane out of range")
        simdRegisterForm(0x0FC4, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pinsrd xmm, r32, imm8 (SSE4.1)
    public mutating func pinsrd(_ destination: XMM, _ source: GPR, lane: UInt8) {
        assert(lane < 4, "pinsrd lane out of range")
        simdRegisterForm(0x0F_3A22, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pinsrq xmm, r64, imm8 (SSE4.1)
    public mutating func pinsrq(_ destination: XMM, _ source: GPR, lane: UInt8) {
        assert(lane < 2, "pinsrq lane out of range")
        simdRegisterForm(w: true, 0x0F_3A22, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pextrb r32, xmm, imm8 (SSE4.1): byte lane `lane`, zero-extended.
    public mutating func pextrb(_ destination: GPR, _ source: XMM, lane: UInt8) {
        assert(lane < 16, "pextrb lane out of range")
        simdRegisterForm(0x0F_3A14, reg: source.rawValue, rm: destination.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pextrw r32, xmm, imm8 (the SSE2 form, 66 0F C5): word lane `lane`, zero-extended.
    public mutating func pextrw(_ destination: GPR, _ source: XMM, lane: UInt8) {
        assert(lane < 8, "pextrw lane out of range")
        simdRegisterForm(0x0FC5, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pextrd r32, xmm, imm8 (SSE4.1)
    public mutating func pextrd(_ destination: GPR, _ source: XMM, lane: UInt8) {
        assert(lane < 4, "pextrd lane out of range")
        simdRegisterForm(0x0F_3A16, reg: source.rawValue, rm: destination.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// pextrq r64, xmm, imm8 (SSE4.1)
    public mutating func pextrq(_ destination: GPR, _ source: XMM, lane: UInt8) {
        assert(lane < 2, "pextrq lane out of range")
        simdRegisterForm(w: true, 0x0F_3A16, reg: source.rawValue, rm: destination.rawValue, prefix: 0x66)
        code.emit(lane)
    }

    /// movmskps r32, xmm: the sign bits of the four floats.
    public mutating func movmskps(_ destination: GPR, _ source: XMM) {
        simdRegisterForm(0x0F50, reg: destination.rawValue, rm: source.rawValue, prefix: 0)
    }

    /// movmskpd r32, xmm: the sign bits of the two doubles.
    public mutating func movmskpd(_ destination: GPR, _ source: XMM) {
        simdRegisterForm(0x0F50, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
    }

    /// pmovmskb r32, xmm: the sign bits of the sixteen bytes.
    public mutating func pmovmskb(_ destination: GPR, _ source: XMM) {
        simdRegisterForm(0x0FD7, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
    }
}
