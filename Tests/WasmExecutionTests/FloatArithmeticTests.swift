import Testing
import WasmRuntime

@Suite struct FloatArithmeticTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (func (export "f32.neg") (param f32) (result f32) (f32.neg (local.get 0)))
          (func (export "f32.abs") (param f32) (result f32) (f32.abs (local.get 0)))
          (func (export "f64.copysign") (param f64 f64) (result f64) (f64.copysign (local.get 0) (local.get 1)))
          (func (export "f32.min") (param f32 f32) (result f32) (f32.min (local.get 0) (local.get 1)))
          (func (export "f64.max") (param f64 f64) (result f64) (f64.max (local.get 0) (local.get 1)))
          (func (export "f32.nearest") (param f32) (result f32) (f32.nearest (local.get 0)))
          (func (export "f64.sqrt") (param f64) (result f64) (f64.sqrt (local.get 0)))
          (func (export "f32.add") (param f32 f32) (result f32) (f32.add (local.get 0) (local.get 1)))
          (func (export "f64.lt") (param f64 f64) (result i32) (f64.lt (local.get 0) (local.get 1)))
          (func (export "f32.ne") (param f32 f32) (result i32) (f32.ne (local.get 0) (local.get 1)))
          (func (export "f32.const.nan") (result f32) (f32.const nan:0x200001))
        )
        """

    @Test(arguments: TestTier.allCases) func signOperationsKeepNaNPayloads(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        let nan: UInt32 = 0x7FA0_0001 // a signalling NaN: arithmetic would quiet it
        #expect(try instance.call("f32.neg", [.f32(nan)]) == [.f32(0xFFA0_0001)])
        #expect(try instance.call("f32.abs", [.f32(0xFFA0_0001)]) == [.f32(nan)])
        #expect(try instance.call("f64.copysign", [.f64(0x7FF0_0000_0000_0001), f64(-1)]) == [.f64(0xFFF0_0000_0000_0001)])
        #expect(try instance.call("f32.const.nan") == [.f32(0x7FA0_0001)])
    }

    @Test(arguments: TestTier.allCases) func minAndMaxFollowWasmRules(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("f32.min", [f32(0), f32(-0.0)]) == [f32(-0.0)])
        #expect(try instance.call("f64.max", [f64(-0.0), f64(0)]) == [f64(0)])
        let r = try instance.call("f32.min", [f32(1), f32(.nan)])
        guard case .f32(let bits) = r[0] else { Issue.record("not an f32"); return }
        #expect(Float(bitPattern: bits).isNaN)
    }

    @Test(arguments: TestTier.allCases) func roundingAndArithmetic(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("f32.nearest", [f32(2.5)]) == [f32(2)])
        #expect(try instance.call("f32.nearest", [f32(-0.5)]) == [f32(-0.0)])
        #expect(try instance.call("f64.sqrt", [f64(2)]) == [f64(2.0.squareRoot())])
        #expect(try instance.call("f32.add", [f32(0.1), f32(0.2)]) == [f32(Float(0.1) + Float(0.2))])
    }

    @Test(arguments: TestTier.allCases) func comparisonsWithNaN(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("f64.lt", [f64(1), f64(2)]) == [i32(1)])
        #expect(try instance.call("f64.lt", [f64(.nan), f64(2)]) == [i32(0)])
        #expect(try instance.call("f32.ne", [f32(.nan), f32(.nan)]) == [i32(1)])
    }

    /// Float comparisons consumed by `br_if` and `if` (which the JIT fuses
    /// into a compare and branch), directly and through `i32.eqz`, agree
    /// with the comparison's value for every condition on NaNs, zeros of
    /// both signs and ordered pairs: with a NaN, "not less" is not
    /// "greater or equal".
    @Test(arguments: TestTier.allCases) func branchesOnFloatComparisons(tier: TestTier) throws {
        var functions = ""
        for type in ["f32", "f64"] {
            for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
                functions += """
                  (func (export "\(type).\(op)") (param \(type) \(type)) (result i32) (\(type).\(op) (local.get 0) (local.get 1)))
                  (func (export "\(type).\(op).br_if") (param \(type) \(type)) (result i32)
                    (block (br_if 0 (\(type).\(op) (local.get 0) (local.get 1))) (return (i32.const 0))) (i32.const 1))
                  (func (export "\(type).\(op).br_unless") (param \(type) \(type)) (result i32)
                    (block (br_if 0 (i32.eqz (\(type).\(op) (local.get 0) (local.get 1)))) (return (i32.const 1))) (i32.const 0))
                  (func (export "\(type).\(op).if") (param \(type) \(type)) (result i32)
                    (if (result i32) (\(type).\(op) (local.get 0) (local.get 1)) (then (i32.const 1)) (else (i32.const 0))))
                  (func (export "\(type).\(op).eqz") (param \(type) \(type)) (result i32)
                    (i32.eqz (\(type).\(op) (local.get 0) (local.get 1))))

                """
            }
        }
        let instance = try instantiate(on: tier, "(module\n\(functions))")
        let values: [Double] = [.nan, -.nan, 0, -0.0, 1, -1, 2.5, .infinity, -.infinity]
        for type in ["f32", "f64"] {
            for op in ["eq", "ne", "lt", "gt", "le", "ge"] {
                for a in values {
                    for b in values {
                        let arguments = type == "f32" ? [f32(Float(a)), f32(Float(b))] : [f64(a), f64(b)]
                        let value = try instance.call("\(type).\(op)", arguments)
                        #expect(value == [i32(a.isNaN || b.isNaN ? (op == "ne" ? 1 : 0) : Self.compare(op, a, b))], "\(type).\(op) \(a) \(b)")
                        for form in ["br_if", "br_unless", "if"] {
                            #expect(try instance.call("\(type).\(op).\(form)", arguments) == value, "\(type).\(op).\(form) \(a) \(b)")
                        }
                        let negated = try instance.call("\(type).\(op).eqz", arguments)
                        #expect(negated == [i32(value == [i32(1)] ? 0 : 1)], "\(type).\(op).eqz \(a) \(b)")
                    }
                }
            }
        }
    }

    static func compare(_ op: String, _ a: Double, _ b: Double) -> Int32 {
        switch op {
        case "eq": return a == b ? 1 : 0
        case "ne": return a != b ? 1 : 0
        case "lt": return a < b ? 1 : 0
        case "gt": return a > b ? 1 : 0
        case "le": return a <= b ? 1 : 0
        default: return a >= b ? 1 : 0
        }
    }
}
