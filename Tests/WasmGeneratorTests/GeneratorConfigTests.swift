import Foundation
import Testing
import WasmSyntax
@testable import WasmGenerator

@Suite("Generator configuration")
struct GeneratorConfigTests {
    @Test func missingKeysKeepTheirDefaults() throws {
        let json = #"{"features": ["wasm2", "gc"], "swarm": true, "maxFunctions": 3, "fuel": 500}"#
        let config = try JSONDecoder().decode(GeneratorConfig.self, from: Data(json.utf8))
        #expect(config.features == Features.wasm2.union(.gc))
        #expect(config.swarm)
        #expect(config.maxFunctions == 3)
        #expect(config.fuel == 500)
        #expect(config.maxInstructions == GeneratorConfig().maxInstructions)
        #expect(!config.noTraps)
    }

    @Test func encodingRoundTrips() throws {
        var config = GeneratorConfig.runnable(features: .wasm3)
        config.template = "t.wat"
        config.maxTables = 1
        let data = try JSONEncoder().encode(config)
        #expect(try JSONDecoder().decode(GeneratorConfig.self, from: data) == config)
    }

    @Test func unknownFeaturesAreRefused() {
        let json = #"{"features": ["simd", "teleportation"]}"#
        #expect(throws: (any Error).self) { try JSONDecoder().decode(GeneratorConfig.self, from: Data(json.utf8)) }
    }

    @Test func featuresAreRespected() throws {
        for features: Features in [.mvp, .wasm2, [.mutableGlobals, .simd], Features.wasm2.union(.gc)] {
            var config = GeneratorConfig()
            config.features = features
            let generator = try ModuleGenerator(config: config)
            for i in 0..<100 {
                let generated = generator.generate(seedBytes(baseSeed, i))
                #expect(features.union(.referenceTypes).union(.functionReferences).isSuperset(of: generated.features))
                #expect(problem(with: generated) == nil, "features \(GeneratorConfig.featureNames(features)), case \(i)")
            }
        }
    }
}
