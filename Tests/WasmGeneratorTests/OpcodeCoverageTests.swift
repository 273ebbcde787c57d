import Testing
import WasmSyntax
@testable import WasmGenerator

/// Swarm mode reaches nearly every opcode of the enabled features (the
/// Done-when figure, 95% within 10,000 modules, is measured by
/// `wasmcheck smith --stats 10000`; this checks a smaller run).
@Suite("Opcode coverage")
struct OpcodeCoverageTests {
    @Test func swarmModulesCoverTheEnabledOpcodes() throws {
        var config = GeneratorConfig()
        config.swarm = true
        let generator = try ModuleGenerator(config: config)
        var coverage = OpcodeCoverage()
        for i in 0..<environmentInt("SMITH_COVERAGE_COUNT", default: 1_000) {
            coverage.record(generator.generate(seedBytes(baseSeed, i)).module)
        }
        let (seen, total, missing) = coverage.coverage(of: config.features)
        #expect(coverage.undecodable == 0)
        #expect(Double(seen) >= 0.95 * Double(total), "missing: \(missing.map(\.mnemonic))")
    }

    @Test func coverageCountsWhatModulesContain() {
        var module = Module()
        module.types = [RecGroup(types: [SubType(composite: .func(FuncType()))])]
        module.functions = [Function(typeIndex: 0, body: [0x41, 0x01, 0x1A, 0x01, 0x0B])]
        var coverage = OpcodeCoverage()
        coverage.record(module)
        #expect(coverage.count(.i32Const) == 1)
        #expect(coverage.count(.drop) == 1)
        #expect(coverage.count(.nop) == 1)
        #expect(coverage.count(.end) == 1)
        #expect(coverage.count(.i32Add) == 0)
    }
}
