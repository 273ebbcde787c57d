import WasmSyntax

// Vector builders for the numerics tests. Each takes exactly one value per
// lane (in lane order, lane 0 first) and stores it little-endian, as
// `v128.const` does; integer lanes keep their low bits, so both signed and
// unsigned spellings work.
extension V128 {
    static func i8x16(_ lanes: Int...) -> V128 { vector(lanes.map { UInt64(truncatingIfNeeded: $0) }, width: 8) }
    static func i16x8(_ lanes: Int...) -> V128 { vector(lanes.map { UInt64(truncatingIfNeeded: $0) }, width: 16) }
    static func i32x4(_ lanes: Int64...) -> V128 { vector(lanes.map { UInt64(truncatingIfNeeded: $0) }, width: 32) }
    static func i64x2(_ lanes: Int64...) -> V128 { vector(lanes.map { UInt64(bitPattern: $0) }, width: 64) }
    static func u64x2(_ lanes: UInt64...) -> V128 { vector(lanes, width: 64) }
    static func f32x4(_ lanes: Float...) -> V128 { vector(lanes.map { UInt64($0.bitPattern) }, width: 32) }
    static func f64x2(_ lanes: Double...) -> V128 { vector(lanes.map { $0.bitPattern }, width: 64) }
    /// f32 lanes given as bit patterns (for NaN payloads).
    static func f32x4Bits(_ lanes: UInt32...) -> V128 { vector(lanes.map { UInt64($0) }, width: 32) }

    /// The same value in every lane.
    static func i8x16(all x: Int) -> V128 { vector(Array(repeating: UInt64(truncatingIfNeeded: x), count: 16), width: 8) }
    static func i16x8(all x: Int) -> V128 { vector(Array(repeating: UInt64(truncatingIfNeeded: x), count: 8), width: 16) }
    static func i32x4(all x: Int64) -> V128 { vector(Array(repeating: UInt64(truncatingIfNeeded: x), count: 4), width: 32) }
    static func f32x4(all x: Float) -> V128 { vector(Array(repeating: UInt64(x.bitPattern), count: 4), width: 32) }
    static func f64x2(all x: Double) -> V128 { vector([x.bitPattern, x.bitPattern], width: 64) }

    private static func vector(_ lanes: [UInt64], width: Int) -> V128 {
        precondition(lanes.count * width == 128, "wrong lane count")
        var lo: UInt64 = 0, hi: UInt64 = 0
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        for (i, lane) in lanes.enumerated() {
            let bit = i * width
            if bit < 64 { lo |= (lane & mask) << UInt64(bit) } else { hi |= (lane & mask) << UInt64(bit - 64) }
        }
        return V128(lo: lo, hi: hi)
    }
}

/// Lane readers and NaN classes for the numerics tests (in a namespace, so
/// they cannot clash with other suites' helpers in this target).
enum Numerics {
    /// Lane `i` of `v` as raw bits, for lane-by-lane checks of NaN results.
    static func laneBits(_ v: V128, width: Int, _ i: Int) -> UInt64 {
        let bit = i * width
        let word = bit < 64 ? v.lo : v.hi
        let mask: UInt64 = width == 64 ? ~0 : (1 << UInt64(width)) - 1
        return (word >> UInt64(bit % 64)) & mask
    }

    static func f32Lane(_ v: V128, _ i: Int) -> Float { Float(bitPattern: UInt32(laneBits(v, width: 32, i))) }
    static func f64Lane(_ v: V128, _ i: Int) -> Double { Double(bitPattern: laneBits(v, width: 64, i)) }

    /// `nan:canonical` (either sign): quiet bit set, rest of the payload zero.
    static func isCanonicalNaN(_ x: Float) -> Bool { x.bitPattern & 0x7FFF_FFFF == 0x7FC0_0000 }
    static func isCanonicalNaN(_ x: Double) -> Bool { x.bitPattern & 0x7FFF_FFFF_FFFF_FFFF == 0x7FF8_0000_0000_0000 }
    /// `nan:arithmetic` (either sign): a NaN with the quiet bit set.
    static func isArithmeticNaN(_ x: Float) -> Bool { x.isNaN && x.bitPattern & 0x0040_0000 != 0 }
    static func isArithmeticNaN(_ x: Double) -> Bool { x.isNaN && x.bitPattern & 0x0008_0000_0000_0000 != 0 }
}
