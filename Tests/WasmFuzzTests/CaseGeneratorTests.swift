import Testing
import WasmEngines
import WasmGenerator
@testable import WasmFuzz

@Suite("Kinds of cases")
struct CaseGeneratorTests {
    /// Generated valid cases are strict about NaNs; single-instruction ones
    /// only when no operand is a NaN with a payload.
    @Test func generatedCasesAreStrictAboutNaNs() throws {
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm3), invalidShare: 4, mode: .structured)
        var random = SplitMix64(seed: 9)
        for _ in 0..<40 {
            var input = random.bytes(maxLength: 2000)
            if input.isEmpty { input = [0] }
            input[0] &= 0xFC  // a valid case
            #expect(generator.makeCase(input).strictNaNs)
        }
    }

    /// Invalid cases with the flip bit are valid modules with bytes
    /// changed: only acceptance is compared, never runs.
    @Test func flippedModulesAreOnlyCompiled() throws {
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm3), invalidShare: 4)
        var random = SplitMix64(seed: 10)
        var differ = 0
        for _ in 0..<30 {
            let c = generator.makeCase([0x43] + random.bytes(maxLength: 1500))
            #expect(c.compileOnly && c.expectation == .unknown)
            differ += c.invalidRule == nil ? 1 : 0
        }
        #expect(differ == 30)
    }

    /// The single-instruction mode runs clean on equal engines and reports
    /// its coverage in opcodes × boundary classes.
    @Test func singleInstructionModeReportsCoverage() throws {
        let environment = EngineSpec.Environment(selfCommand: [], wasmtimeScript: nil)
        var options = FuzzOptions(engines: [try EngineSpec.parse("interp", environment: environment),
                                            try EngineSpec.parse("interp", environment: environment)])
        options.runs = 200
        options.invalidShare = 0
        options.seed = 3
        options.mode = .single
        options.findings = scratchDirectory()
        let summary = try Fuzzer(options: options) { _ in }.run()
        #expect(summary.findings == 0)
        let single = try #require(summary.single)
        #expect(single.opcodes.covered > 30)
        #expect(single.pairs.covered > single.opcodes.covered)
        #expect(single.summary.hasPrefix("single-instruction coverage: "))
    }
}
