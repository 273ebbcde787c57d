import Testing
import WasmBinary
import WasmSyntax

/// One test per instruction family: the immediates each opcode reads, the
/// feature checks, and the messages for bad encodings.
@Suite struct InstructionReaderTests {
    /// Decodes exactly one instruction from `bytes`.
    func one(_ bytes: [UInt8], features: Features = .all) throws(DecodingError) -> Instruction {
        var reader = InstructionReader(bytes[...], features: features)
        let instruction = try reader.read()
        #expect(reader.isAtEnd, "trailing bytes after \(instruction)")
        return instruction
    }

    func message(_ bytes: [UInt8], features: Features = .all) -> String? {
        decodingErrorMessage { try one(bytes, features: features) }
    }

    @Test func control() throws {
        #expect(try one([0x00]) == Instruction(.unreachable))
        #expect(try one([0x02, 0x40]) == Instruction(.block, .block(.empty)))
        #expect(try one([0x03, 0x7E]) == Instruction(.loop, .block(.value(.i64))))
        #expect(try one([0x04, 0x01]) == Instruction(.if, .block(.typeIndex(1))))
        #expect(try one([0x0C, 0x02]) == Instruction(.br, .index(2)))
        #expect(try one([0x0E, 0x02, 0x00, 0x01, 0x02]) == Instruction(.brTable, .brTable(targets: [0, 1], defaultTarget: 2)))
        #expect(try one([0x10, 0x80, 0x01]) == Instruction(.call, .index(128)))
        #expect(try one([0x11, 0x03, 0x01]) == Instruction(.callIndirect, .indexPair(3, 1)))
        #expect(try one([0x13, 0x03, 0x00]) == Instruction(.returnCallIndirect, .indexPair(3, 0)))
        #expect(try one([0x14, 0x04]) == Instruction(.callRef, .index(4)))
        #expect(try one([0xD5, 0x01]) == Instruction(.brOnNull, .index(1)))
        #expect(try one([0x0B]) == Instruction(.end))
        #expect(try one([0x05]) == Instruction(.else))
    }

    @Test func exceptions() throws {
        #expect(try one([0x08, 0x01]) == Instruction(.throw, .index(1)))
        #expect(try one([0x1F, 0x40, 0x04, 0x00, 0x01, 0x02, 0x01, 0x03, 0x04, 0x02, 0x05, 0x03, 0x06]) == Instruction(
            .tryTable, .tryTable(.empty, [.catch(tag: 1, label: 2), .catchRef(tag: 3, label: 4), .catchAll(label: 5), .catchAllRef(label: 6)])))
        #expect(message([0x1F, 0x40, 0x01, 0x04, 0x00]) == "malformed catch clause")
        // Legacy exception handling only when enabled.
        #expect(try one([0x06, 0x40]) == Instruction(.try, .block(.empty)))
        #expect(try one([0x07, 0x00]) == Instruction(.catch, .index(0)))
        #expect(message([0x06, 0x40], features: .wasm3) == "illegal opcode 06")
    }

    @Test func parametricAndVariables() throws {
        #expect(try one([0x1B]) == Instruction(.select))
        #expect(try one([0x1C, 0x01, 0x7F]) == Instruction(.selectTyped, .valueTypes([.i32])))
        #expect(try one([0x20, 0x05]) == Instruction(.localGet, .index(5)))
        #expect(try one([0x24, 0x01]) == Instruction(.globalSet, .index(1)))
        #expect(try one([0x25, 0x02]) == Instruction(.tableGet, .index(2)))
    }

    @Test func memoryArguments() throws {
        #expect(try one([0x28, 0x02, 0x10]) == Instruction(.i32Load, .memarg(MemArg(align: 2, offset: 16))))
        // Bit 6 announces a memory index (multi-memory).
        #expect(try one([0x36, 0x42, 0x03, 0x08]) == Instruction(.i32Store, .memarg(MemArg(align: 2, offset: 8, memory: 3))))
        // memory64 offsets are u64.
        #expect(try one([0x29, 0x03, 0x80, 0x80, 0x80, 0x80, 0x10]) == Instruction(.i64Load, .memarg(MemArg(align: 3, offset: 1 << 32))))
        #expect(message([0x28, 0x80, 0x01, 0x00]) == "malformed memop flags")
        // WebAssembly 2.0: no memory index, an alignment exponent below 32, a u32 offset.
        #expect(message([0x28, 0x20, 0x00], features: .wasm2) == "malformed memop flags")
        #expect(message([0x28, 0x40, 0x00], features: .wasm2) == "malformed memop flags")
        #expect(message([0x28, 0x02, 0x80, 0x80, 0x80, 0x80, 0x10], features: .wasm2) == "integer too large")
        #expect(try one([0x28, 0x1F, 0x00], features: .wasm2) == Instruction(.i32Load, .memarg(MemArg(align: 31))))
    }

    @Test func memoryIndices() throws {
        #expect(try one([0x3F, 0x01]) == Instruction(.memorySize, .index(1)))
        #expect(try one([0x40, 0x00]) == Instruction(.memoryGrow, .index(0)))
        #expect(try one([0xFC, 0x08, 0x02, 0x01]) == Instruction(.memoryInit, .indexPair(2, 1)))
        #expect(try one([0xFC, 0x0A, 0x01, 0x02]) == Instruction(.memoryCopy, .indexPair(1, 2)))
        #expect(try one([0xFC, 0x0B, 0x03]) == Instruction(.memoryFill, .index(3)))
        // Without multi-memory the index is a reserved zero byte.
        #expect(message([0x3F, 0x01], features: .wasm2) == "zero byte expected")
        #expect(message([0x40, 0x80, 0x00], features: .wasm2) == "zero byte expected")
        #expect(message([0xFC, 0x0A, 0x00, 0x01], features: .wasm2) == "zero byte expected")
        #expect(try one([0xFC, 0x08, 0x02, 0x00], features: .wasm2) == Instruction(.memoryInit, .indexPair(2, 0)))
    }

    @Test func numericConstants() throws {
        #expect(try one([0x41, 0x7F]) == Instruction(.i32Const, .i32(-1)))
        #expect(try one([0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7F]) == Instruction(.i64Const, .i64(Int64.min)))
        // Float constants keep their bit patterns (NaN payloads included).
        #expect(try one([0x43, 0x01, 0x00, 0xC0, 0x7F]) == Instruction(.f32Const, .f32(0x7FC0_0001)))
        #expect(try one([0x44, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F]) == Instruction(.f64Const, .f64(0x3FF0_0000_0000_0000)))
        #expect(message([0x43, 0x00, 0x00]) == "unexpected end of section or function")
        #expect(message([0x41, 0x80, 0x80, 0x80, 0x80, 0x70]) == "integer too large")
        #expect(try one([0x6A]) == Instruction(.i32Add))
        #expect(try one([0xFC, 0x00]) == Instruction(.i32TruncSatF32S))
    }

    @Test func simd() throws {
        let bytes: [UInt8] = Array(0..<16)
        #expect(try one([0xFD, 0x0C] + bytes) == Instruction(.v128Const, .v128(V128(bytes: bytes))))
        #expect(try one([0xFD, 0x0D] + bytes) == Instruction(.i8x16Shuffle, .v128(V128(bytes: bytes))))
        #expect(try one([0xFD, 0x15, 0x0F]) == Instruction(.i8x16ExtractLaneS, .lane(15)))
        #expect(try one([0xFD, 0x54, 0x00, 0x04, 0x01]) == Instruction(.v128Load8Lane, .memargLane(MemArg(align: 0, offset: 4), lane: 1)))
        #expect(try one([0xFD, 0x80, 0x02]) == Instruction(Opcode(prefix: 0xFD, code: 256)!))
        #expect(message([0xFD, 0x80, 0x02], features: .wasm2) == "illegal opcode fd 100")
        #expect(message([0xFD, 0x0C], features: .mvp) == "illegal opcode fd 0c")
    }

    @Test func referencesAndGC() throws {
        #expect(try one([0xD0, 0x70]) == Instruction(.refNull, .heapType(.func)))
        #expect(try one([0xD0, 0x02]) == Instruction(.refNull, .heapType(.concrete(2))))
        #expect(try one([0xD2, 0x01]) == Instruction(.refFunc, .index(1)))
        #expect(try one([0xFB, 0x02, 0x01, 0x03]) == Instruction(.structGet, .indexPair(1, 3)))
        #expect(try one([0xFB, 0x08, 0x01, 0x04]) == Instruction(.arrayNewFixed, .indexPair(1, 4)))
        #expect(try one([0xFB, 0x11, 0x01, 0x02]) == Instruction(.arrayCopy, .indexPair(1, 2)))
        #expect(try one([0xFB, 0x14, 0x6C]) == Instruction(.refTest, .heapType(.i31)))
        #expect(try one([0xFB, 0x17, 0x6C]) == Instruction(.refCastNull, .heapType(.i31)))
        #expect(try one([0xFB, 0x18, 0x02, 0x00, 0x6E, 0x03]) == Instruction(.brOnCast, .brOnCast(
            label: 0, from: RefType(nullable: false, heapType: .any), to: RefType(nullable: true, heapType: .concrete(3)))))
        #expect(message([0xFB, 0x18, 0x04, 0x00, 0x6E, 0x6E]) == "malformed br_on_cast flags")
        #expect(message([0xD0, 0x60]) == "malformed heap type")
        #expect(message([0xFB, 0x1F]) == "illegal opcode fb 1f")
        #expect(message([0xFB, 0x00, 0x00], features: .wasm2) == "illegal opcode fb 00")
    }

    @Test func tablesAndBulk() throws {
        #expect(try one([0xFC, 0x0C, 0x01, 0x02]) == Instruction(.tableInit, .indexPair(1, 2)))
        #expect(try one([0xFC, 0x0E, 0x01, 0x02]) == Instruction(.tableCopy, .indexPair(1, 2)))
        #expect(try one([0xFC, 0x0F, 0x01]) == Instruction(.tableGrow, .index(1)))
        #expect(try one([0xFC, 0x09, 0x01]) == Instruction(.dataDrop, .index(1)))
        #expect(try one([0xFC, 0x0D, 0x01]) == Instruction(.elemDrop, .index(1)))
    }

    @Test func unknownOpcodesAndFeatures() {
        #expect(message([0xFF]) == "illegal opcode ff")
        #expect(message([0x27]) == "illegal opcode 27")
        #expect(message([0xC0], features: .mvp) == "illegal opcode c0")
        #expect(message([0x12, 0x00], features: .wasm2) == "illegal opcode 12")
        #expect(message([0xFC, 0x80, 0x80, 0x80, 0x80, 0x10]) == "integer too large")
        #expect(message([]) == "unexpected end of section or function")
    }

    @Test func offsetsAreSliceIndices() throws {
        let bytes: [UInt8] = [0xAA, 0xAA, 0x41, 0x01, 0x1A, 0x0B]
        var reader = InstructionReader(bytes[2...])
        #expect(reader.offset == 2)
        _ = try reader.read()
        #expect(reader.offset == 4)
        #expect(try reader.readOpcode() == .drop)
        try reader.skipImmediate(for: .drop)
        #expect(try reader.read() == Instruction(.end))
        #expect(reader.isAtEnd)
        var bad = InstructionReader(bytes[4...] + [0xFF])
        _ = try bad.read()
        _ = try bad.read()
        do {
            _ = try bad.read()
            Issue.record("expected an error")
        } catch {
            #expect(error.offset == 6)
        }
    }

    /// `skipImmediate` accepts and rejects what `readImmediate` does and
    /// stops at the same place.
    @Test func skippingMatchesReading() throws {
        let samples: [[UInt8]] = [
            [0x0E, 0x02, 0x00, 0x01, 0x02], [0x1C, 0x02, 0x7F, 0x70], [0x1F, 0x40, 0x01, 0x02, 0x00],
            [0x28, 0x42, 0x01, 0x08], [0x41, 0x7F], [0xFD, 0x0C] + Array(repeating: 0, count: 16),
            [0x0E, 0x05, 0x00], [0x1C, 0x01, 0x7A], [0xFB, 0x18, 0x03, 0x00, 0x6E, 0x6C],
        ]
        for bytes in samples {
            var a = InstructionReader(bytes[...])
            var b = InstructionReader(bytes[...])
            let read = decodingErrorMessage { try a.read() }
            let skipped = decodingErrorMessage { try b.skipImmediate(for: try b.readOpcode()) }
            #expect(read == skipped, "\(bytes)")
            if read == nil { #expect(a.offset == b.offset) }
        }
    }
}
