import Testing
import WasmBinary
import WasmSyntax
import WasmValidation
@testable import WasmGenerator

/// Invalid-module mode: one targeted mutation of a valid module, which the
/// validator (and wasm-tools, when installed) must reject for the recorded
/// reason.
@Suite("Invalid modules")
struct InvalidModuleTests {
    @Test func everyMutationIsRejectedForItsRule() throws {
        var config = GeneratorConfig()
        config.swarm = true
        let generator = try ModuleGenerator(config: config)
        let count = environmentInt("SMITH_INVALID_COUNT", default: 1_000)
        var rules = Set<InvalidModuleRule>()
        var failures: [String] = []
        var external = wasmTools.map { WasmToolsBatch(tool: $0) }
        for i in 0..<count {
            let invalid = generator.generateInvalid(seedBytes(baseSeed, i))
            rules.insert(invalid.rule)
            do {
                try validateModule(invalid.module, features: invalid.features)
                failures.append("case \(i): \(invalid.rule.rawValue) accepted (\(invalid.description))")
            } catch {
                let malformed: Bool
                if case .malformed = error { malformed = true } else { malformed = false }
                if !error.message.contains(invalid.rule.expectedMessage) || malformed != invalid.rule.isMalformed {
                    failures.append("case \(i): \(invalid.rule.rawValue) rejected with \(error) (\(invalid.description))")
                }
            }
            external?.add(encodeModule(invalid.module), case: i, expect: invalid.rule.isMalformed ? .malformed : .invalid)
        }
        external?.flush()
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
        #expect(rules.count == InvalidModuleRule.allCases.count, "rules never applied: \(Set(InvalidModuleRule.allCases).subtracting(rules))")
        if let external {
            #expect(external.failures.isEmpty, "wasm-tools accepted: \(external.failures.prefix(10).joined(separator: "\n"))")
        }
    }

    @Test func theMutationIsTheOnlyChange() throws {
        // Without its first byte (the rule) the input gives the valid module
        // the mutation started from.
        let generator = try ModuleGenerator(config: GeneratorConfig())
        for i in 0..<50 {
            let bytes = seedBytes(baseSeed, i)
            let invalid = generator.generateInvalid(bytes)
            let valid = generator.generate(Array(bytes.dropFirst()))
            #expect(problem(with: valid) == nil)
            #expect(invalid.module != valid.module)
        }
    }
}
