import Foundation
import Testing
@testable import WasmJIT

/// Every AdvSIMD form of A64Assembler+SIMD, in every arrangement it takes,
/// encoded and disassembled by llvm-mc (Debian's llvm-15, ARMv8.0-A with
/// AdvSIMD only). The expected text is written from each instruction's
/// meaning, in llvm's spelling (its preferred aliases: mov for orr of one
/// register and for umov of s/d lanes and ins, mvn for not), never taken
/// from llvm-mc's output.
@Suite("AArch64 SIMD encoders against llvm-mc",
       .enabled(if: LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct A64SIMDEncoderTests {
    typealias Case = (expected: String, emit: (inout A64Assembler) -> Void)

    /// The first and last registers, and the ones around the v15/v16 edge.
    static let vs: [A64FPRegister] = [.v0, .v1, .v15, .v16, .v31]
    static let bases: [A64Register] = [.x0, .x15, .x20, .sp]

    static func v(_ r: A64FPRegister, _ t: A64Arrangement) -> String { "v\(r.rawValue).\(t.name)" }
    static func base(_ r: A64Register) -> String { r == .sp ? "sp" : "x\(r.rawValue)" }
    static let lane = ["b", "h", "s", "d"]

    /// Three register triples that cover each field's edges and differ in every field.
    static let triples: [(A64FPRegister, A64FPRegister, A64FPRegister)] = [(.v0, .v1, .v2), (.v31, .v16, .v15), (.v17, .v31, .v0)]
    static let pairs: [(A64FPRegister, A64FPRegister)] = [(.v0, .v1), (.v31, .v16), (.v15, .v31)]

    static let integerArrangements: [A64Arrangement] = [.b8, .b16, .h4, .h8, .s2, .s4, .d2]

    func check(_ cases: [Case]) throws {
        var words: [UInt32] = []
        for c in cases {
            var asm = A64Assembler()
            c.emit(&asm)
            #expect(asm.code.count == 4, "one instruction for \(c.expected)")
            words.append(asm.code.word(at: 0))
        }
        let text = try A64Disassembler.disassemble(words)
        #expect(text.count == cases.count)
        for (i, c) in cases.enumerated() where i < text.count {
            #expect(text[i] == c.expected, "word \(String(format: "0x%08x", words[i]))")
        }
    }

    @Test func threeSame() throws {
        let names: [A64Assembler.VectorThreeSame: String] = [
            .sqadd: "sqadd", .srhadd: "srhadd", .sqsub: "sqsub", .cmgt: "cmgt", .cmge: "cmge", .sshl: "sshl", .smax: "smax",
            .smin: "smin", .add: "add", .cmtst: "cmtst", .mul: "mul", .smaxp: "smaxp", .sminp: "sminp", .sqdmulh: "sqdmulh",
            .addp: "addp", .uqadd: "uqadd", .urhadd: "urhadd", .uqsub: "uqsub", .cmhi: "cmhi", .cmhs: "cmhs", .ushl: "ushl",
            .umax: "umax", .umin: "umin", .sub: "sub", .cmeq: "cmeq", .umaxp: "umaxp", .uminp: "uminp", .sqrdmulh: "sqrdmulh",
        ]
        #expect(names.count == A64Assembler.VectorThreeSame.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorThreeSame.allCases {
            for t in Self.integerArrangements where op.sizes.contains(t.size) {
                for (d, n, m) in Self.triples {
                    cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t)), \(Self.v(m, t))", { $0.vector(op, t, d, n, m) }))
                }
            }
        }
        try check(cases)
    }

    @Test func logical() throws {
        let names: [A64Assembler.VectorLogical: String] = [
            .and: "and", .bic: "bic", .orr: "orr", .orn: "orn", .eor: "eor", .bsl: "bsl", .bit: "bit", .bif: "bif",
        ]
        #expect(names.count == A64Assembler.VectorLogical.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorLogical.allCases {
            for full in [false, true] {
                let t: A64Arrangement = full ? .b16 : .b8
                for (d, n, m) in Self.triples {
                    cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t)), \(Self.v(m, t))", { $0.vector(op, full: full, d, n, m) }))
                }
            }
        }
        for (d, n) in Self.pairs {
            cases.append(("mov \(Self.v(d, .b16)), \(Self.v(n, .b16))", { $0.mov(d, n) }))
        }
        try check(cases)
    }

    @Test func floatThreeSame() throws {
        let names: [A64Assembler.VectorFloatThreeSame: String] = [
            .fmaxnm: "fmaxnm", .fmla: "fmla", .fadd: "fadd", .fcmeq: "fcmeq", .fmax: "fmax", .fminnm: "fminnm", .fmls: "fmls",
            .fsub: "fsub", .fmin: "fmin", .faddp: "faddp", .fmul: "fmul", .fcmge: "fcmge", .fdiv: "fdiv", .fcmgt: "fcmgt",
        ]
        #expect(names.count == A64Assembler.VectorFloatThreeSame.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorFloatThreeSame.allCases {
            for t: A64Arrangement in [.s2, .s4, .d2] {
                for (d, n, m) in Self.triples {
                    cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t)), \(Self.v(m, t))", { $0.vector(op, t, d, n, m) }))
                }
            }
        }
        try check(cases)
    }

    @Test func twoRegisterMisc() throws {
        let names: [A64Assembler.VectorTwoMisc: String] = [
            .rev64: "rev64", .rev16: "rev16", .saddlp: "saddlp", .cls: "cls", .cnt: "cnt", .sadalp: "sadalp", .sqabs: "sqabs",
            .cmgtZero: "cmgt", .cmeqZero: "cmeq", .cmltZero: "cmlt", .abs: "abs", .rev32: "rev32", .uaddlp: "uaddlp",
            .clz: "clz", .not: "mvn", .uadalp: "uadalp", .sqneg: "sqneg", .cmgeZero: "cmge", .cmleZero: "cmle", .neg: "neg",
        ]
        #expect(names.count == A64Assembler.VectorTwoMisc.allCases.count)
        let pairwise: Set<A64Assembler.VectorTwoMisc> = [.saddlp, .uaddlp, .sadalp, .uadalp]
        let zero: Set<A64Assembler.VectorTwoMisc> = [.cmgtZero, .cmeqZero, .cmltZero, .cmgeZero, .cmleZero]
        var cases: [Case] = []
        for op in A64Assembler.VectorTwoMisc.allCases {
            for t in Self.integerArrangements where op.sizes.contains(t.size) {
                for (d, n) in Self.pairs {
                    let destination = pairwise.contains(op) ? A64Arrangement(size: t.size + 1, full: t.isFull) : t
                    let suffix = zero.contains(op) ? ", #0" : ""
                    cases.append(("\(names[op]!) \(Self.v(d, destination)), \(Self.v(n, t))\(suffix)", { $0.vector(op, t, d, n) }))
                }
            }
        }
        try check(cases)
    }

    @Test func narrowing() throws {
        let names: [A64Assembler.VectorNarrow: String] = [.xtn: "xtn", .sqxtn: "sqxtn", .sqxtun: "sqxtun", .uqxtn: "uqxtn"]
        #expect(names.count == A64Assembler.VectorNarrow.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorNarrow.allCases {
            for t: A64Arrangement in [.b8, .b16, .h4, .h8, .s2, .s4] {
                for (d, n) in Self.pairs {
                    let name = names[op]! + (t.isFull ? "2" : "")
                    cases.append(("\(name) \(Self.v(d, t)), \(Self.v(n, t.widened))", { $0.vector(op, t, d, n) }))
                }
            }
        }
        for (d, n) in Self.pairs {
            cases.append(("fcvtn \(Self.v(d, .s2)), \(Self.v(n, .d2))", { $0.fcvtn(d, n) }))
            cases.append(("fcvtn2 \(Self.v(d, .s4)), \(Self.v(n, .d2))", { $0.fcvtn(upper: true, d, n) }))
            cases.append(("fcvtl \(Self.v(d, .d2)), \(Self.v(n, .s2))", { $0.fcvtl(d, n) }))
            cases.append(("fcvtl2 \(Self.v(d, .d2)), \(Self.v(n, .s4))", { $0.fcvtl(upper: true, d, n) }))
        }
        try check(cases)
    }

    @Test func floatTwoRegisterMisc() throws {
        let names: [A64Assembler.VectorFloatTwoMisc: String] = [
            .frintn: "frintn", .frintm: "frintm", .scvtf: "scvtf", .fcmgtZero: "fcmgt", .fcmeqZero: "fcmeq", .fcmltZero: "fcmlt",
            .fabs: "fabs", .frintp: "frintp", .frintz: "frintz", .fcvtzs: "fcvtzs", .ucvtf: "ucvtf", .fcmgeZero: "fcmge",
            .fcmleZero: "fcmle", .fneg: "fneg", .fcvtzu: "fcvtzu", .fsqrt: "fsqrt",
        ]
        #expect(names.count == A64Assembler.VectorFloatTwoMisc.allCases.count)
        let zero: Set<A64Assembler.VectorFloatTwoMisc> = [.fcmgtZero, .fcmeqZero, .fcmltZero, .fcmgeZero, .fcmleZero]
        var cases: [Case] = []
        for op in A64Assembler.VectorFloatTwoMisc.allCases {
            for t: A64Arrangement in [.s2, .s4, .d2] {
                for (d, n) in Self.pairs {
                    let suffix = zero.contains(op) ? ", #0.0" : ""
                    cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t))\(suffix)", { $0.vector(op, t, d, n) }))
                }
            }
        }
        try check(cases)
    }

    @Test func acrossLanes() throws {
        let names: [A64Assembler.VectorAcross: String] = [
            .saddlv: "saddlv", .smaxv: "smaxv", .sminv: "sminv", .addv: "addv", .uaddlv: "uaddlv", .umaxv: "umaxv", .uminv: "uminv",
        ]
        #expect(names.count == A64Assembler.VectorAcross.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorAcross.allCases {
            for t: A64Arrangement in [.b8, .b16, .h4, .h8, .s4] {
                for (d, n) in Self.pairs {
                    let long = op == .saddlv || op == .uaddlv
                    let scalar = Self.lane[t.size + (long ? 1 : 0)]
                    cases.append(("\(names[op]!) \(scalar)\(d.rawValue), \(Self.v(n, t))", { $0.vector(op, t, d, n) }))
                }
            }
        }
        try check(cases)
    }

    @Test func long() throws {
        let names: [A64Assembler.VectorLong: String] = [
            .saddl: "saddl", .ssubl: "ssubl", .smlal: "smlal", .smlsl: "smlsl", .smull: "smull",
            .uaddl: "uaddl", .usubl: "usubl", .umlal: "umlal", .umlsl: "umlsl", .umull: "umull",
        ]
        #expect(names.count == A64Assembler.VectorLong.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorLong.allCases {
            for t: A64Arrangement in [.b8, .b16, .h4, .h8, .s2, .s4] {
                for (d, n, m) in Self.triples {
                    let name = names[op]! + (t.isFull ? "2" : "")
                    cases.append(("\(name) \(Self.v(d, t.widened)), \(Self.v(n, t)), \(Self.v(m, t))", { $0.vector(op, t, d, n, m) }))
                }
            }
        }
        try check(cases)
    }

    @Test func shiftsByImmediate() throws {
        let names: [A64Assembler.VectorShiftImmediate: String] = [.sshr: "sshr", .shl: "shl", .ushr: "ushr", .sri: "sri", .sli: "sli"]
        #expect(names.count == A64Assembler.VectorShiftImmediate.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorShiftImmediate.allCases {
            for t in Self.integerArrangements {
                let bits = t.laneBits
                let amounts = op == .shl || op == .sli ? [0, 1, bits - 1] : [1, bits / 2, bits]
                for amount in amounts {
                    for (d, n) in Self.pairs.prefix(2) {
                        cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t)), #\(amount)", { $0.vector(op, t, d, n, amount) }))
                    }
                }
            }
        }
        for signed in [true, false] {
            for t: A64Arrangement in [.b8, .b16, .h4, .h8, .s2, .s4] {
                for amount in [0, 1, t.laneBits - 1] {
                    for (d, n) in Self.pairs.prefix(2) {
                        let name = (signed ? "sshll" : "ushll") + (t.isFull ? "2" : "")
                        cases.append(("\(name) \(Self.v(d, t.widened)), \(Self.v(n, t)), #\(amount)",
                                      { $0.shiftLeftLong(signed: signed, t, d, n, amount) }))
                    }
                }
            }
        }
        try check(cases)
    }

    @Test func copies() throws {
        var cases: [Case] = []
        let gprs: [A64Register] = [.x0, .x16, .x30, .zr]
        func w(_ r: A64Register) -> String { r == .zr ? "wzr" : "w\(r.rawValue)" }
        func x(_ r: A64Register) -> String { r == .zr ? "xzr" : "x\(r.rawValue)" }
        for size in A64LaneSize.allCases {
            let l = Self.lane[size.rawValue]
            for index in [0, 1, size.lanes - 1] {
                for (d, n) in Self.pairs {
                    for t in Self.integerArrangements where t.size == size.rawValue {
                        cases.append(("dup \(Self.v(d, t)), v\(n.rawValue).\(l)[\(index)]", { $0.dup(t, d, n, lane: index) }))
                    }
                    for from in [0, size.lanes - 1] {
                        cases.append(("mov v\(d.rawValue).\(l)[\(index)], v\(n.rawValue).\(l)[\(from)]",
                                      { $0.ins(size, d, lane: index, n, lane: from) }))
                    }
                }
                for r in gprs {
                    let g = size == .d ? x(r) : w(r)
                    cases.append(("mov v31.\(l)[\(index)], \(g)", { $0.ins(size, .v31, lane: index, r) }))
                    let move = size == .s || size == .d ? "mov" : "umov"
                    cases.append(("\(move) \(g), v17.\(l)[\(index)]", { $0.umov(size, r, .v17, lane: index) }))
                    if size != .d {
                        cases.append(("smov \(x(r)), v1.\(l)[\(index)]", { $0.smov(size, is64: true, r, .v1, lane: index) }))
                    }
                    if size == .b || size == .h {
                        cases.append(("smov \(w(r)), v1.\(l)[\(index)]", { $0.smov(size, is64: false, r, .v1, lane: index) }))
                    }
                }
            }
        }
        for t in Self.integerArrangements {
            for r in gprs {
                let g = t.size == 3 ? x(r) : w(r)
                cases.append(("dup \(Self.v(.v16, t)), \(g)", { $0.dup(t, .v16, r) }))
            }
        }
        try check(cases)
    }

    @Test func immediates() throws {
        var cases: [Case] = []
        for imm in [UInt8(0), 1, 0x7F, 0x80, 0xE1, 0xFF] {
            for d in Self.vs {
                cases.append(("movi \(Self.v(d, .b16)), #\(imm)", { $0.movi(d, bytes: imm) }))
                cases.append(("movi \(Self.v(d, .b8)), #\(imm)", { $0.movi(full: false, d, bytes: imm) }))
                var mask: UInt64 = 0
                for i in 0..<8 where imm >> i & 1 != 0 { mask |= 0xFF << (8 * UInt64(i)) }
                cases.append(("movi \(Self.v(d, .d2)), #\(String(format: "%#016llx", mask))", { $0.movi2D(d, byteMask: imm) }))
                let names: [A64Assembler.VectorImmediateOperation: String] = [.movi: "movi", .orr: "orr", .mvni: "mvni", .bic: "bic"]
                for op in A64Assembler.VectorImmediateOperation.allCases {
                    for t: A64Arrangement in [.h4, .h8, .s2, .s4] {
                        for shift in stride(from: 0, to: t.laneBits, by: 8) {
                            let suffix = shift == 0 ? "" : ", lsl #\(shift)"
                            cases.append(("\(names[op]!) \(Self.v(d, t)), #\(imm)\(suffix)", { $0.vector(op, t, d, imm, shift: shift) }))
                        }
                    }
                }
            }
        }
        try check(cases)
    }

    @Test func permutationsAndTables() throws {
        let names: [A64Assembler.VectorPermute: String] = [
            .uzp1: "uzp1", .trn1: "trn1", .zip1: "zip1", .uzp2: "uzp2", .trn2: "trn2", .zip2: "zip2",
        ]
        #expect(names.count == A64Assembler.VectorPermute.allCases.count)
        var cases: [Case] = []
        for op in A64Assembler.VectorPermute.allCases {
            for t in Self.integerArrangements {
                for (d, n, m) in Self.triples {
                    cases.append(("\(names[op]!) \(Self.v(d, t)), \(Self.v(n, t)), \(Self.v(m, t))", { $0.vector(op, t, d, n, m) }))
                }
            }
        }
        for (d, n, m) in Self.triples {
            for index in [0, 1, 8, 15] {
                cases.append(("ext \(Self.v(d, .b16)), \(Self.v(n, .b16)), \(Self.v(m, .b16)), #\(index)", { $0.ext(d, n, m, index) }))
                if index < 8 {
                    cases.append(("ext \(Self.v(d, .b8)), \(Self.v(n, .b8)), \(Self.v(m, .b8)), #\(index)", { $0.ext(full: false, d, n, m, index) }))
                }
            }
            for count in 1...4 {
                for full in [false, true] {
                    for extend in [false, true] {
                        let t: A64Arrangement = full ? .b16 : .b8
                        let table = (0..<count).map { "v\((Int(n.rawValue) + $0) % 32).16b" }.joined(separator: ", ")
                        cases.append(("\(extend ? "tbx" : "tbl") \(Self.v(d, t)), { \(table) }, \(Self.v(m, t))",
                                      { $0.tbl(full: full, extend: extend, d, table: n, count: count, m) }))
                    }
                }
            }
        }
        try check(cases)
    }

    @Test func loadsAndStores() throws {
        var cases: [Case] = []
        let registers = ["b", "h", "s", "d", "q"]
        for size in A64VectorAccessSize.allCases {
            let bytes = 1 << size.rawValue
            for b in Self.bases {
                for offset in [0, bytes, 4095 * bytes] {
                    for load in [true, false] {
                        let address = offset == 0 ? "[\(Self.base(b))]" : "[\(Self.base(b)), #\(offset)]"
                        cases.append(("\(load ? "ldr" : "str") \(registers[size.rawValue])17, \(address)",
                                      { $0.vectorAccess(load: load, size, .v17, b, offset: offset) }))
                    }
                }
            }
        }
        for b in Self.bases {
            for t in A64Arrangement.allCases {
                for r in [A64FPRegister.v0, .v31] {
                    cases.append(("ld1r { \(Self.v(r, t)) }, [\(Self.base(b))]", { $0.ld1r(t, r, b) }))
                }
            }
            for size in A64LaneSize.allCases {
                for index in 0..<size.lanes {
                    for load in [true, false] {
                        cases.append(("\(load ? "ld1" : "st1") { v16.\(Self.lane[size.rawValue]) }[\(index)], [\(Self.base(b))]",
                                      { $0.singleLane(load: load, size, .v16, lane: index, b) }))
                    }
                }
            }
        }
        try check(cases)
    }
}

/// llvm-mc-15 as an AArch64 disassembler of instruction words.
enum A64Disassembler {
    /// The text of each word ("add v0.16b, v1.16b, v2.16b", single spaces),
    /// or "<invalid>" for a word llvm-mc cannot decode (it reports those on
    /// stderr by line, and prints nothing for them on stdout).
    static func disassemble(_ words: [UInt32]) throws -> [String] {
        let lines = words.map { w in (0..<4).map { String(format: "0x%02x", (w >> (8 * $0)) & 0xFF) }.joined(separator: " ") }
        let input = NSTemporaryDirectory() + "wasmcheck-a64-\(UUID().uuidString).txt"
        try (lines.joined(separator: "\n") + "\n").write(toFile: input, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: input) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: LLVMMC.path!)
        process.arguments = ["--disassemble", "--triple=aarch64", "--mattr=+neon", input]
        // stderr goes to a file, so that a long list of invalid words cannot
        // fill a pipe that nobody reads while stdout is read.
        let errorPath = input + ".err"
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: errorPath) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errorPath))
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let errorText = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
        var invalid = Set<Int>()
        for line in errorText.split(separator: "\n") where line.contains("invalid instruction encoding") {
            // "<file>:<line>:<column>: warning: invalid instruction encoding"
            let fields = line.split(separator: ":")
            if fields.count >= 4, let n = Int(fields[fields.count - 4]) { invalid.insert(n - 1) }
        }
        var decoded = String(decoding: data, as: UTF8.self).split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix(".") { return nil }
            return trimmed.replacingOccurrences(of: "\t", with: " ")
        }.makeIterator()
        return (0..<words.count).map { invalid.contains($0) ? "<invalid>" : (decoded.next() ?? "<missing>") }
    }
}
