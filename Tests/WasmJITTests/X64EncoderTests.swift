import Foundation
import Testing
@testable import WasmJIT

/// Every instruction form the x86-64 backend emits, encoded by
/// `X64Assembler` and disassembled by llvm-mc (Debian's llvm-15), must read
/// back as the instruction meant: the encoders are tested like an
/// assembler, against an independent one.
@Suite("x86-64 encoders against llvm-mc", .enabled(if: LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct X64EncoderTests {
    /// One instruction: what llvm-mc must print, and how we encode it.
    typealias Case = (expected: String, emit: (inout X64Assembler) -> Void)

    static let all = GPR.allCases
    /// Registers that stress the encoding: the first, rsp/rbp/r12/r13 (the
    /// SIB and displacement special cases), the byte registers that need a
    /// REX prefix, and the extended ones.
    static let edgy: [GPR] = [.rax, .rcx, .rsp, .rbp, .rsi, .rdi, .r8, .r12, .r13, .r15]

    static func name(_ r: GPR, _ bits: Int) -> String {
        let base = ["ax", "cx", "dx", "bx", "sp", "bp", "si", "di"]
        if r.rawValue >= 8 {
            return "r\(r.rawValue)" + [64: "", 32: "d", 16: "w", 8: "b"][bits]!
        }
        let b = base[Int(r.rawValue)]
        switch bits {
        case 64: return "r" + b
        case 32: return "e" + b
        case 16: return b
        default: return r.rawValue < 4 ? String(b.prefix(1)) + "l" : b + "l"
        }
    }

    static func memory(_ a: X64Address, _ size: String?) -> String {
        var text = "[" + name(a.base, 64)
        if let index = a.index { text += " + " + (a.scale == 1 ? "" : "\(a.scale)*") + name(index, 64) }
        if a.displacement > 0 { text += " + \(a.displacement)" }
        if a.displacement < 0 { text += " - \(-Int(a.displacement))" }
        text += "]"
        return size.map { "\($0) ptr " + text } ?? text
    }

    static var addresses: [X64Address] {
        var out: [X64Address] = []
        for base in edgy {
            out += [X64Address(base), X64Address(base, 8), X64Address(base, -128), X64Address(base, 4096)]
            out.append(X64Address(base, -4, index: .rcx))
            out.append(X64Address(base, 0, index: .r9, scale: 4))
        }
        return out
    }

    func check(_ cases: [Case]) throws {
        var lines: [String] = []
        for c in cases {
            var asm = X64Assembler()
            c.emit(&asm)
            asm.code.resolveFixups()
            lines.append(asm.code.bytes.map { String(format: "0x%02x", $0) }.joined(separator: " "))
        }
        // Without llvm-mc's trailing comments ("# xmm0 = mem[0],zero" after movss).
        let disassembly = try LLVMMC.disassemble(lines).map { line -> String in
            guard let comment = line.range(of: " #") else { return line }
            return line[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
        }
        #expect(disassembly.count == cases.count, "llvm-mc read \(disassembly.count) instructions for \(cases.count)")
        for (i, c) in cases.enumerated() where i < disassembly.count {
            #expect(disassembly[i] == c.expected, "bytes \(lines[i])")
        }
    }

    @Test func registerMoves() throws {
        var cases: [Case] = []
        for d in Self.all {
            for s in Self.all {
                cases.append(("mov \(Self.name(d, 64)), \(Self.name(s, 64))", { $0.mov(is64: true, d, s) }))
                cases.append(("mov \(Self.name(d, 32)), \(Self.name(s, 32))", { $0.mov(is64: false, d, s) }))
            }
            cases.append(("mov \(Self.name(d, 32)), 305419896", { $0.mov32(d, immediate: 0x1234_5678) }))
            cases.append(("mov \(Self.name(d, 64)), -2", { $0.mov64(d, signExtended: -2) }))
            cases.append(("movabs \(Self.name(d, 64)), -81985529216486896", { $0.movabs(d, 0xFEDC_BA98_7654_3210) }))
            cases.append(("push \(Self.name(d, 64))", { $0.push(d) }))
            cases.append(("pop \(Self.name(d, 64))", { $0.pop(d) }))
            cases.append(("call \(Self.name(d, 64))", { $0.call(d) }))
            cases.append(("jmp \(Self.name(d, 64))", { $0.jmp(d) }))
        }
        try check(cases)
    }

    @Test func loadsAndStores() throws {
        var cases: [Case] = []
        for a in Self.addresses {
            for r in [GPR.rax, .rsi, .rdi, .r11] {
                cases.append(("mov \(Self.name(r, 64)), \(Self.memory(a, "qword"))", { $0.load(is64: true, r, a) }))
                cases.append(("mov \(Self.name(r, 32)), \(Self.memory(a, "dword"))", { $0.load(is64: false, r, a) }))
                cases.append(("mov \(Self.memory(a, "qword")), \(Self.name(r, 64))", { $0.store(is64: true, a, r) }))
                cases.append(("mov \(Self.memory(a, "dword")), \(Self.name(r, 32))", { $0.store(is64: false, a, r) }))
                cases.append(("mov \(Self.memory(a, "word")), \(Self.name(r, 16))", { $0.store16(a, r) }))
                cases.append(("mov \(Self.memory(a, "byte")), \(Self.name(r, 8))", { $0.store8(a, r) }))
                cases.append(("movzx \(Self.name(r, 32)), \(Self.memory(a, "byte"))", { $0.loadZeroExtended(bytes: 1, r, a) }))
                cases.append(("movzx \(Self.name(r, 32)), \(Self.memory(a, "word"))", { $0.loadZeroExtended(bytes: 2, r, a) }))
                for is64 in [false, true] {
                    let bits = is64 ? 64 : 32
                    cases.append(("movsx \(Self.name(r, bits)), \(Self.memory(a, "byte"))", { $0.loadSignExtended(bytes: 1, is64: is64, r, a) }))
                    cases.append(("movsx \(Self.name(r, bits)), \(Self.memory(a, "word"))", { $0.loadSignExtended(bytes: 2, is64: is64, r, a) }))
                }
                cases.append(("movsxd \(Self.name(r, 64)), \(Self.memory(a, "dword"))", { $0.loadSignExtended(bytes: 4, is64: true, r, a) }))
                cases.append(("lea \(Self.name(r, 64)), \(Self.memory(a, nil))", { $0.lea(r, a) }))
            }
            cases.append(("mov \(Self.memory(a, "qword")), -7", { $0.store64(a, signExtended: -7) }))
        }
        try check(cases)
    }

    @Test func arithmetic() throws {
        var cases: [Case] = []
        let ops: [(X64ALU, String)] = [(.add, "add"), (.or, "or"), (.adc, "adc"), (.sbb, "sbb"), (.and, "and"), (.sub, "sub"),
                                       (.xor, "xor"), (.cmp, "cmp")]
        for is64 in [false, true] {
            let bits = is64 ? 64 : 32
            let size = is64 ? "qword" : "dword"
            for d in Self.all {
                let dn = Self.name(d, bits)
                for (op, mnemonic) in ops {
                    for s in Self.edgy {
                        cases.append(("\(mnemonic) \(dn), \(Self.name(s, bits))", { $0.alu(op, is64: is64, d, s) }))
                    }
                    cases.append(("\(mnemonic) \(dn), 100", { $0.alu(op, is64: is64, d, immediate: 100) }))
                    // llvm-mc shows a 32-bit operation's immediate unsigned.
                    let minus100000 = is64 ? "-100000" : "4294867296"
                    cases.append(("\(mnemonic) \(dn), \(minus100000)", { $0.alu(op, is64: is64, d, immediate: -100_000) }))
                    let a = X64Address(.r13, 24)
                    cases.append(("\(mnemonic) \(dn), \(Self.memory(a, size))", { $0.alu(op, is64: is64, d, a) }))
                    cases.append(("\(mnemonic) \(Self.memory(a, size)), 1", { $0.alu(op, is64: is64, a, immediate: 1) }))
                    cases.append(("\(mnemonic) \(Self.memory(a, size)), 1000", { $0.alu(op, is64: is64, a, immediate: 1000) }))
                }
                for s in Self.edgy {
                    cases.append(("test \(dn), \(Self.name(s, bits))", { $0.test(is64: is64, d, s) }))
                    cases.append(("imul \(dn), \(Self.name(s, bits))", { $0.imul(is64: is64, d, s) }))
                    cases.append(("lzcnt \(dn), \(Self.name(s, bits))", { $0.lzcnt(is64: is64, d, s) }))
                    cases.append(("tzcnt \(dn), \(Self.name(s, bits))", { $0.tzcnt(is64: is64, d, s) }))
                    cases.append(("popcnt \(dn), \(Self.name(s, bits))", { $0.popcnt(is64: is64, d, s) }))
                    for (c, suffix) in Self.conditions {
                        cases.append(("cmov\(suffix) \(dn), \(Self.name(s, bits))", { $0.cmov(c, is64: is64, d, s) }))
                    }
                }
                for (shift, mnemonic) in [(X64Shift.rol, "rol"), (.ror, "ror"), (.shl, "shl"), (.shr, "shr"), (.sar, "sar")] {
                    cases.append(("\(mnemonic) \(dn), cl", { $0.shift(shift, is64: is64, d) }))
                }
                cases.append(("neg \(dn)", { $0.neg(is64: is64, d) }))
                cases.append(("div \(dn)", { $0.div(signed: false, is64: is64, d) }))
                cases.append(("idiv \(dn)", { $0.div(signed: true, is64: is64, d) }))
                cases.append(("mul \(dn)", { $0.multiplyWide(signed: false, is64: is64, d) }))
                cases.append(("imul \(dn)", { $0.multiplyWide(signed: true, is64: is64, d) }))
            }
        }
        cases.append(("cdq", { $0.signExtendAccumulator(is64: false) }))
        cases.append(("cqo", { $0.signExtendAccumulator(is64: true) }))
        try check(cases)
    }

    @Test func scalarFloatingPoint() throws {
        var cases: [Case] = []
        let xmms: [XMM] = [.xmm0, .xmm1, .xmm7, .xmm8, .xmm15]
        let ops: [(SSEArithmetic, String)] = [(.sqrt, "sqrt"), (.add, "add"), (.mul, "mul"), (.sub, "sub"), (.min, "min"),
                                                (.div, "div"), (.max, "max")]
        for x in xmms {
            let xn = "xmm\(x.rawValue)"
            for r in Self.edgy {
                cases.append(("movd \(xn), \(Self.name(r, 32))", { $0.movToXMM(is64: false, x, r) }))
                cases.append(("movq \(xn), \(Self.name(r, 64))", { $0.movToXMM(is64: true, x, r) }))
                cases.append(("movd \(Self.name(r, 32)), \(xn)", { $0.movFromXMM(is64: false, r, x) }))
                cases.append(("movq \(Self.name(r, 64)), \(xn)", { $0.movFromXMM(is64: true, r, x) }))
                for double in [false, true] {
                    let t = double ? "sd" : "ss"
                    for is64 in [false, true] {
                        let bits = is64 ? 64 : 32
                        cases.append(("cvtsi2\(t) \(xn), \(Self.name(r, bits))", { $0.convertFromInteger(double: double, is64: is64, x, r) }))
                        cases.append(("cvtt\(t)2si \(Self.name(r, bits)), \(xn)", { $0.truncateToInteger(double: double, is64: is64, r, x) }))
                    }
                }
            }
            // Floats between xmm registers and memory (slots, globals, the
            // linear memory's base + index - size).
            for a in Self.addresses {
                for double in [false, true] {
                    let t = double ? "sd" : "ss"
                    let m = Self.memory(a, double ? "qword" : "dword")
                    cases.append(("mov\(t) \(xn), \(m)", { $0.loadFloat(double: double, x, a) }))
                    cases.append(("mov\(t) \(m), \(xn)", { $0.storeFloat(double: double, a, x) }))
                }
            }
            for y in xmms {
                let yn = "xmm\(y.rawValue)"
                for double in [false, true] {
                    let t = double ? "sd" : "ss"
                    for (op, mnemonic) in ops {
                        cases.append(("\(mnemonic)\(t) \(xn), \(yn)", { $0.sse(op, double: double, x, y) }))
                    }
                    cases.append(("ucomi\(t) \(xn), \(yn)", { $0.ucomis(double: double, x, y) }))
                    for (mode, imm) in [(SSERounding.nearest, 8), (.floor, 9), (.ceil, 10), (.trunc, 11)] {
                        cases.append(("round\(t) \(xn), \(yn), \(imm)", { $0.round(double: double, x, y, mode) }))
                    }
                }
                cases.append(("andps \(xn), \(yn)", { $0.sse(.and, double: false, x, y) }))
                cases.append(("orps \(xn), \(yn)", { $0.sse(.or, double: false, x, y) }))
                cases.append(("cvtss2sd \(xn), \(yn)", { $0.convertFloat(fromDouble: false, x, y) }))
                cases.append(("cvtsd2ss \(xn), \(yn)", { $0.convertFloat(fromDouble: true, x, y) }))
            }
        }
        for r in Self.edgy {
            for (shift, mnemonic) in [(X64Shift.rol, "rol"), (.ror, "ror"), (.shl, "shl"), (.shr, "shr"), (.sar, "sar")] {
                cases.append(("\(mnemonic) \(Self.name(r, 64)), 3", { $0.shift(shift, is64: true, r, by: 3) }))
                cases.append(("\(mnemonic) \(Self.name(r, 32)), 3", { $0.shift(shift, is64: false, r, by: 3) }))
            }
        }
        try check(cases)
    }

    static let conditions: [(X64Condition, String)] = [
        (.o, "o"), (.no, "no"), (.b, "b"), (.ae, "ae"), (.e, "e"), (.ne, "ne"), (.be, "be"), (.a, "a"),
        (.s, "s"), (.ns, "ns"), (.p, "p"), (.np, "np"), (.l, "l"), (.ge, "ge"), (.le, "le"), (.g, "g"),
    ]

    @Test func extensionsAndFlags() throws {
        var cases: [Case] = []
        for d in Self.all {
            for s in Self.all {
                cases.append(("movzx \(Self.name(d, 32)), \(Self.name(s, 8))", { $0.zeroExtend(bytes: 1, d, s) }))
                cases.append(("movzx \(Self.name(d, 32)), \(Self.name(s, 16))", { $0.zeroExtend(bytes: 2, d, s) }))
                cases.append(("movsx \(Self.name(d, 32)), \(Self.name(s, 8))", { $0.signExtend(bytes: 1, is64: false, d, s) }))
                cases.append(("movsx \(Self.name(d, 64)), \(Self.name(s, 8))", { $0.signExtend(bytes: 1, is64: true, d, s) }))
                cases.append(("movsx \(Self.name(d, 32)), \(Self.name(s, 16))", { $0.signExtend(bytes: 2, is64: false, d, s) }))
                cases.append(("movsx \(Self.name(d, 64)), \(Self.name(s, 16))", { $0.signExtend(bytes: 2, is64: true, d, s) }))
                cases.append(("movsxd \(Self.name(d, 64)), \(Self.name(s, 32))", { $0.signExtend(bytes: 4, is64: true, d, s) }))
            }
            for (c, suffix) in Self.conditions {
                cases.append(("set\(suffix) \(Self.name(d, 8))", { $0.set(c, d) }))
            }
        }
        try check(cases)
    }

    /// Branches to a label 0x100 bytes on (placed after padding), and the
    /// few fixed instructions.
    @Test func branchesAndControl() throws {
        func toLabel(_ prefix: @escaping (inout X64Assembler, Label) -> Void) -> (inout X64Assembler) -> Void {
            { asm in
                let l = asm.code.newLabel()
                prefix(&asm, l)
                let end = asm.code.count
                asm.code.emit([UInt8](repeating: 0, count: 0x100 - end))
                asm.code.bind(l)
            }
        }
        // llvm-mc shows the displacement; the padding after the branch is
        // not part of the instruction, so each case is disassembled alone:
        // only the first line is compared.
        var cases: [Case] = []
        cases.append(("jmp 251", toLabel { $0.jmp($1) }))
        cases.append(("call 251", toLabel { $0.call($1) }))
        for (c, suffix) in Self.conditions {
            cases.append(("j\(suffix) 250", toLabel { $0.j(c, $1) }))
        }
        cases.append(("lea rax, [rip + 249]", toLabel { $0.lea(.rax, $1) }))
        cases.append(("lea r9, [rip + 249]", toLabel { $0.lea(.r9, $1) }))
        cases.append(("ret", { $0.ret() }))
        cases.append(("ud2", { $0.ud2() }))
        for c in cases {
            var asm = X64Assembler()
            c.emit(&asm)
            asm.code.resolveFixups()
            let length = c.expected.hasPrefix("j") && !c.expected.hasPrefix("jmp") ? 6 : (c.expected.hasPrefix("lea") ? 7 : 5)
            let bytes = c.expected == "ret" ? [0xC3] : (c.expected == "ud2" ? [0x0F, 0x0B] : Array(asm.code.bytes.prefix(length)))
            let text = try LLVMMC.disassemble([bytes.map { String(format: "0x%02x", $0) }.joined(separator: " ")])
            #expect(text == [c.expected])
        }
    }
}

/// llvm-mc from Debian's llvm-15, as a disassembler.
enum LLVMMC {
    static let path: String? = {
        for candidate in ["/usr/bin/llvm-mc-15", "/usr/lib/llvm-15/bin/llvm-mc", "/usr/bin/llvm-mc"]
        where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        return nil
    }()

    /// The instructions of each line of hex bytes, in Intel syntax with
    /// single spaces ("mov rax, rcx").
    static func disassemble(_ lines: [String], triple: String = "x86_64") throws -> [String] {
        let input = NSTemporaryDirectory() + "wasmcheck-llvm-mc-\(UUID().uuidString).txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path!)
        process.arguments = ["--disassemble", "-triple=\(triple)", "-output-asm-variant=1", input]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        return text.split(separator: "\n").compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix(".") { return nil }
            return trimmed.replacingOccurrences(of: "\t", with: " ")
        }
    }
}
