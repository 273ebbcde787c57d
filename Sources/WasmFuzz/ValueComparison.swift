import WasmEngines
import WasmSyntax

/// When two engines' values count as the same (docs/architecture.md, decision 6):
/// numbers bit for bit, except NaNs, which the spec lets differ within a
/// class. A NaN is canonical (only the quiet bit of the payload set),
/// arithmetic (quiet bit set, any payload) or neither (quiet bit clear: a
/// signalling NaN, which arithmetic never produces). Quiet NaNs of either
/// sign are interchangeable, and in the default mode so are canonical and
/// arithmetic ones (an operation on a non-canonical NaN may give either);
/// in strict mode, for modules whose arithmetic NaNs the generator made
/// canonical, the class must match. A signalling NaN can only come from
/// bit operations, which are exact, so it must match bit for bit.
public enum ValueComparison {
    public enum NaNClass: String, Sendable {
        case canonical, arithmetic, signalling
    }

    public static func nanClass(f32 bits: UInt32) -> NaNClass? {
        guard bits & 0x7F80_0000 == 0x7F80_0000, bits & 0x007F_FFFF != 0 else { return nil }
        if bits & 0x0040_0000 == 0 { return .signalling }
        return bits & 0x003F_FFFF == 0 ? .canonical : .arithmetic
    }

    public static func nanClass(f64 bits: UInt64) -> NaNClass? {
        guard bits & 0x7FF0_0000_0000_0000 == 0x7FF0_0000_0000_0000, bits & 0x000F_FFFF_FFFF_FFFF != 0 else { return nil }
        if bits & 0x0008_0000_0000_0000 == 0 { return .signalling }
        return bits & 0x0007_FFFF_FFFF_FFFF == 0 ? .canonical : .arithmetic
    }

    static func sameNaN(_ a: NaNClass?, _ b: NaNClass?, bitsEqual: Bool, strict: Bool) -> Bool {
        if bitsEqual { return true }
        guard let a, let b else { return false }
        if a == .signalling || b == .signalling { return false }
        return !strict || a == b
    }

    public static func equivalent(f32 a: UInt32, _ b: UInt32, strict: Bool) -> Bool {
        a == b || sameNaN(nanClass(f32: a), nanClass(f32: b), bitsEqual: false, strict: strict)
    }

    public static func equivalent(f64 a: UInt64, _ b: UInt64, strict: Bool) -> Bool {
        a == b || sameNaN(nanClass(f64: a), nanClass(f64: b), bitsEqual: false, strict: strict)
    }

    /// Whether two values agree. Only scalar floats are known to be
    /// floats, so only they get NaN tolerance; a `v128` agrees only when
    /// its bits do (its lane shape is not known here, and a lane of
    /// integers can look like a NaN: the generator canonicalises vector
    /// NaNs instead).
    public static func equivalent(_ a: EngineValue, _ b: EngineValue, strict: Bool) -> Bool {
        switch (a, b) {
        case (.f32(let x), .f32(let y)): return equivalent(f32: x, y, strict: strict)
        case (.f64(let x), .f64(let y)): return equivalent(f64: x, y, strict: strict)
        default:
            return a == b
        }
    }

    /// Words for a report: the NaN class of a float that is one.
    public static func describe(_ v: EngineValue) -> String {
        switch v {
        case .f32(let bits): return nanClass(f32: bits).map { "f32:\($0.rawValue) nan(0x\(String(bits, radix: 16)))" } ?? v.description
        case .f64(let bits): return nanClass(f64: bits).map { "f64:\($0.rawValue) nan(0x\(String(bits, radix: 16)))" } ?? v.description
        default: return v.description
        }
    }
}
