/// IEEE-754 helpers with WebAssembly's exact semantics (spec exec/numerics.rst,
/// spectec/3.1-numerics.scalar.spectec) for the lanes of SIMD operators,
/// which `VectorOps` runs in Swift. Scalar instructions run in the C
/// executor (CWasmInterpreter/Executor.c), which has its own versions;
/// helpers no vector operator needs are not kept here.
///
/// Plain Swift arithmetic (`+`, `-`, `*`, `/`, `squareRoot()`, `rounded`)
/// already matches WebAssembly up to the choice of NaN, which the spec leaves
/// open for those operators: a NaN result is canonical when every NaN operand
/// was canonical and arithmetic otherwise, which is exactly what the hardware
/// does. The helpers here cover the operators where Swift's or the hardware's
/// choice differs from WebAssembly: min/max (Swift's `minimum` follows IEEE
/// minNum and returns the number when the other operand is a quiet NaN, and
/// wasm orders `-0` below `+0`), negation (bit-exact on NaNs), saturating
/// truncations, and NaN payloads across demote/promote.
public enum ScalarOps {
    /// The positive canonical NaNs: quiet bit set, rest of the payload zero.
    /// The deterministic profile produces these when the spec allows any
    /// NaN, and they are valid wherever an arithmetic NaN is expected.
    public static let f32CanonicalNaNBits: UInt32 = 0x7FC0_0000
    public static let f64CanonicalNaNBits: UInt64 = 0x7FF8_0000_0000_0000

    @inline(__always) static var f32CanonicalNaN: Float { Float(bitPattern: f32CanonicalNaNBits) }
    @inline(__always) static var f64CanonicalNaN: Double { Double(bitPattern: f64CanonicalNaNBits) }

    // MARK: Rounding

    /// `nearest`: round to the nearest integer, ties to even, keeping the sign
    /// of zero (`nearest(-0.5) = -0`).
    @inline(__always) public static func f32Nearest(_ x: Float) -> Float { x.rounded(.toNearestOrEven) }
    @inline(__always) public static func f64Nearest(_ x: Double) -> Double { x.rounded(.toNearestOrEven) }
    @inline(__always) public static func f32Ceil(_ x: Float) -> Float { x.rounded(.up) }
    @inline(__always) public static func f64Ceil(_ x: Double) -> Double { x.rounded(.up) }
    @inline(__always) public static func f32Floor(_ x: Float) -> Float { x.rounded(.down) }
    @inline(__always) public static func f64Floor(_ x: Double) -> Double { x.rounded(.down) }
    @inline(__always) public static func f32Trunc(_ x: Float) -> Float { x.rounded(.towardZero) }
    @inline(__always) public static func f64Trunc(_ x: Double) -> Double { x.rounded(.towardZero) }

    // MARK: Minimum and maximum

    /// `fmin`: NaN if either operand is NaN (here the positive canonical NaN,
    /// which is both canonical and arithmetic), `-0` for a pair of zeroes of
    /// opposite sign, otherwise the smaller operand.
    @inline(__always)
    public static func f32Min(_ a: Float, _ b: Float) -> Float {
        if a.isNaN || b.isNaN { return f32CanonicalNaN }
        // Equal operands can only differ in the sign of zero; -0 wins.
        if a == b { return Float(bitPattern: a.bitPattern | b.bitPattern) }
        return a < b ? a : b
    }

    /// `fmax`: as `fmin`, but `+0` wins a pair of zeroes and the larger operand otherwise.
    @inline(__always)
    public static func f32Max(_ a: Float, _ b: Float) -> Float {
        if a.isNaN || b.isNaN { return f32CanonicalNaN }
        if a == b { return Float(bitPattern: a.bitPattern & b.bitPattern) }
        return a > b ? a : b
    }

    @inline(__always)
    public static func f64Min(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return f64CanonicalNaN }
        if a == b { return Double(bitPattern: a.bitPattern | b.bitPattern) }
        return a < b ? a : b
    }

    @inline(__always)
    public static func f64Max(_ a: Double, _ b: Double) -> Double {
        if a.isNaN || b.isNaN { return f64CanonicalNaN }
        if a == b { return Double(bitPattern: a.bitPattern & b.bitPattern) }
        return a > b ? a : b
    }

    /// `pmin` (SIMD pseudo-minimum): `b < a ? b : a`, i.e. `a` whenever the
    /// comparison fails (NaN operands, equal zeroes).
    @inline(__always) public static func f32PMin(_ a: Float, _ b: Float) -> Float { b < a ? b : a }
    @inline(__always) public static func f32PMax(_ a: Float, _ b: Float) -> Float { a < b ? b : a }
    @inline(__always) public static func f64PMin(_ a: Double, _ b: Double) -> Double { b < a ? b : a }
    @inline(__always) public static func f64PMax(_ a: Double, _ b: Double) -> Double { a < b ? b : a }

    // MARK: Negation (bit-exact, NaN payloads preserved)

    @inline(__always) public static func f32Neg(_ x: Float) -> Float { Float(bitPattern: x.bitPattern ^ 0x8000_0000) }
    @inline(__always) public static func f64Neg(_ x: Double) -> Double { Double(bitPattern: x.bitPattern ^ 0x8000_0000_0000_0000) }
}
