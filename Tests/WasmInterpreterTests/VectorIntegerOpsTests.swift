import Testing
import WasmSyntax
import WasmInterpreter

/// Integer-lane SIMD operators. Expected values are taken from the official
/// suite (simd_i*_arith*.wast, *_sat_arith, *_cmp, extmul, extadd, dot,
/// q15mulr, simd_conversions, simd_int_to_int_extend).
@Suite struct VectorIntegerOpsTests {
    @Test func absOfTheMinimumWrapsToItself() {
        #expect(VectorOps.unary(.i8x16Abs, .i8x16(all: -128)) == .i8x16(all: -128))
        #expect(VectorOps.unary(.i8x16Abs, .i8x16(all: -123)) == .i8x16(all: 123))
        #expect(VectorOps.unary(.i16x8Abs, .i16x8(-0x8000, -1, 1, 0, 0x7FFF, -0x7FFF, 2, -2)) == .i16x8(-0x8000, 1, 1, 0, 0x7FFF, 0x7FFF, 2, 2))
        #expect(VectorOps.unary(.i32x4Abs, .i32x4(-0x8000_0000, -1, 0x7FFF_FFFF, 0)) == .i32x4(-0x8000_0000, 1, 0x7FFF_FFFF, 0))
        #expect(VectorOps.unary(.i64x2Abs, .i64x2(Int64.min, -5)) == .i64x2(Int64.min, 5))
    }

    @Test func negWraps() {
        #expect(VectorOps.unary(.i8x16Neg, .i8x16(all: -128)) == .i8x16(all: -128))
        #expect(VectorOps.unary(.i8x16Neg, .i8x16(all: 1)) == .i8x16(all: -1))
        #expect(VectorOps.unary(.i16x8Neg, .i16x8(all: -0x7FFF)) == .i16x8(all: 0x7FFF))
        #expect(VectorOps.unary(.i32x4Neg, .i32x4(-0x8000_0000, 1, 0, -1)) == .i32x4(-0x8000_0000, -1, 0, 1))
        #expect(VectorOps.unary(.i64x2Neg, .i64x2(Int64.min, Int64.max)) == .i64x2(Int64.min, Int64.min + 1))
    }

    @Test func popcnt() {
        let a = V128.i8x16(0, 1, 2, 3, 0x55, 0xAA, 0x0F, 0xF0, 0xFF, 0x80, 0x7F, 0x11, 0x88, 0xE7, 0x3C, 0x01)
        let r = V128.i8x16(0, 1, 1, 2, 4, 4, 4, 4, 8, 1, 7, 2, 2, 6, 4, 1)
        #expect(VectorOps.unary(.i8x16Popcnt, a) == r)
    }

    @Test func addSubMulWrap() {
        #expect(VectorOps.binary(.i8x16Add, .i8x16(all: 0x7F), .i8x16(all: 1)) == .i8x16(all: -128))
        #expect(VectorOps.binary(.i8x16Sub, .i8x16(all: -128), .i8x16(all: 1)) == .i8x16(all: 0x7F))
        #expect(VectorOps.binary(.i16x8Add, .i16x8(all: -1), .i16x8(all: 1)) == .i16x8(all: 0))
        #expect(VectorOps.binary(.i16x8Mul, .i16x8(all: 0x1000), .i16x8(all: 0x10)) == .i16x8(all: 0))
        #expect(VectorOps.binary(.i16x8Mul, .i16x8(all: -0x8000), .i16x8(all: -1)) == .i16x8(all: -0x8000))
        #expect(VectorOps.binary(.i32x4Sub, .i32x4(all: 0), .i32x4(all: -0x8000_0000)) == .i32x4(all: -0x8000_0000))
        #expect(VectorOps.binary(.i32x4Mul, .i32x4(all: 0x1234_5678), .i32x4(all: 0x10)) == .i32x4(all: 0x2345_6780))
        #expect(VectorOps.binary(.i64x2Add, .i64x2(Int64.max, -1), .i64x2(1, 1)) == .i64x2(Int64.min, 0))
        #expect(VectorOps.binary(.i64x2Mul, .i64x2(0x1_0000_0001, -1), .i64x2(0x1_0000_0001, -1)) == .i64x2(0x2_0000_0001, 1))
    }

    @Test func saturatingArithmetic() {
        #expect(VectorOps.binary(.i8x16AddSatS, .i8x16(all: 0x7F), .i8x16(all: 1)) == .i8x16(all: 0x7F))
        #expect(VectorOps.binary(.i8x16AddSatS, .i8x16(all: -128), .i8x16(all: -1)) == .i8x16(all: -128))
        #expect(VectorOps.binary(.i8x16AddSatU, .i8x16(all: 0xFF), .i8x16(all: 1)) == .i8x16(all: 0xFF))
        #expect(VectorOps.binary(.i8x16SubSatS, .i8x16(all: -128), .i8x16(all: 1)) == .i8x16(all: -128))
        #expect(VectorOps.binary(.i8x16SubSatS, .i8x16(all: 0x7F), .i8x16(all: -1)) == .i8x16(all: 0x7F))
        #expect(VectorOps.binary(.i8x16SubSatU, .i8x16(all: 1), .i8x16(all: 2)) == .i8x16(all: 0))
        #expect(VectorOps.binary(.i8x16SubSatU, .i8x16(all: 0xFF), .i8x16(all: 0x7F)) == .i8x16(all: 0x80))
        #expect(VectorOps.binary(.i16x8AddSatS, .i16x8(all: 0x7FFF), .i16x8(all: 0x7FFF)) == .i16x8(all: 0x7FFF))
        #expect(VectorOps.binary(.i16x8AddSatU, .i16x8(all: 0xFFFE), .i16x8(all: 1)) == .i16x8(all: 0xFFFF))
        #expect(VectorOps.binary(.i16x8AddSatU, .i16x8(all: 0xFFFE), .i16x8(all: 3)) == .i16x8(all: 0xFFFF))
        #expect(VectorOps.binary(.i16x8SubSatS, .i16x8(all: -0x8000), .i16x8(all: 0x7FFF)) == .i16x8(all: -0x8000))
        #expect(VectorOps.binary(.i16x8SubSatU, .i16x8(all: 0x8000), .i16x8(all: 0x8001)) == .i16x8(all: 0))
    }

    @Test func minAndMaxBySignedness() {
        let a = V128.i8x16(all: -128), b = V128.i8x16(all: 0x7F)
        #expect(VectorOps.binary(.i8x16MinS, a, b) == a)
        #expect(VectorOps.binary(.i8x16MinU, a, b) == b)
        #expect(VectorOps.binary(.i8x16MaxS, a, b) == b)
        #expect(VectorOps.binary(.i8x16MaxU, a, b) == a)
        let c = V128.i16x8(all: -1), d = V128.i16x8(all: 1)
        #expect(VectorOps.binary(.i16x8MinS, c, d) == c)
        #expect(VectorOps.binary(.i16x8MinU, c, d) == d)
        #expect(VectorOps.binary(.i16x8MaxS, c, d) == d)
        #expect(VectorOps.binary(.i16x8MaxU, c, d) == c)
        let e = V128.i32x4(-0x8000_0000, 5, -1, 0), f = V128.i32x4(0x7FFF_FFFF, 6, 0, -2)
        #expect(VectorOps.binary(.i32x4MinS, e, f) == .i32x4(-0x8000_0000, 5, -1, -2))
        #expect(VectorOps.binary(.i32x4MinU, e, f) == .i32x4(0x7FFF_FFFF, 5, 0, 0))
        #expect(VectorOps.binary(.i32x4MaxS, e, f) == .i32x4(0x7FFF_FFFF, 6, 0, 0))
        #expect(VectorOps.binary(.i32x4MaxU, e, f) == .i32x4(-0x8000_0000, 6, -1, -2))
    }

    @Test func roundingAverageRoundsUp() {
        #expect(VectorOps.binary(.i8x16AvgrU, .i8x16(all: 0), .i8x16(all: 0xFF)) == .i8x16(all: 0x80))
        #expect(VectorOps.binary(.i8x16AvgrU, .i8x16(all: 0xFF), .i8x16(all: 0xFF)) == .i8x16(all: 0xFF))
        #expect(VectorOps.binary(.i8x16AvgrU, .i8x16(all: 0xFF), .i8x16(all: 0x80)) == .i8x16(all: 0xC0))
        #expect(VectorOps.binary(.i16x8AvgrU, .i16x8(all: 0xFFFF), .i16x8(all: 1)) == .i16x8(all: 0x8000))
        #expect(VectorOps.binary(.i16x8AvgrU, .i16x8(all: 1), .i16x8(all: 2)) == .i16x8(all: 2))
    }

    @Test func q15MultiplicationRoundsAndSaturates() {
        let op = Opcode.i16x8Q15mulrSatS
        #expect(VectorOps.binary(op, .i16x8(all: -0x8000), .i16x8(all: -0x8000)) == .i16x8(all: 0x7FFF))
        #expect(VectorOps.binary(op, .i16x8(all: 16384), .i16x8(all: 16384)) == .i16x8(all: 8192))
        #expect(VectorOps.binary(op, .i16x8(all: 16383), .i16x8(all: 16384)) == .i16x8(all: 8192))
        #expect(VectorOps.binary(op, .i16x8(all: -16383), .i16x8(all: 16384)) == .i16x8(all: -8191))
        #expect(VectorOps.binary(op, .i16x8(all: 0x7FFF), .i16x8(all: -0x8000)) == .i16x8(all: -0x7FFF))
        #expect(VectorOps.binary(op, .i16x8(all: 1), .i16x8(all: 1)) == .i16x8(all: 0))
    }

    @Test func narrowSaturatesSignedInputs() {
        let a = V128.i16x8(0x80, -0x81, 0x7F, -0x80, 0x100, -1, 0x7FFF, -0x8000)
        let b = V128.i16x8(1, 2, 3, 4, 5, 6, 7, 8)
        #expect(VectorOps.binary(.i8x16NarrowI16x8S, a, b)
            == .i8x16(0x7F, -0x80, 0x7F, -0x80, 0x7F, -1, 0x7F, -0x80, 1, 2, 3, 4, 5, 6, 7, 8))
        #expect(VectorOps.binary(.i8x16NarrowI16x8U, a, b)
            == .i8x16(0x80, 0, 0x7F, 0, 0xFF, 0, 0xFF, 0, 1, 2, 3, 4, 5, 6, 7, 8))
        let c = V128.i32x4(0x8000, -0x8001, 0x1_0000, -1), d = V128.i32x4(0xFFFF, 0x7FFF, -0x8000, 0)
        #expect(VectorOps.binary(.i16x8NarrowI32x4S, c, d)
            == .i16x8(0x7FFF, -0x8000, 0x7FFF, -1, 0x7FFF, 0x7FFF, -0x8000, 0))
        #expect(VectorOps.binary(.i16x8NarrowI32x4U, c, d)
            == .i16x8(0x8000, 0, 0xFFFF, 0, 0xFFFF, 0x7FFF, 0, 0))
    }

    @Test func extendTakesTheLowOrHighHalf() {
        let a = V128.i8x16(-128, -1, 0, 1, 0x7F, 2, 3, 4, 0x80, 0xFF, 5, 6, 7, 8, 9, 10)
        #expect(VectorOps.unary(.i16x8ExtendLowI8x16S, a) == .i16x8(-128, -1, 0, 1, 0x7F, 2, 3, 4))
        #expect(VectorOps.unary(.i16x8ExtendLowI8x16U, a) == .i16x8(0x80, 0xFF, 0, 1, 0x7F, 2, 3, 4))
        #expect(VectorOps.unary(.i16x8ExtendHighI8x16S, a) == .i16x8(-128, -1, 5, 6, 7, 8, 9, 10))
        #expect(VectorOps.unary(.i16x8ExtendHighI8x16U, a) == .i16x8(0x80, 0xFF, 5, 6, 7, 8, 9, 10))
        let b = V128.i16x8(-0x8000, -1, 1, 2, 0x8000, 0xFFFF, 3, 4)
        #expect(VectorOps.unary(.i32x4ExtendLowI16x8S, b) == .i32x4(-0x8000, -1, 1, 2))
        #expect(VectorOps.unary(.i32x4ExtendHighI16x8S, b) == .i32x4(-0x8000, -1, 3, 4))
        #expect(VectorOps.unary(.i32x4ExtendHighI16x8U, b) == .i32x4(0x8000, 0xFFFF, 3, 4))
        let c = V128.i32x4(-1, 2, -0x8000_0000, 0x7FFF_FFFF)
        #expect(VectorOps.unary(.i64x2ExtendLowI32x4S, c) == .i64x2(-1, 2))
        #expect(VectorOps.unary(.i64x2ExtendLowI32x4U, c) == .i64x2(0xFFFF_FFFF, 2))
        #expect(VectorOps.unary(.i64x2ExtendHighI32x4S, c) == .i64x2(-0x8000_0000, 0x7FFF_FFFF))
        #expect(VectorOps.unary(.i64x2ExtendHighI32x4U, c) == .i64x2(0x8000_0000, 0x7FFF_FFFF))
    }

    @Test func extaddPairwise() {
        let a = V128.i8x16(all: -128)
        #expect(VectorOps.unary(.i16x8ExtaddPairwiseI8x16S, a) == .i16x8(all: -256))
        #expect(VectorOps.unary(.i16x8ExtaddPairwiseI8x16U, a) == .i16x8(all: 256))
        #expect(VectorOps.unary(.i16x8ExtaddPairwiseI8x16U, .i8x16(all: 0xFF)) == .i16x8(all: 0x1FE))
        #expect(VectorOps.unary(.i32x4ExtaddPairwiseI16x8S, .i16x8(all: 0x7FFF)) == .i32x4(all: 0xFFFE))
        #expect(VectorOps.unary(.i32x4ExtaddPairwiseI16x8S, .i16x8(all: -0x8000)) == .i32x4(all: -0x1_0000))
        #expect(VectorOps.unary(.i32x4ExtaddPairwiseI16x8U, .i16x8(all: 0xFFFF)) == .i32x4(all: 0x1_FFFE))
    }

    @Test func extmulWidensBeforeMultiplying() {
        let a = V128.i8x16(-128, 0x7F, -1, 2, 0, 0, 0, 0, 0xFF, 0x80, 3, 0, 0, 0, 0, 0)
        #expect(VectorOps.binary(.i16x8ExtmulLowI8x16S, a, a) == .i16x8(0x4000, 0x3F01, 1, 4, 0, 0, 0, 0))
        #expect(VectorOps.binary(.i16x8ExtmulLowI8x16U, a, a) == .i16x8(0x4000, 0x3F01, 0xFE01, 4, 0, 0, 0, 0))
        #expect(VectorOps.binary(.i16x8ExtmulHighI8x16S, a, a) == .i16x8(1, 0x4000, 9, 0, 0, 0, 0, 0))
        #expect(VectorOps.binary(.i16x8ExtmulHighI8x16U, a, a) == .i16x8(0xFE01, 0x4000, 9, 0, 0, 0, 0, 0))
        let b = V128.i16x8(-0x8000, -0x8000, 0xFFFF, 2, 0x7FFF, -1, 0, 0)
        #expect(VectorOps.binary(.i32x4ExtmulLowI16x8S, b, b) == .i32x4(0x4000_0000, 0x4000_0000, 1, 4))
        #expect(VectorOps.binary(.i32x4ExtmulLowI16x8U, b, b) == .i32x4(0x4000_0000, 0x4000_0000, 0xFFFE_0001, 4))
        #expect(VectorOps.binary(.i32x4ExtmulHighI16x8S, b, b) == .i32x4(0x3FFF_0001, 1, 0, 0))
        let c = V128.i32x4(-0x8000_0000, -1, 0x7FFF_FFFF, -0x8000_0000)
        #expect(VectorOps.binary(.i64x2ExtmulLowI32x4S, c, c) == .i64x2(0x4000_0000_0000_0000, 1))
        #expect(VectorOps.binary(.i64x2ExtmulLowI32x4U, c, c) == .u64x2(0x4000_0000_0000_0000, 0xFFFF_FFFE_0000_0001))
        #expect(VectorOps.binary(.i64x2ExtmulHighI32x4S, c, c) == .i64x2(0x3FFF_FFFF_0000_0001, 0x4000_0000_0000_0000))
        #expect(VectorOps.binary(.i64x2ExtmulHighI32x4U, c, c) == .i64x2(0x3FFF_FFFF_0000_0001, 0x4000_0000_0000_0000))
    }

    @Test func dotProductWrapsOnlyAtTheExtreme() {
        let op = Opcode.i32x4DotI16x8S
        #expect(VectorOps.binary(op, .i16x8(all: -0x8000), .i16x8(all: -0x8000)) == .i32x4(all: -0x8000_0000))
        #expect(VectorOps.binary(op, .i16x8(all: 0x7FFF), .i16x8(all: 0x7FFF)) == .i32x4(all: 0x7FFE_0002))
        #expect(VectorOps.binary(op, .i16x8(1, 2, 3, 4, 5, 6, 7, 8), .i16x8(all: -1)) == .i32x4(-3, -7, -11, -15))
    }

    @Test func integerComparisonsGiveAllOnesLanes() {
        let a = V128.i8x16(all: -1), b = V128.i8x16(all: 1)
        #expect(VectorOps.binary(.i8x16Eq, a, a) == .i8x16(all: -1))
        #expect(VectorOps.binary(.i8x16Ne, a, a) == .i8x16(all: 0))
        #expect(VectorOps.binary(.i8x16LtS, a, b) == .i8x16(all: -1))
        #expect(VectorOps.binary(.i8x16LtU, a, b) == .i8x16(all: 0))
        #expect(VectorOps.binary(.i8x16GtU, a, b) == .i8x16(all: -1))
        #expect(VectorOps.binary(.i8x16GeS, a, a) == .i8x16(all: -1))
        #expect(VectorOps.binary(.i8x16LeU, b, a) == .i8x16(all: -1))
        let c = V128.i16x8(-0x8000, 0x7FFF, 0, -1, 1, 2, 3, 4), d = V128.i16x8(0x7FFF, -0x8000, 0, 0, 2, 2, 2, 2)
        #expect(VectorOps.binary(.i16x8LtS, c, d) == .i16x8(-1, 0, 0, -1, -1, 0, 0, 0))
        #expect(VectorOps.binary(.i16x8LtU, c, d) == .i16x8(0, -1, 0, 0, -1, 0, 0, 0))
        #expect(VectorOps.binary(.i16x8GeS, c, d) == .i16x8(0, -1, -1, 0, 0, -1, -1, -1))
        #expect(VectorOps.binary(.i16x8LeU, c, d) == .i16x8(0, -1, -1, 0, -1, -1, 0, 0))
        let e = V128.i32x4(-0x8000_0000, 0x7FFF_FFFF, 5, -1), f = V128.i32x4(0x7FFF_FFFF, -0x8000_0000, 5, 0)
        #expect(VectorOps.binary(.i32x4GtS, e, f) == .i32x4(0, -1, 0, 0))
        #expect(VectorOps.binary(.i32x4GtU, e, f) == .i32x4(-1, 0, 0, -1))
        #expect(VectorOps.binary(.i32x4LeS, e, f) == .i32x4(-1, 0, -1, -1))
        #expect(VectorOps.binary(.i32x4Eq, e, f) == .i32x4(0, 0, -1, 0))
        let g = V128.i64x2(Int64.min, -1), h = V128.i64x2(Int64.max, -1)
        #expect(VectorOps.binary(.i64x2LtS, g, h) == .i64x2(-1, 0))
        #expect(VectorOps.binary(.i64x2LeS, g, h) == .i64x2(-1, -1))
        #expect(VectorOps.binary(.i64x2GtS, g, h) == .i64x2(0, 0))
        #expect(VectorOps.binary(.i64x2GeS, g, h) == .i64x2(0, -1))
        #expect(VectorOps.binary(.i64x2Ne, g, h) == .i64x2(-1, 0))
    }
}
