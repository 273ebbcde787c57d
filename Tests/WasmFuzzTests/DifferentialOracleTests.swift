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
    }

    /// Agreement is no excuse when the engines agree against the module's
    /// construction: our tiers share one validator.
    @Test func modulesJudgedAgainstTheirConstructionAreFindings() throws {
        let o = oracle(nil, nil)
        let accepted = o.run(FuzzCase(bytes: try wasm("(module)"), expectation: .invalid, invalidRule: "immutable-global")).verdict
        #expect(accepted.isUnexpected)
        #expect(accepted.finding?.signature == "validation|unexpected: accept invalid|immutable-global")
        let bad = try wasm("(module (global i32 (i32.const 0)) (func (global.set 0 (i32.const 1))))")
        let rejected = o.run(FuzzCase(bytes: bad, expectation: .valid)).verdict
        #expect(rejected.finding?.signature == "validation|unexpected: reject valid (immutable global)")
        // Rejected, but for another rule than the one the mutation broke.
        let otherRule = o.run(FuzzCase(bytes: bad, expectation: .invalid, invalidRule: "unknown-local")).verdict
        #expect(otherRule.finding?.signature.hasPrefix("validation|unexpected: other rule|unknown-local|interp (invalid: immutable global") == true)
        #expect(o.run(FuzzCase(bytes: bad, expectation: .invalid, invalidRule: "immutable-global")).verdict == .agreed)
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

    @Test func relaxedSimdDivergenceIsInconclusiveOnlyInCallsThatMayRunIt() throws {
        let c = try textCase("""
            (module
              (func $relaxed (result v128)
                (f32x4.relaxed_madd (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)))
              (func (export "f") (result i32)
                (drop (call $relaxed))
                (i32.const 1))
              (func (export "g") (result f32)
                (f32.div (f32.const 0) (f32.const 0))))
            """)
        #expect(c.functionsReachingRelaxedSimd == [0, 1])
        let verdict = oracle(nil, .nanBits).run(c).verdict
        // "f" reaches relaxed_madd through a call; "g" does not, and the
        // module's use of relaxed SIMD does not excuse it.
        #expect(verdict.finding?.step == "call g", "\(verdict)")
        let onlyF = try textCase("""
            (module (func (export "f") (result f32)
              (drop (f32x4.relaxed_madd (v128.const f32x4 1 1 1 1) (v128.const f32x4 1 1 1 1) (v128.const f32x4 0 0 0 0)))
              (f32.div (f32.const 0) (f32.const 0))))
            """)
        guard case .inconclusive = oracle(nil, .nanBits).run(onlyF).verdict else {
            Issue.record("not inconclusive")
            return
        }
    }

    @Test func indirectCallsMayReachRelaxedSimd() throws {
        let c = try textCase("""
            (module (type $t (func))
              (table 1 funcref) (elem (i32.const 0) $r)
              (func $r (drop (i8x16.relaxed_swizzle (v128.const i64x2 0 0) (v128.const i64x2 0 0))))
              (func (export "f") (call_indirect (type $t) (i32.const 0)))
              (func (export "g")))
            """)
        #expect(c.functionsReachingRelaxedSimd == [0, 1])
    }

    /// Memories compare bit for bit: a wrong small negative i32 (-5 for
    /// -6) is a quiet f32 NaN in both memories, and still a finding.
    @Test func memoriesCompareBitForBit() throws {
        let minus5: [UInt8] = [0xFB, 0xFF, 0xFF, 0xFF]
        let minus6: [UInt8] = [0xFA, 0xFF, 0xFF, 0xFF]
        #expect(DifferentialOracle.firstDifference([0, 0] + minus5, [0, 0] + minus6) == 2)
        #expect(DifferentialOracle.firstDifference(minus5, minus5) == nil)
        // Quiet NaNs of different payloads at an odd offset differ too.
        #expect(DifferentialOracle.firstDifference([1, 0, 0, 0xC0, 0x7F], [1, 0, 0, 0xC0, 0xFF]) == 4)
    }

    @Test func signaturesIgnoreNumbers() {
        #expect(DifferentialOracle.messageClass("immutable global 12") == DifferentialOracle.messageClass("immutable global 3"))
    }
}
