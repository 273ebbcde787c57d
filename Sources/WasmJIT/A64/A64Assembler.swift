/// A general-purpose register of AArch64. Encoding 31 is the zero register
/// in some operand positions and the stack pointer in others: the two are
/// separate cases here, and each encoder checks that the one it is given
/// is the one its form means (`zr` where the form reads zero, `sp` where it
/// reads the stack pointer), so the confusion cannot reach the code.
public enum A64Register: UInt8, CaseIterable, Sendable {
    case x0 = 0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15
    case x16, x17, x18, x19, x20, x21, x22, x23, x24, x25, x26, x27, x28, x29, x30
    case zr = 31
    case sp = 32

    /// The 5-bit register field.
    var number: UInt32 { self == .sp ? 31 : UInt32(rawValue) }

    /// The frame pointer and link register by their AAPCS64 names.
    public static let fp = A64Register.x29
    public static let lr = A64Register.x30

    /// The registers x0-x30 (neither zr nor sp).
    public static let general: [A64Register] = allCases.filter { $0.rawValue < 31 }
}

/// An FP/SIMD register (v0-v31; s, d and q views by the instruction).
public enum A64FPRegister: UInt8, CaseIterable, Sendable {
    case v0 = 0, v1, v2, v3, v4, v5, v6, v7, v8, v9, v10, v11, v12, v13, v14, v15
    case v16, v17, v18, v19, v20, v21, v22, v23, v24, v25, v26, v27, v28, v29, v30, v31

    var number: UInt32 { UInt32(rawValue) }
}

/// A condition of b.cond, csel, ccmp and friends (the NZCV tests).
public enum A64Condition: UInt32, CaseIterable, Sendable {
    case eq = 0, ne, hs, lo, mi, pl, vs, vc, hi, ls, ge, lt, gt, le, al, nv

    /// The opposite condition (al and nv have none).
    public var inverted: A64Condition {
        precondition(self != .al && self != .nv, "A64: al and nv have no inverse")
        return A64Condition(rawValue: rawValue ^ 1)!
    }
}

/// The shift of a shifted-register operand.
public enum A64Shift: UInt32, Sendable {
    case lsl = 0, lsr, asr, ror
}

/// The extension of an extended-register operand (add/sub, and the index
/// of register-offset loads and stores: uxtw, lsl (uxtx), sxtw, sxtx).
public enum A64Extend: UInt32, Sendable {
    case uxtb = 0, uxth, uxtw, uxtx, sxtb, sxth, sxtw, sxtx
}

/// AArch64 (A64) instruction encoders: each appends one 32-bit
/// instruction word (little-endian) to `code`. Pure Swift with no host
/// dependency, so code for an AArch64 target is written on any host. The
/// forms are the ones the JIT emits (ARMv8.0-A base, FP and AdvSIMD; no
/// LSE, no FEAT_FRINTTS, no JSCVT), each checked against llvm-mc in
/// Tests/WasmJITTests/A64EncoderTests.swift. Operands out of an encoding's
/// range are precondition failures: a wrong instruction is never emitted.
public struct A64Assembler: Sendable {
    public var code = CodeBuffer()

    public init() {}

    public mutating func emit(_ word: UInt32) { code.emit32(word) }

    // MARK: Operand fields

    /// A register field where encoding 31 means the zero register.
    @inline(__always) static func zr(_ r: A64Register) -> UInt32 {
        precondition(r != .sp, "A64: sp is not an operand of this form (31 is the zero register here)")
        return r.number
    }

    /// A register field where encoding 31 means the stack pointer.
    @inline(__always) static func sp(_ r: A64Register) -> UInt32 {
        precondition(r != .zr, "A64: zr is not an operand of this form (31 is the stack pointer here)")
        return r.number
    }

    @inline(__always) static func sf(_ is64: Bool) -> UInt32 { is64 ? 1 << 31 : 0 }

    // MARK: Moves of immediates

    /// movz: rd = imm16 << shift (shift 0, 16, or 32 and 48 for x).
    public mutating func movz(is64: Bool, _ rd: A64Register, _ imm16: UInt16, shift: Int = 0) {
        moveWide(0x5280_0000, is64: is64, rd, imm16, shift: shift)
    }

    /// movn: rd = ~(imm16 << shift).
    public mutating func movn(is64: Bool, _ rd: A64Register, _ imm16: UInt16, shift: Int = 0) {
        moveWide(0x1280_0000, is64: is64, rd, imm16, shift: shift)
    }

    /// movk: the 16 bits at `shift` of rd = imm16, the others kept.
    public mutating func movk(is64: Bool, _ rd: A64Register, _ imm16: UInt16, shift: Int = 0) {
        moveWide(0x7280_0000, is64: is64, rd, imm16, shift: shift)
    }

    private mutating func moveWide(_ base: UInt32, is64: Bool, _ rd: A64Register, _ imm16: UInt16, shift: Int) {
        precondition(shift % 16 == 0 && shift >= 0 && shift < (is64 ? 64 : 32), "A64: move-wide shift \(shift)")
        emit(base | Self.sf(is64) | UInt32(shift / 16) << 21 | UInt32(imm16) << 5 | Self.zr(rd))
    }

    /// rd = value with the shortest sequence: one movz or movn, or one orr
    /// of a bitmask immediate, else movz/movn and a movk for each
    /// remaining halfword (a w-register value is its low 32 bits,
    /// zero-extended).
    public mutating func moveImmediate(is64: Bool = true, _ rd: A64Register, _ value: UInt64) {
        let value = is64 ? value : value & 0xFFFF_FFFF
        let halves = is64 ? 4 : 2
        let parts = (0..<halves).map { UInt16(truncatingIfNeeded: value >> (16 * $0)) }
        let zeros = parts.filter { $0 == 0 }.count, ones = parts.filter { $0 == 0xFFFF }.count
        if zeros < halves - 1 && ones < halves - 1, let bitmask = Self.logicalImmediate(value, is64: is64) {
            // orr rd, zr, #bitmask
            emit(0x3200_0000 | Self.sf(is64) | bitmask << 10 | 31 << 5 | Self.zr(rd))
            return
        }
        let inverted = ones > zeros
        let filler: UInt16 = inverted ? 0xFFFF : 0
        // All filler (0 or -1): one movz/movn of the lowest halfword.
        let start = parts.firstIndex { $0 != filler } ?? 0
        var first = true
        for (i, part) in parts.enumerated() where i >= start {
            if part == filler && !first { continue }
            if first {
                if inverted { movn(is64: is64, rd, ~part, shift: 16 * i) } else { movz(is64: is64, rd, part, shift: 16 * i) }
                first = false
            } else {
                movk(is64: is64, rd, part, shift: 16 * i)
            }
        }
    }

    /// The N:immr:imms field (13 bits) of a logical immediate for `value`,
    /// or nil when `value` is not a bitmask immediate: a rotated run of
    /// ones within an element of 2, 4, ..., 64 bits, repeated to fill the
    /// register (never all zeros or all ones).
    public static func logicalImmediate(_ value: UInt64, is64: Bool) -> UInt32? {
        var v = value
        if !is64 {
            guard v >> 32 == 0 else { return nil }
            v |= v << 32
        }
        guard v != 0 && v != .max else { return nil }
        // The smallest element size whose repetition gives v.
        var size = 64
        while size > 2 {
            let half = size / 2
            let mask = (UInt64(1) << half) - 1
            if v & mask != (v >> half) & mask { break }
            size = half
        }
        let mask: UInt64 = size == 64 ? .max : (UInt64(1) << size) - 1
        let element = v & mask
        let ones = element.nonzeroBitCount
        let run: UInt64 = (UInt64(1) << ones) - 1
        // element = ROR(run, immr) within the element.
        for immr in 0..<size {
            let rotated = immr == 0 ? run : ((run >> immr) | (run << (size - immr))) & mask
            if rotated == element {
                let n: UInt32 = size == 64 ? 1 : 0
                let imms = (~UInt32(size * 2 - 1) & 0x3F) | UInt32(ones - 1)
                return n << 12 | UInt32(immr) << 6 | imms
            }
        }
        return nil
    }

    // MARK: Add and subtract

    public enum AddSub: UInt32, Sendable {
        case add = 0, adds = 1, sub = 2, subs = 3
        var setsFlags: Bool { rawValue & 1 != 0 }
    }

    /// Whether `value` is an add/sub immediate: 12 bits, optionally shifted
    /// left by 12.
    public static func isAddSubImmediate(_ value: UInt64) -> Bool {
        value < 1 << 12 || (value & 0xFFF == 0 && value < 1 << 24)
    }

    /// add/adds/sub/subs rd, rn, #imm12 (lsl #12 when `shifted`). rn may be
    /// sp; rd may be sp for add/sub and is zr for the flag-setting forms.
    public mutating func addSub(_ op: AddSub, is64: Bool, _ rd: A64Register, _ rn: A64Register, immediate: UInt32, shifted: Bool = false) {
        precondition(immediate < 1 << 12, "A64: add/sub immediate \(immediate) needs more than 12 bits")
        let d = op.setsFlags ? Self.zr(rd) : Self.sp(rd)
        emit(0x1100_0000 | op.rawValue << 29 | Self.sf(is64) | (shifted ? 1 << 22 : 0) | immediate << 10 | Self.sp(rn) << 5 | d)
    }

    /// add/adds/sub/subs rd, rn, rm{, shift #amount} (no sp: 31 is zr).
    public mutating func addSub(_ op: AddSub, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register,
                                shift: A64Shift = .lsl, amount: Int = 0) {
        precondition(shift != .ror && amount >= 0 && amount < (is64 ? 64 : 32), "A64: add/sub shift \(shift) #\(amount)")
        emit(0x0B00_0000 | op.rawValue << 29 | Self.sf(is64) | shift.rawValue << 22 | Self.zr(rm) << 16 | UInt32(amount) << 10
             | Self.zr(rn) << 5 | Self.zr(rd))
    }

    /// add/adds/sub/subs rd, rn, rm, extend #amount (0-4): rn and rd (but
    /// for the flag-setting forms) may be sp; rm is read as a w register for
    /// the b/h/w extensions.
    public mutating func addSub(_ op: AddSub, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register,
                                extend: A64Extend, amount: Int = 0) {
        precondition(amount >= 0 && amount <= 4, "A64: extended-register shift #\(amount)")
        let d = op.setsFlags ? Self.zr(rd) : Self.sp(rd)
        emit(0x0B20_0000 | op.rawValue << 29 | Self.sf(is64) | Self.zr(rm) << 16 | extend.rawValue << 13 | UInt32(amount) << 10
             | Self.sp(rn) << 5 | d)
    }

    public mutating func cmp(is64: Bool, _ rn: A64Register, _ rm: A64Register) { addSub(.subs, is64: is64, .zr, rn, rm) }
    public mutating func cmp(is64: Bool, _ rn: A64Register, immediate: UInt32) { addSub(.subs, is64: is64, .zr, rn, immediate: immediate) }
    public mutating func cmn(is64: Bool, _ rn: A64Register, immediate: UInt32) { addSub(.adds, is64: is64, .zr, rn, immediate: immediate) }
    public mutating func cmn(is64: Bool, _ rn: A64Register, _ rm: A64Register) { addSub(.adds, is64: is64, .zr, rn, rm) }
    /// neg rd, rm (sub rd, zr, rm).
    public mutating func neg(is64: Bool, _ rd: A64Register, _ rm: A64Register) { addSub(.sub, is64: is64, rd, .zr, rm) }

    /// adc/adcs/sbc/sbcs rd, rn, rm (with the carry).
    public mutating func addSubWithCarry(_ op: AddSub, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        emit(0x1A00_0000 | op.rawValue << 29 | Self.sf(is64) | Self.zr(rm) << 16 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    // MARK: Logical

    public enum Logical: UInt32, Sendable {
        case and = 0, orr = 1, eor = 2, ands = 3
    }

    /// and/orr/eor/ands rd, rn, #bitmask; false (nothing emitted) when the
    /// value is not a bitmask immediate. rd may be sp except for ands.
    @discardableResult
    public mutating func logical(_ op: Logical, is64: Bool, _ rd: A64Register, _ rn: A64Register, immediate: UInt64) -> Bool {
        guard let field = Self.logicalImmediate(immediate, is64: is64) else { return false }
        let d = op == .ands ? Self.zr(rd) : Self.sp(rd)
        emit(0x1200_0000 | op.rawValue << 29 | Self.sf(is64) | field << 10 | Self.zr(rn) << 5 | d)
        return true
    }

    /// and/orr/eor/ands rd, rn, rm{, shift #amount}, or with rm inverted
    /// (`invert`: bic, orn, eon, bics).
    public mutating func logical(_ op: Logical, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register,
                                 invert: Bool = false, shift: A64Shift = .lsl, amount: Int = 0) {
        precondition(amount >= 0 && amount < (is64 ? 64 : 32), "A64: logical shift #\(amount)")
        emit(0x0A00_0000 | op.rawValue << 29 | Self.sf(is64) | shift.rawValue << 22 | (invert ? 1 << 21 : 0) | Self.zr(rm) << 16
             | UInt32(amount) << 10 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    /// mov rd, rm (orr rd, zr, rm); a w move zero-extends.
    public mutating func mov(is64: Bool, _ rd: A64Register, _ rm: A64Register) {
        if rd == .sp || rm == .sp {
            addSub(.add, is64: is64, rd, rm, immediate: 0)
        } else {
            logical(.orr, is64: is64, rd, .zr, rm)
        }
    }

    public mutating func mvn(is64: Bool, _ rd: A64Register, _ rm: A64Register) { logical(.orr, is64: is64, rd, .zr, rm, invert: true) }
    public mutating func tst(is64: Bool, _ rn: A64Register, _ rm: A64Register) { logical(.ands, is64: is64, .zr, rn, rm) }

    // MARK: Shifts and bitfields

    public enum VariableShift: UInt32, Sendable {
        case lslv = 0x2000, lsrv = 0x2400, asrv = 0x2800, rorv = 0x2C00
    }

    /// lslv/lsrv/asrv/rorv rd, rn, rm: the count is rm modulo the width.
    public mutating func shift(_ op: VariableShift, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        dataProcessing2(op.rawValue, is64: is64, rd, rn, rm)
    }

    /// udiv/sdiv rd, rn, rm (a zero divisor gives 0; no trap).
    public mutating func div(signed: Bool, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        dataProcessing2(signed ? 0xC00 : 0x800, is64: is64, rd, rn, rm)
    }

    private mutating func dataProcessing2(_ opcode: UInt32, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        emit(0x1AC0_0000 | Self.sf(is64) | Self.zr(rm) << 16 | opcode | Self.zr(rn) << 5 | Self.zr(rd))
    }

    public enum Bitfield: UInt32, Sendable {
        case sbfm = 0, bfm = 1, ubfm = 2
    }

    /// sbfm/bfm/ubfm rd, rn, #immr, #imms.
    public mutating func bitfield(_ op: Bitfield, is64: Bool, _ rd: A64Register, _ rn: A64Register, immr: Int, imms: Int) {
        let width = is64 ? 64 : 32
        precondition((0..<width).contains(immr) && (0..<width).contains(imms), "A64: bitfield #\(immr), #\(imms)")
        let n: UInt32 = is64 ? 1 << 22 : 0
        emit(0x1300_0000 | op.rawValue << 29 | Self.sf(is64) | n | UInt32(immr) << 16 | UInt32(imms) << 10 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    /// extr rd, rn, rm, #lsb: bits lsb... of the pair rn:rm.
    public mutating func extr(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register, lsb: Int) {
        precondition(lsb >= 0 && lsb < (is64 ? 64 : 32), "A64: extr #\(lsb)")
        emit(0x1380_0000 | Self.sf(is64) | (is64 ? 1 << 22 : 0) | Self.zr(rm) << 16 | UInt32(lsb) << 10 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    /// lsl rd, rn, #amount (ubfm).
    public mutating func lsl(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ amount: Int) {
        let width = is64 ? 64 : 32
        precondition(amount >= 0 && amount < width, "A64: lsl #\(amount)")
        bitfield(.ubfm, is64: is64, rd, rn, immr: (width - amount) % width, imms: width - 1 - amount)
    }

    /// lsr rd, rn, #amount (ubfm).
    public mutating func lsr(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ amount: Int) {
        bitfield(.ubfm, is64: is64, rd, rn, immr: amount, imms: is64 ? 63 : 31)
    }

    /// asr rd, rn, #amount (sbfm).
    public mutating func asr(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ amount: Int) {
        bitfield(.sbfm, is64: is64, rd, rn, immr: amount, imms: is64 ? 63 : 31)
    }

    /// ror rd, rn, #amount (extr rd, rn, rn).
    public mutating func ror(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ amount: Int) {
        extr(is64: is64, rd, rn, rn, lsb: amount)
    }

    /// ubfx rd, rn, #lsb, #width: bits lsb..<lsb+width, zero-extended.
    public mutating func ubfx(is64: Bool, _ rd: A64Register, _ rn: A64Register, lsb: Int, width: Int) {
        bitfield(.ubfm, is64: is64, rd, rn, immr: lsb, imms: lsb + width - 1)
    }

    /// sbfx rd, rn, #lsb, #width: bits lsb..<lsb+width, sign-extended.
    public mutating func sbfx(is64: Bool, _ rd: A64Register, _ rn: A64Register, lsb: Int, width: Int) {
        bitfield(.sbfm, is64: is64, rd, rn, immr: lsb, imms: lsb + width - 1)
    }

    /// ubfiz rd, rn, #lsb, #width: the low `width` bits of rn at lsb.
    public mutating func ubfiz(is64: Bool, _ rd: A64Register, _ rn: A64Register, lsb: Int, width: Int) {
        let size = is64 ? 64 : 32
        bitfield(.ubfm, is64: is64, rd, rn, immr: (size - lsb) % size, imms: width - 1)
    }

    /// sxtb/sxth (to w or x) and sxtw (to x).
    public mutating func signExtend(bytes: Int, is64: Bool, _ rd: A64Register, _ rn: A64Register) {
        precondition(bytes == 1 || bytes == 2 || (bytes == 4 && is64), "A64: sign extension of \(bytes) bytes")
        bitfield(.sbfm, is64: is64, rd, rn, immr: 0, imms: 8 * bytes - 1)
    }

    /// uxtb/uxth rd, rn (to a w register, which zero-extends to x).
    public mutating func zeroExtend(bytes: Int, _ rd: A64Register, _ rn: A64Register) {
        precondition(bytes == 1 || bytes == 2, "A64: zero extension of \(bytes) bytes (uxtw is mov w)")
        bitfield(.ubfm, is64: false, rd, rn, immr: 0, imms: 8 * bytes - 1)
    }

    // MARK: Multiplication and bit operations

    /// madd rd, rn, rm, ra (rd = ra + rn * rm), or msub (ra - rn * rm).
    public mutating func multiplyAdd(subtract: Bool = false, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register, _ ra: A64Register) {
        emit(0x1B00_0000 | Self.sf(is64) | Self.zr(rm) << 16 | (subtract ? 1 << 15 : 0) | Self.zr(ra) << 10 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    public mutating func mul(is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        multiplyAdd(is64: is64, rd, rn, rm, .zr)
    }

    /// smulh/umulh xd, xn, xm: the high 64 bits of the 128-bit product.
    public mutating func multiplyHigh(signed: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register) {
        emit((signed ? 0x9B40_0000 : 0x9BC0_0000) | Self.zr(rm) << 16 | 31 << 10 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    public enum BitOperation: UInt32, Sendable {
        case rbit = 0, rev16 = 0x400, rev = 0x800, clz = 0x1000, cls = 0x1400
    }

    /// rbit/rev16/rev/clz/cls rd, rn (rev reverses all bytes of the width).
    public mutating func bitOperation(_ op: BitOperation, is64: Bool, _ rd: A64Register, _ rn: A64Register) {
        let opcode = op == .rev && is64 ? 0xC00 : op.rawValue
        emit(0x5AC0_0000 | Self.sf(is64) | opcode | Self.zr(rn) << 5 | Self.zr(rd))
    }

    // MARK: Conditional operations

    public enum ConditionalSelect: UInt32, Sendable {
        case csel = 0x1A80_0000, csinc = 0x1A80_0400, csinv = 0x5A80_0000, csneg = 0x5A80_0400
    }

    /// csel/csinc/csinv/csneg rd, rn, rm, cond: rd = cond ? rn : f(rm).
    public mutating func conditionalSelect(_ op: ConditionalSelect, is64: Bool, _ rd: A64Register, _ rn: A64Register, _ rm: A64Register,
                                           _ condition: A64Condition) {
        emit(op.rawValue | Self.sf(is64) | Self.zr(rm) << 16 | condition.rawValue << 12 | Self.zr(rn) << 5 | Self.zr(rd))
    }

    /// cset rd, cond: rd = cond ? 1 : 0.
    public mutating func cset(is64: Bool, _ rd: A64Register, _ condition: A64Condition) {
        conditionalSelect(.csinc, is64: is64, rd, .zr, .zr, condition.inverted)
    }

    /// csetm rd, cond: rd = cond ? -1 : 0.
    public mutating func csetm(is64: Bool, _ rd: A64Register, _ condition: A64Condition) {
        conditionalSelect(.csinv, is64: is64, rd, .zr, .zr, condition.inverted)
    }

    /// ccmp rn, #imm5, #nzcv, cond: the flags of cmp rn, #imm5 when cond
    /// holds, else nzcv. `negative` gives ccmn.
    public mutating func ccmp(negative: Bool = false, is64: Bool, _ rn: A64Register, immediate: UInt32, nzcv: UInt32, _ condition: A64Condition) {
        precondition(immediate < 32 && nzcv < 16, "A64: ccmp #\(immediate), #\(nzcv)")
        emit((negative ? 0x3A40_0800 : 0x7A40_0800) | Self.sf(is64) | immediate << 16 | condition.rawValue << 12 | Self.zr(rn) << 5 | nzcv)
    }

    /// ccmp rn, rm, #nzcv, cond.
    public mutating func ccmp(is64: Bool, _ rn: A64Register, _ rm: A64Register, nzcv: UInt32, _ condition: A64Condition) {
        precondition(nzcv < 16, "A64: ccmp nzcv #\(nzcv)")
        emit(0x7A40_0000 | Self.sf(is64) | Self.zr(rm) << 16 | condition.rawValue << 12 | Self.zr(rn) << 5 | nzcv)
    }

    // MARK: Branches

    /// b label (±128 MiB).
    public mutating func b(_ label: Label) { code.emitA64(0x1400_0000, to: label, field: .imm26) }
    /// bl label (±128 MiB).
    public mutating func bl(_ label: Label) { code.emitA64(0x9400_0000, to: label, field: .imm26) }
    /// b.cond label (±1 MiB).
    public mutating func b(_ condition: A64Condition, _ label: Label) {
        code.emitA64(0x5400_0000 | condition.rawValue, to: label, field: .imm19)
    }

    /// cbz/cbnz rt, label (±1 MiB).
    public mutating func cbz(nonZero: Bool = false, is64: Bool, _ rt: A64Register, _ label: Label) {
        code.emitA64((nonZero ? 0x3500_0000 : 0x3400_0000) | Self.sf(is64) | Self.zr(rt), to: label, field: .imm19)
    }

    /// tbz/tbnz rt, #bit, label (±32 KiB).
    public mutating func tbz(nonZero: Bool = false, _ rt: A64Register, bit: Int, _ label: Label) {
        precondition(bit >= 0 && bit < 64, "A64: tbz bit #\(bit)")
        let b = UInt32(bit)
        code.emitA64((nonZero ? 0x3700_0000 : 0x3600_0000) | (b >> 5) << 31 | (b & 31) << 19 | Self.zr(rt), to: label, field: .imm14)
    }

    /// adr xd, label (±1 MiB).
    public mutating func adr(_ rd: A64Register, _ label: Label) {
        code.emitA64(0x1000_0000 | Self.zr(rd), to: label, field: .adr21)
    }

    public mutating func br(_ rn: A64Register) { emit(0xD61F_0000 | Self.zr(rn) << 5) }
    public mutating func blr(_ rn: A64Register) { emit(0xD63F_0000 | Self.zr(rn) << 5) }
    public mutating func ret(_ rn: A64Register = .lr) { emit(0xD65F_0000 | Self.zr(rn) << 5) }
    public mutating func nop() { emit(0xD503_201F) }
    public mutating func brk(_ imm16: UInt16) { emit(0xD420_0000 | UInt32(imm16) << 5) }

    /// A 32-bit word of data: `label`'s offset from `base` (a placed label),
    /// for jump tables.
    public mutating func emitOffset(of label: Label, from base: Label) {
        guard let b = code.offset(of: base) else { preconditionFailure("table base not placed") }
        code.emitDisplacement32(to: label, base: b)
    }
}
