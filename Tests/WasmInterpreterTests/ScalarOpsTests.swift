import Testing
import WasmInterpreter

/// Float min/max, rounding and sign operators as the executor runs them
/// (`Executed`; pmin/pmax through their f32x4/f64x2 lanes). Expected values
/// are taken from the official suite (f32.wast, f64.wast, float_misc.wast,
/// f32_bitwise.wast).
@Suite struct ScalarOpsTests {
    @Test func minMaxOrderNegativeZeroBelowPositiveZero() {
        #expect(Executed.f32Min(0, -0.0).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f32Min(-0.0, 0).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f32Max(0, -0.0).bitPattern == 0)
        #expect(Executed.f32Max(-0.0, 0).bitPattern == 0)
        #expect(Executed.f64Min(0, -0.0).bitPattern == Double(-0.0).bitPattern)
        #expect(Executed.f64Max(-0.0, 0).bitPattern == 0)
        #expect(Executed.f32Min(-.infinity, 0x1p-149) == -.infinity)
        #expect(Executed.f32Max(-.infinity, 0x1p-149) == 0x1p-149)
        #expect(Executed.f64Min(0x1.fffffffffffffp1023, .infinity) == 0x1.fffffffffffffp1023)
        #expect(Executed.f64Max(-1, -2) == -1)
    }

    @Test func minMaxWithANaNOperandGiveNaN() {
        let sNaN = Float(bitPattern: 0x7FA0_0000), negNaN = Float(bitPattern: 0xFFC0_0000)
        for x: Float in [0, -0.0, 1, .infinity, -.infinity] {
            #expect(Numerics.isArithmeticNaN(Executed.f32Min(sNaN, x)))
            #expect(Numerics.isArithmeticNaN(Executed.f32Max(x, sNaN)))
            #expect(Numerics.isCanonicalNaN(Executed.f32Min(x, negNaN)))
            #expect(Numerics.isCanonicalNaN(Executed.f32Max(negNaN, x)))
        }
        let dNaN = Double(bitPattern: 0x7FF0_0000_0000_0001)
        #expect(Numerics.isArithmeticNaN(Executed.f64Min(1, dNaN)))
        #expect(Numerics.isArithmeticNaN(Executed.f64Max(dNaN, -.infinity)))
        #expect(Numerics.isCanonicalNaN(Executed.f64Max(.nan, .nan)))
    }

    @Test func nearestRoundsTiesToEvenAndKeepsTheSign() {
        #expect(Executed.f32Nearest(-0.5).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f32Nearest(0.5) == 0)
        #expect(Executed.f32Nearest(1.5) == 2)
        #expect(Executed.f32Nearest(2.5) == 2)
        #expect(Executed.f32Nearest(-3.5) == -4)
        #expect(Executed.f32Nearest(4.5) == 4)
        // float_misc.wast: the largest f32 below 2^23 with a fraction.
        #expect(Executed.f32Nearest(8_388_609) == 8_388_609)
        #expect(Executed.f32Nearest(0x1.fffffep22) == 0x1p23)
        #expect(Executed.f32Nearest(-0x1.fffffep22) == -0x1p23)
        #expect(Executed.f64Nearest(0x1.fffffffffffffp51) == 0x1p52)
        #expect(Executed.f64Nearest(-0x1.fffffffffffffp51) == -0x1p52)
        #expect(Executed.f64Nearest(4_503_599_627_370_497) == 4_503_599_627_370_497)
        #expect(Executed.f64Nearest(-0.0).bitPattern == Double(-0.0).bitPattern)
        #expect(Executed.f64Nearest(0x1p-1074) == 0)
        #expect(Executed.f64Nearest(-.infinity) == -.infinity)
    }

    @Test func ceilFloorTrunc() {
        #expect(Executed.f32Ceil(-0.5).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f32Ceil(0x1p-149) == 1)
        #expect(Executed.f32Floor(-0x1p-149) == -1)
        #expect(Executed.f32Floor(0.5).bitPattern == 0)
        #expect(Executed.f32Trunc(-0.9).bitPattern == Float(-0.0).bitPattern)
        #expect(Executed.f64Ceil(-0.5).bitPattern == Double(-0.0).bitPattern)
        #expect(Executed.f64Floor(-0.5) == -1)
        #expect(Executed.f64Trunc(-1.9) == -1)
        #expect(Executed.f64Trunc(1e300) == 1e300)
    }

    @Test func roundingANaNGivesAnArithmeticNaN() {
        let s = Float(bitPattern: 0x7F80_0001)
        #expect(Numerics.isArithmeticNaN(Executed.f32Nearest(s)))
        #expect(Numerics.isArithmeticNaN(Executed.f32Ceil(s)))
        #expect(Numerics.isCanonicalNaN(Executed.f32Floor(.nan)))
        #expect(Numerics.isArithmeticNaN(Executed.f64Trunc(Double(bitPattern: 0xFFF0_0000_0000_0001))))
    }

    @Test func signOperationsPreserveNaNPayloads() {
        let n = Float(bitPattern: 0x7FA0_0001)
        #expect(Executed.f32Neg(n).bitPattern == 0xFFA0_0001)
        #expect(Executed.f32Abs(Float(bitPattern: 0xFFA0_0001)).bitPattern == 0x7FA0_0001)
        #expect(Executed.f32Copysign(n, -0.0).bitPattern == 0xFFA0_0001)
        #expect(Executed.f32Copysign(-1, Float(bitPattern: 0x7FC0_0000)) == 1)
        #expect(Executed.f32Neg(0).bitPattern == 0x8000_0000)
        let d = Double(bitPattern: 0x7FF0_0000_0000_0001)
        #expect(Executed.f64Neg(d).bitPattern == 0xFFF0_0000_0000_0001)
        #expect(Executed.f64Abs(-d).bitPattern == 0x7FF0_0000_0000_0001)
        #expect(Executed.f64Copysign(2, -.nan) == -2)
        #expect(Executed.f64Copysign(d, -1).bitPattern == 0xFFF0_0000_0000_0001)
    }

    @Test func pseudoMinMax() {
        #expect(Executed.f32PMin(0, -0.0).bitPattern == 0)
        #expect(Executed.f32PMax(-0.0, 0).bitPattern == 0x8000_0000)
        #expect(Executed.f32PMin(.nan, 1).isNaN)
        #expect(Executed.f32PMin(1, .nan) == 1)
        #expect(Executed.f64PMax(1, 2) == 2)
        #expect(Executed.f64PMin(1, 2) == 1)
    }
}
