/// The hash of memory contents that every engine computes the same way:
/// CRC-32 (IEEE, as zlib) in the high 32 bits and Adler-32 in the low 32
/// bits. Both are in every language's standard library (Python's `zlib`),
/// so an adapter needs no code of its own, and together they make an
/// accidental collision between two differing memories very unlikely. It
/// is not a cryptographic hash: it only has to notice differences.
public struct ContentHash {
    private var crc: UInt32 = 0xFFFF_FFFF
    private var a: UInt32 = 1
    private var b: UInt32 = 0

    public init() {}

    /// The hash of `bytes` at once.
    public static func of(_ bytes: UnsafeRawBufferPointer) -> UInt64 {
        var h = ContentHash()
        h.update(bytes)
        return h.value
    }

    public static func of(_ bytes: [UInt8]) -> UInt64 {
        bytes.withUnsafeBytes { of($0) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress else { return }
        let n = bytes.count
        // Memories are mostly zeros: runs of zero blocks advance both sums
        // in a few operations instead of byte by byte.
        var i = 0
        var zeros = 0
        while i < n {
            if n - i >= 64 && Self.isZero64(base + i) {
                zeros += 64
                i += 64
                continue
            }
            if zeros > 0 {
                skipZeros(zeros)
                zeros = 0
            }
            let end = Swift.min(n, i + 64)
            mix(base.assumingMemoryBound(to: UInt8.self) + i, end - i)
            i = end
        }
        if zeros > 0 { skipZeros(zeros) }
    }

    @inline(__always)
    private static func isZero64(_ p: UnsafeRawPointer) -> Bool {
        var x: UInt64 = 0
        for k in 0..<8 { x |= p.loadUnaligned(fromByteOffset: 8 * k, as: UInt64.self) }
        return x == 0
    }

    /// Both sums over `count` bytes.
    private mutating func mix(_ p: UnsafePointer<UInt8>, _ n: Int) {
        // CRC-32, slicing by 8.
        ContentHash.tables.withUnsafeBufferPointer { t in
            var c = crc
            var i = 0
            while i + 8 <= n {
                let lo = UInt32(p[i]) | UInt32(p[i + 1]) << 8 | UInt32(p[i + 2]) << 16 | UInt32(p[i + 3]) << 24
                let x = c ^ lo
                c = t[7 * 256 + Int(x & 0xFF)] ^ t[6 * 256 + Int((x >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((x >> 16) & 0xFF)] ^ t[4 * 256 + Int(x >> 24)]
                    ^ t[3 * 256 + Int(p[i + 4])] ^ t[2 * 256 + Int(p[i + 5])]
                    ^ t[1 * 256 + Int(p[i + 6])] ^ t[Int(p[i + 7])]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(p[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
            crc = c
        }
        // Adler-32, reducing every 5552 bytes (the most that cannot overflow).
        var i = 0
        while i < n {
            let end = Swift.min(n, i + 5552)
            var sa = a, sb = b
            while i < end {
                sa &+= UInt32(p[i])
                sb &+= sa
                i += 1
            }
            a = sa % 65521
            b = sb % 65521
        }
    }

    /// Both sums over `count` zero bytes (a multiple of 64): zeros leave
    /// Adler's first sum alone and add it `count` times to the second; the
    /// CRC register advances by a linear map, applied per byte of the
    /// register from precomputed tables.
    private mutating func skipZeros(_ count: Int) {
        b = UInt32((UInt64(b) + UInt64(count % 65521) * UInt64(a)) % 65521)
        var remaining = count
        ContentHash.zeroTables.withUnsafeBufferPointer { z in
            var c = crc
            while remaining >= 4096 {
                c = z[1024 + Int(c & 0xFF)] ^ z[1024 + 256 + Int((c >> 8) & 0xFF)]
                    ^ z[1024 + 512 + Int((c >> 16) & 0xFF)] ^ z[1024 + 768 + Int(c >> 24)]
                remaining -= 4096
            }
            while remaining >= 64 {
                c = z[Int(c & 0xFF)] ^ z[256 + Int((c >> 8) & 0xFF)] ^ z[512 + Int((c >> 16) & 0xFF)] ^ z[768 + Int(c >> 24)]
                remaining -= 64
            }
            crc = c
        }
    }

    /// The CRC register after 64 (first 1024 entries) and 4096 (next 1024)
    /// zero bytes, from a register holding only byte k = v: entry k*256+v.
    private static let zeroTables: [UInt32] = {
        let t = tables
        func advance(_ c: UInt32, _ n: Int) -> UInt32 {
            var c = c
            for _ in 0..<n { c = t[Int(c & 0xFF)] ^ (c >> 8) }
            return c
        }
        var z = [UInt32](repeating: 0, count: 2048)
        for k in 0..<4 {
            for v in 0..<256 {
                let c = UInt32(v) << UInt32(8 * k)
                z[k * 256 + v] = advance(c, 64)
                z[1024 + k * 256 + v] = advance(c, 4096)
            }
        }
        return z
    }()

    public var value: UInt64 {
        UInt64(crc ^ 0xFFFF_FFFF) << 32 | UInt64(b << 16 | a)
    }

    /// Eight tables of 256 entries for slicing-by-8 CRC-32.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let prev = t[(k - 1) * 256 + i]
                t[k * 256 + i] = t[Int(prev & 0xFF)] ^ (prev >> 8)
            }
        }
        return t
    }()
}

extension UInt64 {
    /// Sixteen hex digits, as the wire protocol writes hashes.
    public var hex16: String {
        let s = String(self, radix: 16)
        return String(repeating: "0", count: 16 - s.count) + s
    }
}
