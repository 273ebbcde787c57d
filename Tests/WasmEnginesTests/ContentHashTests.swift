import Testing
@testable import WasmEngines

/// The memory hash must equal zlib's CRC-32 and Adler-32 (which the
/// wasmtime adapter uses), whatever the length and alignment.
@Suite("Content hash")
struct ContentHashTests {
    @Test func matchesZlibCheckValues() {
        let check = ContentHash.of(Array("123456789".utf8))
        #expect(check >> 32 == 0xCBF4_3926)
        #expect(check & 0xFFFF_FFFF == 0x091E_01DE)
        let wikipedia = ContentHash.of(Array("Wikipedia".utf8))
        #expect(wikipedia & 0xFFFF_FFFF == 0x11E6_0398)
        #expect(ContentHash.of([]) == 1)
    }

    @Test func incrementalEqualsWholeOverLongInputs() {
        var bytes = [UInt8](repeating: 0xFF, count: 70_001)
        for i in bytes.indices where i % 7 == 0 { bytes[i] = UInt8(truncatingIfNeeded: i) }
        var h = ContentHash()
        h.update(Array(bytes[..<3]))
        h.update(Array(bytes[3..<40_000]))
        h.update(Array(bytes[40_000...]))
        #expect(h.value == ContentHash.of(bytes))
        var one = bytes
        one[65_535] ^= 1
        #expect(ContentHash.of(one) != ContentHash.of(bytes))
    }

    /// Byte-at-a-time CRC-32 and Adler-32, the definitions.
    static func reference(_ bytes: [UInt8]) -> UInt64 {
        var crc: UInt32 = 0xFFFF_FFFF
        for b in bytes {
            crc ^= UInt32(b)
            for _ in 0..<8 { crc = crc & 1 != 0 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        var a: UInt32 = 1, s: UInt32 = 0
        for b in bytes {
            a = (a + UInt32(b)) % 65521
            s = (s + a) % 65521
        }
        return UInt64(crc ^ 0xFFFF_FFFF) << 32 | UInt64(s << 16 | a)
    }

    /// Zero runs take a shortcut; it must give the same sums.
    @Test(arguments: [0, 1, 63, 64, 65, 4095, 4096, 4160, 70_000])
    func zeroRunsHashLikeBytes(_ length: Int) {
        var bytes = [UInt8](repeating: 0, count: length)
        if length > 10 { bytes[3] = 0x5A }
        if length > 5000 { bytes[length - 70] = 1 }
        #expect(ContentHash.of(bytes) == Self.reference(bytes))
        var h = ContentHash()
        h.update([1, 2, 3])
        h.update(bytes)
        #expect(h.value == Self.reference([1, 2, 3] + bytes))
    }
}
