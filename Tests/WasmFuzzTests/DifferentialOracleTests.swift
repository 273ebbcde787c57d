import Testing
import WasmGenerator
import WasmEngines
@testable import WasmFuzz

@Suite("The differential oracle")
struct DifferentialOracleTests {
    func oracle(_ faults: InjectedFault?...) -> DifferentialOracle {
        DifferentialOracle(engines: faults.map { f in InProcessEngine.interpreter(name: f.map { "interp!\($0.rawValue)" } ?? "interp", fault: f) })
    }

    @Test func equalEnginesAgreeOnGeneratedCases() throws {
        let o = oracle(nil, nil)
        let generator = try CaseGenerator(config: CaseGenerator.defaultConfig(features: .wasm3), invalidShare: 4)
        var random = SplitMix64(seed: 5)
        var calls = 0
        var invalid = 0
        for _ in 0..<60 {
            let c = generator.makeCase(random.bytes(maxLength: 3000))
            if c.expectation == .invalid { invalid += 1 }
            let report = o.run(c)
            #expect(report.verdict.finding == nil, "\(report.verdict)")
            calls += report.calls
        }
        #expect(calls > 50)
        #expect(invalid > 5)
    }

    @Test func comparesResults() throws {
        let c = try textCase("(module (func (export \"f\") (result i64) (i64.mul (i64.const 0x100000001) (i64.const 0x100000001))))")
        let finding = oracle(nil, .integerOp).run(c).verdict.finding
        #expect(finding?.kind == .result)
        #expect(finding?.signature == "result|result i64|interp vs interp!int-op")
        #expect(finding?.step == "call f")
    }

    @Test func comparesNaNsByClass() throws {
        let c = try textCase("(module (func (export \"f\") (result f64) (f64.div (f64.const 0) (f64.const 0))))")
        #expect(oracle(nil, nil).run(c).verdict == .agreed)
        let finding = oracle(nil, .nanBits).run(c).verdict.finding
        #expect(finding?.signature == "result|result f64 nan|interp vs interp!nan-bits")
    }

    @Test func comparesTrapKinds() throws {
        let c = try textCase("(module (func (export \"f\") (result i32) (i32.rem_u (i32.const 1) (i32.const 0))))")
        let finding = oracle(nil, .trapKind).run(c).verdict.finding
        #expect(finding?.kind == .trap)
        #expect(finding?.signature == "trap|integer divide by zero vs integer overflow|interp vs interp!trap-kind")
    }

    @Test func comparesMemoriesAfterEachCall() throws {
        let c = try textCase("""
            (module (memory (export "m") 1)
              (func (export "a") (i32.store8 (i32.const 65535) (i32.const 7)))
              (func (export "b")))
            """)
        let finding = oracle(nil, .memoryBound).run(c).verdict.finding
        // The faulty engine traps on the last byte.
        #expect(finding?.signature == "trap|returned vs out of bounds memory access|interp vs interp!memory-bound")
        let quiet = try textCase("""
            (module (memory (export "m") 1) (global (export "g") (mut i32) (i32.const 0))
              (func (export "a") (param i32) (i32.store (i32.const 100) (i32.mul (local.get 0) (i32.const 0))) (global.set 0 (i32.const 1))))
            """)
        #expect(oracle(nil, nil).run(quiet).verdict == .agreed)
    }

    @Test func comparesValidation() throws {
        let bad = try wasm("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))")
        let finding = oracle(nil, .validator).run(FuzzCase(bytes: bad, expectation: .invalid)).verdict.finding
        #expect(finding?.kind == .validation)
        #expect(finding?.signature == "validation|interp reject (immutable global)|interp!validator accept")
        #expect(oracle(nil, nil).run(FuzzCase(bytes: bad, expectation: .invalid)).verdict == .agreed)
        #expect(oracle(nil, nil).run(FuzzCase(bytes: try wasm("(module)"), expectation: .invalid)).verdict
                == .unexpected("every engine accepts a module generated invalid (?)"))
    }

    @Test func exhaustionIsNeverAFinding() throws {
        let spin = try textCase("(module (func (export \"f\") (loop (br 0))))")
        let small = InProcessEngine.interpreter(name: "small", fuelPerCall: 100)
        let large = InProcessEngine.interpreter(name: "large", fuelPerCall: 1_000_000)
        #expect(DifferentialOracle(engines: [small, large]).run(spin).verdict == .agreed)
        let count = try textCase("""
            (module (global (export "g") (mut i32) (i32.const 0))
              (func (export "f") (loop (global.set 0 (i32.add (global.get 0) (i32.const 1))) (br_if 0 (i32.lt_u (global.get 0) (i32.const 500))))))
            """)
        let verdict = DifferentialOracle(engines: [small, large]).run(count).verdict
        guard case .inconclusive = verdict else {
            Issue.record("\(verdict)")
            return
        }
    }

    @Test func relaxedSimdDivergenceIsInconclusive() throws {
        let c = try textCase("""
            (module (func (export "f") (result f32)
              (drop (f32x4.relaxed_madd (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)))
              (f32.div (f32.const 0) (f32.const 0))))
            """)
        #expect(c.usesRelaxedSimd)
        guard case .inconclusive = oracle(nil, .nanBits).run(c).verdict else {
            Issue.record("not inconclusive")
            return
        }
    }

    /// Bytes of a memory may differ inside a float that is a quiet NaN in
    /// both (an engine's choice of payload and sign), not elsewhere.
    @Test func memoriesMayDifferInsideQuietNaNs() {
        func store(_ bits: UInt64, at offset: Int, in m: inout [UInt8]) {
            for i in 0..<8 { m[offset + i] = UInt8(truncatingIfNeeded: bits >> (8 * UInt64(i))) }
        }
        var a = [UInt8](repeating: 0, count: 16)
        var b = a
        store(0x7FF8_0000_0000_0001, at: 3, in: &a)
        store(0xFFF8_0000_0000_0000, at: 3, in: &b)
        #expect(DifferentialOracle.nanWindow(a, b, around: 3) == 11)
        store(0x7FF0_0000_0000_0001, at: 3, in: &b)
        #expect(DifferentialOracle.nanWindow(a, b, around: 3) == nil)
        var c = [UInt8](repeating: 0, count: 16)
        var d = c
        c[5] = 1
        d[5] = 2
        #expect(DifferentialOracle.nanWindow(c, d, around: 5) == nil)
    }

    @Test func signaturesIgnoreNumbers() {
        #expect(DifferentialOracle.messageClass("immutable global 12") == DifferentialOracle.messageClass("immutable global 3"))
    }
}
