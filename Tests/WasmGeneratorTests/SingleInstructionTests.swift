import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmValidation
@testable import WasmGenerator

/// The single-instruction generator: one module per instruction, with
/// operands at the boundaries where backends go wrong.
@Suite("Single-instruction modules")
struct SingleInstructionTests {
    let generator = SingleInstructionGenerator(features: .wasm3)

    /// Input bytes that pick opcode number `index`, then `rest`.
    func input(_ index: Int, _ rest: [UInt8]) -> [UInt8] { [UInt8(index >> 8), UInt8(index & 0xFF)] + rest }

    @Test func everyInstructionMakesAValidModule() throws {
        #expect(generator.opcodes.count > 400)
        #expect(generator.opcodes.contains(.i32Load) && generator.opcodes.contains(.v128Store64Lane))
        #expect(generator.opcodes.contains(.i8x16AddSatS) && generator.opcodes.contains(.f64PromoteF32))
        for (i, op) in generator.opcodes.enumerated() {
            for salt in 0..<8 {
                let made = generator.generate(input(i, seedBytes(baseSeed, i * 8 + salt, maxLength: 64)))
                #expect(made.opcode == op)
                do {
                    try validateModule(try decodeModule(encodeModule(made.module)), features: .wasm3)
                } catch {
                    Issue.record("\(op.mnemonic) \(made.classes): \(error)")
                }
            }
        }
    }

    /// The constant form and the parameter form compute the same thing
    /// (on the interpreter), NaN results aside; float vectors come back
    /// as lanes.
    @Test func constantsAndParametersAgree() throws {
        let engine = Engine(tier: Interpreter())
        var compared = 0
        for (i, op) in generator.opcodes.enumerated() {
            let made = generator.generate(input(i, seedBytes(baseSeed, i, maxLength: 64)))
            let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(made.module)),
                                                    in: Store(engine: engine))
            let c = Result { try instance.function("c")?.call([]) }
            let p = Result { try instance.function("p")?.call([]) }
            switch (c, p) {
            case (.success(let a), .success(let b)):
                if !made.classes.contains(where: { [.canonicalNaN, .negativeNaN, .payloadNaN, .signallingNaN].contains($0) }) {
                    #expect(a == b, "\(op.mnemonic) \(made.classes)")
                }
                compared += 1
            case (.failure(let a), .failure(let b)):
                #expect("\(a)" == "\(b)", "\(op.mnemonic)")
            default:
                Issue.record("\(op.mnemonic) \(made.classes): \(c) vs \(p)")
            }
            if SingleInstructionGenerator.floatLanes(op) != nil, case .success(let values?) = c {
                #expect(values.count == (op.mnemonic.hasPrefix("f32x4") ? 4 : 2))
            }
        }
        #expect(compared > 300)
    }

    @Test func addressClassesReachTheEndOfMemoryAndBeyond() {
        let load = generator.opcodes.firstIndex(of: .i32Load)!
        var traps = Set<BoundaryClass>()
        for salt in 0..<64 {
            let made = generator.generate(input(load, seedBytes(baseSeed, salt, maxLength: 16)))
            traps.insert(made.classes[0])
        }
        #expect(traps == [.zero, .memoryEnd, .pastMemoryEnd, .offsetOverflow])
    }

    @Test func coverageSpaceCountsOperandAndImmediateClasses() {
        let space = generator.coverageSpace
        #expect(space[.i32Shl]?.contains(.shiftCount) == true)
        #expect(space[.f32DemoteF64]?.contains(.payloadNaN) == true)
        #expect(space[.i8x16ExtractLaneS]?.isSuperset(of: [.firstLane, .lastLane, .laneExtremes]) == true)
        #expect(space[.i64Store32]?.contains(.offsetOverflow) == true)
    }

    /// NaN strictness follows the operands' bits: an all-ones vector has
    /// NaN lanes with payloads, whatever its class is called.
    @Test func nonCanonicalNaNsAreFoundInAnyLane() {
        #expect(SingleInstructionGenerator.holdsNonCanonicalNaN(Instruction(.v128Const, .v128(V128(lo: .max, hi: .max)))))
        #expect(SingleInstructionGenerator.holdsNonCanonicalNaN(Instruction(.f32Const, .f32(0x7FA0_0000))))
        #expect(!SingleInstructionGenerator.holdsNonCanonicalNaN(Instruction(.f32Const, .f32(0xFFC0_0000))))
        #expect(!SingleInstructionGenerator.holdsNonCanonicalNaN(Instruction(.v128Const, .v128(V128(lo: 0x7FC0_0000_3F80_0000, hi: 0)))))
        #expect(SingleInstructionGenerator.holdsNonCanonicalNaN(Instruction(.v128Const, .v128(V128(lo: 0, hi: 0x7FF4_0000_0000_0000)))))
    }

    /// Register-pressure shapes validate and keep every value they made
    /// live to the end: the export returns more values than a backend has
    /// registers for.
    @Test func registerPressureShapesKeepManyValuesLive() throws {
        var most = 0
        for i in 0..<100 {
            let module = RegisterPressure.module(seedBytes(baseSeed, i, maxLength: 256))
            try validateModule(try decodeModule(encodeModule(module)), features: .wasm3)
            most = max(most, module.types[1].types[0].funcType?.results.count ?? 0)
        }
        #expect(most > 20)
    }
}
