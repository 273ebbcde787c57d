import Testing
import WasmSyntax
import WasmInterpreter

/// Relaxed SIMD runs in the deterministic profile (every relaxed parameter
/// is 0). These pin that choice; each expected value is also one of the
/// outcomes the suite's `either` accepts (relaxed_*.wast, i*_relaxed_*.wast).
@Suite struct VectorRelaxedOpsTests {
    @Test func relaxedSwizzleIsSwizzle() {
        let a = V128.i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let idx = V128.i8x16(16, 17, 0x7F, -128, -1, 31, 0, 15, 8, 7, 6, 5, 4, 3, 2, 1)
        #expect(VectorOps.binary(.i8x16RelaxedSwizzle, a, idx) == .i8x16(0, 0, 0, 0, 0, 0, 0, 15, 8, 7, 6, 5, 4, 3, 2, 1))
    }

    @Test func relaxedTruncIsTruncSat() {
        let a = V128.f32x4(.nan, -2_147_483_904, 2_147_483_648, -1.5)
        #expect(VectorOps.unary(.i32x4RelaxedTruncF32x4S, a) == .i32x4(0, -0x8000_0000, 0x7FFF_FFFF, -1))
        #expect(VectorOps.unary(.i32x4RelaxedTruncF32x4U, a) == .i32x4(0, 0, -0x8000_0000, 0))
        #expect(VectorOps.unary(.i32x4RelaxedTruncF64x2SZero, .f64x2(.nan, 1e10)) == .i32x4(0, 0x7FFF_FFFF, 0, 0))
        #expect(VectorOps.unary(.i32x4RelaxedTruncF64x2UZero, .f64x2(-1, 1e10)) == .i32x4(0, -1, 0, 0))
    }

    @Test func relaxedMaddIsUnfused() {
        // relaxed_madd_nmadd.wast: fused gives 0x1p-37, unfused gives 0.
        let a = V128.f32x4(all: 0x1.000004p0), b = V128.f32x4(all: 0x1.0002p0), c = V128.f32x4(all: -0x1.000204p0)
        #expect(VectorOps.ternary(.f32x4RelaxedMadd, a, b, c) == .f32x4(all: 0))
        #expect(VectorOps.ternary(.f32x4RelaxedNmadd, .f32x4(all: -0x1.000004p0), b, c) == .f32x4(all: 0))
        // Unfused, the product overflows first: max * 2 - max = inf.
        let big = V128.f32x4(all: 0x1.fffffep127)
        #expect(VectorOps.ternary(.f32x4RelaxedMadd, big, .f32x4(all: 2), .f32x4(all: -0x1.fffffep127)) == .f32x4(all: .infinity))
        let d = V128.f64x2(all: 0x1.00000004p0), e = V128.f64x2(all: 0x1.000002p0), f = V128.f64x2(all: -0x1.00000204p0)
        #expect(VectorOps.ternary(.f64x2RelaxedMadd, d, e, f) == .f64x2(all: 0))
        #expect(VectorOps.ternary(.f64x2RelaxedNmadd, d, .f64x2(all: -0x1.000002p0), f) == .f64x2(all: 0))
        #expect(VectorOps.ternary(.f64x2RelaxedMadd, .f64x2(2, 3), .f64x2(5, -1), .f64x2(1, 1)) == .f64x2(11, -2))
        #expect(VectorOps.ternary(.f64x2RelaxedNmadd, .f64x2(2, 3), .f64x2(5, -1), .f64x2(1, 1)) == .f64x2(-9, 4))
    }

    @Test func relaxedLaneselectIsBitselect() {
        let a = V128.i16x8(all: 0x1234), b = V128.i16x8(all: 0xABCD)
        let mask = V128.i16x8(-1, 0, 0x00FF, 0xFF00, -1, 0, 0x8000, 0x7FFF)
        let r = V128.i16x8(0x1234, 0xABCD, 0xAB34, 0x12CD, 0x1234, 0xABCD, 0x2BCD, 0x9234)
        for op in [Opcode.i8x16RelaxedLaneselect, .i16x8RelaxedLaneselect, .i32x4RelaxedLaneselect, .i64x2RelaxedLaneselect] {
            #expect(VectorOps.ternary(op, a, b, mask) == r, "\(op.mnemonic)")
        }
    }

    @Test func relaxedMinMaxAreMinMax() {
        let a = V128.f32x4(0, -0.0, .nan, 1), b = V128.f32x4(-0.0, 0, 1, 2)
        let mn = VectorOps.binary(.f32x4RelaxedMin, a, b), mx = VectorOps.binary(.f32x4RelaxedMax, a, b)
        #expect(Numerics.f32Lane(mn, 0).bitPattern == 0x8000_0000)
        #expect(Numerics.f32Lane(mn, 1).bitPattern == 0x8000_0000)
        #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(mn, 2)))
        #expect(Numerics.f32Lane(mn, 3) == 1)
        #expect(Numerics.f32Lane(mx, 0).bitPattern == 0)
        #expect(Numerics.f32Lane(mx, 1).bitPattern == 0)
        #expect(Numerics.isCanonicalNaN(Numerics.f32Lane(mx, 2)))
        #expect(Numerics.f32Lane(mx, 3) == 2)
        #expect(VectorOps.binary(.f64x2RelaxedMin, .f64x2(0, 5), .f64x2(-0.0, 4)) == .f64x2(-0.0, 4))
        #expect(VectorOps.binary(.f64x2RelaxedMax, .f64x2(-0.0, 5), .f64x2(0, 4)) == .f64x2(0, 5))
    }

    @Test func relaxedQ15MulrSaturates() {
        #expect(VectorOps.binary(.i16x8RelaxedQ15mulrS, .i16x8(all: -0x8000), .i16x8(all: -0x8000)) == .i16x8(all: 0x7FFF))
        #expect(VectorOps.binary(.i16x8RelaxedQ15mulrS, .i16x8(all: 0x4000), .i16x8(all: -0x8000)) == .i16x8(all: -0x4000))
    }

    @Test func relaxedDotTreatsBothOperandsAsSigned() {
        let op = Opcode.i16x8RelaxedDotI8x16I7x16S
        let n = V128.i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        #expect(VectorOps.binary(op, n, n) == .i16x8(1, 13, 41, 85, 145, 221, 313, 421))
        let a = V128.i8x16(-128, -128, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let b = V128.i8x16(127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        #expect(VectorOps.binary(op, a, b) == .i16x8(-32512, 32258, 0, 0, 0, 0, 0, 0))
        // Second operand outside i7: signed, and the pair sum saturates in i16.
        let c = V128.i8x16(-128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        #expect(VectorOps.binary(op, c, .i8x16(-127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)) == .i16x8(32512, 0, 0, 0, 0, 0, 0, 0))
        #expect(VectorOps.binary(op, c, c) == .i16x8(0x7FFF, 0, 0, 0, 0, 0, 0, 0))
    }

    @Test func relaxedDotAddAccumulatesIntoI32() {
        let op = Opcode.i32x4RelaxedDotI8x16I7x16AddS
        let n = V128.i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        #expect(VectorOps.ternary(op, n, n, .i32x4(0, 1, 2, 3)) == .i32x4(14, 127, 368, 737))
        let a = V128.i8x16(-128, -128, -128, -128, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0)
        #expect(VectorOps.ternary(op, a, .i8x16(127, 127, 127, 127, 127, 127, 127, 127, 0, 0, 0, 0, 0, 0, 0, 0), .i32x4(1, 2, 3, 4))
            == .i32x4(-65023, 64518, 3, 4))
        let c = V128.i8x16(-128, -128, -128, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        let d = V128.i8x16(-127, -127, -127, -127, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        #expect(VectorOps.ternary(op, c, d, .i32x4(1, 2, 3, 4)) == .i32x4(65025, 2, 3, 4))
        // The accumulation wraps.
        #expect(VectorOps.ternary(op, .zero, .zero, .i32x4(all: 0x7FFF_FFFF)) == .i32x4(all: 0x7FFF_FFFF))
        #expect(VectorOps.ternary(op, c, c, .i32x4(0x7FFF_FFFF, 0, 0, 0)) == .i32x4(0x7FFF_FFFF &+ 65534, 0, 0, 0))
    }
}
