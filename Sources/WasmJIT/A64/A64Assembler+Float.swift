/// Scalar floating point (s and d registers) and the few AdvSIMD forms the
/// scalar backend needs (population count, 128-bit moves, byte shuffles).
extension A64Assembler {
    /// The `type` field of a scalar FP instruction: 0 single, 1 double.
    @inline(__always) static func type(_ double: Bool) -> UInt32 { double ? 1 << 22 : 0 }

    public enum FloatBinary: UInt32, Sendable {
        case fmul = 0, fdiv = 1, fadd = 2, fsub = 3, fmax = 4, fmin = 5, fmaxnm = 6, fminnm = 7
    }

    /// fadd/fsub/fmul/fdiv/fmax/fmin... rd, rn, rm. fmax and fmin are IEEE
    /// 754-2008's maximum and minimum: a NaN operand gives a NaN, and -0 is
    /// below +0.
    public mutating func float(_ op: FloatBinary, double: Bool, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        emit(0x1E20_0800 | Self.type(double) | rm.number << 16 | op.rawValue << 12 | rn.number << 5 | rd.number)
    }

    public enum FloatUnary: UInt32, Sendable {
        case fmov = 0, fabs = 1, fneg = 2, fsqrt = 3
        /// Round to nearest (ties to even), toward +inf, toward -inf, toward zero.
        case frintn = 8, frintp = 9, frintm = 10, frintz = 11
    }

    /// fmov/fabs/fneg/fsqrt/frint* rd, rn.
    public mutating func float(_ op: FloatUnary, double: Bool, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x1E20_4000 | Self.type(double) | op.rawValue << 15 | rn.number << 5 | rd.number)
    }

    /// fcvt: s to d (`toDouble`) or d to s.
    public mutating func fcvt(toDouble: Bool, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x1E20_4000 | Self.type(!toDouble) | (toDouble ? 5 : 4) << 15 | rn.number << 5 | rd.number)
    }

    /// fcmp rn, rm (unordered: NZCV = 0011).
    public mutating func fcmp(double: Bool, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        emit(0x1E20_2000 | Self.type(double) | rm.number << 16 | rn.number << 5)
    }

    /// fcmp rn, #0.0.
    public mutating func fcmpZero(double: Bool, _ rn: A64FPRegister) {
        emit(0x1E20_2008 | Self.type(double) | rn.number << 5)
    }

    /// fcsel rd, rn, rm, cond.
    public mutating func fcsel(double: Bool, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister, _ condition: A64Condition) {
        emit(0x1E20_0C00 | Self.type(double) | rm.number << 16 | condition.rawValue << 12 | rn.number << 5 | rd.number)
    }

    /// The imm8 of fmov #value for a float of `double` precision (its bits),
    /// or nil: ±(16...31)/16 × 2^(-3...4).
    public static func floatImmediate(_ bits: UInt64, double: Bool) -> UInt32? {
        let fractionBits = double ? 52 : 23
        let exponentTop = double ? 62 : 30
        let replicated = double ? 8 : 5
        // Only the top four fraction bits may be set.
        guard bits & ((UInt64(1) << (fractionBits - 4)) - 1) == 0 else { return nil }
        if !double && bits >> 32 != 0 { return nil }
        let b = (bits >> (exponentTop - 1)) & 1
        guard (bits >> exponentTop) & 1 == b ^ 1 else { return nil }
        let run = (bits >> (exponentTop - replicated)) & ((UInt64(1) << replicated) - 1)
        guard run == (b == 1 ? (UInt64(1) << replicated) - 1 : 0) else { return nil }
        let sign = (bits >> (double ? 63 : 31)) & 1
        let cdefgh = (bits >> (fractionBits - 4)) & 0x3F
        return UInt32(sign << 7 | b << 6 | cdefgh)
    }

    /// fmov rd, #imm8 (an encoded float immediate; see `floatImmediate`).
    public mutating func fmov(double: Bool, _ rd: A64FPRegister, imm8: UInt32) {
        precondition(imm8 < 256, "A64: fmov imm8 #\(imm8)")
        emit(0x1E20_1000 | Self.type(double) | imm8 << 13 | rd.number)
    }

    /// fmov sd, wn / dd, xn: the bits of a general register into an FP one.
    public mutating func fmov(double: Bool, _ rd: A64FPRegister, _ rn: A64Register) {
        emit((double ? 0x9E67_0000 : 0x1E27_0000) | Self.zr(rn) << 5 | rd.number)
    }

    /// fmov wd, sn / xd, dn: the bits of an FP register (w zero-extends).
    public mutating func fmov(double: Bool, _ rd: A64Register, _ rn: A64FPRegister) {
        emit((double ? 0x9E66_0000 : 0x1E26_0000) | rn.number << 5 | Self.zr(rd))
    }

    /// fcvtzs/fcvtzu (w or x) rd, (s or d) rn: toward zero, saturating,
    /// NaN giving 0 (wasm's trunc_sat exactly).
    public mutating func fcvtz(signed: Bool, is64: Bool, double: Bool, _ rd: A64Register, _ rn: A64FPRegister) {
        emit((signed ? 0x1E38_0000 : 0x1E39_0000) | Self.sf(is64) | Self.type(double) | rn.number << 5 | Self.zr(rd))
    }

    /// scvtf/ucvtf (s or d) rd, (w or x) rn.
    public mutating func cvtf(signed: Bool, is64: Bool, double: Bool, _ rd: A64FPRegister, _ rn: A64Register) {
        emit((signed ? 0x1E22_0000 : 0x1E23_0000) | Self.sf(is64) | Self.type(double) | Self.zr(rn) << 5 | rd.number)
    }

    // MARK: AdvSIMD

    /// cnt vd.8b, vn.8b: the bits set in each byte.
    public mutating func cnt8B(_ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x0E20_5800 | rn.number << 5 | rd.number)
    }

    /// addv bd, vn.8b: the sum of the eight bytes (modulo 256).
    public mutating func addv8B(_ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x0E31_B800 | rn.number << 5 | rd.number)
    }

    /// uaddlv hd, vn.8b: the sum of the eight bytes, 16 bits wide.
    public mutating func uaddlv8B(_ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x2E30_3800 | rn.number << 5 | rd.number)
    }

    /// mov vd.d[1], xn (ins): the upper half of a q register.
    public mutating func insertHighD(_ rd: A64FPRegister, _ rn: A64Register) {
        emit(0x4E18_1C00 | Self.zr(rn) << 5 | rd.number)
    }

    /// tbl vd.16b, {vn.16b, vn+1.16b}, vm.16b: bytes of a 32-byte table
    /// by index (0 for an index beyond it).
    public mutating func tbl2(_ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        emit(0x4E00_2000 | rm.number << 16 | rn.number << 5 | rd.number)
    }
}
