import Foundation
import Testing
import WasmRuntime
import WasmSyntax
import WasmText
import WasmValidation
@testable import WasmJIT

/// Modules that use every SIMD and relaxed-SIMD opcode, compiled by the JIT
/// frontend with the AArch64 backend and its AdvSIMD operators
/// (A64MacroAssembler+Vector.swift): each compiles (no "unsupported"), and
/// every word emitted is an instruction llvm-mc-15 decodes. The sequences
/// that carry wasm's semantics where NEON could be misused (saturation,
/// NaN handling, masked shift counts) are looked for in the text. Running
/// the code is the agent's business, under qemu-aarch64.
@Suite("AArch64 SIMD code generation", .enabled(if: LLVMMC.path != nil, "llvm-mc-15 is not installed (apt-get install llvm-15)"))
struct A64SIMDCodeGenerationTests {
    /// Every opcode of the SIMD and relaxed-SIMD proposals.
    static let simdOpcodes = Opcode.allCases.filter { !$0.feature.isDisjoint(with: [.simd, .relaxedSimd]) }

    static func typeName(_ t: ValueType) -> String {
        switch t {
        case .i32: return "i32"
        case .i64: return "i64"
        case .f32: return "f32"
        case .f64: return "f64"
        case .v128: return "v128"
        default: return "externref"
        }
    }

    /// A function that applies `op` to its parameters (and immediates that
    /// exercise the last lane).
    static func function(_ op: Opcode) -> String {
        let name = op.mnemonic
        func body(_ params: [ValueType], _ results: [ValueType], _ immediates: String) -> String {
            let parameters = params.isEmpty ? "" : "(param \(params.map(typeName).joined(separator: " ")))"
            let result = results.isEmpty ? "" : "(result \(results.map(typeName).joined(separator: " ")))"
            let operands = params.indices.map { "(local.get \($0))" }.joined(separator: " ")
            return "(func \(parameters) \(result) (\(name)\(immediates) \(operands)))"
        }
        switch op.immediateKind {
        case .v128: return "(func (result v128) (v128.const i32x4 1 -2 0x7fffffff 0x80000000))"
        case .shuffle:
            return body([.v128, .v128], [.v128], " 0 17 2 19 4 21 6 23 31 30 29 28 3 2 1 0")
        case .lane:
            let extract = name.contains("extract_lane")
            let lane = name.hasPrefix("i8x16") ? 15 : (name.hasPrefix("i16x8") ? 7 : (name.hasPrefix("i32x4") || name.hasPrefix("f32x4") ? 3 : 1))
            let scalar: ValueType = name.hasPrefix("i64x2") ? .i64 : (name.hasPrefix("f32x4") ? .f32 : (name.hasPrefix("f64x2") ? .f64 : .i32))
            return extract ? body([.v128], [scalar], " \(lane)") : body([.v128, scalar], [.v128], " \(lane)")
        case .memarg:
            return op == .v128Store ? body([.i32, .v128], [], " offset=16") : body([.i32], [.v128], " offset=16")
        case .memargLane:
            let lane = name.contains("8_lane") ? 15 : (name.contains("16_lane") ? 7 : (name.contains("32_lane") ? 3 : 1))
            let isStore = name.contains("store")
            return body([.i32, .v128], isStore ? [] : [.v128], " offset=16 \(lane)")
        default:
            let signature = op.signature ?? FuncType()
            return body(signature.params, signature.results, "")
        }
    }

    /// The loop of `JIT.compileArtifact` with the AArch64 backend.
    static func compile(_ text: String) throws -> A64MacroAssembler {
        try A64CodeGenerationTests.compileWithEntries(try parseModule(text), configuration: EngineConfiguration()).masm
    }

    /// The disassembly of the code, one line per word, but the jump
    /// tables' data.
    static func disassemble(_ masm: A64MacroAssembler) throws -> [String] {
        let data = Set(masm.dataRanges.flatMap { $0 }.filter { $0 % 4 == 0 })
        let words = stride(from: 0, to: masm.code.count, by: 4).filter { !data.contains($0) }.map { masm.code.word(at: $0) }
        return try A64Disassembler.disassemble(words)
    }

    static func undecoded(_ lines: [String]) -> [String] {
        lines.filter { $0 == "<invalid>" || $0 == "<missing>" || $0.contains("<unknown>") }
    }

    @Test func everyOpcodeCompilesAndDecodes() throws {
        #expect(Self.simdOpcodes.count == 256, "the SIMD (236) and relaxed-SIMD (20) opcodes")
        var unsupported: [String] = []
        var functions: [String] = []
        for op in Self.simdOpcodes {
            let function = Self.function(op)
            do {
                _ = try Self.compile("(module (memory 1) \(function))")
                functions.append(function)
            } catch let error as CompileError {
                unsupported.append("\(op.mnemonic): \(error.message)")
            }
        }
        #expect(unsupported.isEmpty, "\(unsupported)")
        // All of them in one module: one llvm-mc run over every word.
        let masm = try Self.compile("(module (memory 1) \(functions.joined(separator: "\n")))")
        let lines = try Self.disassemble(masm)
        #expect(lines.count > 2000)
        let bad = Self.undecoded(lines)
        #expect(bad.isEmpty, "\(bad.count) words llvm-mc does not decode")
    }

    /// The code of one function, as text.
    static func body(_ function: String, _ rest: String = "") throws -> String {
        let masm = try compile("(module \(rest) \(function))")
        let lines = try disassemble(masm)
        #expect(undecoded(lines).isEmpty)
        // A64SIMD_DUMP=1 swift test --filter A64SIMDCodeGeneration prints the code.
        if ProcessInfo.processInfo.environment["A64SIMD_DUMP"] != nil { print(function, lines.joined(separator: "\n"), separator: "\n") }
        return lines.joined(separator: "\n")
    }

    static func unaryV(_ op: String) -> String { "(func (param v128) (result v128) (\(op) (local.get 0)))" }
    static func binaryV(_ op: String) -> String { "(func (param v128 v128) (result v128) (\(op) (local.get 0) (local.get 1)))" }

    @Test func saturationAndConversionsUseTheSaturatingForms() throws {
        let truncZero = try Self.body(Self.unaryV("i32x4.trunc_sat_f64x2_s_zero"))
        #expect(truncZero.contains("fcvtzs v16.2d, v16.2d") && truncZero.contains("sqxtn v16.2s, v16.2d"))
        let truncU = try Self.body(Self.unaryV("i32x4.trunc_sat_f64x2_u_zero"))
        #expect(truncU.contains("fcvtzu v16.2d, v16.2d") && truncU.contains("uqxtn v16.2s, v16.2d"))
        let narrowU = try Self.body(Self.binaryV("i8x16.narrow_i16x8_u"))
        #expect(narrowU.contains("sqxtun v19.8b, v16.8h") && narrowU.contains("sqxtun2 v19.16b, v17.8h"))
        let q15 = try Self.body(Self.binaryV("i16x8.q15mulr_sat_s"))
        #expect(q15.contains("sqrdmulh v16.8h, v16.8h, v17.8h"))
        let convert = try Self.body(Self.unaryV("f64x2.convert_low_i32x4_u"))
        #expect(convert.contains("ushll v16.2d, v16.2s, #0") && convert.contains("ucvtf v16.2d, v16.2d"))
    }

    @Test func minAndMaxGiveTheCanonicalNaN() throws {
        let min = try Self.body(Self.binaryV("f32x4.min"))
        #expect(min.contains("fmin v19.4s, v16.4s, v17.4s"))
        #expect(min.contains("fcmeq v20.4s, v16.4s, v16.4s") && min.contains("fcmeq v21.4s, v17.4s, v17.4s"))
        #expect(min.contains("bsl v20.16b, v19.16b, v21.16b"))
        let max = try Self.body(Self.binaryV("f64x2.relaxed_max"))
        #expect(max.contains("fmax v19.2d, v16.2d, v17.2d") && max.contains("mov x16, #9221120237041090560"))
        let pmin = try Self.body(Self.binaryV("f32x4.pmin"))
        #expect(pmin.contains("fcmgt v19.4s, v16.4s, v17.4s") && pmin.contains("bsl v19.16b, v17.16b, v16.16b"))
    }

    @Test func shiftCountsAreMaskedAndNegatedForRightShifts() throws {
        let shr = try Self.body("(func (param v128 i32) (result v128) (i8x16.shr_s (local.get 0) (local.get 1)))")
        #expect(shr.contains("and w16, w") && shr.contains(", #0x7") && shr.contains("neg w16, w16"))
        #expect(shr.contains("dup v17.16b, w16") && shr.contains("sshl v16.16b, v16.16b, v17.16b"))
        let shl = try Self.body("(func (param v128 i32) (result v128) (i64x2.shl (local.get 0) (local.get 1)))")
        #expect(shl.contains(", #0x3f") && !shl.contains("neg w16") && shl.contains("ushl v16.2d, v16.2d, v17.2d"))
    }

    @Test func lanesAndReductions() throws {
        let extract = try Self.body("(func (param v128) (result i32) (i8x16.extract_lane_s 15 (local.get 0)))")
        #expect(extract.contains("ldrsb w") && extract.contains("#15]"))
        let replace = try Self.body("(func (param v128 i64) (result v128) (i64x2.replace_lane 1 (local.get 0) (local.get 1)))")
        #expect(replace.contains("mov v16.d[1], x"))
        let bitmask = try Self.body("(func (param v128) (result i32) (i8x16.bitmask (local.get 0)))")
        #expect(bitmask.contains("cmlt v16.16b, v16.16b, #0") && bitmask.contains("zip1 v16.16b, v16.16b, v17.16b"))
        #expect(bitmask.contains("addv h16, v16.8h") && bitmask.contains("umov w"))
        let allTrue = try Self.body("(func (param v128) (result i32) (i16x8.all_true (local.get 0)))")
        #expect(allTrue.contains("uminv h16, v16.8h") && allTrue.contains("cset w"))
        let swizzle = try Self.body(Self.binaryV("i8x16.swizzle"))
        #expect(swizzle.contains("tbl v16.16b, { v16.16b }, v17.16b"))
        let shuffle = try Self.body("(func (param v128 v128) (result v128) (i8x16.shuffle 0 17 2 19 4 21 6 23 31 30 29 28 3 2 1 0 (local.get 0) (local.get 1)))")
        #expect(shuffle.contains("tbl v16.16b, { v16.16b, v17.16b }, v18.16b"))
    }

    @Test func farSlotsGoThroughTheAddressScratch() throws {
        // 5000 i64 locals put the v128 ones beyond ldr q's and ldrb's
        // immediate reach (65520 and 4095 bytes).
        let text = try Self.body("""
            (func (param v128) (result i32) (local \(String(repeating: "i64 ", count: 9000))) (local v128)
              (local.set 9001 (i8x16.add (local.get 0) (local.get 0)))
              (i8x16.extract_lane_u 15 (local.get 9001)))
            """)
        #expect(text.contains("str q16, [x20, x15]") && text.contains("ldrb w"))
    }
}

