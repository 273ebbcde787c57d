import Testing
import WasmBinary
import WasmSyntax
@testable import WasmGenerator

/// The regression test for the scratch-local leak that once kept
/// generated cases out of strict NaN mode: generated code must never read
/// a scratch local that instrumentation parked a raw value in.
@Suite("Scratch locals")
struct ScratchLocalLeakTests {
    @Test func generatedCodeNeverReadsScratchLocals() throws {
        var config = GeneratorConfig.runnable(features: .wasm3)
        config.swarm = true
        for noTraps in [true, false] {
            config.noTraps = noTraps
            let generator = try ModuleGenerator(config: config)
            var scratchReads = 0
            for i in 0..<300 {
                let generated = generator.generate(seedBytes(baseSeed, i))
                #expect(generated.scratchLocals.count == generated.module.functions.count)
                for (f, function) in generated.module.functions.enumerated() {
                    let code = try decodeInstructions(function.body)
                    let scratch = generated.scratchLocals[f]
                    scratchReads += code.filter { i in
                        if case .index(let x) = i.immediate, i.opcode == .localGet { return scratch.contains(x) }
                        return false
                    }.count
                    let leaks = ScratchLocalCheck.leaks(code, scratch: scratch)
                    #expect(leaks.isEmpty, "module \(i) function \(f): scratch reads at \(leaks.prefix(5)) (noTraps \(noTraps))")
                }
            }
            #expect(scratchReads > 100)
        }
    }

    /// The check itself catches the old leak: a later, unrelated read of
    /// the local that held a raw `f32.add` result.
    @Test func theCheckCatchesALeakedRead() {
        let canonicalised: [Instruction] = [
            Instruction(.localGet, .index(0)), Instruction(.localGet, .index(0)), Instruction(.f32Add),
            Instruction(.localSet, .index(2)), Instruction(.f32Const, .f32(0x7FC0_0000)),
            Instruction(.localGet, .index(2)), Instruction(.localGet, .index(2)), Instruction(.localGet, .index(2)),
            Instruction(.f32Ne), Instruction(.select),
        ]
        #expect(ScratchLocalCheck.leaks(canonicalised + [Instruction(.end)], scratch: [2]).isEmpty)
        let leaked = canonicalised + [Instruction(.f32Sqrt), Instruction(.localGet, .index(2)), Instruction(.f32Add), Instruction(.end)]
        #expect(ScratchLocalCheck.leaks(leaked, scratch: [2]) == [11])
        let far = canonicalised + Array(repeating: Instruction(.nop), count: 100) + [Instruction(.localGet, .index(2)), Instruction(.end)]
        #expect(ScratchLocalCheck.leaks(far, scratch: [2]) == [110])
    }
}

