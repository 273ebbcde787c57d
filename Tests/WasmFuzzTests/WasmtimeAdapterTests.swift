import Foundation
import Testing
import WasmGenerator
import WasmEngines
@testable import WasmFuzz

/// The wasmtime adapter (ci/engines/wasmtime_engine.py). Needs python3
/// with the PyPI package `wasmtime`.
@Suite("wasmtime behind the engine protocol", .enabled(if: wasmtimeAvailable, "needs python3 with the PyPI wasmtime package"))
struct WasmtimeAdapterTests {
    @Test func keepsBitsAndMapsTraps() throws {
        let engine = try wasmtimeSpec().make()
        defer { (engine as? ProcessEngine)?.stop() }
        #expect(try engine.features().isSuperset(of: .wasm3))
        let bytes = try wasm("""
            (module (type $s (struct (field i32)))
              (func (export "id") (param f32 f64 v128) (result f32 f64 v128) (local.get 0) (local.get 1) (local.get 2))
              (func (export "div") (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
              (func (export "oob") (result i32) (i32.load (i32.const 131070)))
              (func (export "null") (param anyref) (result i32) (ref.is_null (local.get 0)))
              (func (export "gc") (result anyref anyref anyref) (struct.new $s (i32.const 1)) (ref.i31 (i32.const -3)) (ref.null none))
              (func $f (export "rec") (call $f))
              (memory (export "m") 2) (data (i32.const 70000) "\\01\\02 not zero"))
            """)
        guard case .compiled(let m) = try engine.compile(bytes), case .instantiated(let i) = try engine.instantiate(m, imports: .registered) else {
            Issue.record("did not instantiate")
            return
        }
        let v = EngineValue.v128(.init(lo: 0x7FA0_0000_7F80_0001, hi: 0xFFFF_FFFF_FFFF_FFFF))
        #expect(try engine.invoke(i, export: "id", arguments: [.f32(0x7FA0_0000), .f64(0x7FF0_0000_0000_0001), v])
                == .returned([.f32(0x7FA0_0000), .f64(0x7FF0_0000_0000_0001), v]))
        #expect(try engine.invoke(i, export: "div", arguments: [.i32(0)]) == .trapped(.integerDivideByZero))
        #expect(try engine.invoke(i, export: "div", arguments: [.i32(0xFFFF_FFFF)]) == .returned([.i32(0xFFFF_FFFF)]))
        #expect(try engine.invoke(i, export: "oob", arguments: []) == .trapped(.outOfBoundsMemoryAccess))
        #expect(try engine.invoke(i, export: "null", arguments: [.ref(.null(.any))]) == .returned([.i32(1)]))
        #expect(try engine.invoke(i, export: "gc", arguments: []) == .returned([.ref(.structure), .ref(.i31(-3)), .ref(.null(.any))]))
        #expect(try engine.invoke(i, export: "rec", arguments: []) == .exhausted(.callStackExhausted))
        let interp = InProcessEngine.interpreter(name: "interp")
        guard case .compiled(let m2) = interp.compile(bytes), case .instantiated(let i2) = try interp.instantiate(m2, imports: .registered) else {
            Issue.record("interp did not instantiate")
            return
        }
        #expect(try engine.snapshot(i) == interp.snapshot(i2))
    }

    @Test func agreesWithTheInterpreterOnGeneratedModules() throws {
        let specs = [try EngineSpec.parse("interp", environment: .init(selfCommand: [], wasmtimeScript: nil)), try wasmtimeSpec()]
        let oracle = DifferentialOracle(engines: specs.map { $0.make() })
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm2))
        var random = SplitMix64(seed: 11)
        var agreed = 0
        for _ in 0..<40 {
            let c = generator.makeCase(random.bytes(maxLength: 2000))
            let report = oracle.run(c)
            #expect(report.verdict.finding == nil, "\(report.verdict)")
            if report.verdict == .agreed { agreed += 1 }
        }
        #expect(agreed > 30)
    }

    /// A wasmtime that crashes on some calls is a finding, and the fuzzer
    /// carries on with a new child.
    @Test func theFuzzerSurvivesACrashingEngine() throws {
        let crashing = """
            import os, runpy, sys
            sys.path.insert(0, sys.argv[1])
            import wasmtime_engine as w
            original = w.Engine.invoke
            def invoke(self, instance, name, args):
                if len(args) >= 2:
                    os.abort()
                return original(self, instance, name, args)
            w.Engine.invoke = invoke
            sys.argv = sys.argv[:1]
            w.main()
            """
        let spec = EngineSpec(name: "crashy", kind: .process(command: ["python3", "-c", crashing, repositoryRoot + "/ci/engines"]))
        var options = FuzzOptions(engines: [try EngineSpec.parse("interp", environment: .init(selfCommand: [], wasmtimeScript: nil)), spec])
        options.runs = 60
        options.seed = 3
        options.findings = scratchDirectory()
        options.generator = CaseGenerator.defaultConfig(features: .wasm2)
        let summary = try Fuzzer(options: options) { _ in }.run()
        #expect(summary.cases == 60)
        #expect(summary.stored.count == 1)
        #expect(summary.stored.first?.contains("/crash/") == true)
        #expect(summary.findings > 1)
        #expect(summary.agreed > 0)
        #expect((summary.restarts["crashy"] ?? 0) > 0)
    }
}
