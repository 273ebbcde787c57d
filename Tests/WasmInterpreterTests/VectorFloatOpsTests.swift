import Testing
import WasmSyntax
import WasmInterpreter

/// Float-lane SIMD operators and the conversions between lane types.
/// Expected values are taken from the official suite (simd_f32x4*.wast,
/// simd_f64x2*.wast, simd_conversions, simd_i32x4_trunc_sat_*).
@Suite struct VectorFloatOpsTests {
    @Test func arithmeticFollowsIEEE() {
        #expect(VectorOps.binary(.f32x4Add, .f32x4(1, -0.0, .infinity, 0x1p-149), .f32x4(2, -0.0, 1, 0x1p-149))
            == .f32x4(3, -0.0, .infinity, 0x1p-148))
        #expect(VectorOps.binary(.f32x4Sub, .f32x4(all: 0x1.fffffep127), .f32x4(all: -0x1.fffffep127)) == .f32x4(all: .infinity))
        #expect(VectorOps.binary(.f32x4Mul, .f32x4(all: -0.0), .f32x4(all: 5)) == .f32x4(all: -0.0))
        #expect(VectorOps.binary(.f32x4Div, .f32x4(1, -1, 1, 0x1p-126), .f32x4(0, 0, -0.0, 2)) == .f32x4(.infinity, -.infinity, -.infinity, 0x1p-127))
        #expect(VectorOps.binary(.f64x2Add, .f64x2(0.1, 1e308), .f64x2(0.2, 1e308)) == .f64x2(0.30000000000000004, .infinity))
        #expect(VectorOps.binary(.f64x2Mul, .f64x2(0x1p-1022, 3), .f64x2(0.5, -0.5)) == .f64x2(0x1p-1023, -1.5))
        #expect(VectorOps.binary(.f64x2Div, .f64x2(1, -0.0), .f64x2(3, 2)) == .f64x2(1.0 / 3.0, -0.0))
        #expect(VectorOps.binary(.f64x2Sub, .f64x2(1, 0), .f64x2(0x1p-53, 0)) == .f64x2(0x1.fffffffffffffp-1, 0))
    }

    @Test func invalidOperationsGiveNaN() {
        let r = VectorOps.binary(.f32x4Sub, .f32x4(all: .infinity), .f32x4(all: .infinity))
        for i in 0..<4 { #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(r, i))) }
        let q = VectorOps.binary(.f64x2Div, .f64x2(0, .infinity), .f64x2(0, -.infinity))
        for i in 0..<2 { #expect(Numerics.isCanonicalNaN(Numerics.f64Lane(q, i))) }
        let s = VectorOps.unary(.f32x4Sqrt, .f32x4(-1, -0.0, 4, 2))
        #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(s, 0)))
        #expect(Numerics.f32Lane(s, 1).bitPattern == Float(-0.0).bitPattern)
        #expect(Numerics.f32Lane(s, 2) == 2)
        #expect(Numerics.f32Lane(s, 3) == 0x1.6a09e6p+0)
        // A signalling NaN operand gives an arithmetic (quiet) NaN.
        let t = VectorOps.binary(.f32x4Add, .f32x4Bits(0x7F80_0001, 0x7FA0_0000, 0xFFC0_0000, 0), .f32x4(all: 1))
        for i in 0..<3 { #expect(Numerics.isArithmeticNaN(Numerics.f32Lane(t, i))) }
    }

    @Test func absAndNegOnlyTouchTheSignBit() {
        let a = V128.f32x4Bits(0xFFA0_0001, 0x7F80_0001, 0x8000_0000, 0x3F80_0000)
        #expect(VectorOps.unary(.f32x4Abs, a) == .f32x4Bits(0x7FA0_0001, 0x7F80_0001, 0, 0x3F80_0000))
        #expect(VectorOps.unary(.f32x4Neg, a) == .f32x4Bits(0x7FA0_0001, 0xFF80_0001, 0, 0xBF80_0000))
        let b = V128.u64x2(0xFFF4_0000_0000_0001, 0)
        #expect(VectorOps.unary(.f64x2Abs, b) == .u64x2(0x7FF4_0000_0000_0001, 0))
        #expect(VectorOps.unary(.f64x2Neg, b) == .u64x2(0x7FF4_0000_0000_0001, 0x8000_0000_0000_0000))
    }

    @Test func minAndMaxOrderZeroesAndPropagateNaN() {
        let a = V128.f32x4(0, -0.0, 1, -.infinity), b = V128.f32x4(-0.0, 0, -1, .infinity)
        #expect(VectorOps.binary(.f32x4Min, a, b) == .f32x4(-0.0, -0.0, -1, -.infinity))
        #expect(VectorOps.binary(.f32x4Max, a, b) == .f32x4(0, 0, 1, .infinity))
        let c = V128.f64x2(0, -0.0), d = V128.f64x2(-0.0, 0)
        #expect(VectorOps.binary(.f64x2Min, c, d) == .f64x2(-0.0, -0.0))
        #expect(VectorOps.binary(.f64x2Max, c, d) == .f64x2(0, 0))
        // simd_f32x4.wast: min/max of a NaN and a number is a NaN (never the number).
        let n = VectorOps.binary(.f32x4Min, .f32x4Bits(0x7FC0_0000, 0, 0x7FA0_0000, 0xFFC0_0000), .f32x4(0, .nan, 1, -.infinity))
        for i in 0..<4 { #expect(Numerics.isArithmeticNaN(Numerics.f32Lane(n, i))) }
        #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(n, 0)))
        let m = VectorOps.binary(.f64x2Max, .f64x2(.nan, 1), .f64x2(.infinity, -Double.nan))
        for i in 0..<2 { #expect(Numerics.isCanonicalNaN(Numerics.f64Lane(m, i))) }
    }

    @Test func pseudoMinMaxReturnTheFirstOperandUnlessStrictlyOrdered() {
        let a = V128.f32x4(0, -0.0, .nan, 1), b = V128.f32x4(-0.0, 0, 1, .nan)
        let pmin = VectorOps.binary(.f32x4Pmin, a, b)
        #expect(Numerics.f32Lane(pmin, 0).bitPattern == 0)
        #expect(Numerics.f32Lane(pmin, 1).bitPattern == 0x8000_0000)
        #expect(Numerics.f32Lane(pmin, 2).isNaN)
        #expect(Numerics.f32Lane(pmin, 3) == 1)
        #expect(VectorOps.binary(.f32x4Pmax, .f32x4(1, 2, 3, 4), .f32x4(4, 3, 2, 1)) == .f32x4(4, 3, 3, 4))
        #expect(VectorOps.binary(.f64x2Pmin, .f64x2(1, -0.0), .f64x2(-1, 0)) == .f64x2(-1, -0.0))
        #expect(VectorOps.binary(.f64x2Pmax, .f64x2(1, -0.0), .f64x2(-1, 0)) == .f64x2(1, -0.0))
    }

    @Test func roundingKeepsTheSignOfZero() {
        let a = V128.f32x4(-0.5, 0.5, 1.5, 2.5)
        #expect(VectorOps.unary(.f32x4Nearest, a) == .f32x4(-0.0, 0, 2, 2))
        #expect(VectorOps.unary(.f32x4Ceil, a) == .f32x4(-0.0, 1, 2, 3))
        #expect(VectorOps.unary(.f32x4Floor, a) == .f32x4(-1, 0, 1, 2))
        #expect(VectorOps.unary(.f32x4Trunc, .f32x4(-0.5, 0.5, -1.5, 0x1.fffffep22)) == .f32x4(-0.0, 0, -1, 0x1.fffffcp22))
        #expect(VectorOps.unary(.f32x4Nearest, .f32x4(all: 0x1.fffffep22)) == .f32x4(all: 0x1p23))
        #expect(VectorOps.unary(.f64x2Nearest, .f64x2(-3.5, 0x1.fffffffffffffp51)) == .f64x2(-4, 0x1p52))
        #expect(VectorOps.unary(.f64x2Ceil, .f64x2(-0.9, 0x1p-1074)) == .f64x2(-0.0, 1))
        #expect(VectorOps.unary(.f64x2Floor, .f64x2(-0x1p-1074, 0.9)) == .f64x2(-1, 0))
        #expect(VectorOps.unary(.f64x2Trunc, .f64x2(-0.9, 1e300)) == .f64x2(-0.0, 1e300))
    }

    @Test func floatComparisonsAreFalseOnNaNExceptNe() {
        let a = V128.f32x4(.nan, 0, -0.0, 1), b = V128.f32x4(.nan, -0.0, 0, 2)
        #expect(VectorOps.binary(.f32x4Eq, a, b) == .i32x4(0, -1, -1, 0))
        #expect(VectorOps.binary(.f32x4Ne, a, b) == .i32x4(-1, 0, 0, -1))
        #expect(VectorOps.binary(.f32x4Lt, a, b) == .i32x4(0, 0, 0, -1))
        #expect(VectorOps.binary(.f32x4Le, a, b) == .i32x4(0, -1, -1, -1))
        #expect(VectorOps.binary(.f32x4Gt, a, b) == .i32x4(0, 0, 0, 0))
        #expect(VectorOps.binary(.f32x4Ge, a, b) == .i32x4(0, -1, -1, 0))
        let c = V128.f64x2(.nan, -.infinity), d = V128.f64x2(1, -.infinity)
        #expect(VectorOps.binary(.f64x2Eq, c, d) == .i64x2(0, -1))
        #expect(VectorOps.binary(.f64x2Ne, c, d) == .i64x2(-1, 0))
        #expect(VectorOps.binary(.f64x2Lt, c, d) == .i64x2(0, 0))
        #expect(VectorOps.binary(.f64x2Ge, c, d) == .i64x2(0, -1))
        #expect(VectorOps.binary(.f64x2Gt, .f64x2(2, 1), .f64x2(1, 2)) == .i64x2(-1, 0))
        #expect(VectorOps.binary(.f64x2Le, .f64x2(2, 1), .f64x2(1, 2)) == .i64x2(0, -1))
    }

    @Test func integerToFloatRoundsToNearestEven() {
        #expect(VectorOps.unary(.f32x4ConvertI32x4S, .i32x4(2_147_483_647, -2_147_483_648, 16_777_217, -16_777_219))
            == .f32x4(2_147_483_648, -2_147_483_648, 16_777_216, -16_777_220))
        #expect(VectorOps.unary(.f32x4ConvertI32x4U, .i32x4(-1, 0x8000_0080, 0x8000_0081, 0xFFFF_FE80))
            == .f32x4(4_294_967_296, 0x1p31, 0x1.000002p31, 0x1.fffffcp31))
        #expect(VectorOps.unary(.f64x2ConvertLowI32x4S, .i32x4(-2_147_483_648, -1, 9, 9)) == .f64x2(-2_147_483_648, -1))
        #expect(VectorOps.unary(.f64x2ConvertLowI32x4U, .i32x4(-2_147_483_648, -1, 9, 9)) == .f64x2(2_147_483_648, 4_294_967_295))
    }

    @Test func truncSatSaturatesAndMapsNaNToZero() {
        let a = V128.f32x4(.nan, -.infinity, 2_147_483_648, -2_147_483_904)
        #expect(VectorOps.unary(.i32x4TruncSatF32x4S, a) == .i32x4(0, -0x8000_0000, 0x7FFF_FFFF, -0x8000_0000))
        #expect(VectorOps.unary(.i32x4TruncSatF32x4U, a) == .i32x4(0, 0, -0x8000_0000, 0))
        let b = V128.f32x4(-0.9, 1.9, -1.5, 4_294_967_296)
        #expect(VectorOps.unary(.i32x4TruncSatF32x4S, b) == .i32x4(0, 1, -1, 0x7FFF_FFFF))
        #expect(VectorOps.unary(.i32x4TruncSatF32x4U, b) == .i32x4(0, 1, 0, -1))
        // The f64 variants fill the upper two lanes with zeroes.
        #expect(VectorOps.unary(.i32x4TruncSatF64x2SZero, .f64x2(-2_147_483_648.9, 2_147_483_647.9)) == .i32x4(-0x8000_0000, 0x7FFF_FFFF, 0, 0))
        #expect(VectorOps.unary(.i32x4TruncSatF64x2SZero, .f64x2(-2_147_483_649, .nan)) == .i32x4(-0x8000_0000, 0, 0, 0))
        #expect(VectorOps.unary(.i32x4TruncSatF64x2UZero, .f64x2(4_294_967_295.9, 4_294_967_296)) == .i32x4(-1, -1, 0, 0))
        #expect(VectorOps.unary(.i32x4TruncSatF64x2UZero, .f64x2(-1, -.infinity)) == .i32x4(0, 0, 0, 0))
    }

    @Test func demoteAndPromoteKeepNaNClasses() {
        let d = VectorOps.unary(.f32x4DemoteF64x2Zero, .f64x2(0x1p-149, 0x1.fffffefffffffp127))
        #expect(d == .f32x4(0x1p-149, 0x1.fffffep127, 0, 0))
        #expect(VectorOps.unary(.f32x4DemoteF64x2Zero, .f64x2(0x1p-150, 0x1.ffffffp127)) == .f32x4(0, .infinity, 0, 0))
        #expect(VectorOps.unary(.f32x4DemoteF64x2Zero, .f64x2(-0x1.000001p0, 0x1.0000010000001p0)) == .f32x4(-1, 0x1.000002p0, 0, 0))
        let n = VectorOps.unary(.f32x4DemoteF64x2Zero, .u64x2(0x7FF8_0000_0000_0000, 0xFFF4_0000_0000_0000))
        #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(n, 0)))
        #expect(Numerics.isArithmeticNaN(Numerics.f32Lane(n, 1)))
        #expect(Numerics.laneBits(n, width: 64, 1) == 0)
        #expect(VectorOps.unary(.f64x2PromoteLowF32x4, .f32x4(0x1p-149, -.infinity, 1, 2)) == .f64x2(0x1p-149, -.infinity))
        let p = VectorOps.unary(.f64x2PromoteLowF32x4, .f32x4Bits(0xFFC0_0000, 0x7FA0_0000, 0, 0))
        #expect(Numerics.isCanonicalNaN(Numerics.f64Lane(p, 0)))
        #expect(Numerics.isArithmeticNaN(Numerics.f64Lane(p, 1)))
    }
}
