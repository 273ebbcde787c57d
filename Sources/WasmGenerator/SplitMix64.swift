/// SplitMix64 (Steele, Lea and Flood), the one deterministic PRNG of the
/// generator's drivers: the fuzzer's jobs and mutations, call arguments and
/// `smith --stats` seeds. A base seed replays a run and a recorded seed
/// reproduces its case, so the output sequence must never change.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` by reduction modulo `n`, which recorded seeds
    /// depend on (not `Int.random(in:using:)`); 0 without drawing when `n`
    /// is at most 0.
    public mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }

    /// A generator input: a length in `0...maxLength`, then the bytes of
    /// fresh words, low byte first.
    public mutating func bytes(maxLength: Int) -> [UInt8] {
        let length = below(maxLength + 1)
        var bytes = [UInt8](repeating: 0, count: length)
        var word: UInt64 = 0
        for i in 0..<length {
            if i % 8 == 0 { word = next() }
            bytes[i] = UInt8(truncatingIfNeeded: word >> (8 * UInt64(i % 8)))
        }
        return bytes
    }
}
