import Testing
import WasmBinary
import WasmSyntax
import WasmValidation
@testable import WasmGenerator

/// Modules from random bytes, in swarm mode across every feature, pass the
/// validator and survive an encode/decode round trip. The count is
/// `SMITH_COUNT` (default 2,000; ci/smith-check.sh runs 100,000 in release).
@Suite("Generated modules are valid")
struct GeneratedModuleValidityTests {
    @Test func swarmModulesAreValidAndRoundTrip() throws {
        var config = GeneratorConfig()
        config.features = .wasm3
        config.swarm = true
        let generator = try ModuleGenerator(config: config)
        let count = environmentInt("SMITH_COUNT", default: 2_000)
        var failures: [String] = []
        var external = wasmTools.map { WasmToolsBatch(tool: $0) }
        for i in 0..<count {
            let generated = generator.generate(seedBytes(baseSeed, i))
            if let p = problem(with: generated) {
                failures.append("case \(i) (seed \(baseSeed)): \(p)")
                if failures.count >= 10 { break }
            }
            external?.add(encodeModule(generated.module), case: i)
        }
        external?.flush()
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
        if let external {
            print("wasm-tools validate --features all: \(external.checked) modules, \(external.failures.count) rejected")
            #expect(external.failures.isEmpty, "seed \(baseSeed): \(external.failures.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test func equalBytesGiveEqualModules() throws {
        var config = GeneratorConfig()
        config.swarm = true
        let generator = try ModuleGenerator(config: config)
        for i in 0..<50 {
            let bytes = seedBytes(baseSeed, i)
            #expect(generator.generate(bytes).module == generator.generate(bytes).module)
        }
    }

    @Test func anyInputGivesAModule() throws {
        let generator = try ModuleGenerator(config: GeneratorConfig())
        for bytes: [UInt8] in [[], [0], [0xFF], [UInt8](repeating: 0xFF, count: 10_000), [UInt8](repeating: 0, count: 1000)] {
            #expect(problem(with: generator.generate(bytes)) == nil)
        }
    }
}
