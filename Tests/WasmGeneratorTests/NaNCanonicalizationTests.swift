import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
@testable import WasmGenerator

/// With `canonicalizeNaNs`, every instruction whose NaN results the spec
/// leaves open is followed by code that replaces a NaN by the canonical
/// one, and that code does so when run.
@Suite("NaN canonicalisation")
struct NaNCanonicalizationTests {
    @Test func everyNaNProducerIsCanonicalised() throws {
        var config = GeneratorConfig()
        config.swarm = true
        config.canonicalizeNaNs = true
        let generator = try ModuleGenerator(config: config)
        var producers = 0
        for i in 0..<300 {
            let module = generator.generate(seedBytes(baseSeed, i)).module
            for function in module.functions {
                let code = try decodeInstructions(function.body)
                for (k, instruction) in code.enumerated() where CodeGenerator.nanProducers[instruction.opcode] != nil {
                    producers += 1
                    // local.set, canonical NaN, three local.get, ne, select.
                    guard k + 7 < code.count else {
                        Issue.record("\(instruction.opcode.mnemonic) at the end of a body")
                        continue
                    }
                    #expect(code[k + 1].opcode == .localSet)
                    #expect([.f32Const, .f64Const, .v128Const].contains(code[k + 2].opcode))
                    #expect([.f32Ne, .f64Ne, .f32x4Ne, .f64x2Ne].contains(code[k + 6].opcode))
                    #expect([.select, .v128Bitselect].contains(code[k + 7].opcode))
                }
            }
        }
        #expect(producers > 100)
    }

    /// The canonicalising code on the interpreter: a NaN with a payload
    /// from `f32.sqrt` and `f64x2.add` comes out canonical; numbers pass.
    @Test func theCanonicalisingCodeWorks() throws {
        // Bodies as the generator emits them after f32.sqrt and f64x2.add.
        let scalar: [Instruction] = [
            Instruction(.localGet, .index(0)), Instruction(.f32Sqrt),
            Instruction(.localSet, .index(2)), Instruction(.f32Const, .f32(0x7FC0_0000)),
            Instruction(.localGet, .index(2)), Instruction(.localGet, .index(2)), Instruction(.localGet, .index(2)),
            Instruction(.f32Ne), Instruction(.select), Instruction(.end),
        ]
        let canonical = V128(lo: 0x7FF8_0000_0000_0000, hi: 0x7FF8_0000_0000_0000)
        let vector: [Instruction] = [
            Instruction(.localGet, .index(1)), Instruction(.localGet, .index(1)), Instruction(.f64x2Add),
            Instruction(.localSet, .index(3)), Instruction(.v128Const, .v128(canonical)),
            Instruction(.localGet, .index(3)), Instruction(.localGet, .index(3)), Instruction(.localGet, .index(3)),
            Instruction(.f64x2Ne), Instruction(.v128Bitselect), Instruction(.end),
        ]
        func body(_ code: [Instruction]) -> ArraySlice<UInt8> {
            var w = BinaryWriter()
            for i in code { w.instruction(i) }
            return w.bytes[...]
        }
        var module = Module()
        module.types = [RecGroup(types: [SubType(composite: .func(FuncType(params: [.f32, .v128], results: [.f32])))]),
                        RecGroup(types: [SubType(composite: .func(FuncType(params: [.f32, .v128], results: [.v128])))])]
        let locals = [LocalRun(count: 1, type: .f32), LocalRun(count: 1, type: .v128)]
        module.functions = [Function(typeIndex: 0, locals: locals, body: body(scalar)),
                            Function(typeIndex: 1, locals: locals, body: body(vector))]
        module.exports = [Export(name: "scalar", descriptor: .function(0)), Export(name: "vector", descriptor: .function(1))]
        let engine = Engine(tier: Interpreter())
        let instance = try Linker().instantiate(try WasmRuntime.Module(engine: engine, bytes: encodeModule(module)),
                                                in: Store(engine: engine))
        let payloadNaN = V128(lo: 0x7FF4_0000_0000_0001, hi: 0x4000_0000_0000_0000)
        let scalarResult = try instance.function("scalar")?.call([.f32(0x7FA0_0001), .v128(payloadNaN)])
        #expect(scalarResult == [.f32(0x7FC0_0000)])
        let number = try instance.function("scalar")?.call([.f32(Float(4).bitPattern), .v128(payloadNaN)])
        #expect(number == [.f32(Float(2).bitPattern)])
        let vectorResult = try instance.function("vector")?.call([.f32(0), .v128(payloadNaN)])
        #expect(vectorResult == [.v128(V128(lo: 0x7FF8_0000_0000_0000, hi: Double(4).bitPattern))])
    }
}
