/// A reader that turns arbitrary bytes into generator decisions, in the
/// spirit of the `arbitrary` crate's `Unstructured`.
///
/// Every decision reads the fewest bytes it needs from the front of the
/// input, so the same bytes always give the same decisions (and so the same
/// module), and a mutation of the input changes the module locally. When the
/// bytes run out every read yields zero, which is always the smallest choice:
/// the first option, the lower bound, "no" to "one more?". A generator that
/// asks only such questions ends on any input.
public struct ByteSource: Sendable {
    public let bytes: [UInt8]
    public private(set) var position: Int = 0

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Whether every byte has been read (all further reads yield zero).
    public var isExhausted: Bool { position >= bytes.count }

    public var remaining: Int { max(0, bytes.count - position) }

    public mutating func byte() -> UInt8 {
        guard position < bytes.count else { return 0 }
        defer { position += 1 }
        return bytes[position]
    }

    /// An integer in `0..<count` (0 when `count` is at most 1). Reads one
    /// byte per factor of 256 of the range.
    public mutating func index(_ count: Int) -> Int {
        guard count > 1 else { return 0 }
        var value: UInt64 = 0
        var span: UInt64 = 1
        let target = UInt64(count)
        while span < target {
            value = (value << 8) | UInt64(byte())
            if span > UInt64.max >> 8 { break }
            span <<= 8
        }
        return Int(value % target)
    }

    /// An integer in `range`.
    public mutating func int(in range: ClosedRange<Int>) -> Int {
        let width = UInt64(bitPattern: Int64(range.upperBound) &- Int64(range.lowerBound))
        guard width < UInt64(Int.max) else { return range.lowerBound &+ Int(truncatingIfNeeded: u64()) }
        return range.lowerBound + index(Int(width) + 1)
    }

    /// A fair coin, false on exhausted input.
    public mutating func bool() -> Bool { byte() & 1 == 1 }

    /// True with probability `numerator / denominator`; false on exhausted
    /// input, so that "do one more" questions stop.
    public mutating func chance(_ numerator: Int, _ denominator: Int) -> Bool {
        guard numerator > 0 else { return false }
        guard numerator < denominator else { return !isExhausted }
        return index(denominator) >= denominator - numerator
    }

    public mutating func u32() -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(byte()) << (8 * UInt32(i)) }
        return v
    }

    public mutating func u64() -> UInt64 {
        UInt64(u32()) | (UInt64(u32()) << 32)
    }

    /// One of `items`, or nil when there are none.
    public mutating func choose<T>(_ items: [T]) -> T? {
        guard !items.isEmpty else { return nil }
        return items[index(items.count)]
    }

    /// An index chosen with the given weights (all zero: the first).
    public mutating func weighted(_ weights: [Int]) -> Int {
        var total = 0
        for w in weights { total += max(0, w) }
        guard total > 0 else { return 0 }
        var pick = index(total)
        for (i, w) in weights.enumerated() where w > 0 {
            if pick < w { return i }
            pick -= w
        }
        return weights.count - 1
    }

    /// A 32-bit integer that favours the values that find bugs: small
    /// numbers, powers of two and their neighbours, the extremes.
    public mutating func interestingI32() -> Int32 {
        switch index(8) {
        case 0: return Int32(truncatingIfNeeded: int(in: -2...16))
        case 1: return Int32(truncatingIfNeeded: index(256))
        case 2:
            let shift = Int32(index(32))
            return (1 << shift) &+ Int32(truncatingIfNeeded: int(in: -1...1))
        case 3: return [Int32.min, Int32.max, -1, 0x7FFF, -0x8000, 0xFFFF, Int32.min + 1][index(7)]
        default: return Int32(bitPattern: u32())
        }
    }

    public mutating func interestingI64() -> Int64 {
        switch index(8) {
        case 0: return Int64(int(in: -2...16))
        case 1: return Int64(index(256))
        case 2:
            let shift = Int64(index(64))
            return (1 << shift) &+ Int64(int(in: -1...1))
        case 3: return [Int64.min, Int64.max, -1, Int64(Int32.max), Int64(Int32.min), Int64(UInt32.max)][index(6)]
        default: return Int64(bitPattern: u64())
        }
    }

    /// f32 bit patterns: zeros, ones, infinities, NaNs (with payloads), the
    /// integer conversion boundaries, and arbitrary bits.
    public mutating func interestingF32() -> UInt32 {
        let special: [UInt32] = [0x0000_0000, 0x8000_0000, 0x3F80_0000, 0xBF80_0000, 0x7F80_0000, 0xFF80_0000,
                                 0x7FC0_0000, 0xFFC0_0000, 0x7FA0_0001, 0x0000_0001, 0x7F7F_FFFF, 0x4F00_0000,
                                 0xCF00_0000, 0x5F00_0000, 0x4EFF_FFFF, 0x3F00_0000]
        switch index(4) {
        case 0, 1: return special[index(special.count)]
        case 2: return Float(Int32(truncatingIfNeeded: int(in: -100...100))).bitPattern
        default: return u32()
        }
    }

    public mutating func interestingF64() -> UInt64 {
        let special: [UInt64] = [0, 0x8000_0000_0000_0000, 0x3FF0_0000_0000_0000, 0xBFF0_0000_0000_0000,
                                 0x7FF0_0000_0000_0000, 0xFFF0_0000_0000_0000, 0x7FF8_0000_0000_0000,
                                 0xFFF8_0000_0000_0000, 0x7FF4_0000_0000_0001, 1, 0x7FEF_FFFF_FFFF_FFFF,
                                 0x41E0_0000_0000_0000, 0xC1E0_0000_0000_0000, 0x43E0_0000_0000_0000,
                                 0x41DF_FFFF_FFC0_0000, 0x3FE0_0000_0000_0000]
        switch index(4) {
        case 0, 1: return special[index(special.count)]
        case 2: return Double(int(in: -100...100)).bitPattern
        default: return u64()
        }
    }
}
