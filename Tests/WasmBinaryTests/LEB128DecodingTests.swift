import Testing
import WasmBinary
import WasmSyntax

@Suite struct LEB128DecodingTests {
    func reader(_ bytes: [UInt8]) -> BinaryReader { BinaryReader(bytes) }

    @Test func unsigned32() throws {
        var r = reader([0x00, 0x7F, 0x80, 0x01, 0xE5, 0x8E, 0x26, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(try r.readU32() == 0)
        #expect(try r.readU32() == 127)
        #expect(try r.readU32() == 128)
        #expect(try r.readU32() == 624_485)
        #expect(try r.readU32() == UInt32.max)
        #expect(r.isAtEnd)
    }

    @Test func unsigned32AcceptsRedundantZeroBytesUpToFiveBytes() throws {
        var r = reader([0x80, 0x80, 0x80, 0x80, 0x00])
        #expect(try r.readU32() == 0)
        #expect(r.offset == 5)
    }

    @Test func unsigned32Errors() {
        // A sixth byte: too long, even when it is not there.
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]); return try r.readU32() }
                == "integer representation too long")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x80]); return try r.readU32() }
                == "integer representation too long")
        // Bits above 32 in the fifth byte.
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0x1F]); return try r.readU32() }
                == "integer too large")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x70]); return try r.readU32() }
                == "integer too large")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80]); return try r.readU32() }
                == "unexpected end of section or function")
        #expect(decodingErrorMessage { var r = reader([]); return try r.readU32() }
                == "unexpected end of section or function")
    }

    @Test func errorOffsetsPointAtTheOffendingByte() {
        var r = reader([0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x1F])
        _ = try? r.readU32()
        do {
            _ = try r.readU32()
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 5)
        }
    }

    @Test func unsigned64() throws {
        var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01])
        #expect(try r.readU64() == UInt64.max)
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02]); return try r.readU64() }
                == "integer too large")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]); return try r.readU64() }
                == "integer representation too long")
    }

    @Test func signed32() throws {
        var r = reader([0x00, 0x7F, 0x3F, 0x40, 0x80, 0x7F, 0xFF, 0xFF, 0xFF, 0xFF, 0x07, 0x80, 0x80, 0x80, 0x80, 0x78])
        #expect(try r.readS32() == 0)
        #expect(try r.readS32() == -1)
        #expect(try r.readS32() == 63)
        #expect(try r.readS32() == -64)
        #expect(try r.readS32() == -128)
        #expect(try r.readS32() == Int32.max)
        #expect(try r.readS32() == Int32.min)
    }

    @Test func signed32UnusedBitsMustBeTheSignExtension() {
        // 0x08 and 0x70 in the fifth byte: bit 31 differs from the bits above.
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); return try r.readS32() }
                == "integer too large")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x70]); return try r.readS32() }
                == "integer too large")
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]); return try r.readS32() }
                == "integer representation too long")
        #expect(decodingErrorMessage { var r = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]); return try r.readS32() }
                == "integer representation too long")
    }

    @Test func signed33And64() throws {
        var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(try r.readS33() == 0xFFFF_FFFF)
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0x1F]); return try r.readS33() }
                == "integer too large")
        var r64 = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F])
        #expect(try r64.readS64() == Int64.min)
        var max = reader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x00])
        #expect(try max.readS64() == Int64.max)
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]); return try r.readS64() }
                == "integer too large")
    }

    @Test func writerAndReaderAgree() throws {
        let unsigned: [UInt64] = [0, 1, 63, 64, 127, 128, 255, 16_383, 16_384, 1 << 32, UInt64.max - 1, UInt64.max]
        let signed: [Int64] = [0, 1, -1, 63, -64, 64, -65, 8191, -8192, Int64(Int32.min), Int64(Int32.max), Int64.min, Int64.max]
        var w = BinaryWriter()
        for v in unsigned { w.u64(v) }
        for v in signed { w.s64(v) }
        var r = BinaryReader(w.bytes)
        for v in unsigned { #expect(try r.readU64() == v) }
        for v in signed { #expect(try r.readS64() == v) }
        #expect(r.isAtEnd)
    }

    @Test func lengthsMayNotExceedTheInput() throws {
        // A vector claiming 2^32 - 1 elements in a 5-byte input.
        #expect(decodingErrorMessage { var r = reader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F]); return try r.readLength() }
                == "length out of bounds")
        // The count's own bytes count, as in the reference decoder.
        var r = reader([0x02, 0x00])
        #expect(try r.readLength() == 2)
    }
}
