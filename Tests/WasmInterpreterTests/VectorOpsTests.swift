import Testing
import WasmSyntax
@testable import WasmInterpreter

/// Dispatch, lane access and the whole-vector operators of `VectorOps`.
/// Expected values are taken from the official suite (simd_*.wast).
@Suite struct VectorOpsTests {
    // MARK: Dispatch

    /// The entry point a SIMD opcode belongs to, from its signature (nil for
    /// memory instructions and `v128.const`, which the runtime handles).
    static func entryPoint(_ op: Opcode) -> String? {
        guard op.prefix == 0xFD, let sig = op.signature else { return nil }
        let p = sig.params, r = sig.results
        switch op.immediateKind {
        case .v128: return nil
        case .shuffle: return "shuffle"
        case .lane: return p.count == 1 ? "extractLane" : "replaceLane"
        default: break
        }
        if p == [.v128] && r == [.v128] { return "unary" }
        if p == [.v128, .v128] && r == [.v128] { return "binary" }
        if p == [.v128, .v128, .v128] && r == [.v128] { return "ternary" }
        if p == [.v128, .i32] && r == [.v128] { return "shift" }
        if p == [.v128] && r == [.i32] { return "test" }
        if p.count == 1 && r == [.v128] { return "splat" }
        return "unknown shape"
    }

    /// The entry points whose dispatch accepts `op`.
    static func accepting(_ op: Opcode) -> [String] {
        let a = V128.i32x4(1, -2, 3, -4), b = V128.i32x4(5, 6, -7, 8)
        var r: [String] = []
        if VectorOps.unaryIfDefined(op, a) != nil { r.append("unary") }
        if VectorOps.binaryIfDefined(op, a, b) != nil { r.append("binary") }
        if VectorOps.ternaryIfDefined(op, a, b, a) != nil { r.append("ternary") }
        if VectorOps.shiftIfDefined(op, a, 3) != nil { r.append("shift") }
        if VectorOps.testIfDefined(op, a) != nil { r.append("test") }
        if VectorOps.splatIfDefined(op, 7) != nil { r.append("splat") }
        if VectorOps.extractLaneIfDefined(op, a, 1) != nil { r.append("extractLane") }
        if VectorOps.replaceLaneIfDefined(op, a, 1, 9) != nil { r.append("replaceLane") }
        return r
    }

    @Test func everySIMDOperatorIsImplementedByExactlyItsEntryPoint() {
        var count = 0
        for op in Opcode.allCases {
            guard let entry = Self.entryPoint(op), entry != "shuffle" else { continue }
            count += 1
            #expect(Self.accepting(op) == [entry], "\(op.mnemonic)")
        }
        // 236 SIMD operators with a fixed signature, 20 of them relaxed.
        #expect(count > 200)
    }

    @Test func unknownOpcodesGiveZeroNotACrash() {
        let a = V128.i32x4(1, 2, 3, 4)
        #expect(VectorOps.unary(.i32Add, a) == .zero)
        #expect(VectorOps.binary(.i8x16Abs, a, a) == .zero)
        #expect(VectorOps.ternary(.i8x16Add, a, a, a) == .zero)
        #expect(VectorOps.shift(.i8x16Add, a, 1) == .zero)
        #expect(VectorOps.test(.i8x16Add, a) == 0)
        #expect(VectorOps.splat(.i8x16Add, 1) == .zero)
        #expect(VectorOps.extractLane(.i8x16Add, a, 0) == 0)
        #expect(VectorOps.replaceLane(.i8x16Add, a, 0, 1) == .zero)
    }

    // MARK: Bitwise

    @Test func bitwiseOperators() {
        let a = V128.i32x4(0, 0, -1, -1), b = V128.i32x4(0, -1, 0, -1)
        #expect(VectorOps.unary(.v128Not, a) == .i32x4(-1, -1, 0, 0))
        #expect(VectorOps.binary(.v128And, a, b) == .i32x4(0, 0, 0, -1))
        #expect(VectorOps.binary(.v128Or, a, b) == .i32x4(0, -1, -1, -1))
        #expect(VectorOps.binary(.v128Xor, a, b) == .i32x4(0, -1, -1, 0))
        // andnot(a, b) = a & ~b
        #expect(VectorOps.binary(.v128Andnot, a, b) == .i32x4(0, 0, -1, 0))
    }

    @Test func bitselectTakesFirstOperandWhereMaskIsSet() {
        let r = VectorOps.ternary(
            .v128Bitselect, .i32x4(all: 0xAAAA_AAAA), .i32x4(all: 0xBBBB_BBBB), .i32x4(0x0011_2233, -1, 0, 0x0F0F_F0F0))
        #expect(r == .i32x4(0xBBAA_BBAA, 0xAAAA_AAAA, 0xBBBB_BBBB, 0xBABA_ABAB))
    }

    // MARK: Tests (v128 -> i32)

    @Test func anyTrueAndAllTrue() {
        #expect(VectorOps.test(.v128AnyTrue, .zero) == 0)
        #expect(VectorOps.test(.v128AnyTrue, .i8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)) == 1)
        #expect(VectorOps.test(.i8x16AllTrue, .i8x16(all: 1)) == 1)
        #expect(VectorOps.test(.i8x16AllTrue, .i8x16(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0)) == 0)
        #expect(VectorOps.test(.i16x8AllTrue, .i16x8(0x100, 1, 1, 1, 1, 1, 1, 1)) == 1)
        #expect(VectorOps.test(.i16x8AllTrue, .i16x8(1, 1, 1, 1, 1, 1, 1, 0)) == 0)
        #expect(VectorOps.test(.i32x4AllTrue, .i32x4(1, 0x100_0000, -1, 2)) == 1)
        #expect(VectorOps.test(.i32x4AllTrue, .i32x4(1, 1, 0, 1)) == 0)
        #expect(VectorOps.test(.i64x2AllTrue, .i64x2(1, 1 << 40)) == 1)
        #expect(VectorOps.test(.i64x2AllTrue, .i64x2(0, 1)) == 0)
    }

    @Test func bitmaskCollectsSignBits() {
        #expect(VectorOps.test(.i8x16Bitmask, .i8x16(all: -1)) == 0xFFFF)
        #expect(VectorOps.test(.i8x16Bitmask, .i8x16(-1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xA, 0xB, 0xC, 0xD, 0xF)) == 1)
        #expect(VectorOps.test(.i16x8Bitmask, .i16x8(-1, 0, 1, 2, 0xE, 0xF, 0x8000, 0x7FFF)) == 0b0100_0001)
        #expect(VectorOps.test(.i32x4Bitmask, .i32x4(-1, 0, -0x8000_0000, 0x7FFF_FFFF)) == 0b0101)
        #expect(VectorOps.test(.i64x2Bitmask, .i64x2(0, -1)) == 0b10)
    }

    // MARK: Shifts

    @Test func shiftCountsAreTakenModuloTheLaneWidth() {
        let a = V128.i8x16(all: -128)
        #expect(VectorOps.shift(.i8x16ShrS, a, 1) == .i8x16(all: -64))
        #expect(VectorOps.shift(.i8x16ShrU, a, 1) == .i8x16(all: 64))
        #expect(VectorOps.shift(.i8x16Shl, .i8x16(all: 1), 7) == .i8x16(all: -128))
        #expect(VectorOps.shift(.i8x16Shl, .i8x16(all: 1), 8) == .i8x16(all: 1))
        #expect(VectorOps.shift(.i8x16ShrS, a, 9) == .i8x16(all: -64))
        #expect(VectorOps.shift(.i16x8ShrS, .i16x8(all: -0x8000), 17) == .i16x8(all: -0x4000))
        #expect(VectorOps.shift(.i16x8ShrU, .i16x8(all: -1), 0xFFFF_FFFF) == .i16x8(all: 1))
        #expect(VectorOps.shift(.i32x4Shl, .i32x4(all: 1), 32) == .i32x4(all: 1))
        #expect(VectorOps.shift(.i32x4ShrS, .i32x4(all: -2), 33) == .i32x4(all: -1))
        #expect(VectorOps.shift(.i32x4ShrU, .i32x4(all: -1), 31) == .i32x4(all: 1))
        #expect(VectorOps.shift(.i64x2Shl, .i64x2(1, 3), 64 + 63) == .u64x2(1 << 63, 1 << 63))
        #expect(VectorOps.shift(.i64x2ShrS, .i64x2(Int64.min, -1), 63) == .i64x2(-1, -1))
        #expect(VectorOps.shift(.i64x2ShrU, .i64x2(Int64.min, -1), 63) == .i64x2(1, 1))
    }

    // MARK: Lanes

    @Test func splatRepeatsTheScalarsLowBits() {
        #expect(VectorOps.splat(.i8x16Splat, 0x1FF) == .i8x16(all: -1))
        #expect(VectorOps.splat(.i16x8Splat, 0x1_8000) == .i16x8(all: -0x8000))
        #expect(VectorOps.splat(.i32x4Splat, 0xFFFF_FFFF) == .i32x4(all: -1))
        #expect(VectorOps.splat(.i64x2Splat, 0x0123_4567_89AB_CDEF) == .u64x2(0x0123_4567_89AB_CDEF, 0x0123_4567_89AB_CDEF))
        #expect(VectorOps.splat(.f32x4Splat, UInt64(Float(-1.5).bitPattern)) == .f32x4(all: -1.5))
        #expect(VectorOps.splat(.f64x2Splat, Double.infinity.bitPattern) == .f64x2(all: .infinity))
        // A NaN payload survives.
        #expect(VectorOps.splat(.f32x4Splat, 0x7FA0_0001) == .f32x4Bits(0x7FA0_0001, 0x7FA0_0001, 0x7FA0_0001, 0x7FA0_0001))
    }

    @Test func extractLaneSignOrZeroExtendsIntoI32() {
        let a = V128.i8x16(0x7F, -128, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1)
        #expect(VectorOps.extractLane(.i8x16ExtractLaneS, a, 0) == 127)
        #expect(VectorOps.extractLane(.i8x16ExtractLaneS, a, 1) == 0xFFFF_FF80)
        #expect(VectorOps.extractLane(.i8x16ExtractLaneU, a, 1) == 0x80)
        #expect(VectorOps.extractLane(.i8x16ExtractLaneS, a, 15) == 0xFFFF_FFFF)
        #expect(VectorOps.extractLane(.i8x16ExtractLaneU, a, 15) == 255)
        let b = V128.i16x8(0, 0, 0, 0, 0, -0x8000, 0, 0x7FFF)
        #expect(VectorOps.extractLane(.i16x8ExtractLaneS, b, 5) == 0xFFFF_8000)
        #expect(VectorOps.extractLane(.i16x8ExtractLaneU, b, 5) == 0x8000)
        #expect(VectorOps.extractLane(.i16x8ExtractLaneS, b, 7) == 0x7FFF)
        let c = V128.i32x4(1, 2, 3, -1)
        #expect(VectorOps.extractLane(.i32x4ExtractLane, c, 3) == 0xFFFF_FFFF)
        #expect(VectorOps.extractLane(.f32x4ExtractLane, .f32x4(0, 0, -0.0, 0), 2) == 0x8000_0000)
        #expect(VectorOps.extractLane(.i64x2ExtractLane, .i64x2(1, -1), 1) == UInt64.max)
        #expect(VectorOps.extractLane(.f64x2ExtractLane, .f64x2(1.5, 2), 0) == Double(1.5).bitPattern)
    }

    @Test func replaceLaneKeepsTheOtherLanes() {
        let a = V128.i8x16(all: 0)
        #expect(VectorOps.replaceLane(.i8x16ReplaceLane, a, 15, 0x1_00FF) == .i8x16(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1))
        #expect(VectorOps.replaceLane(.i8x16ReplaceLane, a, 8, 0x80) == .i8x16(0, 0, 0, 0, 0, 0, 0, 0, -128, 0, 0, 0, 0, 0, 0, 0))
        #expect(VectorOps.replaceLane(.i16x8ReplaceLane, .i16x8(all: 1), 3, 0x12345) == .i16x8(1, 1, 1, 0x2345, 1, 1, 1, 1))
        #expect(VectorOps.replaceLane(.i32x4ReplaceLane, .i32x4(all: 1), 2, 0xFFFF_FFFF) == .i32x4(1, 1, -1, 1))
        #expect(VectorOps.replaceLane(.f32x4ReplaceLane, .f32x4(all: 1), 0, UInt64(Float(-0.0).bitPattern)) == .f32x4(-0.0, 1, 1, 1))
        #expect(VectorOps.replaceLane(.i64x2ReplaceLane, .i64x2(1, 1), 1, UInt64.max) == .i64x2(1, -1))
        #expect(VectorOps.replaceLane(.f64x2ReplaceLane, .f64x2(1, 1), 0, Double(2.5).bitPattern) == .f64x2(2.5, 1))
    }

    // MARK: Shuffles

    @Test func shuffleIndexesTheConcatenationOfBothOperands() {
        let a = V128.i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        let b = V128.i8x16(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)
        let lanes = V128.i8x16(31, 0, 30, 1, 29, 2, 28, 3, 27, 4, 26, 5, 25, 6, 24, 7)
        #expect(VectorOps.shuffle(a, b, lanes: lanes) == lanes)
        #expect(VectorOps.shuffle(a, b, lanes: .i8x16(all: 16)) == .i8x16(all: 16))
    }

    @Test func swizzleGivesZeroForIndicesOutOfRange() {
        let a = V128.i8x16(0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6A, 0x6B, 0x6C, 0x6D, 0x6E, 0x6F, 0x70, 0x71, 0x72, 0x73)
        let idx = V128.i8x16(15, 14, 13, 12, 11, 10, 9, 8, 16, 17, 127, -128, -1, 255, 1, 0)
        let r = V128.i8x16(0x73, 0x72, 0x71, 0x70, 0x6F, 0x6E, 0x6D, 0x6C, 0, 0, 0, 0, 0, 0, 0x65, 0x64)
        #expect(VectorOps.binary(.i8x16Swizzle, a, idx) == r)
    }
}

