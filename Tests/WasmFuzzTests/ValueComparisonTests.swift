import Testing
import WasmSyntax
import WasmEngines
@testable import WasmFuzz

@Suite("Comparing values across engines")
struct ValueComparisonTests {
    @Test func classifiesNaNs() {
        #expect(ValueComparison.nanClass(f32: 0x7FC0_0000) == .canonical)
        #expect(ValueComparison.nanClass(f32: 0xFFC0_0000) == .canonical)
        #expect(ValueComparison.nanClass(f32: 0x7FC0_0001) == .arithmetic)
        #expect(ValueComparison.nanClass(f32: 0x7F80_0001) == .signalling)
        #expect(ValueComparison.nanClass(f32: 0x7F80_0000) == nil)
        #expect(ValueComparison.nanClass(f64: 0x7FF8_0000_0000_0000) == .canonical)
        #expect(ValueComparison.nanClass(f64: 0x7FF8_0000_0000_0001) == .arithmetic)
        #expect(ValueComparison.nanClass(f64: 0x7FF0_0000_0000_0001) == .signalling)
    }

    @Test func quietNaNsOfOneClassAgree() {
        #expect(ValueComparison.equivalent(.f32(0x7FC0_0000), .f32(0xFFC0_0000), strict: true))
        #expect(ValueComparison.equivalent(.f64(0x7FF8_0000_0000_0001), .f64(0xFFF8_0000_0000_0002), strict: true))
        // Canonical vs arithmetic: allowed unless the generator made NaNs canonical.
        #expect(ValueComparison.equivalent(.f32(0x7FC0_0000), .f32(0x7FC0_0001), strict: false))
        #expect(!ValueComparison.equivalent(.f32(0x7FC0_0000), .f32(0x7FC0_0001), strict: true))
    }

    @Test func signallingNaNsMustMatchExactly() {
        #expect(!ValueComparison.equivalent(.f32(0x7FC0_0000), .f32(0x7F80_0001), strict: false))
        #expect(!ValueComparison.equivalent(.f32(0x7F80_0001), .f32(0x7F80_0002), strict: false))
        #expect(ValueComparison.equivalent(.f32(0x7F80_0001), .f32(0x7F80_0001), strict: true))
    }

    @Test func numbersMustMatchBitForBit() {
        #expect(!ValueComparison.equivalent(.f32(0), .f32(0x8000_0000), strict: false))
        #expect(!ValueComparison.equivalent(.i32(1), .i32(2), strict: false))
        #expect(!ValueComparison.equivalent(.i32(1), .i64(1), strict: false))
        #expect(!ValueComparison.equivalent(.ref(.i31(1)), .ref(.i31(2)), strict: false))
        #expect(!ValueComparison.equivalent(.ref(.null(.any)), .ref(.null(.func)), strict: false))
    }

    /// A v128's lane shape is unknown, so it gets no NaN tolerance: an
    /// i32x4 lane of -5 vs -6 looks like two quiet f32 NaNs.
    @Test func vectorsCompareBitForBit() {
        let a = V128(lo: 0x7FC0_0000_7FC0_0000, hi: 0x3F80_0000_7FC0_0000)
        let b = V128(lo: 0xFFC0_0000_7FC0_0000, hi: 0x3F80_0000_FFC0_0000)
        #expect(!ValueComparison.equivalent(.v128(a), .v128(b), strict: false))
        #expect(ValueComparison.equivalent(.v128(a), .v128(a), strict: true))
        let minus5 = V128(lo: 0xFFFF_FFFB, hi: 0), minus6 = V128(lo: 0xFFFF_FFFA, hi: 0)
        #expect(!ValueComparison.equivalent(.v128(minus5), .v128(minus6), strict: false))
    }
}
