import Foundation
import Testing
import WasmRuntime
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmJIT

/// Real modules compiled by the JIT frontend with the AArch64 backend: every
/// word emitted (but the jump tables' data) must be an instruction
/// llvm-mc-15 decodes, and the sequences that carry wasm's semantics
/// (traps, zero extension, masking) must be there. Running the code is
/// the agent's business (under qemu); this is what can be checked on any
/// host.
@Suite("AArch64 code generation", .enabled(if: A64LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct A64CodeGenerationTests {
    /// The loop of `JIT.compileArtifact` over the module's functions, with
    /// the AArch64 backend.
    static func compile(_ module: WasmSyntax.Module, configuration: EngineConfiguration = EngineConfiguration()) throws -> A64MacroAssembler {
        try compileWithEntries(module, configuration: configuration).masm
    }

    /// The code, and each function's C entry in it.
    static func compileWithEntries(_ module: WasmSyntax.Module, configuration: EngineConfiguration) throws -> (masm: A64MacroAssembler, entries: [Int]) {
        var entries: [Int] = []
        let validation = try ValidationContext(module: module, features: configuration.features)
        try validation.validateDefinitions(of: module)
        let imported = UInt32(truncatingIfNeeded: validation.importedFunctionCount)
        // One compiler for the module (as for a piece of `ModuleCompiler`):
        // its function labels are the ones calls between functions use.
        var compiler: FunctionCompiler<A64MacroAssembler>?
        for (i, function) in module.functions.enumerated() {
            let index = imported + UInt32(truncatingIfNeeded: i)
            if compiler == nil {
                entries.append(0)
                compiler = try FunctionCompiler(masm: A64MacroAssembler(), context: validation, configuration: configuration,
                                                function: function, index: index)
            } else {
                entries.append(compiler!.masm.code.count)
                try compiler!.start(function, index: index)
            }
            try compiler!.compile()
        }
        var masm = compiler?.masm ?? A64MacroAssembler()
        masm.finish()
        return (masm, entries)
    }

    static func compile(_ text: String, fuel: Bool = false) throws -> A64MacroAssembler {
        var configuration = EngineConfiguration()
        configuration.consumesFuel = fuel
        return try compile(try parseModule(text), configuration: configuration)
    }

    /// The disassembly of the code, one line per word ("<data>" for jump
    /// table entries).
    static func disassemble(_ masm: A64MacroAssembler) throws -> [String] {
        let code = masm.code
        let data = Set(masm.dataRanges.flatMap { $0 }.filter { $0 % 4 == 0 })
        let offsets = stride(from: 0, to: code.count, by: 4).filter { !data.contains($0) }
        let text = try A64LLVMMC.disassemble(offsets.map { code.word(at: $0) })
        var lines = Array(repeating: "<data>", count: code.count / 4)
        for (offset, line) in zip(offsets, text) { lines[offset / 4] = line }
        return lines
    }

    /// Every word decodes; the answer is the disassembly.
    @discardableResult
    static func checkDecodes(_ masm: A64MacroAssembler, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        #expect(masm.code.count % 4 == 0, "\(name): code is whole words")
        let lines = try disassemble(masm)
        let bad = lines.enumerated().filter { $0.element == "<invalid>" || $0.element == "<missing>" || $0.element.contains("<unknown>") }
        let sample = bad.prefix(3).map { String(format: "0x%08x", masm.code.word(at: $0.offset * 4)) }.joined(separator: " ")
        let first = bad.first.map { $0.offset * 4 } ?? 0
        #expect(bad.isEmpty, "\(name): \(bad.count) words llvm-mc does not decode, first at byte \(first): \(sample)",
                sourceLocation: sourceLocation)
        return lines
    }

    /// The modules of Tests/WasmExecutionTests: their `(module ...)` text
    /// literals without interpolation.
    static func executionTestModules() throws -> [(name: String, text: String)] {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("WasmExecutionTests")
        var modules: [(String, String)] = []
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() where file.hasSuffix(".swift") {
            let source = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
            let pieces = source.components(separatedBy: "\"\"\"")
            // Odd pieces are the insides of multi-line literals.
            for (i, piece) in pieces.enumerated() where i % 2 == 1 {
                let text = piece.trimmingCharacters(in: .whitespacesAndNewlines)
                guard text.hasPrefix("(module"), !piece.contains("\\(") else { continue }
                modules.append(("\(file)#\(i / 2)", text))
            }
        }
        return modules
    }

    /// Whether an unsupported-instruction error names a SIMD instruction.
    static func namesVectorInstruction(_ message: String) -> Bool {
        message.range(of: #"(v128|[if](8|16|32|64)x[0-9]+)\."#, options: .regularExpression) != nil
    }

    /// The module without its one-line functions that use SIMD (which
    /// this backend does not compile yet), so the rest of it is checked.
    static func withoutVectorFunctions(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).filter { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return !(trimmed.hasPrefix("(func") && namesVectorInstruction(String(trimmed)))
        }.joined(separator: "\n")
    }

    @Test func everyExecutionTestModuleDecodes() throws {
        let modules = try Self.executionTestModules().flatMap { module in
            let scalar = Self.withoutVectorFunctions(module.text)
            // (Only when nothing else refers to the functions dropped.)
            guard scalar != module.text, (try? parseModule(scalar)) != nil else { return [module] }
            return [module, (module.name + " without SIMD functions", scalar)]
        }
        #expect(modules.count >= 30, "found \(modules.count) modules")
        var compiled = 0, words = 0
        var unsupported: [String] = []
        for (name, text) in modules {
            for fuel in [false, true] {
                let masm: A64MacroAssembler, entries: [Int]
                do {
                    var configuration = EngineConfiguration()
                    configuration.consumesFuel = fuel
                    (masm, entries) = try Self.compileWithEntries(try parseModule(text), configuration: configuration)
                } catch let error as CompileError where error.kind == .unsupported {
                    // SIMD is not in this backend yet: a compile error, never a crash.
                    #expect(Self.namesVectorInstruction(error.message), "\(name): \(error.message)")
                    if !fuel { unsupported.append(name) }
                    continue
                }
                let lines = try Self.checkDecodes(masm, name)
                // Each function's C entry is where the caller recorded it
                // (no island of the previous function in front of it).
                #expect(entries.allSatisfy { lines[$0 / 4] == "stp x29, x30, [sp, #-64]!" }, "\(name): entries")
                compiled += 1
                words += masm.code.count / 4
            }
        }
        #expect(compiled >= 50, "compiled \(compiled) (unsupported: \(unsupported))")
        #expect(unsupported.allSatisfy { !$0.hasSuffix("SIMD functions") }, "unsupported: \(unsupported)")
        #expect(words > 10_000)
    }

    /// The code of one function `f`, compiled alone, as text.
    static func body(_ function: String, _ rest: String = "") throws -> String {
        let masm = try compile("(module \(rest) \(function))")
        return try checkDecodes(masm, "f").joined(separator: "\n")
    }

    @Test func integerDivisionTrapsExplicitly() throws {
        let divS = try Self.body("(func (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))")
        // Divide by zero, then min / -1: sdiv itself traps for neither.
        #expect(divS.contains("cbz w"))
        #expect(divS.contains("cmn w") && divS.contains("ccmp w") && divS.contains("b.vs"))
        #expect(divS.contains("sdiv w"))
        let remS = try Self.body("(func (param i64 i64) (result i64) (i64.rem_s (local.get 0) (local.get 1)))")
        #expect(remS.contains("sdiv x16") && remS.contains("msub x"))
        #expect(!remS.contains("b.vs"), "min % -1 is 0: no overflow trap")
        let divU = try Self.body("(func (param i32 i32) (result i32) (i32.div_u (local.get 0) (local.get 1)))")
        #expect(divU.contains("udiv w") && divU.contains("cbz w"))
    }

    @Test func shiftsAndRotatesMaskTheCount() throws {
        let rotl = try Self.body("(func (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))")
        #expect(rotl.contains("neg w16, w") && rotl.contains("ror w"), "rotl is rorv by the negated count")
        let shl = try Self.body("(func (param i64 i64) (result i64) (i64.shl (local.get 0) (local.get 1)))")
        #expect(shl.contains("lsl x"))
    }

    @Test func memoryAddressesAreZeroExtendedAndChecked() throws {
        let memory = "(memory 1)"
        let load32 = try Self.body("(func (param i32) (result i32) (i32.load offset=16 (local.get 0)))", memory)
        // The i32 address zero-extended (mov w17), + offset + size with
        // the carry checked, compared with the byte count in x23.
        #expect(load32.contains("mov w17, w"))
        #expect(load32.contains("adds x17, x17, #20"))
        #expect(load32.contains("cmp x17, x23") && load32.contains("b.hi"))
        #expect(load32.contains("add x17, x22, x17") && load32.contains("ldur w"))
        let far = try Self.body("(func (param i32) (result i64) (i64.load offset=0xFFFFFFFF (local.get 0)))", memory)
        #expect(far.contains("w0, uxtw") || far.contains(", uxtw"), "a register offset zero-extends with uxtw")
        #expect(far.contains("b.hs"), "an end beyond 2^32 checks the carry")
        let memory64 = try Self.body("(func (param i64) (result i32) (i32.load8_s offset=0x123456789 (local.get 0)))", "(memory i64 1)")
        #expect(memory64.contains("adds x17, x") && memory64.contains(", x16\n") && memory64.contains("b.hs"))
        #expect(memory64.contains("ldursb w"))
        let other = try Self.body("(func (param i32) (i32.store16 1 (local.get 0) (local.get 0)))", "(memory 1) (memory 1)")
        #expect(other.contains("sturh w"))
    }

    @Test func largeFramesAndOffsetsGoThroughTheScratchRegister() throws {
        // 6000 i64 locals: slot offsets beyond ldr's 32 KiB reach.
        let text = try Self.body("""
            (func (param i64) (result i64) (local \(String(repeating: "i64 ", count: 6000)))
              (local.set 5999 (local.get 0)) (local.get 5999))
            """)
        #expect(text.contains("[x20, x15]"))
        let globals = try Self.body("(func (result i64) (global.get 600))",
                                    String(repeating: "(global (mut i64) (i64.const 1)) ", count: 601))
        #expect(globals.contains("ldr x16, [x16, #4800]"))
    }

    static func matches(_ text: String, _ pattern: String) -> Bool {
        text.range(of: pattern, options: .regularExpression) != nil
    }

    @Test func floatTruncationsTrapOrSaturate() throws {
        let trapping = try Self.body("(func (param f64) (result i32) (i32.trunc_f64_s (local.get 0)))")
        // The value is in a float register (any: the frontend allocates it).
        #expect(Self.matches(trapping, #"fcmp (d[0-9]+), \1\n"#) && trapping.contains("b.vs"))
        #expect(trapping.contains("b.ls") && trapping.contains("b.ge") && trapping.contains("fcvtzs w"))
        let unsigned = try Self.body("(func (param f32) (result i64) (i64.trunc_f32_u (local.get 0)))")
        #expect(unsigned.contains("fmov s1, #-1.00000000") && unsigned.contains("fcvtzu x"))
        let saturating = try Self.body("(func (param f32) (result i64) (i64.trunc_sat_f32_u (local.get 0)))")
        #expect(saturating.contains("fcvtzu x") && !saturating.contains("fcmp"))
        let minMax = try Self.body("(func (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))")
        #expect(Self.matches(minMax, #"fmin (s[0-9]+), \1, s[0-9]+\n"#))
        let nearest = try Self.body("(func (param f64) (result f64) (f64.nearest (local.get 0)))")
        #expect(Self.matches(nearest, #"frintn (d[0-9]+), \1\n"#))
    }

    @Test func aBigBrTableAndItsData() throws {
        let entries = (0..<5000).map { String($0 % 3) }.joined(separator: " ")
        let masm = try Self.compile("""
            (module (func (param i32) (result i32)
              (block (block (block (br_table \(entries) 2 (local.get 0))) (return (i32.const 1))) (return (i32.const 2)))
              (i32.const 3)))
            """)
        #expect(masm.dataRanges.count == 1 && masm.dataRanges[0].count == 4 * 5000)
        let text = try Self.checkDecodes(masm, "br_table").joined(separator: "\n")
        #expect(text.contains("adr x16") && text.contains("ldrsw x17, [x16, w17, uxtw #2]") && text.contains("br x16"))
    }

    /// The hostile functions of HostileFunctionTests: huge frames, deep
    /// nesting, a 100,000-entry table (400 KB of data) and a long function
    /// whose trap branches need islands in its middle.
    @Test func hostileFunctionsCompile() throws {
        let depth = 10_000
        let entries = (0..<100_000).map { $0 % 2 == 0 ? "0" : "1" }.joined(separator: " ")
        let adds = String(repeating: "(i32.div_u (local.get 0) (local.get 1)) (drop) ", count: 40_000)
        let texts = [
            "(module (func (param i32) (result i32) (local \(String(repeating: "i64 ", count: 49_999))) (local.set 49999 (i64.const 7)) (i32.add (local.get 0) (i32.wrap_i64 (local.get 49999)))))",
            "(module (func (result i32) \(String(repeating: "(block (result i32) ", count: depth)) (i32.const 3) (br \(depth / 2)) \(String(repeating: ")", count: depth))))",
            "(module (func (param i32) (result i32) (block (block (br_table \(entries) 1 (local.get 0))) (return (i32.const 10))) (i32.const 20)))",
            "(module (func (param i32 i32) (loop $l \(adds) (br_if $l (local.get 0)))))",
        ]
        for (i, text) in texts.enumerated() {
            let masm = try Self.compile(text)
            try Self.checkDecodes(masm, "hostile \(i)")
        }
    }

    /// Conditional branches to labels not placed yet take the long form;
    /// to a placed one in reach, the short one.
    @Test func conditionalBranchesReachAnyLabel() throws {
        var masm = A64MacroAssembler()
        let back = masm.newLabel(), forward = masm.newLabel()
        masm.bind(back)
        masm.branch(ifZero: true, .w32, Register(3), to: back)
        masm.branch(ifZero: true, .w64, Register(3), to: forward)
        masm.bind(forward)
        masm.finish()
        let lines = try Self.checkDecodes(masm, "branches")
        #expect(lines == ["cbz w3, #0", "cbnz x3, #8", "b #4"])
    }

    /// Trap exits go in an island near their branches: after a function,
    /// or after an unconditional branch once the first waiting branch is
    /// far (b.cond reaches only ±1 MiB).
    @Test func trapIslandsStayInReach() throws {
        var masm = A64MacroAssembler()
        masm.trap(ifZero: Register(0), .nullReference)
        for _ in 0..<(A64MacroAssembler.islandDistance / 4) { masm.asm.nop() }
        let before = masm.code.count
        let after = masm.newLabel()
        masm.jump(after)
        #expect(masm.code.count > before + 4, "the island follows the jump")
        masm.trap(ifZero: Register(1), .nullReference)
        masm.bind(after)
        masm.finish()
        // Both cbz decode and reach their own island.
        let lines = try Self.checkDecodes(masm, "islands")
        #expect(lines[0].hasPrefix("cbz x0, #"))
        let firstIsland = Int(lines[0].split(separator: "#").last!)!
        #expect(firstIsland > 0 && firstIsland < 1 << 20)
        #expect(lines.filter { $0 == "mov w0, #11" }.count == 2, "an exit for nullReference in each island")
    }

    @Test func prologueSavesAndChecks() throws {
        let text = try Self.body("(func)")
        for expected in ["stp x29, x30, [sp, #-64]!", "mov x29, sp", "stp x19, x20, [sp, #16]", "stp x21, x22, [sp, #32]",
                         "str x23, [sp, #48]", "mov x19, x0", "stp x20, x30, [sp, #-16]!", "mov x20, x1",
                         "ldp x20, x30, [sp], #16", "ldp x29, x30, [sp], #64", "b.hs", "b.lo", "b.hi", "ret"] {
            #expect(text.contains(expected), "\(expected)")
        }
    }
}
