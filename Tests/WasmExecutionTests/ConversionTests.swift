import Testing
import WasmRuntime

@Suite struct ConversionTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (func (export "i32.trunc_f32_s") (param f32) (result i32) (i32.trunc_f32_s (local.get 0)))
          (func (export "i64.trunc_f64_u") (param f64) (result i64) (i64.trunc_f64_u (local.get 0)))
          (func (export "i32.trunc_sat_f64_s") (param f64) (result i32) (i32.trunc_sat_f64_s (local.get 0)))
          (func (export "f32.demote") (param f64) (result f32) (f32.demote_f64 (local.get 0)))
          (func (export "f64.promote") (param f32) (result f64) (f64.promote_f32 (local.get 0)))
          (func (export "f32.convert_i64_u") (param i64) (result f32) (f32.convert_i64_u (local.get 0)))
          (func (export "i64.extend_i32_s") (param i32) (result i64) (i64.extend_i32_s (local.get 0)))
          (func (export "i64.extend_i32_u") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
          (func (export "i32.wrap") (param i64) (result i32) (i32.wrap_i64 (local.get 0)))
          (func (export "reinterpret") (param f32) (result i32) (i32.reinterpret_f32 (local.get 0)))
          (func (export "reinterpret.add") (param i32) (result f32)
            (f32.add (f32.reinterpret_i32 (local.get 0)) (f32.const 1)))
        )
        """

    @Test(arguments: TestTier.allCases) func trappingTruncationsReportTheirKind(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("i32.trunc_f32_s", [f32(-3.9)]) == [i32(-3)])
        #expect(instance.trap("i32.trunc_f32_s", [f32(.nan)]) == .invalidConversionToInteger)
        #expect(instance.trap("i32.trunc_f32_s", [f32(2147483648)]) == .integerOverflow)
        #expect(instance.trap("i64.trunc_f64_u", [f64(-1)]) == .integerOverflow)
        #expect(try instance.call("i64.trunc_f64_u", [f64(-0.9)]) == [i64(0)])
    }

    @Test(arguments: TestTier.allCases) func saturatingTruncations(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("i32.trunc_sat_f64_s", [f64(1e20)]) == [i32(.max)])
        #expect(try instance.call("i32.trunc_sat_f64_s", [f64(-1e20)]) == [i32(.min)])
        #expect(try instance.call("i32.trunc_sat_f64_s", [f64(.nan)]) == [i32(0)])
    }

    @Test(arguments: TestTier.allCases) func promoteAndDemoteGiveQuietNaNs(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        guard case .f32(let demoted) = try instance.call("f32.demote", [.f64(0x7FF0_0000_0000_0001)])[0],
              case .f64(let promoted) = try instance.call("f64.promote", [.f32(0x7F80_0001)])[0] else {
            Issue.record("wrong result types")
            return
        }
        #expect(demoted & 0x7FC0_0000 == 0x7FC0_0000)
        #expect(promoted & 0x7FF8_0000_0000_0000 == 0x7FF8_0000_0000_0000)
        #expect(try instance.call("f64.promote", [f32(1.5)]) == [f64(1.5)])
    }

    @Test(arguments: TestTier.allCases) func integerConversions(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("f32.convert_i64_u", [.i64(UInt64.max)]) == [f32(18446744073709551616.0)])
        #expect(try instance.call("i64.extend_i32_s", [i32(-2)]) == [i64(-2)])
        #expect(try instance.call("i64.extend_i32_u", [i32(-2)]) == [.i64(0xFFFF_FFFE)])
        #expect(try instance.call("i32.wrap", [.i64(0x1_2345_6789)]) == [.i32(0x2345_6789)])
    }

    @Test(arguments: TestTier.allCases) func reinterpretationKeepsBits(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("reinterpret", [.f32(0x7FA0_0001)]) == [.i32(0x7FA0_0001)])
        #expect(try instance.call("reinterpret.add", [.i32(Float(2).bitPattern)]) == [f32(3)])
    }
}
