import Testing
@testable import WasmText

@Suite struct NumberLiteralTests {
    private func token(_ s: String) -> (LexedText, Token) {
        let text = Lexer.lex(Array(s.utf8))
        return (text, text.tokens[0])
    }

    private func int(_ s: String, _ bits: Int) -> UInt64? {
        let (text, t) = token(s)
        return text.integerBits(t, bitWidth: bits)
    }

    private func f32(_ s: String) -> UInt32? {
        let (text, t) = token(s)
        return text.float32Bits(t)
    }

    private func f64(_ s: String) -> UInt64? {
        let (text, t) = token(s)
        return text.float64Bits(t)
    }

    @Test func integerRanges() {
        #expect(int("4294967295", 32) == 0xFFFF_FFFF)
        #expect(int("-2147483648", 32) == 0x8000_0000)
        #expect(int("-1", 32) == 0xFFFF_FFFF)
        #expect(int("4294967296", 32) == nil)
        #expect(int("-2147483649", 32) == nil)
        #expect(int("0x1_0000_0000", 32) == nil)
        #expect(int("18446744073709551615", 64) == .max)
        #expect(int("-9223372036854775808", 64) == 0x8000_0000_0000_0000)
        #expect(int("18446744073709551616", 64) == nil)
        #expect(int("0x7fff_FFFF", 32) == 0x7FFF_FFFF)
        #expect(int("+0x10", 8) == 16)
        #expect(int("-128", 8) == 0x80)
        #expect(int("-129", 8) == nil)
    }

    @Test func floatsRoundToNearestEven() {
        #expect(f32("1") == 0x3F80_0000)
        #expect(f32("-0") == 0x8000_0000)
        #expect(f32("0x1p-149") == 1)
        #expect(f32("0x1p-150") == 0)
        #expect(f32("0x1.000001p0") == 0x3F80_0000)
        #expect(f32("0x1.0000010000000001p0") == 0x3F80_0001)
        #expect(f32("1.000000059604644775390625") == 0x3F80_0000)
        #expect(f32("0x1.fffffefffffffffp127") == 0x7F7F_FFFF)
        #expect(f32("1_000.5") == 0x447A_2000)
        #expect(f64("0x1.fffffffffffffp1023") == 0x7FEF_FFFF_FFFF_FFFF)
        #expect(f64("-0x1p-1074") == 0x8000_0000_0000_0001)
    }

    @Test func floatsOutOfRange() {
        #expect(f32("0x1p128") == nil)
        #expect(f32("0x1.ffffffp127") == nil)
        #expect(f32("1e39") == nil)
        #expect(f64("1e309") == nil)
    }

    @Test func infinitiesAndNaNs() {
        #expect(f32("inf") == 0x7F80_0000)
        #expect(f32("-inf") == 0xFF80_0000)
        #expect(f32("nan") == 0x7FC0_0000)
        #expect(f32("-nan") == 0xFFC0_0000)
        #expect(f32("nan:0x200000") == 0x7FA0_0000)
        #expect(f32("-nan:0x7f_ffff") == 0xFFFF_FFFF)
        #expect(f32("nan:0x0") == nil)
        #expect(f32("nan:0x800000") == nil)
        #expect(f64("nan:0x4000000000000") == 0x7FF4_0000_0000_0000)
        #expect(f64("+nan") == 0x7FF8_0000_0000_0000)
    }
}
