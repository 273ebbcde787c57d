/// The x86-64 general-purpose registers, numbered as the encoding does.
public enum GPR: UInt8, CaseIterable, Sendable {
    case rax, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15

    var low3: UInt8 { rawValue & 7 }
    var isExtended: Bool { rawValue >= 8 }
}

/// The SSE registers.
public enum XMM: UInt8, CaseIterable, Sendable {
    case xmm0, xmm1, xmm2, xmm3, xmm4, xmm5, xmm6, xmm7, xmm8, xmm9, xmm10, xmm11, xmm12, xmm13, xmm14, xmm15
}

/// The scalar SSE arithmetic operations (the opcode byte after 0F).
public enum SSEArithmetic: UInt8, Sendable {
    case sqrt = 0x51, and = 0x54, or = 0x56, add = 0x58, mul = 0x59, sub = 0x5C, min = 0x5D, div = 0x5E, max = 0x5F
}

/// SSE4.1 rounding modes (the immediate of roundss/roundsd).
public enum SSERounding: UInt8, Sendable {
    case nearest = 0, floor = 1, ceil = 2, trunc = 3
}

/// A memory operand: base + index + displacement (index scaled by 1, 2, 4 or 8).
public struct X64Address: Sendable {
    public var base: GPR
    public var index: GPR?
    public var scale: UInt8
    public var displacement: Int32

    public init(_ base: GPR, _ displacement: Int32 = 0, index: GPR? = nil, scale: UInt8 = 1) {
        precondition(index != .rsp, "rsp cannot be an index")
        self.base = base
        self.index = index
        self.scale = scale
        self.displacement = displacement
    }
}

/// x86-64 condition codes (the low nibble of Jcc, SETcc, CMOVcc).
public enum X64Condition: UInt8, Sendable {
    case o = 0, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
}

/// The ALU operations that share one encoding pattern (the `/digit` of
/// opcode 81 and the base of their `r/m, reg` opcode).
public enum X64ALU: UInt8, Sendable {
    case add = 0, or = 1, adc = 2, sbb = 3, and = 4, sub = 5, xor = 6, cmp = 7
}

public enum X64Shift: UInt8, Sendable {
    case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7
}

/// An assembler of typed x86-64 instruction encoders: one method per
/// instruction form, each writing exactly the bytes of that form. Every
/// form is checked against llvm-mc's disassembly (X64EncoderTests).
///
/// `is64` selects the 64-bit operand size (REX.W); without it the
/// operation is 32-bit and zero-extends its result.
public struct X64Assembler: Sendable {
    public var code = CodeBuffer()

    public init() {}

    // MARK: Encoding

    /// REX when needed: W, R (reg field), X (index), B (base or r/m).
    /// `byteRegister` forces one for spl/bpl/sil/dil.
    private mutating func rex(w: Bool, r: UInt8 = 0, x: UInt8 = 0, b: UInt8 = 0, byteRegister: GPR? = nil) {
        let bits = (w ? 8 : 0) | ((r >> 3) & 1) << 2 | ((x >> 3) & 1) << 1 | ((b >> 3) & 1)
        if bits != 0 || (byteRegister.map { (4...7).contains($0.rawValue) } ?? false) {
            code.emit(0x40 | UInt8(bits))
        }
    }

    private mutating func modRM(_ mod: UInt8, _ reg: UInt8, _ rm: UInt8) {
        code.emit(mod << 6 | (reg & 7) << 3 | (rm & 7))
    }

    /// An instruction whose r/m operand is a register.
    private mutating func registerForm(w: Bool, _ opcode: UInt32, reg: UInt8, rm: GPR, prefix: UInt8 = 0, byteRegister: GPR? = nil) {
        if prefix != 0 { code.emit(prefix) }
        rex(w: w, r: reg, b: rm.rawValue, byteRegister: byteRegister)
        emitOpcode(opcode)
        modRM(3, reg, rm.low3)
    }

    /// An opcode of one to three bytes, most significant first (0x0FAF is
    /// 0F AF). Passed as a number: arrays of bytes cost an allocation per
    /// instruction, 5% of the JIT's compile time.
    private mutating func emitOpcode(_ opcode: UInt32) {
        if opcode > 0xFFFF { code.emit(UInt8(truncatingIfNeeded: opcode >> 16)) }
        if opcode > 0xFF { code.emit(UInt8(truncatingIfNeeded: opcode >> 8)) }
        code.emit(UInt8(truncatingIfNeeded: opcode))
    }

    /// An instruction of two registers by number (GPR or XMM).
    private mutating func rawRegisterForm(w: Bool, _ opcode: UInt32, reg: UInt8, rm: UInt8, prefix: UInt8 = 0) {
        if prefix != 0 { code.emit(prefix) }
        rex(w: w, r: reg, b: rm)
        emitOpcode(opcode)
        modRM(3, reg, rm & 7)
    }

    /// An instruction whose r/m operand is memory.
    private mutating func memoryForm(w: Bool, _ opcode: UInt32, reg: UInt8, _ address: X64Address, prefix: UInt8 = 0,
                                     byteRegister: GPR? = nil) {
        if prefix != 0 { code.emit(prefix) }
        rex(w: w, r: reg, x: address.index?.rawValue ?? 0, b: address.base.rawValue, byteRegister: byteRegister)
        emitOpcode(opcode)
        let d = address.displacement
        // rbp and r13 as a base have no displacement-free form.
        let mod: UInt8 = d == 0 && address.base.low3 != 5 ? 0 : (Int8(exactly: d) != nil ? 1 : 2)
        if address.index != nil || address.base.low3 == 4 {
            modRM(mod, reg, 4)
            let scaleBits: UInt8 = address.scale == 8 ? 3 : (address.scale == 4 ? 2 : (address.scale == 2 ? 1 : 0))
            code.emit(scaleBits << 6 | (address.index?.low3 ?? 4) << 3 | address.base.low3)
        } else {
            modRM(mod, reg, address.base.low3)
        }
        if mod == 1 { code.emit(UInt8(bitPattern: Int8(d))) }
        if mod == 2 { code.emit32(UInt32(bitPattern: d)) }
    }

    // MARK: Moves

    /// mov dst, src
    public mutating func mov(is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x89, reg: source.rawValue, rm: destination)
    }

    /// mov r32, imm32 (zero-extends to 64 bits).
    public mutating func mov32(_ destination: GPR, immediate: UInt32) {
        rex(w: false, b: destination.rawValue)
        code.emit(0xB8 + destination.low3)
        code.emit32(immediate)
    }

    /// mov r64, imm32 (sign-extended).
    public mutating func mov64(_ destination: GPR, signExtended immediate: Int32) {
        registerForm(w: true, 0xC7, reg: 0, rm: destination)
        code.emit32(UInt32(bitPattern: immediate))
    }

    /// movabs r64, imm64
    public mutating func movabs(_ destination: GPR, _ immediate: UInt64) {
        rex(w: true, b: destination.rawValue)
        code.emit(0xB8 + destination.low3)
        code.emit64(immediate)
    }

    /// The shortest move of a 64-bit constant.
    public mutating func moveConstant(_ destination: GPR, _ value: UInt64) {
        if value == 0 {
            alu(.xor, is64: false, destination, destination)
        } else if value <= UInt64(UInt32.max) {
            mov32(destination, immediate: UInt32(value))
        } else if let small = Int32(exactly: Int64(bitPattern: value)) {
            mov64(destination, signExtended: small)
        } else {
            movabs(destination, value)
        }
    }

    /// mov dst, [address]
    public mutating func load(is64: Bool, _ destination: GPR, _ address: X64Address) {
        memoryForm(w: is64, 0x8B, reg: destination.rawValue, address)
    }

    /// mov [address], src
    public mutating func store(is64: Bool, _ address: X64Address, _ source: GPR) {
        memoryForm(w: is64, 0x89, reg: source.rawValue, address)
    }

    /// mov word [address], src16
    public mutating func store16(_ address: X64Address, _ source: GPR) {
        memoryForm(w: false, 0x89, reg: source.rawValue, address, prefix: 0x66)
    }

    /// mov byte [address], src8
    public mutating func store8(_ address: X64Address, _ source: GPR) {
        memoryForm(w: false, 0x88, reg: source.rawValue, address, byteRegister: source)
    }

    /// mov qword [address], imm32 (sign-extended)
    public mutating func store64(_ address: X64Address, signExtended immediate: Int32) {
        memoryForm(w: true, 0xC7, reg: 0, address)
        code.emit32(UInt32(bitPattern: immediate))
    }

    /// movzx r32, byte [address] / word [address]
    public mutating func loadZeroExtended(bytes: Int, _ destination: GPR, _ address: X64Address) {
        memoryForm(w: false, 0x0F00 | UInt32(bytes == 1 ? 0xB6 : 0xB7), reg: destination.rawValue, address)
    }

    /// movsx dst, byte/word [address]; movsxd r64, dword [address]
    public mutating func loadSignExtended(bytes: Int, is64: Bool, _ destination: GPR, _ address: X64Address) {
        switch bytes {
        case 1: memoryForm(w: is64, 0x0FBE, reg: destination.rawValue, address)
        case 2: memoryForm(w: is64, 0x0FBF, reg: destination.rawValue, address)
        default: memoryForm(w: true, 0x63, reg: destination.rawValue, address)
        }
    }

    /// movzx r32, r8 / r16
    public mutating func zeroExtend(bytes: Int, _ destination: GPR, _ source: GPR) {
        registerForm(w: false, 0x0F00 | UInt32(bytes == 1 ? 0xB6 : 0xB7), reg: destination.rawValue, rm: source,
                     byteRegister: bytes == 1 ? source : nil)
    }

    /// movsx dst, r8 / r16; movsxd r64, r32
    public mutating func signExtend(bytes: Int, is64: Bool, _ destination: GPR, _ source: GPR) {
        switch bytes {
        case 1: registerForm(w: is64, 0x0FBE, reg: destination.rawValue, rm: source, byteRegister: source)
        case 2: registerForm(w: is64, 0x0FBF, reg: destination.rawValue, rm: source)
        default: registerForm(w: true, 0x63, reg: destination.rawValue, rm: source)
        }
    }

    /// lea r64, [address]
    public mutating func lea(_ destination: GPR, _ address: X64Address) {
        memoryForm(w: true, 0x8D, reg: destination.rawValue, address)
    }

    /// lea r64, [rip + label]
    public mutating func lea(_ destination: GPR, _ label: Label) {
        rex(w: true, r: destination.rawValue)
        code.emit(0x8D)
        modRM(0, destination.rawValue, 5)
        code.emitDisplacement32(to: label, base: code.count + 4)
    }

    // MARK: Arithmetic

    /// op dst, src (add, or, and, sub, xor, cmp)
    public mutating func alu(_ op: X64ALU, is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, UInt32(op.rawValue << 3 | 1), reg: source.rawValue, rm: destination)
    }

    /// op dst, imm (imm8 when it fits)
    public mutating func alu(_ op: X64ALU, is64: Bool, _ destination: GPR, immediate: Int32) {
        if let small = Int8(exactly: immediate) {
            registerForm(w: is64, 0x83, reg: op.rawValue, rm: destination)
            code.emit(UInt8(bitPattern: small))
        } else {
            registerForm(w: is64, 0x81, reg: op.rawValue, rm: destination)
            code.emit32(UInt32(bitPattern: immediate))
        }
    }

    /// op dst, [address]
    public mutating func alu(_ op: X64ALU, is64: Bool, _ destination: GPR, _ address: X64Address) {
        memoryForm(w: is64, UInt32(op.rawValue << 3 | 3), reg: destination.rawValue, address)
    }

    /// op [address], imm (imm8 when it fits)
    public mutating func alu(_ op: X64ALU, is64: Bool, _ address: X64Address, immediate: Int32) {
        if let small = Int8(exactly: immediate) {
            memoryForm(w: is64, 0x83, reg: op.rawValue, address)
            code.emit(UInt8(bitPattern: small))
        } else {
            memoryForm(w: is64, 0x81, reg: op.rawValue, address)
            code.emit32(UInt32(bitPattern: immediate))
        }
    }

    /// test a, b
    public mutating func test(is64: Bool, _ a: GPR, _ b: GPR) {
        registerForm(w: is64, 0x85, reg: b.rawValue, rm: a)
    }

    /// imul dst, src
    public mutating func imul(is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x0FAF, reg: destination.rawValue, rm: source)
    }

    /// shl/shr/sar/rol/ror dst, cl
    public mutating func shift(_ op: X64Shift, is64: Bool, _ destination: GPR) {
        registerForm(w: is64, 0xD3, reg: op.rawValue, rm: destination)
    }

    /// neg dst
    public mutating func neg(is64: Bool, _ destination: GPR) {
        registerForm(w: is64, 0xF7, reg: 3, rm: destination)
    }

    /// div src (unsigned rdx:rax / src) and idiv src (signed).
    public mutating func div(signed: Bool, is64: Bool, _ source: GPR) {
        registerForm(w: is64, 0xF7, reg: signed ? 7 : 6, rm: source)
    }

    /// mul src / imul src (one operand): rdx:rax = rax * src, unsigned or signed.
    public mutating func multiplyWide(signed: Bool, is64: Bool, _ source: GPR) {
        registerForm(w: is64, 0xF7, reg: signed ? 5 : 4, rm: source)
    }

    /// cdq (32-bit) / cqo (64-bit): sign-extends eax/rax into edx/rdx.
    public mutating func signExtendAccumulator(is64: Bool) {
        if is64 { code.emit(0x48) }
        code.emit(0x99)
    }

    /// lzcnt, tzcnt, popcnt dst, src
    public mutating func lzcnt(is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x0FBD, reg: destination.rawValue, rm: source, prefix: 0xF3)
    }

    public mutating func tzcnt(is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x0FBC, reg: destination.rawValue, rm: source, prefix: 0xF3)
    }

    public mutating func popcnt(is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x0FB8, reg: destination.rawValue, rm: source, prefix: 0xF3)
    }

    /// setcc r8
    public mutating func set(_ condition: X64Condition, _ destination: GPR) {
        registerForm(w: false, 0x0F00 | UInt32(0x90 | condition.rawValue), reg: 0, rm: destination, byteRegister: destination)
    }

    /// cmovcc dst, src
    public mutating func cmov(_ condition: X64Condition, is64: Bool, _ destination: GPR, _ source: GPR) {
        registerForm(w: is64, 0x0F00 | UInt32(0x40 | condition.rawValue), reg: destination.rawValue, rm: source)
    }

    /// shl/shr/sar/rol/ror dst, imm8
    public mutating func shift(_ op: X64Shift, is64: Bool, _ destination: GPR, by count: UInt8) {
        registerForm(w: is64, 0xC1, reg: op.rawValue, rm: destination)
        code.emit(count)
    }

    // MARK: SSE (scalar floating point)

    /// movd xmm, r32 / movq xmm, r64
    public mutating func movToXMM(is64: Bool, _ destination: XMM, _ source: GPR) {
        rawRegisterForm(w: is64, 0x0F6E, reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
    }

    /// movd r32, xmm / movq r64, xmm
    public mutating func movFromXMM(is64: Bool, _ destination: GPR, _ source: XMM) {
        rawRegisterForm(w: is64, 0x0F7E, reg: source.rawValue, rm: destination.rawValue, prefix: 0x66)
    }

    /// movss/movsd xmm, m32/m64: a float from memory (the rest of xmm cleared).
    public mutating func loadFloat(double: Bool, _ destination: XMM, _ address: X64Address) {
        memoryForm(w: false, 0x0F10, reg: destination.rawValue, address, prefix: double ? 0xF2 : 0xF3)
    }

    /// movss/movsd m32/m64, xmm: the low float of xmm to memory.
    public mutating func storeFloat(double: Bool, _ address: X64Address, _ source: XMM) {
        memoryForm(w: false, 0x0F11, reg: source.rawValue, address, prefix: double ? 0xF2 : 0xF3)
    }

    /// addss/addsd and the other scalar operations, dst = dst op src. The
    /// bitwise ones (andps, orps) act on the whole register.
    public mutating func sse(_ op: SSEArithmetic, double: Bool, _ destination: XMM, _ source: XMM) {
        let prefix: UInt8
        switch op {
        case .and, .or: prefix = 0
        default: prefix = double ? 0xF2 : 0xF3
        }
        rawRegisterForm(w: false, 0x0F00 | UInt32(op.rawValue), reg: destination.rawValue, rm: source.rawValue, prefix: prefix)
    }

    /// ucomiss/ucomisd a, b: flags as an unsigned compare, PF set when unordered.
    public mutating func ucomis(double: Bool, _ a: XMM, _ b: XMM) {
        rawRegisterForm(w: false, 0x0F2E, reg: a.rawValue, rm: b.rawValue, prefix: double ? 0x66 : 0)
    }

    /// cvtsi2ss/cvtsi2sd xmm, r32/r64
    public mutating func convertFromInteger(double: Bool, is64: Bool, _ destination: XMM, _ source: GPR) {
        rawRegisterForm(w: is64, 0x0F2A, reg: destination.rawValue, rm: source.rawValue, prefix: double ? 0xF2 : 0xF3)
    }

    /// cvttss2si/cvttsd2si r32/r64, xmm (truncating)
    public mutating func truncateToInteger(double: Bool, is64: Bool, _ destination: GPR, _ source: XMM) {
        rawRegisterForm(w: is64, 0x0F2C, reg: destination.rawValue, rm: source.rawValue, prefix: double ? 0xF2 : 0xF3)
    }

    /// cvtss2sd (from single) / cvtsd2ss (from double)
    public mutating func convertFloat(fromDouble: Bool, _ destination: XMM, _ source: XMM) {
        rawRegisterForm(w: false, 0x0F5A, reg: destination.rawValue, rm: source.rawValue, prefix: fromDouble ? 0xF2 : 0xF3)
    }

    /// roundss/roundsd xmm, xmm, mode (SSE4.1), without the precision exception.
    public mutating func round(double: Bool, _ destination: XMM, _ source: XMM, _ mode: SSERounding) {
        rawRegisterForm(w: false, 0x0F_3A00 | UInt32(double ? 0x0B : 0x0A), reg: destination.rawValue, rm: source.rawValue, prefix: 0x66)
        code.emit(mode.rawValue | 0x08)
    }

    // MARK: Control

    /// jmp rel32
    public mutating func jmp(_ label: Label) {
        code.emit(0xE9)
        code.emitDisplacement32(to: label, base: code.count + 4)
    }

    /// jcc rel32
    public mutating func j(_ condition: X64Condition, _ label: Label) {
        code.emit(0x0F)
        code.emit(0x80 | condition.rawValue)
        code.emitDisplacement32(to: label, base: code.count + 4)
    }

    /// call rel32
    public mutating func call(_ label: Label) {
        code.emit(0xE8)
        code.emitDisplacement32(to: label, base: code.count + 4)
    }

    /// call r64
    public mutating func call(_ target: GPR) {
        registerForm(w: false, 0xFF, reg: 2, rm: target)
    }

    /// jmp r64
    public mutating func jmp(_ target: GPR) {
        registerForm(w: false, 0xFF, reg: 4, rm: target)
    }

    public mutating func ret() { code.emit(0xC3) }

    public mutating func push(_ register: GPR) {
        rex(w: false, b: register.rawValue)
        code.emit(0x50 + register.low3)
    }

    public mutating func pop(_ register: GPR) {
        rex(w: false, b: register.rawValue)
        code.emit(0x58 + register.low3)
    }

    /// ud2: marks code that can never run.
    public mutating func ud2() {
        code.emit(0x0F)
        code.emit(0x0B)
    }

    /// A 32-bit data word: `label`'s offset minus `base`'s (a jump table entry).
    public mutating func emitOffset(of label: Label, from base: Label) {
        // The base must be placed already: displacements count from it.
        guard let b = code.offset(of: base) else { preconditionFailure("table base not placed") }
        code.emitDisplacement32(to: label, base: b)
    }
}
