import Foundation
import Testing
@testable import WasmJIT

/// Every instruction form the AArch64 backend emits, encoded by
/// `A64Assembler` and disassembled by llvm-mc (Debian's llvm-15), must read
/// back as the instruction meant, in llvm's preferred alias (`mov` for
/// `orr rd, zr, rm`, `cmp` for `subs zr`, `lsl` for `ubfm`...).
@Suite("AArch64 encoders against llvm-mc", .enabled(if: A64LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct A64EncoderTests {
    /// One instruction (or a short sequence, its instructions joined by
    /// "; "): what llvm-mc must print, and how we encode it.
    typealias Case = (expected: String, emit: (inout A64Assembler) -> Void)

    /// x0-x30.
    static let all = A64Register.general
    /// Registers that stress the fields: the first, the last argument
    /// register, the scratch pair, the callee-saved ones, fp and lr.
    static let edgy: [A64Register] = [.x0, .x7, .x15, .x16, .x17, .x19, .x28, .x29, .x30]
    static let vectors = A64FPRegister.allCases

    static func x(_ r: A64Register) -> String { r == .zr ? "xzr" : r == .sp ? "sp" : "x\(r.rawValue)" }
    static func w(_ r: A64Register) -> String { r == .zr ? "wzr" : r == .sp ? "wsp" : "w\(r.rawValue)" }
    static func r(_ r: A64Register, _ is64: Bool) -> String { is64 ? x(r) : w(r) }
    static func hex(_ v: UInt64) -> String { "#0x" + String(v, radix: 16) }

    /// Disassembles every case's words in one llvm-mc run and compares.
    func check(_ cases: [Case], sourceLocation: SourceLocation = #_sourceLocation) throws {
        var words: [[UInt32]] = []
        for c in cases {
            var asm = A64Assembler()
            c.emit(&asm)
            asm.code.resolveFixups()
            words.append(stride(from: 0, to: asm.code.count, by: 4).map { asm.code.word(at: $0) })
        }
        let disassembly = try A64LLVMMC.disassemble(words.flatMap { $0 })
        var next = 0
        for (i, c) in cases.enumerated() {
            let text = disassembly[next..<(next + words[i].count)].joined(separator: "; ")
            next += words[i].count
            let hex = words[i].map { String(format: "0x%08x", $0) }.joined(separator: " ")
            #expect(text == c.expected, "words \(hex)", sourceLocation: sourceLocation)
        }
    }

    // MARK: Immediates

    @Test func moveWide() throws {
        var cases: [Case] = []
        for d in Self.all + [.zr] {
            cases.append(("mov \(Self.x(d)), #4660", { $0.movz(is64: true, d, 0x1234) }))
            cases.append(("mov \(Self.w(d)), #1193017344", { $0.movz(is64: false, d, 0x471C, shift: 16) }))
            cases.append(("movk \(Self.x(d)), #65535, lsl #48", { $0.movk(is64: true, d, 0xFFFF, shift: 48) }))
            cases.append(("movk \(Self.w(d)), #1, lsl #16", { $0.movk(is64: false, d, 1, shift: 16) }))
            cases.append(("mov \(Self.x(d)), #-4661", { $0.movn(is64: true, d, 0x1234) }))
            cases.append(("mov \(Self.w(d)), #-1", { $0.movn(is64: false, d, 0) }))
        }
        cases.append(("movz x3, #0, lsl #32", { $0.movz(is64: true, .x3, 0, shift: 32) }))
        cases.append(("mov x3, #-281474976710656", { $0.movz(is64: true, .x3, 0xFFFF, shift: 48) }))
        try check(cases)
    }

    @Test func moveImmediatePicksTheShortestSequence() throws {
        let cases: [Case] = [
            ("mov x1, #0", { $0.moveImmediate(.x1, 0) }),
            ("mov w1, #0", { $0.moveImmediate(is64: false, .x1, 0) }),
            ("mov x1, #-1", { $0.moveImmediate(.x1, .max) }),
            ("mov w1, #-1", { $0.moveImmediate(is64: false, .x1, 0xFFFF_FFFF) }),
            ("mov x1, #65535", { $0.moveImmediate(.x1, 0xFFFF) }),
            ("mov x1, #4294901760", { $0.moveImmediate(.x1, 0xFFFF_0000) }),
            ("mov x1, #-2", { $0.moveImmediate(.x1, UInt64(bitPattern: -2)) }),
            ("mov w1, #-2", { $0.moveImmediate(is64: false, .x1, 0xFFFF_FFFE) }),
            ("mov x1, #-9223372036854775808", { $0.moveImmediate(.x1, 1 << 63) }),
            // Bitmask immediates take one orr, whatever their halfwords.
            ("mov x1, #6148914691236517205", { $0.moveImmediate(.x1, 0x5555_5555_5555_5555) }),
            ("mov w1, #2147483647", { $0.moveImmediate(is64: false, .x1, 0x7FFF_FFFF) }),
            ("mov x1, #-281470681808896", { $0.moveImmediate(.x1, 0xFFFF_0000_FFFF_0000) }),
            // Otherwise movz or movn and a movk for each other halfword.
            ("mov x1, #4660; movk x1, #22136, lsl #16", { $0.moveImmediate(.x1, 0x5678_1234) }),
            ("mov x1, #12816; movk x1, #30292, lsl #16; movk x1, #47768, lsl #32; movk x1, #65244, lsl #48",
             { $0.moveImmediate(.x1, 0xFEDC_BA98_7654_3210) }),
            ("mov x1, #-60876; movk x1, #4660, lsl #32", { $0.moveImmediate(.x1, 0xFFFF_1234_FFFF_1234) }),
            ("mov x1, #1; movk x1, #1, lsl #48", { $0.moveImmediate(.x1, 0x0001_0000_0000_0001) }),
            ("mov w1, #4660; movk w1, #22136, lsl #16", { $0.moveImmediate(is64: false, .x1, 0x5678_1234) }),
            // A w move takes the low 32 bits.
            ("mov w1, #7", { $0.moveImmediate(is64: false, .x1, 0xFFFF_FFFF_0000_0007) }),
        ]
        try check(cases)
    }

    /// A bitmask of `ones` ones rotated right by `rotation` in an element
    /// of `size` bits, repeated.
    static func bitmask(size: Int, ones: Int, rotation: Int) -> UInt64 {
        let mask: UInt64 = size == 64 ? .max : (1 << size) - 1
        let run: UInt64 = (1 << ones) - 1
        let element = rotation == 0 ? run : ((run >> rotation) | (run << (size - rotation))) & mask
        var value: UInt64 = 0
        for i in stride(from: 0, to: 64, by: size) { value |= element << i }
        return value
    }

    @Test func logicalImmediatesOfEveryElementSize() throws {
        var cases: [Case] = []
        for size in [2, 4, 8, 16, 32, 64] {
            for ones in Set([1, size / 2, size - 1]) where ones < size {
                for rotation in Set([0, 1, size - 1]) {
                    let value = Self.bitmask(size: size, ones: ones, rotation: rotation)
                    #expect(A64Assembler.logicalImmediate(value, is64: true) != nil, "\(Self.hex(value))")
                    cases.append(("and x1, x2, \(Self.hex(value))", { $0.logical(.and, is64: true, .x1, .x2, immediate: value) }))
                    cases.append(("eor sp, x30, \(Self.hex(value))", { $0.logical(.eor, is64: true, .sp, .x30, immediate: value) }))
                    if size <= 32 {
                        let low = value & 0xFFFF_FFFF
                        cases.append(("orr w3, w4, \(Self.hex(low))", { $0.logical(.orr, is64: false, .x3, .x4, immediate: low) }))
                        cases.append(("ands w5, w6, \(Self.hex(low))", { $0.logical(.ands, is64: false, .x5, .x6, immediate: low) }))
                    }
                }
            }
        }
        cases.append(("tst x7, #0x1", { $0.logical(.ands, is64: true, .zr, .x7, immediate: 1) }))
        cases.append(("orr x0, xzr, #0x8000000000000000", { $0.logical(.orr, is64: true, .x0, .zr, immediate: 1 << 63) }))
        try check(cases)
        // Not encodable: none of these is a repeated rotated run of ones.
        for value: UInt64 in [0, .max, 0x1234, 0x5, 0xFFFF_FFFF_FFFF_FFFE ^ 0x10, 0x0101_0101_0101_0100] {
            #expect(A64Assembler.logicalImmediate(value, is64: true) == nil, "\(Self.hex(value))")
        }
        for value: UInt64 in [0, 0xFFFF_FFFF, 0x1_0000_0000, 0x1234] {
            #expect(A64Assembler.logicalImmediate(value, is64: false) == nil, "\(Self.hex(value))")
        }
        var asm = A64Assembler()
        let emitted = asm.logical(.and, is64: true, .x0, .x1, immediate: 0x1234)
        #expect(!emitted)
        #expect(asm.code.count == 0)
    }

    /// Every 13-bit field the encoder produces decodes (by llvm-mc) to the
    /// value it was made for: all 5334 64-bit bitmask immediates.
    @Test func everyBitmaskImmediateRoundTrips() throws {
        var cases: [Case] = []
        for size in [2, 4, 8, 16, 32, 64] {
            for ones in 1..<size {
                for rotation in 0..<size {
                    let value = Self.bitmask(size: size, ones: ones, rotation: rotation)
                    cases.append(("and x0, x1, \(Self.hex(value))", { $0.logical(.and, is64: true, .x0, .x1, immediate: value) }))
                }
            }
        }
        #expect(cases.count == 5334)
        try check(cases)
    }

    // MARK: Arithmetic

    @Test func addAndSubtract() throws {
        var cases: [Case] = []
        let names: [(A64Assembler.AddSub, String)] = [(.add, "add"), (.adds, "adds"), (.sub, "sub"), (.subs, "subs")]
        for is64 in [false, true] {
            let n = { (r: A64Register) in Self.r(r, is64) }
            for d in Self.all {
                for s in Self.edgy {
                    for (op, name) in names {
                        cases.append(("\(name) \(n(d)), \(n(s)), \(n(.x9))", { $0.addSub(op, is64: is64, d, s, .x9) }))
                        cases.append(("\(name) \(n(d)), \(n(s)), #4095", { $0.addSub(op, is64: is64, d, s, immediate: 4095) }))
                        cases.append(("\(name) \(n(d)), \(n(s)), #1, lsl #12", { $0.addSub(op, is64: is64, d, s, immediate: 1, shifted: true) }))
                        cases.append(("\(name) \(n(d)), \(n(s)), \(n(.x30)), lsr #\(is64 ? 63 : 31)",
                                      { $0.addSub(op, is64: is64, d, s, .x30, shift: .lsr, amount: is64 ? 63 : 31) }))
                    }
                }
            }
            // sp as the base and destination of the immediate and extended forms.
            cases.append(("add \(n(.sp)), \(n(.sp)), #16", { $0.addSub(.add, is64: is64, .sp, .sp, immediate: 16) }))
            cases.append(("sub \(n(.sp)), \(n(.sp)), #4095, lsl #12", { $0.addSub(.sub, is64: is64, .sp, .sp, immediate: 4095, shifted: true) }))
            cases.append(("mov \(n(.x1)), \(n(.sp))", { $0.mov(is64: is64, .x1, .sp) }))
            cases.append(("mov \(n(.sp)), \(n(.x1))", { $0.mov(is64: is64, .sp, .x1) }))
            cases.append(("cmp \(n(.x1)), #0", { $0.cmp(is64: is64, .x1, immediate: 0) }))
            cases.append(("cmp \(n(.sp)), #4095", { $0.cmp(is64: is64, .sp, immediate: 4095) }))
            cases.append(("cmn \(n(.x1)), #1", { $0.cmn(is64: is64, .x1, immediate: 1) }))
            cases.append(("cmp \(n(.x1)), \(n(.x2))", { $0.cmp(is64: is64, .x1, .x2) }))
            cases.append(("cmn \(n(.x1)), \(n(.x2))", { $0.cmn(is64: is64, .x1, .x2) }))
            cases.append(("neg \(n(.x1)), \(n(.x2))", { $0.neg(is64: is64, .x1, .x2) }))
            cases.append(("negs \(n(.x1)), \(n(.x2)), asr #3", { $0.addSub(.subs, is64: is64, .x1, .zr, .x2, shift: .asr, amount: 3) }))
            cases.append(("add \(n(.x1)), \(n(.x2)), \(n(.x3)), lsl #4", { $0.addSub(.add, is64: is64, .x1, .x2, .x3, shift: .lsl, amount: 4) }))
            for (op, name) in [(A64Assembler.AddSub.add, "adc"), (.adds, "adcs"), (.sub, "sbc"), (.subs, "sbcs")] {
                for d in Self.edgy {
                    cases.append(("\(name) \(n(d)), \(n(.x1)), \(n(.x2))", { $0.addSubWithCarry(op, is64: is64, d, .x1, .x2) }))
                }
            }
        }
        // Extended registers: the index is a w register for the b/h/w forms.
        let extends: [(A64Extend, String)] = [(.uxtb, "uxtb"), (.uxth, "uxth"), (.uxtw, "uxtw"), (.sxtb, "sxtb"), (.sxth, "sxth"),
                                              (.sxtw, "sxtw")]
        for (extend, name) in extends {
            for amount in [0, 2, 4] {
                let suffix = amount == 0 ? "" : " #\(amount)"
                cases.append(("add x17, x16, w1, \(name)\(suffix)", { $0.addSub(.add, is64: true, .x17, .x16, .x1, extend: extend, amount: amount) }))
                cases.append(("adds x17, x30, w9, \(name)\(suffix)", { $0.addSub(.adds, is64: true, .x17, .x30, .x9, extend: extend, amount: amount) }))
                cases.append(("sub sp, sp, w9, \(name)\(suffix)", { $0.addSub(.sub, is64: true, .sp, .sp, .x9, extend: extend, amount: amount) }))
            }
        }
        cases.append(("add x0, sp, x1", { $0.addSub(.add, is64: true, .x0, .sp, .x1, extend: .uxtx) }))
        cases.append(("add x0, x2, x1, uxtx #3", { $0.addSub(.add, is64: true, .x0, .x2, .x1, extend: .uxtx, amount: 3) }))
        cases.append(("cmp x2, w1, uxtw", { $0.addSub(.subs, is64: true, .zr, .x2, .x1, extend: .uxtw) }))
        try check(cases)
    }

    @Test func logicalRegisters() throws {
        var cases: [Case] = []
        let names: [(A64Assembler.Logical, Bool, String)] = [(.and, false, "and"), (.and, true, "bic"), (.orr, false, "orr"),
                                                            (.orr, true, "orn"), (.eor, false, "eor"), (.eor, true, "eon"),
                                                            (.ands, false, "ands"), (.ands, true, "bics")]
        for is64 in [false, true] {
            let n = { (r: A64Register) in Self.r(r, is64) }
            for d in Self.all {
                for s in Self.edgy {
                    for (op, invert, name) in names {
                        cases.append(("\(name) \(n(d)), \(n(s)), \(n(.x3))", { $0.logical(op, is64: is64, d, s, .x3, invert: invert) }))
                    }
                    cases.append(("orr \(n(d)), \(n(s)), \(n(.x3)), ror #5", { $0.logical(.orr, is64: is64, d, s, .x3, shift: .ror, amount: 5) }))
                    cases.append(("and \(n(d)), \(n(s)), \(n(.x3)), asr #1", { $0.logical(.and, is64: is64, d, s, .x3, shift: .asr, amount: 1) }))
                }
                cases.append(("mov \(n(d)), \(n(.x5))", { $0.mov(is64: is64, d, .x5) }))
                cases.append(("mvn \(n(d)), \(n(.x5))", { $0.mvn(is64: is64, d, .x5) }))
                cases.append(("tst \(n(d)), \(n(.x5))", { $0.tst(is64: is64, d, .x5) }))
            }
        }
        try check(cases)
    }

    @Test func shiftsAndBitfields() throws {
        var cases: [Case] = []
        let variable: [(A64Assembler.VariableShift, String)] = [(.lslv, "lsl"), (.lsrv, "lsr"), (.asrv, "asr"), (.rorv, "ror")]
        for is64 in [false, true] {
            let n = { (r: A64Register) in Self.r(r, is64) }
            let top = is64 ? 63 : 31
            for d in Self.all {
                for s in Self.edgy {
                    for (op, name) in variable {
                        cases.append(("\(name) \(n(d)), \(n(s)), \(n(.x2))", { $0.shift(op, is64: is64, d, s, .x2) }))
                    }
                    cases.append(("udiv \(n(d)), \(n(s)), \(n(.x2))", { $0.div(signed: false, is64: is64, d, s, .x2) }))
                    cases.append(("sdiv \(n(d)), \(n(s)), \(n(.x2))", { $0.div(signed: true, is64: is64, d, s, .x2) }))
                }
                for amount in [1, top] {
                    cases.append(("lsl \(n(d)), \(n(.x1)), #\(amount)", { $0.lsl(is64: is64, d, .x1, amount) }))
                    cases.append(("lsr \(n(d)), \(n(.x1)), #\(amount)", { $0.lsr(is64: is64, d, .x1, amount) }))
                    cases.append(("asr \(n(d)), \(n(.x1)), #\(amount)", { $0.asr(is64: is64, d, .x1, amount) }))
                    cases.append(("ror \(n(d)), \(n(.x1)), #\(amount)", { $0.ror(is64: is64, d, .x1, amount) }))
                }
                cases.append(("extr \(n(d)), \(n(.x1)), \(n(.x2)), #3", { $0.extr(is64: is64, d, .x1, .x2, lsb: 3) }))
                cases.append(("sxtb \(n(d)), w1", { $0.signExtend(bytes: 1, is64: is64, d, .x1) }))
                cases.append(("sxth \(n(d)), w1", { $0.signExtend(bytes: 2, is64: is64, d, .x1) }))
                cases.append(("ubfx \(n(d)), \(n(.x1)), #2, #5", { $0.ubfx(is64: is64, d, .x1, lsb: 2, width: 5) }))
                cases.append(("sbfx \(n(d)), \(n(.x1)), #2, #5", { $0.sbfx(is64: is64, d, .x1, lsb: 2, width: 5) }))
                cases.append(("ubfiz \(n(d)), \(n(.x1)), #2, #5", { $0.ubfiz(is64: is64, d, .x1, lsb: 2, width: 5) }))
                cases.append(("bfxil \(n(d)), \(n(.x1)), #2, #5", { $0.bitfield(.bfm, is64: is64, d, .x1, immr: 2, imms: 6) }))
            }
        }
        for d in Self.edgy {
            cases.append(("sxtw \(Self.x(d)), w3", { $0.signExtend(bytes: 4, is64: true, d, .x3) }))
            cases.append(("uxtb \(Self.w(d)), w3", { $0.zeroExtend(bytes: 1, d, .x3) }))
            cases.append(("uxth \(Self.w(d)), w3", { $0.zeroExtend(bytes: 2, d, .x3) }))
        }
        cases.append(("sbfx x16, x1, #2, #31", { $0.sbfx(is64: true, .x16, .x1, lsb: 2, width: 31) }))
        cases.append(("ubfx x16, x1, #2, #31", { $0.ubfx(is64: true, .x16, .x1, lsb: 2, width: 31) }))
        cases.append(("ubfiz x16, x1, #2, #31", { $0.ubfiz(is64: true, .x16, .x1, lsb: 2, width: 31) }))
        try check(cases)
    }

    @Test func multiplicationAndBitOperations() throws {
        var cases: [Case] = []
        for is64 in [false, true] {
            let n = { (r: A64Register) in Self.r(r, is64) }
            for d in Self.all {
                for s in Self.edgy {
                    cases.append(("madd \(n(d)), \(n(s)), \(n(.x2)), \(n(.x3))", { $0.multiplyAdd(is64: is64, d, s, .x2, .x3) }))
                    cases.append(("msub \(n(d)), \(n(s)), \(n(.x2)), \(n(.x3))", { $0.multiplyAdd(subtract: true, is64: is64, d, s, .x2, .x3) }))
                    cases.append(("mul \(n(d)), \(n(s)), \(n(.x2))", { $0.mul(is64: is64, d, s, .x2) }))
                    cases.append(("clz \(n(d)), \(n(s))", { $0.bitOperation(.clz, is64: is64, d, s) }))
                    cases.append(("cls \(n(d)), \(n(s))", { $0.bitOperation(.cls, is64: is64, d, s) }))
                    cases.append(("rbit \(n(d)), \(n(s))", { $0.bitOperation(.rbit, is64: is64, d, s) }))
                    cases.append(("rev \(n(d)), \(n(s))", { $0.bitOperation(.rev, is64: is64, d, s) }))
                    cases.append(("rev16 \(n(d)), \(n(s))", { $0.bitOperation(.rev16, is64: is64, d, s) }))
                }
            }
        }
        for d in Self.all {
            cases.append(("smulh \(Self.x(d)), x1, x30", { $0.multiplyHigh(signed: true, d, .x1, .x30) }))
            cases.append(("umulh \(Self.x(d)), x30, x1", { $0.multiplyHigh(signed: false, d, .x30, .x1) }))
        }
        try check(cases)
    }

    static let conditionNames = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]

    @Test func conditionalOperations() throws {
        var cases: [Case] = []
        let selects: [(A64Assembler.ConditionalSelect, String)] = [(.csel, "csel"), (.csinc, "csinc"), (.csinv, "csinv"), (.csneg, "csneg")]
        for is64 in [false, true] {
            let n = { (r: A64Register) in Self.r(r, is64) }
            for c in A64Condition.allCases {
                let cn = Self.conditionNames[Int(c.rawValue)]
                for (op, name) in selects {
                    cases.append(("\(name) \(n(.x1)), \(n(.x2)), \(n(.x3)), \(cn)", { $0.conditionalSelect(op, is64: is64, .x1, .x2, .x3, c) }))
                }
                cases.append(("ccmp \(n(.x4)), #31, #15, \(cn)", { $0.ccmp(is64: is64, .x4, immediate: 31, nzcv: 15, c) }))
                cases.append(("ccmn \(n(.x4)), #0, #0, \(cn)", { $0.ccmp(negative: true, is64: is64, .x4, immediate: 0, nzcv: 0, c) }))
                cases.append(("ccmp \(n(.x4)), \(n(.x5)), #4, \(cn)", { $0.ccmp(is64: is64, .x4, .x5, nzcv: 4, c) }))
                if c != .al && c != .nv {
                    cases.append(("cset \(n(.x6)), \(cn)", { $0.cset(is64: is64, .x6, c) }))
                    cases.append(("csetm \(n(.x6)), \(cn)", { $0.csetm(is64: is64, .x6, c) }))
                }
            }
            for d in Self.all {
                cases.append(("csel \(n(d)), \(n(.x30)), \(n(.x0)), ne", { $0.conditionalSelect(.csel, is64: is64, d, .x30, .x0, .ne) }))
            }
        }
        try check(cases)
    }

    // MARK: Branches

    @Test func branchesToLabels() throws {
        var cases: [Case] = []
        // Backward (the label placed first) and forward (a fixup), over nops.
        for c in A64Condition.allCases where c != .nv {
            let cn = Self.conditionNames[Int(c.rawValue)]
            cases.append(("nop; nop; b.\(cn) #-8", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.nop(); a.b(c, l) }))
            cases.append(("b.\(cn) #12; nop; nop", { a in let l = a.code.newLabel(); a.b(c, l); a.nop(); a.nop(); a.code.bind(l) }))
        }
        cases.append(("b #8; nop", { a in let l = a.code.newLabel(); a.b(l); a.nop(); a.code.bind(l) }))
        cases.append(("nop; b #-4", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.b(l) }))
        cases.append(("b #0", { a in let l = a.code.newLabel(); a.code.bind(l); a.b(l) }))
        cases.append(("bl #8; nop", { a in let l = a.code.newLabel(); a.bl(l); a.nop(); a.code.bind(l) }))
        cases.append(("nop; bl #-4", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.bl(l) }))
        for r in Self.all + [.zr] {
            cases.append(("cbz \(Self.x(r)), #8; nop", { a in let l = a.code.newLabel(); a.cbz(is64: true, r, l); a.nop(); a.code.bind(l) }))
            cases.append(("nop; cbnz \(Self.w(r)), #-4", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.cbz(nonZero: true, is64: false, r, l) }))
            cases.append(("tbz \(Self.w(r)), #0, #8; nop", { a in let l = a.code.newLabel(); a.tbz(r, bit: 0, l); a.nop(); a.code.bind(l) }))
            cases.append(("nop; tbnz \(Self.x(r)), #63, #-4", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.tbz(nonZero: true, r, bit: 63, l) }))
            cases.append(("adr \(Self.x(r)), #8; nop", { a in let l = a.code.newLabel(); a.adr(r, l); a.nop(); a.code.bind(l) }))
            cases.append(("nop; adr \(Self.x(r)), #-4", { a in let l = a.code.newLabel(); a.code.bind(l); a.nop(); a.adr(r, l) }))
            cases.append(("br \(Self.x(r))", { $0.br(r) }))
            cases.append(("blr \(Self.x(r))", { $0.blr(r) }))
            cases.append((r == .lr ? "ret" : "ret \(Self.x(r))", { $0.ret(r) }))
        }
        cases.append(("ret", { $0.ret() }))
        cases.append(("nop", { $0.nop() }))
        cases.append(("brk #0", { $0.brk(0) }))
        cases.append(("brk #0xffff", { $0.brk(0xFFFF) }))
        try check(cases)
    }

    /// The fields at the ends of their ranges (labels that far would take
    /// megabytes of nops: the field encoder is what the fixups use).
    @Test func branchOffsetsAtTheirLimits() throws {
        var cases: [Case] = []
        func word(_ base: UInt32, _ field: A64BranchField, _ offset: Int) -> (inout A64Assembler) -> Void {
            { $0.emit(field.insert(offset, into: base)) }
        }
        for offset in [-(1 << 27), (1 << 27) - 4, -4, 0, 4] {
            cases.append(("b #\(offset)", word(0x1400_0000, .imm26, offset)))
            cases.append(("bl #\(offset)", word(0x9400_0000, .imm26, offset)))
        }
        for offset in [-(1 << 20), (1 << 20) - 4, -4, 4] {
            cases.append(("b.ne #\(offset)", word(0x5400_0001, .imm19, offset)))
            cases.append(("cbz x3, #\(offset)", word(0xB400_0003, .imm19, offset)))
            cases.append(("cbnz w3, #\(offset)", word(0x3500_0003, .imm19, offset)))
        }
        for offset in [-(1 << 15), (1 << 15) - 4, -4, 4] {
            cases.append(("tbz w3, #5, #\(offset)", word(0x3628_0003, .imm14, offset)))
            cases.append(("tbnz x3, #40, #\(offset)", word(0xB740_0003, .imm14, offset)))
        }
        for offset in [-(1 << 20), (1 << 20) - 1, -1, 1, 3, 0] {
            cases.append(("adr x3, #\(offset)", word(0x1000_0003, .adr21, offset)))
        }
        try check(cases)
        #expect(!A64BranchField.imm26.fits(1 << 27))
        #expect(!A64BranchField.imm26.fits(-(1 << 27) - 4))
        #expect(!A64BranchField.imm19.fits(1 << 20))
        #expect(!A64BranchField.imm19.fits(-(1 << 20) - 4))
        #expect(!A64BranchField.imm14.fits(1 << 15))
        #expect(!A64BranchField.imm19.fits(2))
        #expect(!A64BranchField.adr21.fits(1 << 20))
        #expect(A64BranchField.adr21.fits(-(1 << 20)))
    }

    /// A branch whose label lands out of its field's reach stops the
    /// process (a precondition), never writes a wrong offset.
    @Test func outOfRangeBranchesArePreconditionFailures() async {
        await #expect(processExitsWith: .failure) {
            var asm = A64Assembler()
            let label = asm.code.newLabel()
            asm.tbz(.x0, bit: 1, label)
            for _ in 0..<(1 << 13) { asm.nop() }
            asm.code.bind(label)
        }
        await #expect(processExitsWith: .failure) {
            _ = A64BranchField.imm19.insert(1 << 20, into: 0x5400_0000)
        }
        await #expect(processExitsWith: .failure) {
            var asm = A64Assembler()
            asm.b(asm.code.newLabel())
            asm.code.resolveFixups()
        }
    }

    @Test func reachOfPlacedLabels() {
        var asm = A64Assembler()
        let label = asm.code.newLabel()
        #expect(!asm.code.a64Reaches(label, field: .imm19), "an unplaced label is not known to be in reach")
        asm.code.bind(label)
        for _ in 0..<(1 << 13) { asm.nop() }
        let edge = (asm.code.a64Reaches(label, field: .imm19), asm.code.a64Reaches(label, field: .imm14))
        #expect(edge == (true, true), "-32 KiB is tbz's reach")
        asm.nop()
        let beyond = (asm.code.a64Reaches(label, field: .imm19), asm.code.a64Reaches(label, field: .imm14))
        #expect(beyond == (true, false))
    }

    // MARK: Loads and stores

    static let accesses: [(A64Access, String, Bool)] = [
        (.strb, "strb", false), (.ldrb, "ldrb", false), (.ldrsbW, "ldrsb", false), (.ldrsbX, "ldrsb", true),
        (.strh, "strh", false), (.ldrh, "ldrh", false), (.ldrshW, "ldrsh", false), (.ldrshX, "ldrsh", true),
        (.strW, "str", false), (.ldrW, "ldr", false), (.ldrsw, "ldrsw", true), (.strX, "str", true), (.ldrX, "ldr", true),
    ]

    /// The unscaled mnemonic of an access (ldur, sturb, ldursw...).
    static func unscaled(_ name: String) -> String {
        name.hasPrefix("ldr") ? "ldur" + name.dropFirst(3) : "stur" + name.dropFirst(3)
    }

    @Test func loadsAndStoresOfGeneralRegisters() throws {
        var cases: [Case] = []
        for (access, name, is64) in Self.accesses {
            let size = 1 << access.scale
            for t in Self.all + [.zr] {
                let tn = Self.r(t, is64)
                for base in [A64Register.x1, .x20, .x30, .sp] {
                    let bn = Self.x(base)
                    cases.append(("\(name) \(tn), [\(bn)]", { $0.access(access, t, .offset(base, 0)) }))
                    cases.append(("\(name) \(tn), [\(bn), #\(4095 * size)]", { $0.access(access, t, .offset(base, 4095 * size)) }))
                    cases.append(("\(Self.unscaled(name)) \(tn), [\(bn), #-256]", { $0.access(access, t, .unscaled(base, -256)) }))
                    cases.append(("\(Self.unscaled(name)) \(tn), [\(bn), #255]", { $0.access(access, t, .unscaled(base, 255)) }))
                    if t.number != base.number {
                        cases.append(("\(name) \(tn), [\(bn), #-256]!", { $0.access(access, t, .preIndex(base, -256)) }))
                        cases.append(("\(name) \(tn), [\(bn)], #255", { $0.access(access, t, .postIndex(base, 255)) }))
                    }
                }
                let shift = " #\(access.scale)"
                cases.append(("\(name) \(tn), [x2, x3]", { $0.access(access, t, .register(.x2, .x3, .uxtx, shifted: false)) }))
                cases.append(("\(name) \(tn), [sp, x3, lsl\(shift)]", { $0.access(access, t, .register(.sp, .x3, .uxtx, shifted: true)) }))
                cases.append(("\(name) \(tn), [x2, w3, uxtw]", { $0.access(access, t, .register(.x2, .x3, .uxtw, shifted: false)) }))
                cases.append(("\(name) \(tn), [x2, w3, sxtw\(shift)]", { $0.access(access, t, .register(.x2, .x3, .sxtw, shifted: true)) }))
                cases.append(("\(name) \(tn), [x2, x30, sxtx]", { $0.access(access, t, .register(.x2, .x30, .sxtx, shifted: false)) }))
            }
        }
        try check(cases)
        #expect(A64Address.immediate(.x1, 8, for: .ldrX).map { if case .offset = $0 { true } else { false } } == true)
        #expect(A64Address.immediate(.x1, 12, for: .ldrX).map { if case .unscaled = $0 { true } else { false } } == true)
        #expect(A64Address.immediate(.x1, 32768, for: .ldrX) == nil)
        #expect(A64Address.immediate(.x1, 32760, for: .ldrX) != nil)
        #expect(A64Address.immediate(.x1, -257, for: .ldrb) == nil)
    }

    @Test func loadsAndStoresOfVectorRegisters() throws {
        var cases: [Case] = []
        let accesses: [(A64Access, String, String)] = [(.strS, "str", "s"), (.ldrS, "ldr", "s"), (.strD, "str", "d"), (.ldrD, "ldr", "d"),
                                                       (.strQ, "str", "q"), (.ldrQ, "ldr", "q")]
        for (access, name, view) in accesses {
            let size = 1 << access.scale
            for v in Self.vectors {
                let vn = "\(view)\(v.rawValue)"
                cases.append(("\(name) \(vn), [x20, #\(4095 * size)]", { $0.access(access, v, .offset(.x20, 4095 * size)) }))
                cases.append(("\(name) \(vn), [sp]", { $0.access(access, v, .offset(.sp, 0)) }))
                cases.append(("\(Self.unscaled(name)) \(vn), [x1, #-8]", { $0.access(access, v, .unscaled(.x1, -8)) }))
                cases.append(("\(name) \(vn), [x1, #16]!", { $0.access(access, v, .preIndex(.x1, 16)) }))
                cases.append(("\(name) \(vn), [x1], #-16", { $0.access(access, v, .postIndex(.x1, -16)) }))
                cases.append(("\(name) \(vn), [x1, x15]", { $0.access(access, v, .register(.x1, .x15, .uxtx, shifted: false)) }))
                cases.append(("\(name) \(vn), [x1, w15, uxtw #\(access.scale)]", { $0.access(access, v, .register(.x1, .x15, .uxtw, shifted: true)) }))
            }
        }
        try check(cases)
    }

    @Test func pairs() throws {
        var cases: [Case] = []
        let sizes: [(A64PairSize, String, Int)] = [(.w, "w", 4), (.x, "x", 8)]
        for (size, view, bytes) in sizes {
            for (t1, t2) in [(A64Register.x0, A64Register.x1), (.x29, .x30), (.x19, .zr), (.x20, .x30)] {
                let pair = "\(view == "w" ? Self.w(t1) : Self.x(t1)), \(view == "w" ? Self.w(t2) : Self.x(t2))"
                for base in [A64Register.sp, .x2] {
                    let bn = Self.x(base)
                    for load in [false, true] {
                        let op = load ? "ldp" : "stp"
                        cases.append(("\(op) \(pair), [\(bn), #\(-64 * bytes)]", { $0.pair(load: load, size, t1, t2, base, offset: -64 * bytes) }))
                        cases.append(("\(op) \(pair), [\(bn), #\(63 * bytes)]", { $0.pair(load: load, size, t1, t2, base, offset: 63 * bytes) }))
                        cases.append(("\(op) \(pair), [\(bn)]", { $0.pair(load: load, size, t1, t2, base, offset: 0) }))
                        cases.append(("\(op) \(pair), [\(bn), #-\(2 * bytes)]!", { $0.pair(load: load, size, t1, t2, base, offset: -2 * bytes, mode: .preIndex) }))
                        cases.append(("\(op) \(pair), [\(bn)], #\(2 * bytes)", { $0.pair(load: load, size, t1, t2, base, offset: 2 * bytes, mode: .postIndex) }))
                    }
                }
            }
        }
        let vectorSizes: [(A64PairSize, String, Int)] = [(.s, "s", 4), (.d, "d", 8), (.q, "q", 16)]
        for (size, view, bytes) in vectorSizes {
            for (v1, v2) in [(A64FPRegister.v0, A64FPRegister.v1), (.v30, .v31), (.v8, .v15)] {
                let pair = "\(view)\(v1.rawValue), \(view)\(v2.rawValue)"
                for load in [false, true] {
                    let op = load ? "ldp" : "stp"
                    cases.append(("\(op) \(pair), [sp, #\(-64 * bytes)]", { $0.pair(load: load, size, v1, v2, .sp, offset: -64 * bytes) }))
                    cases.append(("\(op) \(pair), [x3, #\(63 * bytes)]", { $0.pair(load: load, size, v1, v2, .x3, offset: 63 * bytes) }))
                    cases.append(("\(op) \(pair), [x3, #-\(bytes)]!", { $0.pair(load: load, size, v1, v2, .x3, offset: -bytes, mode: .preIndex) }))
                    cases.append(("\(op) \(pair), [x3], #\(bytes)", { $0.pair(load: load, size, v1, v2, .x3, offset: bytes, mode: .postIndex) }))
                }
            }
        }
        try check(cases)
    }

    // MARK: Floating point

    @Test func scalarFloatingPoint() throws {
        var cases: [Case] = []
        let binary: [(A64Assembler.FloatBinary, String)] = [(.fadd, "fadd"), (.fsub, "fsub"), (.fmul, "fmul"), (.fdiv, "fdiv"), (.fmin, "fmin"),
                                                            (.fmax, "fmax"), (.fminnm, "fminnm"), (.fmaxnm, "fmaxnm")]
        let unary: [(A64Assembler.FloatUnary, String)] = [(.fmov, "fmov"), (.fabs, "fabs"), (.fneg, "fneg"), (.fsqrt, "fsqrt"),
                                                          (.frintn, "frintn"), (.frintp, "frintp"), (.frintm, "frintm"), (.frintz, "frintz")]
        for double in [false, true] {
            let t = double ? "d" : "s"
            for v in Self.vectors {
                let vn = "\(t)\(v.rawValue)"
                for (op, name) in binary {
                    cases.append(("\(name) \(vn), \(t)1, \(t)31", { $0.float(op, double: double, v, .v1, .v31) }))
                }
                for (op, name) in unary {
                    cases.append(("\(name) \(vn), \(t)7", { $0.float(op, double: double, v, .v7) }))
                }
                cases.append(("fcmp \(vn), \(t)30", { $0.fcmp(double: double, v, .v30) }))
                cases.append(("fcmp \(vn), #0.0", { $0.fcmpZero(double: double, v) }))
                cases.append(("fcsel \(vn), \(t)2, \(t)3, mi", { $0.fcsel(double: double, v, .v2, .v3, .mi) }))
                for r in Self.edgy + [.zr] {
                    let rn = Self.r(r, double)
                    cases.append(("fmov \(vn), \(rn)", { $0.fmov(double: double, v, r) }))
                    cases.append(("fmov \(rn), \(vn)", { $0.fmov(double: double, r, v) }))
                }
            }
            for r in Self.edgy {
                for is64 in [false, true] {
                    let rn = Self.r(r, is64)
                    cases.append(("fcvtzs \(rn), \(t)3", { $0.fcvtz(signed: true, is64: is64, double: double, r, .v3) }))
                    cases.append(("fcvtzu \(rn), \(t)3", { $0.fcvtz(signed: false, is64: is64, double: double, r, .v3) }))
                    cases.append(("scvtf \(t)3, \(rn)", { $0.cvtf(signed: true, is64: is64, double: double, .v3, r) }))
                    cases.append(("ucvtf \(t)3, \(rn)", { $0.cvtf(signed: false, is64: is64, double: double, .v3, r) }))
                }
            }
        }
        for v in Self.vectors {
            cases.append(("fcvt d\(v.rawValue), s9", { $0.fcvt(toDouble: true, v, .v9) }))
            cases.append(("fcvt s\(v.rawValue), d9", { $0.fcvt(toDouble: false, v, .v9) }))
        }
        try check(cases)
    }

    @Test func floatImmediates() throws {
        var cases: [Case] = []
        // ±(16...31)/16 × 2^(-3...4): the ends and a few between.
        let values: [(Double, String)] = [(1.0, "1.00000000"), (-1.0, "-1.00000000"), (0.125, "0.12500000"), (31.0, "31.00000000"),
                                          (-0.1328125, "-0.13281250"), (2.5, "2.50000000"), (0.5, "0.50000000")]
        for (value, text) in values {
            let d = A64Assembler.floatImmediate(value.bitPattern, double: true)
            let s = A64Assembler.floatImmediate(UInt64(Float(value).bitPattern), double: false)
            #expect(d != nil && s != nil, "\(value)")
            if let d { cases.append(("fmov d4, #\(text)", { $0.fmov(double: true, .v4, imm8: d) })) }
            if let s { cases.append(("fmov s31, #\(text)", { $0.fmov(double: false, .v31, imm8: s) })) }
        }
        try check(cases)
        for value: Double in [0, -0.0, 32, 0.1, 1.0 / 16, .infinity, .nan, 2_147_483_648, 1.03125] {
            #expect(A64Assembler.floatImmediate(value.bitPattern, double: true) == nil, "\(value)")
            #expect(A64Assembler.floatImmediate(UInt64(Float(value).bitPattern), double: false) == nil, "\(value)")
        }
    }

    @Test func advancedSIMD() throws {
        var cases: [Case] = []
        for v in Self.vectors {
            let n = v.rawValue
            cases.append(("cnt v\(n).8b, v3.8b", { $0.cnt8B(v, .v3) }))
            cases.append(("cnt v3.8b, v\(n).8b", { $0.cnt8B(.v3, v) }))
            cases.append(("addv b\(n), v3.8b", { $0.addv8B(v, .v3) }))
            cases.append(("uaddlv h\(n), v3.8b", { $0.uaddlv8B(v, .v3) }))
            cases.append(("mov v\(n).d[1], x17", { $0.insertHighD(v, .x17) }))
            let next = (n + 1) % 32
            cases.append(("tbl v\(n).16b, { v\(n).16b, v\(next).16b }, v2.16b", { $0.tbl2(v, v, .v2) }))
        }
        cases.append(("mov v2.d[1], xzr", { $0.insertHighD(.v2, .zr) }))
        try check(cases)
    }
}

/// llvm-mc as an AArch64 disassembler.
enum A64LLVMMC {
    static let path: String? = {
        for candidate in ["/usr/bin/llvm-mc-15", "/usr/lib/llvm-15/bin/llvm-mc", "/usr/bin/llvm-mc"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()

    /// One line per word: the instruction in llvm's generic syntax with
    /// single spaces ("add x0, x1, #4"), comments dropped, or
    /// "<invalid>" for a word llvm-mc does not decode.
    static func disassemble(_ words: [UInt32]) throws -> [String] {
        let input = NSTemporaryDirectory() + "wasmcheck-a64-llvm-mc-\(UUID().uuidString).txt"
        let text = words.map { w in (0..<4).map { String(format: "0x%02x", (w >> (8 * $0)) & 0xFF) }.joined(separator: " ") }
        try (text.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--disassemble", "-triple=aarch64", input]
        // stderr to a file: two pipes read one after the other could block.
        let errorFile = input + ".err"
        _ = FileManager.default.createFile(atPath: errorFile, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorFile) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle(forWritingAtPath: errorFile)
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorData = FileManager.default.contents(atPath: errorFile) ?? Data()
        // Lines with a word llvm-mc could not decode: "file:LINE:1: warning: invalid instruction encoding".
        var invalid = Set<Int>()
        for line in String(decoding: errorData, as: UTF8.self).split(separator: "\n") where line.contains("invalid instruction encoding") {
            let fields = line.split(separator: ":")
            if fields.count > 2, let number = Int(fields[1]) { invalid.insert(number - 1) }
        }
        var instructions = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
            var trimmed = line.trimmingCharacters(in: .whitespaces)
            if let comment = trimmed.range(of: "//") { trimmed = String(trimmed[..<comment.lowerBound]).trimmingCharacters(in: .whitespaces) }
            if trimmed.isEmpty || trimmed.hasPrefix(".") { return nil }
            return trimmed.replacingOccurrences(of: "\t", with: " ")
        }.makeIterator()
        return (0..<words.count).map { invalid.contains($0) ? "<invalid>" : (instructions.next() ?? "<missing>") }
    }
}
