/// Conversions between numbers (spec exec/numerics.rst, "Conversions").
extension ScalarOps {
    // MARK: Trapping truncation

    // A float truncates to an integer iff it is not NaN and, rounded toward
    // zero, lies in the integer type's range. The bounds below are exact in
    // the source float type: the lower one is the largest float that is out
    // of range (exclusive test) or the smallest that is in range (inclusive),
    // the upper one is 2^N or 2^(N-1), always out of range. NaN fails every
    // comparison, so it lands in the nil branch.

    @inline(__always)
    public static func i32TruncF32S(_ x: Float) -> Int32? {
        guard x >= -2147483648.0 && x < 2147483648.0 else { return nil }
        return Int32(x)
    }

    @inline(__always)
    public static func i32TruncF32U(_ x: Float) -> UInt32? {
        guard x > -1.0 && x < 4294967296.0 else { return nil }
        return UInt32(x)
    }

    @inline(__always)
    public static func i32TruncF64S(_ x: Double) -> Int32? {
        guard x > -2147483649.0 && x < 2147483648.0 else { return nil }
        return Int32(x)
    }

    @inline(__always)
    public static func i32TruncF64U(_ x: Double) -> UInt32? {
        guard x > -1.0 && x < 4294967296.0 else { return nil }
        return UInt32(x)
    }

    @inline(__always)
    public static func i64TruncF32S(_ x: Float) -> Int64? {
        guard x >= -9223372036854775808.0 && x < 9223372036854775808.0 else { return nil }
        return Int64(x)
    }

    @inline(__always)
    public static func i64TruncF32U(_ x: Float) -> UInt64? {
        guard x > -1.0 && x < 18446744073709551616.0 else { return nil }
        return UInt64(x)
    }

    @inline(__always)
    public static func i64TruncF64S(_ x: Double) -> Int64? {
        guard x >= -9223372036854775808.0 && x < 9223372036854775808.0 else { return nil }
        return Int64(x)
    }

    @inline(__always)
    public static func i64TruncF64U(_ x: Double) -> UInt64? {
        guard x > -1.0 && x < 18446744073709551616.0 else { return nil }
        return UInt64(x)
    }

    /// Why a trapping truncation of `x` failed: NaN has no integer value
    /// ("invalid conversion to integer"); anything else was out of range
    /// ("integer overflow"). Call only after a truncation returned nil.
    @inline(__always)
    public static func truncationFailure(_ x: Float) -> TruncationFailure {
        x.isNaN ? .invalidConversion : .integerOverflow
    }

    @inline(__always)
    public static func truncationFailure(_ x: Double) -> TruncationFailure {
        x.isNaN ? .invalidConversion : .integerOverflow
    }

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

    @inline(__always)
    public static func i64TruncSatF32S(_ x: Float) -> Int64 {
        if x >= -9223372036854775808.0 && x < 9223372036854775808.0 { return Int64(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i64TruncSatF32U(_ x: Float) -> UInt64 {
        if x > -1.0 && x < 18446744073709551616.0 { return UInt64(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i64TruncSatF64S(_ x: Double) -> Int64 {
        if x >= -9223372036854775808.0 && x < 9223372036854775808.0 { return Int64(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    @inline(__always)
    public static func i64TruncSatF64U(_ x: Double) -> UInt64 {
        if x > -1.0 && x < 18446744073709551616.0 { return UInt64(x) }
        if x.isNaN { return 0 }
        return x < 0 ? .min : .max
    }

    // MARK: Integer to float

    // WebAssembly rounds every conversion once, to nearest, ties to even.
    // Swift's initialisers lower to LLVM's sitofp/uitofp, which round once
    // as well (unsigned 64-bit sources included); going through Double first
    // would round twice and is wrong for f32.convert_i64_*. These wrappers
    // pin the intended initialiser and are covered by the suite's hard cases.

    @inline(__always) public static func f32ConvertI32S(_ x: Int32) -> Float { Float(x) }
    @inline(__always) public static func f32ConvertI32U(_ x: UInt32) -> Float { Float(x) }
    @inline(__always) public static func f32ConvertI64S(_ x: Int64) -> Float { Float(x) }
    @inline(__always) public static func f32ConvertI64U(_ x: UInt64) -> Float { Float(x) }
    @inline(__always) public static func f64ConvertI32S(_ x: Int32) -> Double { Double(x) }
    @inline(__always) public static func f64ConvertI32U(_ x: UInt32) -> Double { Double(x) }
    @inline(__always) public static func f64ConvertI64S(_ x: Int64) -> Double { Double(x) }
    @inline(__always) public static func f64ConvertI64U(_ x: UInt64) -> Double { Double(x) }

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

/// Why a trapping float-to-integer truncation failed. The runtime maps these
/// to its trap kinds; `message` is the spec test suite's wording.
public enum TruncationFailure: Hashable, Sendable {
    /// The operand was NaN.
    case invalidConversion
    /// The operand, truncated, is outside the result type's range (or infinite).
    case integerOverflow

    public var message: String {
        switch self {
        case .invalidConversion: return "invalid conversion to integer"
        case .integerOverflow: return "integer overflow"
        }
    }
}
