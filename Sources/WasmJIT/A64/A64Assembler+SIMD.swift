/// The arrangement of an AdvSIMD vector operand: lane count and lane size
/// (`8b` ... `2d`), which sets the Q bit (64 or 128 bits) and the size
/// field of most forms.
public enum A64Arrangement: CaseIterable, Sendable {
    case b8, b16, h4, h8, s2, s4, d1, d2

    /// The Q bit (bit 30): the whole 128-bit register.
    var q: UInt32 { isFull ? 1 << 30 : 0 }
    var isFull: Bool { self == .b16 || self == .h8 || self == .s4 || self == .d2 }

    /// log2 of the lane's bytes: the size field (bits 23-22).
    public var size: Int {
        switch self {
        case .b8, .b16: return 0
        case .h4, .h8: return 1
        case .s2, .s4: return 2
        case .d1, .d2: return 3
        }
    }

    public var laneBits: Int { 8 << size }

    /// The arrangement of `size` lanes in 64 (`full` false) or 128 bits.
    public init(size: Int, full: Bool) {
        switch (size, full) {
        case (0, false): self = .b8
        case (0, true): self = .b16
        case (1, false): self = .h4
        case (1, true): self = .h8
        case (2, false): self = .s2
        case (2, true): self = .s4
        case (3, false): self = .d1
        default: self = .d2
        }
    }

    /// The same lanes, twice as wide, filling the register (8b -> 8h).
    var widened: A64Arrangement { A64Arrangement(size: size + 1, full: true) }

    /// The assembler's name: "16b", "2d".
    public var name: String {
        switch self {
        case .b8: return "8b"
        case .b16: return "16b"
        case .h4: return "4h"
        case .h8: return "8h"
        case .s2: return "2s"
        case .s4: return "4s"
        case .d1: return "1d"
        case .d2: return "2d"
        }
    }
}

/// The lane size of an element operand (`v1.s[2]`) or of a single-lane
/// load and store.
public enum A64LaneSize: Int, CaseIterable, Sendable {
    case b = 0, h, s, d

    public var lanes: Int { 16 >> rawValue }

    /// The imm5 field of the copy forms (dup, ins, umov, smov): the lane
    /// index above a one-hot size marker.
    func imm5(_ index: Int) -> UInt32 {
        precondition(index >= 0 && index < lanes, "A64: lane \(index) of a \(self) element")
        return UInt32((index << 1 | 1) << rawValue)
    }
}

/// The size of a scalar FP/SIMD load or store (ldr b/h/s/d/q).
public enum A64VectorAccessSize: Int, CaseIterable, Sendable {
    case b = 0, h, s, d, q
}

/// AdvSIMD (NEON) encoders, ARMv8.0-A: the forms the WebAssembly SIMD and
/// relaxed-SIMD operators need (A64MacroAssembler+Vector.swift), each
/// checked against llvm-mc in Tests/WasmJITTests/A64SIMDEncoderTests.swift.
/// Most forms are a group (three-same, two-register-misc, ...) with an
/// operation enum whose raw value carries the U bit and opcode field, so an
/// operand of the wrong arrangement is caught by a precondition rather
/// than emitted as another instruction.
extension A64Assembler {
    // MARK: Three registers of the same arrangement

    /// The integer three-same group: `raw` = U << 5 | opcode.
    public enum VectorThreeSame: UInt32, CaseIterable, Sendable {
        case sqadd = 0x01, srhadd = 0x02, sqsub = 0x05, cmgt = 0x06, cmge = 0x07, sshl = 0x08
        case smax = 0x0C, smin = 0x0D, add = 0x10, cmtst = 0x11, mul = 0x13, smaxp = 0x14, sminp = 0x15
        case sqdmulh = 0x16, addp = 0x17
        case uqadd = 0x21, urhadd = 0x22, uqsub = 0x25, cmhi = 0x26, cmhs = 0x27, ushl = 0x28
        case umax = 0x2C, umin = 0x2D, sub = 0x30, cmeq = 0x31, umaxp = 0x34, uminp = 0x35, sqrdmulh = 0x36

        /// Which lane sizes the operation has (bit n: size n), and whether
        /// 1d is allowed (only for the operations with a scalar 64-bit twin).
        var sizes: Set<Int> {
            switch self {
            case .sqdmulh, .sqrdmulh: return [1, 2]
            case .srhadd, .urhadd, .smax, .smin, .umax, .umin, .mul, .smaxp, .sminp, .umaxp, .uminp: return [0, 1, 2]
            default: return [0, 1, 2, 3]
            }
        }
    }

    /// add, sub, mul, the saturating, min/max, compare, shift-by-register
    /// and pairwise operations: vd.T = vn.T op vm.T.
    public mutating func vector(_ op: VectorThreeSame, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        precondition(op.sizes.contains(t.size) && t != .d1, "A64: \(op) has no \(t.name) form")
        emit(0x0E20_0400 | t.q | (op.rawValue >> 5) << 29 | UInt32(t.size) << 22 | rm.number << 16 | (op.rawValue & 0x1F) << 11
             | rn.number << 5 | rd.number)
    }

    /// The bitwise three-same operations (8b or 16b): `raw` = U << 2 | size.
    /// bsl/bit/bif read vd too (bsl: vd = vd ? vn : vm, bit by bit; bit:
    /// vd = vm ? vn : vd; bif: vd = vm ? vd : vn).
    public enum VectorLogical: UInt32, CaseIterable, Sendable {
        case and = 0, bic = 1, orr = 2, orn = 3, eor = 4, bsl = 5, bit = 6, bif = 7
    }

    public mutating func vector(_ op: VectorLogical, full: Bool = true, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        emit(0x0E20_1C00 | (full ? 1 << 30 : 0) | (op.rawValue >> 2) << 29 | (op.rawValue & 3) << 22 | rm.number << 16
             | rn.number << 5 | rd.number)
    }

    /// mov vd.16b, vn.16b (orr vd, vn, vn).
    public mutating func mov(_ rd: A64FPRegister, _ rn: A64FPRegister) { vector(.orr, rd, rn, rn) }

    /// The floating-point three-same group (4s, 2s or 2d): `raw` = U << 6 |
    /// a << 5 | opcode, where `a` is bit 23 beside the sz bit. fmax and fmin
    /// give a NaN for a NaN operand (the first NaN, quieted); fmaxnm and
    /// fminnm prefer the number.
    public enum VectorFloatThreeSame: UInt32, CaseIterable, Sendable {
        case fmaxnm = 0x18, fmla = 0x19, fadd = 0x1A, fcmeq = 0x1C, fmax = 0x1E
        case fminnm = 0x38, fmls = 0x39, fsub = 0x3A, fmin = 0x3E
        case faddp = 0x5A, fmul = 0x5B, fcmge = 0x5C, fdiv = 0x5F, fcmgt = 0x7C
    }

    public mutating func vector(_ op: VectorFloatThreeSame, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        emit(0x0E20_0400 | Self.floatArrangement(t) | (op.rawValue >> 6) << 29 | ((op.rawValue >> 5) & 1) << 23 | rm.number << 16
             | (op.rawValue & 0x1F) << 11 | rn.number << 5 | rd.number)
    }

    /// Q and sz for a float arrangement: 2s, 4s or 2d.
    static func floatArrangement(_ t: A64Arrangement) -> UInt32 {
        precondition(t == .s2 || t == .s4 || t == .d2, "A64: \(t.name) is not a float arrangement")
        return t.q | (t.size == 3 ? 1 << 22 : 0)
    }

    // MARK: Two registers

    /// The integer two-register-misc group: `raw` = U << 5 | opcode. The
    /// compares with zero set a lane to all ones when it holds.
    public enum VectorTwoMisc: UInt32, CaseIterable, Sendable {
        case rev64 = 0x00, rev16 = 0x01, saddlp = 0x02, cls = 0x04, cnt = 0x05, sadalp = 0x06, sqabs = 0x07
        case cmgtZero = 0x08, cmeqZero = 0x09, cmltZero = 0x0A, abs = 0x0B
        case rev32 = 0x20, uaddlp = 0x22, clz = 0x24, not = 0x25, uadalp = 0x26, sqneg = 0x27
        case cmgeZero = 0x28, cmleZero = 0x29, neg = 0x2B

        var sizes: Set<Int> {
            switch self {
            case .cnt, .not, .rev16: return [0]
            case .rev32: return [0, 1]
            case .rev64, .saddlp, .uaddlp, .sadalp, .uadalp, .cls, .clz: return [0, 1, 2]
            default: return [0, 1, 2, 3]
            }
        }
    }

    /// vd.T = op(vn.T); for the pairwise long ones (saddlp, uaddlp) `t` is
    /// the source's arrangement and the result has half as many lanes,
    /// twice as wide.
    public mutating func vector(_ op: VectorTwoMisc, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        precondition(op.sizes.contains(t.size) && t != .d1, "A64: \(op) has no \(t.name) form")
        emit(0x0E20_0800 | t.q | (op.rawValue >> 5) << 29 | UInt32(t.size) << 22 | (op.rawValue & 0x1F) << 12 | rn.number << 5 | rd.number)
    }

    /// The narrowing moves: `raw` = U << 5 | opcode. xtn truncates; sqxtn,
    /// uqxtn and sqxtun saturate (signed to signed, unsigned to unsigned,
    /// signed to unsigned).
    public enum VectorNarrow: UInt32, CaseIterable, Sendable {
        case xtn = 0x12, sqxtn = 0x14, sqxtun = 0x32, uqxtn = 0x34
    }

    /// vd.T = narrow(vn.(T widened)): for a 64-bit `t` (8b, 4h, 2s) the
    /// lower half, the upper one zeroed; for a 128-bit `t` (the "2" form)
    /// the upper half, the lower one kept.
    public mutating func vector(_ op: VectorNarrow, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        precondition(t.size < 3, "A64: \(op) cannot narrow to \(t.name)")
        emit(0x0E20_0800 | t.q | (op.rawValue >> 5) << 29 | UInt32(t.size) << 22 | (op.rawValue & 0x1F) << 12 | rn.number << 5 | rd.number)
    }

    /// The floating-point two-register-misc group (2s, 4s or 2d): `raw` =
    /// U << 6 | a << 5 | opcode, as for three-same. The fcvtz forms round
    /// toward zero and saturate, giving 0 for NaN; the frint forms round to
    /// an integral float (n: nearest even, m: down, p: up, z: toward zero).
    public enum VectorFloatTwoMisc: UInt32, CaseIterable, Sendable {
        case frintn = 0x18, frintm = 0x19, scvtf = 0x1D
        case fcmgtZero = 0x2C, fcmeqZero = 0x2D, fcmltZero = 0x2E, fabs = 0x2F, frintp = 0x38, frintz = 0x39, fcvtzs = 0x3B
        case ucvtf = 0x5D
        case fcmgeZero = 0x6C, fcmleZero = 0x6D, fneg = 0x6F, fcvtzu = 0x7B, fsqrt = 0x7F
    }

    public mutating func vector(_ op: VectorFloatTwoMisc, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x0E20_0800 | Self.floatArrangement(t) | (op.rawValue >> 6) << 29 | ((op.rawValue >> 5) & 1) << 23
             | (op.rawValue & 0x1F) << 12 | rn.number << 5 | rd.number)
    }

    /// fcvtn: the two doubles of vn.2d to singles, rounded by FPCR (to
    /// nearest), in the lower half of vd (upper zeroed) or, `upper` (fcvtn2),
    /// its upper half (lower kept).
    public mutating func fcvtn(upper: Bool = false, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x0E61_6800 | (upper ? 1 << 30 : 0) | rn.number << 5 | rd.number)
    }

    /// fcvtl: the lower (or, `upper`: fcvtl2, the upper) two singles of vn to vd.2d.
    public mutating func fcvtl(upper: Bool = false, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        emit(0x0E61_7800 | (upper ? 1 << 30 : 0) | rn.number << 5 | rd.number)
    }

    // MARK: Across lanes

    /// The reductions over all lanes into a scalar register (b, h or s by
    /// the lane size; saddlv/uaddlv one size wider): `raw` = U << 5 | opcode.
    public enum VectorAcross: UInt32, CaseIterable, Sendable {
        case saddlv = 0x03, smaxv = 0x0A, sminv = 0x1A, addv = 0x1B
        case uaddlv = 0x23, umaxv = 0x2A, uminv = 0x3A
    }

    public mutating func vector(_ op: VectorAcross, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister) {
        precondition(t.size < 2 || t == .s4, "A64: \(op) has no \(t.name) form")
        emit(0x0E30_0800 | t.q | (op.rawValue >> 5) << 29 | UInt32(t.size) << 22 | (op.rawValue & 0x1F) << 12 | rn.number << 5 | rd.number)
    }

    // MARK: Three registers, widening

    /// The three-different group: `raw` = U << 4 | opcode. Long forms: the
    /// result lanes are twice as wide as the sources'.
    public enum VectorLong: UInt32, CaseIterable, Sendable {
        case saddl = 0x00, ssubl = 0x02, smlal = 0x08, smlsl = 0x0A, smull = 0x0C
        case uaddl = 0x10, usubl = 0x12, umlal = 0x18, umlsl = 0x1A, umull = 0x1C
    }

    /// vd.(T widened) = vn.T op vm.T, `t` being the sources' arrangement: a
    /// 64-bit one (8b, 4h, 2s) reads their lower halves, a 128-bit one (the
    /// "2" forms: smull2 ...) their upper halves.
    public mutating func vector(_ op: VectorLong, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        precondition(t.size < 3, "A64: \(op) has no \(t.name) source")
        emit(0x0E20_0000 | t.q | (op.rawValue >> 4) << 29 | UInt32(t.size) << 22 | rm.number << 16 | (op.rawValue & 0xF) << 12
             | rn.number << 5 | rd.number)
    }

    // MARK: Shifts by an immediate

    /// The shift-by-immediate group: `raw` = U << 5 | opcode.
    public enum VectorShiftImmediate: UInt32, CaseIterable, Sendable {
        case sshr = 0x00, shl = 0x0A
        case ushr = 0x20, sri = 0x28, sli = 0x2A
    }

    /// vd.T = vn.T shifted by `amount`: 0 ..< lane bits for shl and sli,
    /// 1 ... lane bits for the right shifts.
    public mutating func vector(_ op: VectorShiftImmediate, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ amount: Int) {
        precondition(t != .d1, "A64: \(op) has no 1d vector form")
        let bits = t.laneBits
        let left = op == .shl || op == .sli
        precondition(left ? (0..<bits).contains(amount) : (1...bits).contains(amount), "A64: \(op) #\(amount) of \(t.name)")
        let field = left ? bits + amount : 2 * bits - amount
        emit(0x0F00_0400 | t.q | (op.rawValue >> 5) << 29 | UInt32(field) << 16 | (op.rawValue & 0x1F) << 11 | rn.number << 5 | rd.number)
    }

    /// sshll/ushll vd.(T widened), vn.T, #amount: each lane of the lower
    /// (64-bit `t`) or upper (128-bit `t`: sshll2) half widened, then
    /// shifted left. Amount 0 is sxtl/uxtl.
    public mutating func shiftLeftLong(signed: Bool, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ amount: Int = 0) {
        precondition(t.size < 3 && (0..<t.laneBits).contains(amount), "A64: shll #\(amount) of \(t.name)")
        emit(0x0F00_A400 | t.q | (signed ? 0 : 1 << 29) | UInt32(t.laneBits + amount) << 16 | rn.number << 5 | rd.number)
    }

    // MARK: Copies between lanes and registers

    /// dup vd.T, vn.<lane>[index]: every lane = one lane of vn.
    public mutating func dup(_ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, lane index: Int) {
        precondition(t != .d1, "A64: dup has no 1d vector form")
        let size = A64LaneSize(rawValue: t.size)!
        emit(0x0E00_0400 | t.q | size.imm5(index) << 16 | rn.number << 5 | rd.number)
    }

    /// dup vd.T, wn (xn for 2d): every lane = the low bits of a general register.
    public mutating func dup(_ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64Register) {
        precondition(t != .d1, "A64: dup has no 1d vector form")
        let size = A64LaneSize(rawValue: t.size)!
        emit(0x0E00_0C00 | t.q | size.imm5(0) << 16 | Self.zr(rn) << 5 | rd.number)
    }

    /// ins vd.<lane>[index], wn (xn for d): one lane = a general register,
    /// the others kept.
    public mutating func ins(_ size: A64LaneSize, _ rd: A64FPRegister, lane index: Int, _ rn: A64Register) {
        emit(0x4E00_1C00 | size.imm5(index) << 16 | Self.zr(rn) << 5 | rd.number)
    }

    /// ins vd.<lane>[index], vn.<lane>[from]: one lane from another register's.
    public mutating func ins(_ size: A64LaneSize, _ rd: A64FPRegister, lane index: Int, _ rn: A64FPRegister, lane from: Int) {
        let imm4 = UInt32(from) << UInt32(size.rawValue)
        precondition(from >= 0 && from < size.lanes, "A64: lane \(from) of a \(size) element")
        emit(0x6E00_0400 | size.imm5(index) << 16 | imm4 << 11 | rn.number << 5 | rd.number)
    }

    /// umov wd, vn.<lane>[index] (xd for d): a lane, zero-extended.
    public mutating func umov(_ size: A64LaneSize, _ rd: A64Register, _ rn: A64FPRegister, lane index: Int) {
        emit(0x0E00_3C00 | (size == .d ? 1 << 30 : 0) | size.imm5(index) << 16 | rn.number << 5 | Self.zr(rd))
    }

    /// smov wd/xd, vn.<lane>[index] (b or h; s only to x): a lane,
    /// sign-extended to 32 (a w register, whose upper half is zeroed) or 64 bits.
    public mutating func smov(_ size: A64LaneSize, is64: Bool, _ rd: A64Register, _ rn: A64FPRegister, lane index: Int) {
        precondition(size != .d && (size != .s || is64), "A64: smov of a \(size) lane to \(is64 ? "x" : "w")")
        emit(0x0E00_2C00 | (is64 ? 1 << 30 : 0) | size.imm5(index) << 16 | rn.number << 5 | Self.zr(rd))
    }

    // MARK: Immediates

    /// movi vd.T, #imm8 (8b or 16b): every byte = imm8.
    public mutating func movi(full: Bool = true, _ rd: A64FPRegister, bytes imm8: UInt8) {
        modifiedImmediate(q: full, op: 0, cmode: 0xE, imm8: imm8, rd)
    }

    /// movi vd.2d, #mask: each byte of each 64-bit lane is 0xFF where bit
    /// i of `byteMask` is set, else 0.
    public mutating func movi2D(_ rd: A64FPRegister, byteMask: UInt8) {
        modifiedImmediate(q: true, op: 1, cmode: 0xE, imm8: byteMask, rd)
    }

    /// How a 16- or 32-bit modified immediate is applied: set (movi),
    /// set inverted (mvni), or-ed in (orr), cleared (bic).
    public enum VectorImmediateOperation: UInt32, CaseIterable, Sendable {
        case movi = 0, orr = 1, mvni = 2, bic = 3
    }

    /// movi/mvni/orr/bic vd.T, #imm8, lsl #shift for 16-bit (4h, 8h; shift
    /// 0 or 8) or 32-bit lanes (2s, 4s; shift 0, 8, 16 or 24).
    public mutating func vector(_ op: VectorImmediateOperation, _ t: A64Arrangement, _ rd: A64FPRegister, _ imm8: UInt8, shift: Int = 0) {
        precondition(t.size == 1 || t.size == 2, "A64: shifted immediates are 16- or 32-bit (\(t.name))")
        precondition(shift % 8 == 0 && shift >= 0 && shift < t.laneBits, "A64: immediate shift #\(shift) of \(t.name)")
        let cmode = (t.size == 1 ? 0x8 : 0) | UInt32(shift / 8) << 1 | (op.rawValue & 1)
        modifiedImmediate(q: t.isFull, op: op.rawValue >> 1, cmode: cmode, imm8: imm8, rd)
    }

    private mutating func modifiedImmediate(q: Bool, op: UInt32, cmode: UInt32, imm8: UInt8, _ rd: A64FPRegister) {
        let abc = UInt32(imm8 >> 5), defgh = UInt32(imm8 & 0x1F)
        emit(0x0F00_0400 | (q ? 1 << 30 : 0) | op << 29 | abc << 16 | cmode << 12 | defgh << 5 | rd.number)
    }

    // MARK: Permutations and tables

    /// zip, uzp and trn: `raw` is the opcode field.
    public enum VectorPermute: UInt32, CaseIterable, Sendable {
        case uzp1 = 1, trn1 = 2, zip1 = 3, uzp2 = 5, trn2 = 6, zip2 = 7
    }

    public mutating func vector(_ op: VectorPermute, _ t: A64Arrangement, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister) {
        precondition(t != .d1, "A64: \(op) has no 1d form")
        emit(0x0E00_0800 | t.q | UInt32(t.size) << 22 | rm.number << 16 | op.rawValue << 12 | rn.number << 5 | rd.number)
    }

    /// ext vd.16b (8b), vn, vm, #index: bytes index... of the pair vm:vn.
    public mutating func ext(full: Bool = true, _ rd: A64FPRegister, _ rn: A64FPRegister, _ rm: A64FPRegister, _ index: Int) {
        precondition(index >= 0 && index < (full ? 16 : 8), "A64: ext #\(index)")
        emit(0x2E00_0000 | (full ? 1 << 30 : 0) | rm.number << 16 | UInt32(index) << 11 | rn.number << 5 | rd.number)
    }

    /// tbl vd.16b (8b), {vn ... vn+count-1}.16b, vm: each byte of vm
    /// indexes the table of `count` registers (which wrap after v31); an
    /// index past it gives 0 (`extend`: tbx, which keeps vd's byte).
    public mutating func tbl(full: Bool = true, extend: Bool = false, _ rd: A64FPRegister, table rn: A64FPRegister, count: Int = 1,
                             _ rm: A64FPRegister) {
        precondition((1...4).contains(count), "A64: tbl of \(count) registers")
        emit(0x0E00_0000 | (full ? 1 << 30 : 0) | rm.number << 16 | UInt32(count - 1) << 13 | (extend ? 1 << 12 : 0)
             | rn.number << 5 | rd.number)
    }

    // MARK: Loads and stores

    /// ldr/str of a b, h, s, d or q register at [base, #offset]: the
    /// unsigned form, offset a multiple of the size below 4096 of them. A
    /// load zeroes the rest of the 128-bit register.
    public mutating func vectorAccess(load: Bool, _ size: A64VectorAccessSize, _ rt: A64FPRegister, _ base: A64Register, offset: Int) {
        let scale = size.rawValue
        precondition(offset >= 0 && offset & ((1 << scale) - 1) == 0 && offset >> scale < 1 << 12,
                     "A64: offset \(offset) does not fit ldr/str \(size)")
        let sizeBits: UInt32 = size == .q ? 0 : UInt32(scale) << 30
        let opc: UInt32 = (size == .q ? 2 : 0) | (load ? 1 : 0)
        emit(0x3D00_0000 | sizeBits | opc << 22 | UInt32(offset >> scale) << 10 | Self.sp(base) << 5 | rt.number)
    }

    /// ld1r {vt.T}, [base]: one element loaded into every lane.
    public mutating func ld1r(_ t: A64Arrangement, _ rt: A64FPRegister, _ base: A64Register) {
        emit(0x0D40_C000 | t.q | UInt32(t.size) << 10 | Self.sp(base) << 5 | rt.number)
    }

    /// ld1 {vt.<lane>}[index], [base] (the other lanes kept), or st1 of one lane.
    public mutating func singleLane(load: Bool, _ size: A64LaneSize, _ rt: A64FPRegister, lane index: Int, _ base: A64Register) {
        precondition(index >= 0 && index < size.lanes, "A64: lane \(index) of a \(size) element")
        let i = UInt32(index)
        // Q:S:size holds the index above the size's low zero bits.
        let (opcode, q, s, sizeField): (UInt32, UInt32, UInt32, UInt32)
        switch size {
        case .b: (opcode, q, s, sizeField) = (0, i >> 3, (i >> 2) & 1, i & 3)
        case .h: (opcode, q, s, sizeField) = (2, i >> 2, (i >> 1) & 1, (i & 1) << 1)
        case .s: (opcode, q, s, sizeField) = (4, i >> 1, i & 1, 0)
        case .d: (opcode, q, s, sizeField) = (4, i, 0, 1)
        }
        emit(0x0D00_0000 | q << 30 | (load ? 1 << 22 : 0) | opcode << 13 | s << 12 | sizeField << 10 | Self.sp(base) << 5 | rt.number)
    }
}
