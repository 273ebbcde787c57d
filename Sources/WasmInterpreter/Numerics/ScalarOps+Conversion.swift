/// Conversions between numbers (spec exec/numerics.rst, "Conversions") that
/// vector operators need: i32x4.trunc_sat_f32x4_* and _f64x2_*_zero,
/// f32x4.demote_f64x2_zero and f64x2.promote_low_f32x4.
extension ScalarOps {
    // MARK: Saturating truncation

    // NaN gives 0, values below (above) the range give the minimum (maximum);
    // in-range values truncate toward zero. The tests are ordered so that NaN
    // falls through every comparison to the NaN check.

    @inline(__always)
    public static func i32TruncSatF32S(_ x: Float) -> Int32 {
        if x >= -2147483648.0 && x < 2147483648.0 { return Int32(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i32TruncSatF32U(_ x: Float) -> UInt32 {
        if x > -1.0 && x < 4294967296.0 { return UInt32(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i32TruncSatF64S(_ x: Double) -> Int32 {
        if x > -2147483649.0 && x < 2147483648.0 { return Int32(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i32TruncSatF64U(_ x: Double) -> UInt32 {
        if x > -1.0 && x < 4294967296.0 { return UInt32(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    // MARK: Float to float

    /// `f32.demote_f64`: rounds to nearest-even; a NaN keeps its sign and the
    /// top 22 bits of its payload with the quiet bit set, so a canonical NaN
    /// stays canonical and any other NaN becomes an arithmetic NaN, on every
    /// host (the hardware's own NaN handling is not relied on).
    @inline(__always)
    public static func f32DemoteF64(_ x: Double) -> Float {
        if x.isNaN {
            let bits = x.bitPattern
            let sign = UInt32(truncatingIfNeeded: bits >> 32) & 0x8000_0000
            let payload = UInt32(truncatingIfNeeded: (bits >> 29) & 0x003F_FFFF)
            return Float(bitPattern: sign | 0x7FC0_0000 | payload)
        }
        return Float(x)
    }

    /// `f64.promote_f32`: exact; a NaN keeps its sign and payload (shifted to
    /// the top of the wider payload) with the quiet bit set.
    @inline(__always)
    public static func f64PromoteF32(_ x: Float) -> Double {
        if x.isNaN {
            let bits = UInt64(x.bitPattern)
            let sign = (bits & 0x8000_0000) << 32
            let payload = (bits & 0x003F_FFFF) << 29
            return Double(bitPattern: sign | 0x7FF8_0000_0000_0000 | payload)
        }
        return Double(x)
    }
}
