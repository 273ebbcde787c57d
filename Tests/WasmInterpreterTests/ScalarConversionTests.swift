import Testing
import WasmInterpreter
import WasmRuntime

/// Conversions between numbers, run by the executor (`Executed`). Expected
/// values are taken from the official suite (conversions.wast, including its
/// hard rounding cases).
@Suite struct ScalarConversionTests {
    @Test func truncationInRangeRoundsTowardZero() {
        #expect(Executed.i32TruncF32S(-0x1.ccccccp-1) == 0)
        #expect(Executed.i32TruncF32S(-1.9) == -1)
        #expect(Executed.i32TruncF32S(2_147_483_520) == 2_147_483_520)
        #expect(Executed.i32TruncF32S(-2_147_483_648) == Int32.min)
        #expect(Executed.i32TruncF32U(-0x1.ccccccp-1) == 0)
        #expect(Executed.i32TruncF32U(4_294_967_040) == 4_294_967_040)
        #expect(Executed.i32TruncF64S(-2_147_483_648.9) == Int32.min)
        #expect(Executed.i32TruncF64S(2_147_483_647.9) == Int32.max)
        #expect(Executed.i32TruncF64U(4_294_967_295.9) == UInt32.max)
        #expect(Executed.i32TruncF64U(-0.9) == 0)
        #expect(Executed.i64TruncF32S(-9_223_372_036_854_775_808) == Int64.min)
        #expect(Executed.i64TruncF32S(9_223_371_487_098_961_920) == 9_223_371_487_098_961_920)
        #expect(Executed.i64TruncF32U(18_446_742_974_197_923_840) == 18_446_742_974_197_923_840)
        #expect(Executed.i64TruncF64S(-9_223_372_036_854_775_808) == Int64.min)
        #expect(Executed.i64TruncF64S(9_223_372_036_854_774_784) == 9_223_372_036_854_774_784)
        #expect(Executed.i64TruncF64U(18_446_744_073_709_549_568) == 18_446_744_073_709_549_568)
        #expect(Executed.i64TruncF64U(-0.9) == 0)
    }

    @Test func truncationOutOfRangeFailsWithTheRightTrap() {
        let f32Bad: [Float] = [2_147_483_648, -2_147_483_904, .infinity, -.infinity]
        for x in f32Bad {
            #expect(Executed.i32TruncF32S(x) == nil)
            #expect(Executed.trap("i32.trunc_f32_s", f32(x)) == .integerOverflow)
        }
        #expect(Executed.i32TruncF32U(4_294_967_296) == nil)
        #expect(Executed.i32TruncF32U(-1) == nil)
        #expect(Executed.i32TruncF64S(2_147_483_648) == nil)
        #expect(Executed.i32TruncF64S(-2_147_483_649) == nil)
        #expect(Executed.i32TruncF64U(4_294_967_296) == nil)
        #expect(Executed.i32TruncF64U(-1) == nil)
        #expect(Executed.i64TruncF32S(9_223_372_036_854_775_808) == nil)
        #expect(Executed.i64TruncF32S(-9_223_373_136_366_403_584) == nil)
        #expect(Executed.i64TruncF32U(18_446_744_073_709_551_616) == nil)
        #expect(Executed.i64TruncF32U(-1) == nil)
        #expect(Executed.i64TruncF64S(9_223_372_036_854_775_808) == nil)
        #expect(Executed.i64TruncF64S(-9_223_372_036_854_777_856) == nil)
        #expect(Executed.i64TruncF64U(18_446_744_073_709_551_616) == nil)
        #expect(Executed.i64TruncF64U(-1) == nil)
    }

    @Test func truncatingNaNIsAnInvalidConversion() {
        let nans: [Float] = [.nan, -.nan, Float(bitPattern: 0x7F80_0001)]
        for x in nans {
            #expect(Executed.i32TruncF32S(x) == nil)
            #expect(Executed.i64TruncF32U(x) == nil)
            #expect(Executed.trap("i64.trunc_f32_u", f32(x)) == .invalidConversionToInteger)
        }
        #expect(Executed.i32TruncF64U(.nan) == nil)
        #expect(Executed.i64TruncF64S(-.nan) == nil)
        #expect(Executed.trap("i32.trunc_f64_s", f64(.nan)) == .invalidConversionToInteger)
        #expect(Executed.trap("i64.trunc_f64_u", f64(.infinity)) == .integerOverflow)
    }

    @Test func saturatingTruncation() {
        #expect(Executed.i32TruncSatF32S(.nan) == 0)
        #expect(Executed.i32TruncSatF32S(.infinity) == Int32.max)
        #expect(Executed.i32TruncSatF32S(-2_147_483_904) == Int32.min)
        #expect(Executed.i32TruncSatF32S(-1.9) == -1)
        #expect(Executed.i32TruncSatF32U(-.infinity) == 0)
        #expect(Executed.i32TruncSatF32U(4_294_967_296) == UInt32.max)
        #expect(Executed.i32TruncSatF32U(-0.9) == 0)
        #expect(Executed.i32TruncSatF64S(-2_147_483_649) == Int32.min)
        #expect(Executed.i32TruncSatF64S(2_147_483_647.9) == Int32.max)
        #expect(Executed.i32TruncSatF64S(-.nan) == 0)
        #expect(Executed.i32TruncSatF64U(1e16) == UInt32.max)
        #expect(Executed.i32TruncSatF64U(-1) == 0)
        #expect(Executed.i64TruncSatF32S(9_223_372_036_854_775_808) == Int64.max)
        #expect(Executed.i64TruncSatF32S(-.infinity) == Int64.min)
        #expect(Executed.i64TruncSatF32U(18_446_744_073_709_551_616) == UInt64.max)
        #expect(Executed.i64TruncSatF32U(Float(bitPattern: 0xFFA0_0000)) == 0)
        #expect(Executed.i64TruncSatF64S(9_223_372_036_854_774_784) == 9_223_372_036_854_774_784)
        #expect(Executed.i64TruncSatF64S(-9_223_372_036_854_777_856) == Int64.min)
        #expect(Executed.i64TruncSatF64U(18_446_744_073_709_549_568) == 18_446_744_073_709_549_568)
        #expect(Executed.i64TruncSatF64U(.infinity) == UInt64.max)
        #expect(Executed.i64TruncSatF64U(.nan) == 0)
    }

    @Test func integerToFloatRoundsOnceToNearestEven() {
        #expect(Executed.f32ConvertI32S(16_777_217) == 16_777_216)
        #expect(Executed.f32ConvertI32S(-16_777_219) == -16_777_220)
        #expect(Executed.f32ConvertI32U(0x8000_0080) == 0x1p31)
        #expect(Executed.f32ConvertI32U(0x8000_0081) == 0x1.000002p31)
        #expect(Executed.f32ConvertI32U(0xFFFF_FE80) == 0x1.fffffcp31)
        #expect(Executed.f32ConvertI32U(0xFFFF_FE81) == 0x1.fffffep31)
        // Rounding through f64 first would get these wrong.
        #expect(Executed.f32ConvertI64S(0x7FFF_FF40_0000_0001) == 0x1.fffffep62)
        #expect(Executed.f32ConvertI64S(Int64(bitPattern: 0x8000_0040_0000_0001)) == -0x1.fffffep62)
        #expect(Executed.f32ConvertI64S(0x0020_0000_2000_0001) == 0x1.000002p53)
        #expect(Executed.f32ConvertI64S(Int64(bitPattern: 0xFFDF_FFFF_DFFF_FFFF)) == -0x1.000002p53)
        #expect(Executed.f32ConvertI64U(0x0020_0000_2000_0001) == 0x1.000002p53)
        #expect(Executed.f32ConvertI64U(0x7FFF_FFBF_FFFF_FFFF) == 0x1.fffffep62)
        #expect(Executed.f32ConvertI64U(0x8000_0080_0000_0001) == 0x1.000002p63)
        #expect(Executed.f32ConvertI64U(0xFFFF_FE80_0000_0001) == 0x1.fffffep63)
        #expect(Executed.f32ConvertI64U(UInt64.max) == 18_446_744_073_709_551_616)
        #expect(Executed.f64ConvertI32S(Int32.min) == -2_147_483_648)
        #expect(Executed.f64ConvertI32U(UInt32.max) == 4_294_967_295)
        #expect(Executed.f64ConvertI64S(9_007_199_254_740_993) == 9_007_199_254_740_992)
        #expect(Executed.f64ConvertI64S(-9_007_199_254_740_995) == -9_007_199_254_740_996)
        #expect(Executed.f64ConvertI64U(0x8000_0000_0000_0401) == 0x1.0000000000001p63)
        #expect(Executed.f64ConvertI64U(0x8000_0000_0000_0400) == 0x1p63)
        #expect(Executed.f64ConvertI64U(0xFFFF_FFFF_FFFF_F401) == 0x1.fffffffffffffp63)
        #expect(Executed.f64ConvertI64U(0xFFFF_FFFF_FFFF_F400) == 0x1.ffffffffffffep63)
    }

    @Test func demoteRoundsAndKeepsNaNClass() {
        #expect(Executed.f32DemoteF64(0x1.fffffefffffffp127) == 0x1.fffffep127)
        #expect(Executed.f32DemoteF64(0x1.ffffffp127) == .infinity)
        #expect(Executed.f32DemoteF64(-0x1p-150).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f32DemoteF64(0x1.8p-149) == 0x1p-148)
        #expect(Executed.f32DemoteF64(0x1.0000010000001p0) == 0x1.000002p0)
        #expect(Executed.f32DemoteF64(1e300) == .infinity)
        #expect(Numerics.isCanonicalNaN(Executed.f32DemoteF64(.nan)))
        #expect(Numerics.isCanonicalNaN(Executed.f32DemoteF64(-.nan)))
        // nan:0x4000000000000 (quiet bit only + payload) and a signalling NaN.
        #expect(Numerics.isArithmeticNaN(Executed.f32DemoteF64(Double(bitPattern: 0x7FF4_0000_0000_0000))))
        #expect(Numerics.isArithmeticNaN(Executed.f32DemoteF64(Double(bitPattern: 0xFFF0_0000_0000_0001))))
        // The top payload bits and the sign survive.
        #expect(Executed.f32DemoteF64(Double(bitPattern: 0xFFFA_0000_0000_0000)).bitPattern == 0xFFD0_0000)
    }

    @Test func promoteIsExactAndKeepsNaNClass() {
        #expect(Executed.f64PromoteF32(0x1p-149) == 0x1p-149)
        #expect(Executed.f64PromoteF32(-0x1.fffffep127) == -0x1.fffffep127)
        #expect(Executed.f64PromoteF32(-0.0).bitPattern == Double(-0.0).bitPattern)
        #expect(Numerics.isCanonicalNaN(Executed.f64PromoteF32(.nan)))
        #expect(Numerics.isCanonicalNaN(Executed.f64PromoteF32(-.nan)))
        #expect(Numerics.isArithmeticNaN(Executed.f64PromoteF32(Float(bitPattern: 0x7FA0_0000))))
        #expect(Numerics.isArithmeticNaN(Executed.f64PromoteF32(Float(bitPattern: 0x7F80_0001))))
        #expect(Executed.f64PromoteF32(Float(bitPattern: 0xFFE0_0000)).bitPattern == 0xFFFC_0000_0000_0000)
    }
}
