/// A load or store of one register: its size and how it extends.
public enum A64Access: CaseIterable, Sendable {
    case strb, ldrb, ldrsbW, ldrsbX
    case strh, ldrh, ldrshW, ldrshX
    case strW, ldrW, ldrsw
    case strX, ldrX
    /// FP/SIMD registers: s, d and q views.
    case strS, ldrS, strD, ldrD, strQ, ldrQ

    /// The unsigned-offset form with every field zero; the other forms
    /// differ in bits 24, 21 and 11-10.
    var base: UInt32 {
        switch self {
        case .strb: return 0x3900_0000
        case .ldrb: return 0x3940_0000
        case .ldrsbX: return 0x3980_0000
        case .ldrsbW: return 0x39C0_0000
        case .strh: return 0x7900_0000
        case .ldrh: return 0x7940_0000
        case .ldrshX: return 0x7980_0000
        case .ldrshW: return 0x79C0_0000
        case .strW: return 0xB900_0000
        case .ldrW: return 0xB940_0000
        case .ldrsw: return 0xB980_0000
        case .strX: return 0xF900_0000
        case .ldrX: return 0xF940_0000
        case .strS: return 0xBD00_0000
        case .ldrS: return 0xBD40_0000
        case .strD: return 0xFD00_0000
        case .ldrD: return 0xFD40_0000
        case .strQ: return 0x3D80_0000
        case .ldrQ: return 0x3DC0_0000
        }
    }

    /// log2 of the bytes accessed (the scale of unsigned offsets).
    public var scale: Int {
        switch self {
        case .strb, .ldrb, .ldrsbW, .ldrsbX: return 0
        case .strh, .ldrh, .ldrshW, .ldrshX: return 1
        case .strW, .ldrW, .ldrsw, .strS, .ldrS: return 2
        case .strX, .ldrX, .strD, .ldrD: return 3
        case .strQ, .ldrQ: return 4
        }
    }

    /// Whether the register is an FP/SIMD one.
    public var isVector: Bool {
        switch self {
        case .strS, .ldrS, .strD, .ldrD, .strQ, .ldrQ: return true
        default: return false
        }
    }

    /// Whether an unsigned scaled offset can address `offset` bytes.
    public func fitsScaled(_ offset: Int) -> Bool {
        offset >= 0 && offset & ((1 << scale) - 1) == 0 && offset >> scale < 1 << 12
    }

    /// Whether the unscaled (ldur/stur) or indexed forms can: 9 signed bits.
    public static func fitsUnscaled(_ offset: Int) -> Bool { (-256...255).contains(offset) }
}

/// The address of a single-register load or store.
public enum A64Address: Sendable {
    /// [base, #offset]: unsigned, a multiple of the access size, below 4096 of them.
    case offset(A64Register, Int)
    /// ldur/stur [base, #offset]: -256...255 bytes.
    case unscaled(A64Register, Int)
    /// [base, #offset]!: base += offset, then the access (-256...255).
    case preIndex(A64Register, Int)
    /// [base], #offset: the access, then base += offset (-256...255).
    case postIndex(A64Register, Int)
    /// [base, index, extend {#scale}]: `index` is read as a w register for
    /// uxtw/sxtw and an x register for uxtx (lsl)/sxtx; `shifted` scales
    /// it by the access size.
    case register(A64Register, A64Register, A64Extend, shifted: Bool)

    /// [base, #offset] in whichever immediate form fits, or nil.
    public static func immediate(_ base: A64Register, _ offset: Int, for access: A64Access) -> A64Address? {
        if access.fitsScaled(offset) { return .offset(base, offset) }
        if A64Access.fitsUnscaled(offset) { return .unscaled(base, offset) }
        return nil
    }
}

/// The register size of a load or store pair.
public enum A64PairSize: Sendable {
    case w, x, s, d, q

    var base: UInt32 {
        switch self {
        case .w: return 0x2800_0000
        case .x: return 0xA800_0000
        case .s: return 0x2C00_0000
        case .d: return 0x6C00_0000
        case .q: return 0xAC00_0000
        }
    }

    var scale: Int {
        switch self {
        case .w, .s: return 2
        case .x, .d: return 3
        case .q: return 4
        }
    }

    var isVector: Bool { self == .s || self == .d || self == .q }
}

/// How a pair's address is formed.
public enum A64PairMode: UInt32, Sendable {
    case postIndex = 0x0080_0000, offset = 0x0100_0000, preIndex = 0x0180_0000
}

extension A64Assembler {
    /// A load or store of a general register (rt 31 is zr: `str xzr`).
    public mutating func access(_ access: A64Access, _ rt: A64Register, _ address: A64Address) {
        precondition(!access.isVector, "A64: \(access) takes an FP/SIMD register")
        emitAccess(access, Self.zr(rt), address)
    }

    /// A load or store of an FP/SIMD register (s, d or q).
    public mutating func access(_ access: A64Access, _ rt: A64FPRegister, _ address: A64Address) {
        precondition(access.isVector, "A64: \(access) takes a general register")
        emitAccess(access, rt.number, address)
    }

    private mutating func emitAccess(_ access: A64Access, _ rt: UInt32, _ address: A64Address) {
        let unscaledBase = access.base & ~0x0100_0000
        switch address {
        case .offset(let base, let offset):
            precondition(access.fitsScaled(offset), "A64: offset \(offset) does not fit \(access)'s scaled unsigned form")
            emit(access.base | UInt32(offset >> access.scale) << 10 | Self.sp(base) << 5 | rt)
        case .unscaled(let base, let offset), .preIndex(let base, let offset), .postIndex(let base, let offset):
            precondition(A64Access.fitsUnscaled(offset), "A64: offset \(offset) does not fit 9 signed bits")
            var mode: UInt32 = 0
            if case .preIndex = address { mode = 0xC00 }
            if case .postIndex = address { mode = 0x400 }
            if mode != 0 { precondition(base.number != rt || access.isVector || base == .sp, "A64: writeback to the transfer register") }
            emit(unscaledBase | (UInt32(bitPattern: Int32(offset)) & 0x1FF) << 12 | mode | Self.sp(base) << 5 | rt)
        case .register(let base, let index, let extend, let shifted):
            precondition([.uxtw, .uxtx, .sxtw, .sxtx].contains(extend), "A64: register offsets extend with uxtw, lsl, sxtw or sxtx")
            emit(unscaledBase | 0x0020_0800 | Self.zr(index) << 16 | extend.rawValue << 13 | (shifted ? 1 << 12 : 0)
                 | Self.sp(base) << 5 | rt)
        }
    }

    /// ldp/stp of general registers (w or x).
    public mutating func pair(load: Bool, _ size: A64PairSize, _ rt1: A64Register, _ rt2: A64Register, _ base: A64Register,
                              offset: Int, mode: A64PairMode = .offset) {
        precondition(!size.isVector, "A64: a \(size) pair takes FP/SIMD registers")
        emitPair(load: load, size, Self.zr(rt1), Self.zr(rt2), base, offset: offset, mode: mode)
    }

    /// ldp/stp of FP/SIMD registers (s, d or q).
    public mutating func pair(load: Bool, _ size: A64PairSize, _ rt1: A64FPRegister, _ rt2: A64FPRegister, _ base: A64Register,
                              offset: Int, mode: A64PairMode = .offset) {
        precondition(size.isVector, "A64: a \(size) pair takes general registers")
        emitPair(load: load, size, rt1.number, rt2.number, base, offset: offset, mode: mode)
    }

    private mutating func emitPair(load: Bool, _ size: A64PairSize, _ rt1: UInt32, _ rt2: UInt32, _ base: A64Register,
                                   offset: Int, mode: A64PairMode) {
        let scaled = offset >> size.scale
        precondition(offset & ((1 << size.scale) - 1) == 0 && (-64...63).contains(scaled),
                     "A64: pair offset \(offset) does not fit 7 signed bits scaled by \(1 << size.scale)")
        emit(size.base | mode.rawValue | (load ? 1 << 22 : 0) | (UInt32(bitPattern: Int32(scaled)) & 0x7F) << 15 | rt2 << 10
             | Self.sp(base) << 5 | rt1)
    }
}
