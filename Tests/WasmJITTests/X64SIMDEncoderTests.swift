import Foundation
import Testing
@testable import WasmJIT

/// Every packed SSE form of X64Assembler+SIMD, encoded by `X64Assembler` and
/// disassembled by llvm-mc (Debian's llvm-15), must read back as the
/// instruction meant. The expected text is written from each instruction's
/// meaning (mnemonic, operands in Intel order), never taken from llvm-mc.
@Suite("x86-64 SIMD encoders against llvm-mc",
       .enabled(if: LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct X64SIMDEncoderTests {
    typealias Case = X64EncoderTests.Case

    /// The first registers, the last of the unextended ones, and the extended ones.
    static let xmms: [XMM] = [.xmm0, .xmm1, .xmm7, .xmm8, .xmm15]
    /// General registers next to xmm ones: the REX.B/REX.R cases, and rsp/rbp/r12/r13.
    static let gprs: [GPR] = [.rax, .rcx, .rsp, .rbp, .rsi, .rdi, .r8, .r12, .r13, .r15]

    static func x(_ r: XMM) -> String { "xmm\(r.rawValue)" }
    static func r32(_ r: GPR) -> String { X64EncoderTests.name(r, 32) }
    static func r64(_ r: GPR) -> String { X64EncoderTests.name(r, 64) }

    /// rsp/r12 as a base need a SIB byte, rbp/r13 a displacement; disp8 and
    /// disp32 at their edges; indexes with each scale, extended ones too.
    static var addresses: [X64Address] {
        var out: [X64Address] = []
        for base in [GPR.rax, .rsp, .rbp, .r12, .r13, .rdi, .r15] {
            for d: Int32 in [0, 8, -128, 4096, 127, -129] {
                out.append(X64Address(base, d))
            }
        }
        out.append(X64Address(.rax, 0, index: .rcx))
        out.append(X64Address(.rsp, -4, index: .r9, scale: 4))
        out.append(X64Address(.rbp, 0, index: .r13, scale: 8))
        out.append(X64Address(.r13, 4096, index: .r12, scale: 2))
        out.append(X64Address(.r12, 8, index: .rbp, scale: 1))
        out.append(X64Address(.r15, -128, index: .r15, scale: 8))
        return out
    }

    /// Encodes each case alone, disassembles them all in one llvm-mc run, and
    /// compares, without llvm-mc's trailing "# xmm0 = ..." shuffle comments.
    func check(_ cases: [Case]) throws {
        var lines: [String] = []
        for c in cases {
            var asm = X64Assembler()
            c.emit(&asm)
            asm.code.resolveFixups()
            lines.append(asm.code.bytes.map { String(format: "0x%02x", $0) }.joined(separator: " "))
        }
        let disassembly = try LLVMMC.disassemble(lines).map { line -> String in
            guard let comment = line.range(of: " #") else { return line }
            return line[..<comment.lowerBound].trimmingCharacters(in: .whitespaces)
        }
        #expect(disassembly.count == cases.count, "llvm-mc read \(disassembly.count) instructions for \(cases.count)")
        for (i, c) in cases.enumerated() where i < disassembly.count {
            #expect(disassembly[i] == c.expected, "bytes \(lines[i])")
        }
    }

    /// Each SSEPacked case and the mnemonic it stands for.
    static let packedOps: [(SSEPacked, String)] = [
        (.paddb, "paddb"), (.paddw, "paddw"), (.paddd, "paddd"), (.paddq, "paddq"),
        (.psubb, "psubb"), (.psubw, "psubw"), (.psubd, "psubd"), (.psubq, "psubq"),
        (.pmullw, "pmullw"), (.pmulld, "pmulld"), (.pmuludq, "pmuludq"), (.pmulhw, "pmulhw"), (.pmulhuw, "pmulhuw"),
        (.pmulhrsw, "pmulhrsw"), (.pmaddwd, "pmaddwd"), (.pmaddubsw, "pmaddubsw"),
        (.paddsb, "paddsb"), (.paddsw, "paddsw"), (.paddusb, "paddusb"), (.paddusw, "paddusw"),
        (.psubsb, "psubsb"), (.psubsw, "psubsw"), (.psubusb, "psubusb"), (.psubusw, "psubusw"),
        (.pavgb, "pavgb"), (.pavgw, "pavgw"),
        (.pminsb, "pminsb"), (.pminub, "pminub"), (.pminsw, "pminsw"), (.pminuw, "pminuw"), (.pminsd, "pminsd"),
        (.pminud, "pminud"),
        (.pmaxsb, "pmaxsb"), (.pmaxub, "pmaxub"), (.pmaxsw, "pmaxsw"), (.pmaxuw, "pmaxuw"), (.pmaxsd, "pmaxsd"),
        (.pmaxud, "pmaxud"),
        (.pabsb, "pabsb"), (.pabsw, "pabsw"), (.pabsd, "pabsd"),
        (.pand, "pand"), (.pandn, "pandn"), (.por, "por"), (.pxor, "pxor"),
        (.pcmpeqb, "pcmpeqb"), (.pcmpeqw, "pcmpeqw"), (.pcmpeqd, "pcmpeqd"), (.pcmpeqq, "pcmpeqq"),
        (.pcmpgtb, "pcmpgtb"), (.pcmpgtw, "pcmpgtw"), (.pcmpgtd, "pcmpgtd"), (.pcmpgtq, "pcmpgtq"),
        (.packsswb, "packsswb"), (.packuswb, "packuswb"), (.packssdw, "packssdw"), (.packusdw, "packusdw"),
        (.punpcklbw, "punpcklbw"), (.punpcklwd, "punpcklwd"), (.punpckldq, "punpckldq"), (.punpcklqdq, "punpcklqdq"),
        (.punpckhbw, "punpckhbw"), (.punpckhwd, "punpckhwd"), (.punpckhdq, "punpckhdq"), (.punpckhqdq, "punpckhqdq"),
        (.pshufb, "pshufb"),
        (.psllw, "psllw"), (.pslld, "pslld"), (.psllq, "psllq"), (.psrlw, "psrlw"), (.psrld, "psrld"), (.psrlq, "psrlq"),
        (.psraw, "psraw"), (.psrad, "psrad"),
        (.pmovsxbw, "pmovsxbw"), (.pmovsxwd, "pmovsxwd"), (.pmovsxdq, "pmovsxdq"),
        (.pmovzxbw, "pmovzxbw"), (.pmovzxwd, "pmovzxwd"), (.pmovzxdq, "pmovzxdq"),
        (.ptest, "ptest"),
        (.addps, "addps"), (.addpd, "addpd"), (.subps, "subps"), (.subpd, "subpd"),
        (.mulps, "mulps"), (.mulpd, "mulpd"), (.divps, "divps"), (.divpd, "divpd"),
        (.sqrtps, "sqrtps"), (.sqrtpd, "sqrtpd"), (.minps, "minps"), (.minpd, "minpd"), (.maxps, "maxps"), (.maxpd, "maxpd"),
        (.andps, "andps"), (.andnps, "andnps"), (.orps, "orps"), (.xorps, "xorps"),
        (.andpd, "andpd"), (.andnpd, "andnpd"), (.orpd, "orpd"), (.xorpd, "xorpd"),
        (.cvtdq2ps, "cvtdq2ps"), (.cvttps2dq, "cvttps2dq"), (.cvtdq2pd, "cvtdq2pd"), (.cvttpd2dq, "cvttpd2dq"),
        (.cvtps2pd, "cvtps2pd"), (.cvtpd2ps, "cvtpd2ps"),
        (.unpcklps, "unpcklps"), (.unpcklpd, "unpcklpd"), (.unpckhpd, "unpckhpd"),
        (.movlhps, "movlhps"), (.movhlps, "movhlps"),
    ]

    /// Each SSEPackedImmediate case but the compares, and its mnemonic.
    static let immediateOps: [(SSEPackedImmediate, String)] = [
        (.pshufd, "pshufd"), (.pshufhw, "pshufhw"), (.pshuflw, "pshuflw"), (.shufps, "shufps"), (.shufpd, "shufpd"),
        (.palignr, "palignr"), (.pblendw, "pblendw"), (.blendps, "blendps"), (.blendpd, "blendpd"),
        (.roundps, "roundps"), (.roundpd, "roundpd"), (.insertps, "insertps"),
    ]

    /// The compare predicates of cmpps/cmppd: llvm-mc names the instruction after its immediate.
    static let predicates = ["eq", "lt", "le", "unord", "neq", "nlt", "nle", "ord"]

    /// Each SSEShiftImmediate case and its mnemonic.
    static let shiftOps: [(SSEShiftImmediate, String)] = [
        (.psllw, "psllw"), (.pslld, "pslld"), (.psllq, "psllq"), (.psrlw, "psrlw"), (.psrld, "psrld"), (.psrlq, "psrlq"),
        (.psraw, "psraw"), (.psrad, "psrad"), (.pslldq, "pslldq"), (.psrldq, "psrldq"),
    ]

    @Test func everyCaseIsListed() {
        #expect(Set(Self.packedOps.map(\.0)) == Set(SSEPacked.allCases))
        #expect(Self.packedOps.count == SSEPacked.allCases.count)
        #expect(Set(Self.immediateOps.map(\.0) + [.cmpps, .cmppd]) == Set(SSEPackedImmediate.allCases))
        #expect(Self.immediateOps.count + 2 == SSEPackedImmediate.allCases.count)
        #expect(Set(Self.shiftOps.map(\.0)) == Set(SSEShiftImmediate.allCases))
        #expect(Self.shiftOps.count == SSEShiftImmediate.allCases.count)
    }

    @Test func moves() throws {
        var cases: [Case] = []
        for r in Self.xmms {
            for a in Self.addresses {
                let m = X64EncoderTests.memory(a, "xmmword")
                cases.append(("movdqu \(Self.x(r)), \(m)", { $0.movdqu(r, a) }))
                cases.append(("movdqu \(m), \(Self.x(r))", { $0.movdqu(a, r) }))
            }
            for s in Self.xmms {
                cases.append(("movaps \(Self.x(r)), \(Self.x(s))", { $0.movaps(r, s) }))
            }
        }
        try check(cases)
    }

    @Test func packedOperations() throws {
        var cases: [Case] = []
        for (op, mnemonic) in Self.packedOps {
            for d in Self.xmms {
                for s in Self.xmms {
                    cases.append(("\(mnemonic) \(Self.x(d)), \(Self.x(s))", { $0.packed(op, d, s) }))
                }
            }
        }
        try check(cases)
    }

    @Test func packedWithImmediate() throws {
        var cases: [Case] = []
        for d in Self.xmms {
            for s in Self.xmms {
                let operands = "\(Self.x(d)), \(Self.x(s))"
                for (op, mnemonic) in Self.immediateOps {
                    for imm: UInt8 in [0, 1, 9, 27, 128, 255] {
                        cases.append(("\(mnemonic) \(operands), \(imm)", { $0.packed(op, d, s, imm) }))
                    }
                }
                for (imm, predicate) in Self.predicates.enumerated() {
                    cases.append(("cmp\(predicate)ps \(operands)", { $0.packed(.cmpps, d, s, UInt8(imm)) }))
                    cases.append(("cmp\(predicate)pd \(operands)", { $0.packed(.cmppd, d, s, UInt8(imm)) }))
                }
            }
        }
        try check(cases)
    }

    @Test func shiftsByImmediate() throws {
        var cases: [Case] = []
        for (op, mnemonic) in Self.shiftOps {
            for r in Self.xmms {
                for count: UInt8 in [0, 1, 7, 15, 31, 63, 255] {
                    cases.append(("\(mnemonic) \(Self.x(r)), \(count)", { $0.packedShift(op, r, by: count) }))
                }
            }
        }
        try check(cases)
    }

    @Test func lanesAndMasks() throws {
        var cases: [Case] = []
        for x in Self.xmms {
            let xn = Self.x(x)
            for g in Self.gprs {
                for lane: UInt8 in [0, 1, 7, 15] {
                    cases.append(("pinsrb \(xn), \(Self.r32(g)), \(lane)", { $0.pinsrb(x, g, lane: lane) }))
                    cases.append(("pextrb \(Self.r32(g)), \(xn), \(lane)", { $0.pextrb(g, x, lane: lane) }))
                }
                for lane: UInt8 in [0, 1, 5, 7] {
                    cases.append(("pinsrw \(xn), \(Self.r32(g)), \(lane)", { $0.pinsrw(x, g, lane: lane) }))
                    cases.append(("pextrw \(Self.r32(g)), \(xn), \(lane)", { $0.pextrw(g, x, lane: lane) }))
                }
                for lane: UInt8 in [0, 1, 2, 3] {
                    cases.append(("pinsrd \(xn), \(Self.r32(g)), \(lane)", { $0.pinsrd(x, g, lane: lane) }))
                    cases.append(("pextrd \(Self.r32(g)), \(xn), \(lane)", { $0.pextrd(g, x, lane: lane) }))
                }
                for lane: UInt8 in [0, 1] {
                    cases.append(("pinsrq \(xn), \(Self.r64(g)), \(lane)", { $0.pinsrq(x, g, lane: lane) }))
                    cases.append(("pextrq \(Self.r64(g)), \(xn), \(lane)", { $0.pextrq(g, x, lane: lane) }))
                }
                cases.append(("movmskps \(Self.r32(g)), \(xn)", { $0.movmskps(g, x) }))
                cases.append(("movmskpd \(Self.r32(g)), \(xn)", { $0.movmskpd(g, x) }))
                cases.append(("pmovmskb \(Self.r32(g)), \(xn)", { $0.pmovmskb(g, x) }))
            }
        }
        try check(cases)
    }
}
