import CZlib

/// The system's zlib, for cache entries: compression (code compresses to
/// about a third) and CRC-32 (corruption detection).
enum Zlib {
    static func crc32<Bytes: Collection>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        let value = bytes.withContiguousStorageIfAvailable { buffer -> UInt32 in
            var crc = CZlib.crc32(0, nil, 0)
            var rest = UnsafeRawBufferPointer(buffer)
            // zlib takes uInt lengths: feed large inputs in pieces.
            while !rest.isEmpty {
                let count = Swift.min(rest.count, 1 << 30)
                crc = CZlib.crc32(crc, rest.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(count))
                rest = UnsafeRawBufferPointer(rebasing: rest[count...])
            }
            return UInt32(truncatingIfNeeded: crc)
        }
        return value ?? crc32(Array(bytes))
    }

    /// Level 1 by default: on machine code it compresses nearly as well as
    /// level 6 in a fraction of the time, and the first run pays for it.
    static func compress(_ input: [UInt8], level: Int32 = 1) throws(ZlibError) -> [UInt8] {
        var capacity = compressBound(uLong(input.count))
        var output = [UInt8](repeating: 0, count: Int(capacity))
        let status = output.withUnsafeMutableBufferPointer { out in
            input.withUnsafeBufferPointer { source in
                compress2(out.baseAddress, &capacity, source.baseAddress, uLong(input.count), level)
            }
        }
        guard status == Z_OK else { throw ZlibError(status: status) }
        output.removeSubrange(Int(capacity)...)
        return output
    }

    /// Inflates `input`, which must give exactly `count` bytes.
    static func decompress<Bytes: Collection>(_ input: Bytes, count: Int) throws(ZlibError) -> [UInt8] where Bytes.Element == UInt8 {
        let contiguous = Array(input)
        var output = [UInt8](repeating: 0, count: Swift.max(count, 1))
        var produced = uLong(count)
        let status = output.withUnsafeMutableBufferPointer { out in
            contiguous.withUnsafeBufferPointer { source in
                uncompress(out.baseAddress, &produced, source.baseAddress, uLong(contiguous.count))
            }
        }
        guard status == Z_OK else { throw ZlibError(status: status) }
        guard produced == uLong(count) else { throw ZlibError(status: Z_DATA_ERROR) }
        output.removeSubrange(count...)
        return output
    }
}

/// Why zlib refused to compress or inflate (its status code).
public struct ZlibError: Error, Hashable, CustomStringConvertible {
    public var status: Int32
    public var description: String { "zlib error \(status)" }
}
