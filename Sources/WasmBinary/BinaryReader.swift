import WasmSyntax

/// A cursor over WebAssembly binary data: bytes, LEB128 integers, floats,
/// lengths and names, with the spec's rules and the reference interpreter's
/// error messages.
///
/// Offsets are indices into `bytes`, so a reader over a slice of a module
/// reports positions in the module's file. Reading past `bytes.endIndex`
/// throws "unexpected end of section or function" (the reference decoder
/// reads a section, or a function body, without bounding it to its declared
/// size and checks the size afterwards; `ModuleDecoder` does the same).
public struct BinaryReader {
    public let bytes: ArraySlice<UInt8>
    /// The index of the next byte.
    public var offset: Int
    /// The enabled features: they decide which types, flags and opcodes are
    /// part of the grammar.
    public var features: Features

    public init(_ bytes: ArraySlice<UInt8>, features: Features = .all) {
        self.bytes = bytes
        self.offset = bytes.startIndex
        self.features = features
    }

    public init(_ bytes: [UInt8], features: Features = .all) {
        self.init(bytes[...], features: features)
    }

    @inlinable
    public var isAtEnd: Bool { offset >= bytes.endIndex }

    /// The number of bytes left before the end of the input.
    @inlinable
    public var remaining: Int { bytes.endIndex - offset }

    // MARK: Bytes

    @inlinable @inline(__always)
    public mutating func readByte() throws(DecodingError) -> UInt8 {
        guard offset < bytes.endIndex else { throw .unexpectedEnd(at: bytes.endIndex) }
        let b = bytes[offset]
        offset &+= 1
        return b
    }

    /// The next byte without consuming it, or nil at the end.
    @inlinable @inline(__always)
    public func peekByte() -> UInt8? {
        offset < bytes.endIndex ? bytes[offset] : nil
    }

    /// `count` bytes as a slice of the input (no copy).
    @inlinable
    public mutating func readBytes(_ count: Int) throws(DecodingError) -> ArraySlice<UInt8> {
        guard count >= 0, count <= bytes.endIndex - offset else { throw .unexpectedEnd(at: bytes.endIndex) }
        let slice = bytes[offset..<(offset + count)]
        offset += count
        return slice
    }

    /// A fixed-width little-endian 32-bit word (f32 bit patterns).
    @inlinable
    public mutating func readUInt32LE() throws(DecodingError) -> UInt32 {
        guard bytes.endIndex - offset >= 4 else { throw .unexpectedEnd(at: bytes.endIndex) }
        var v: UInt32 = 0
        for i in 0..<4 { v |= UInt32(bytes[offset + i]) &<< UInt32(8 * i) }
        offset += 4
        return v
    }

    /// A fixed-width little-endian 64-bit word (f64 bit patterns).
    @inlinable
    public mutating func readUInt64LE() throws(DecodingError) -> UInt64 {
        guard bytes.endIndex - offset >= 8 else { throw .unexpectedEnd(at: bytes.endIndex) }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(bytes[offset + i]) &<< UInt64(8 * i) }
        offset += 8
        return v
    }

    // MARK: LEB128

    /// An unsigned LEB128 integer of at most `bits` bits (the spec's `uN`):
    /// at most ceil(bits/7) bytes, and the unused bits of the last byte
    /// must be zero.
    @inlinable
    public mutating func readUnsigned(bits: Int) throws(DecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var bitsLeft = bits
        while true {
            // Checked before reading, as the reference decoder does: a
            // continuation bit on the last allowed byte is "too long" even
            // when no further byte follows.
            guard bitsLeft > 0 else { throw DecodingError(DecodingError.Message.integerTooLong, at: offset) }
            let position = offset
            let b = try readByte()
            if bitsLeft < 7 && UInt64(b & 0x7F) >= (1 &<< UInt64(bitsLeft)) {
                throw DecodingError(DecodingError.Message.integerTooLarge, at: position)
            }
            result |= UInt64(b & 0x7F) &<< shift
            if b & 0x80 == 0 { return result }
            shift &+= 7
            bitsLeft -= 7
        }
    }

    /// A signed LEB128 integer of at most `bits` bits (the spec's `sN`): the
    /// unused bits of the last byte must be a sign extension.
    @inlinable
    public mutating func readSigned(bits: Int) throws(DecodingError) -> Int64 {
        var result: Int64 = 0
        var shift: Int64 = 0
        var bitsLeft = bits
        while true {
            guard bitsLeft > 0 else { throw DecodingError(DecodingError.Message.integerTooLong, at: offset) }
            let position = offset
            let b = try readByte()
            if bitsLeft < 7 {
                let mask = UInt8(truncatingIfNeeded: -1 &<< (bitsLeft - 1)) & 0x7F
                if b & mask != 0 && b & mask != mask {
                    throw DecodingError(DecodingError.Message.integerTooLarge, at: position)
                }
            }
            result |= Int64(b & 0x7F) &<< shift
            shift &+= 7
            if b & 0x80 == 0 {
                if b & 0x40 != 0 && shift < 64 { result |= -1 &<< shift }
                return result
            }
            bitsLeft -= 7
        }
    }

    @inlinable @inline(__always)
    public mutating func readU32() throws(DecodingError) -> UInt32 {
        if offset < bytes.endIndex {
            let b = bytes[offset]
            if b < 0x80 {
                offset &+= 1
                return UInt32(b)
            }
        }
        return UInt32(truncatingIfNeeded: try readUnsigned(bits: 32))
    }

    @inlinable
    public mutating func readU64() throws(DecodingError) -> UInt64 {
        try readUnsigned(bits: 64)
    }

    @inlinable @inline(__always)
    public mutating func readS32() throws(DecodingError) -> Int32 {
        if offset < bytes.endIndex {
            let b = bytes[offset]
            if b < 0x80 {
                offset &+= 1
                return Int32(Int8(bitPattern: b << 1) >> 1)
            }
        }
        return Int32(truncatingIfNeeded: try readSigned(bits: 32))
    }

    @inlinable
    public mutating func readS33() throws(DecodingError) -> Int64 {
        try readSigned(bits: 33)
    }

    @inlinable
    public mutating func readS64() throws(DecodingError) -> Int64 {
        try readSigned(bits: 64)
    }

    /// Reads a byte that must be zero (reserved memory and table indices
    /// before multi-memory; the tag attribute).
    @inlinable
    public mutating func readZeroByte() throws(DecodingError) {
        let position = offset
        if try readByte() != 0 {
            throw DecodingError(DecodingError.Message.zeroByteExpected, at: position)
        }
    }

    // MARK: Lengths and names

    /// A u32 length or vector count. Like the reference decoder, it must not
    /// exceed the bytes left from the position of the count itself; every
    /// element takes at least one byte, so this also bounds what a caller
    /// may reserve.
    @inlinable
    public mutating func readLength() throws(DecodingError) -> Int {
        let position = offset
        let n = try readU32()
        guard Int(n) <= bytes.endIndex - position else {
            throw DecodingError(DecodingError.Message.lengthOutOfBounds, at: position)
        }
        return Int(n)
    }

    /// A length-prefixed byte string, as a slice of the input.
    public mutating func readByteVector() throws(DecodingError) -> ArraySlice<UInt8> {
        let n = try readLength()
        return try readBytes(n)
    }

    /// A name: a length-prefixed UTF-8 string, validated as the spec demands
    /// (no overlong forms, no surrogates, nothing above U+10FFFF).
    public mutating func readName() throws(DecodingError) -> String {
        let position = offset
        let utf8 = try readByteVector()
        guard isValidUTF8(utf8) else {
            throw DecodingError(DecodingError.Message.malformedUTF8, at: position)
        }
        return String(decoding: utf8, as: UTF8.self)
    }
}

/// Whether `bytes` is well-formed UTF-8 (Unicode's table 3-7).
public func isValidUTF8(_ bytes: ArraySlice<UInt8>) -> Bool {
    var i = bytes.startIndex
    let end = bytes.endIndex
    while i < end {
        let b0 = bytes[i]
        if b0 < 0x80 {
            i += 1
            continue
        }
        let length: Int
        var lo: UInt8 = 0x80, hi: UInt8 = 0xBF
        switch b0 {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lo = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; hi = 0x9F
        case 0xF0: length = 4; lo = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; hi = 0x8F
        default: return false
        }
        guard end - i >= length else { return false }
        let b1 = bytes[i + 1]
        guard b1 >= lo && b1 <= hi else { return false }
        var k = 2
        while k < length {
            let b = bytes[i + k]
            guard b >= 0x80 && b <= 0xBF else { return false }
            k += 1
        }
        i += length
    }
    return true
}
