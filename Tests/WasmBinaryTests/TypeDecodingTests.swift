import Testing
import WasmBinary
import WasmSyntax

@Suite struct TypeDecodingTests {
    func read<T>(_ bytes: [UInt8], features: Features = .all,
                 _ body: (inout BinaryReader) throws(DecodingError) -> T) throws(DecodingError) -> T {
        var r = BinaryReader(bytes, features: features)
        let value = try body(&r)
        #expect(r.isAtEnd, "not all bytes consumed")
        return value
    }

    @Test func numberVectorAndShortReferenceTypes() throws {
        let cases: [(UInt8, ValueType)] = [
            (0x7F, .i32), (0x7E, .i64), (0x7D, .f32), (0x7C, .f64), (0x7B, .v128),
            (0x70, .funcref), (0x6F, .externref), (0x69, .exnref), (0x6E, .anyref),
            (0x71, .ref(.nullref)), (0x74, .ref(.nullexnref)),
        ]
        for (byte, type) in cases {
            #expect(try read([byte]) { r throws(DecodingError) in try r.readValueType() } == type)
        }
    }

    @Test func longReferenceTypes() throws {
        #expect(try read([0x64, 0x70]) { r throws(DecodingError) in try r.readValueType() }
                == .ref(RefType(nullable: false, heapType: .func)))
        #expect(try read([0x63, 0x6C]) { r throws(DecodingError) in try r.readValueType() } == .ref(.i31ref))
        #expect(try read([0x64, 0x05]) { r throws(DecodingError) in try r.readValueType() }
                == .ref(RefType(nullable: false, heapType: .concrete(5))))
        // A type index is an s33: 200 takes two bytes.
        #expect(try read([0x63, 0xC8, 0x01]) { r throws(DecodingError) in try r.readValueType() }
                == .ref(RefType(nullable: true, heapType: .concrete(200))))
    }

    @Test func malformedTypes() {
        #expect(decodingErrorMessage { try read([0x7A]) { r throws(DecodingError) in try r.readValueType() } }
                == "malformed reference type")
        #expect(decodingErrorMessage { try read([0x64, 0x60]) { r throws(DecodingError) in try r.readValueType() } }
                == "malformed heap type")
        // A negative multi-byte s33 is no heap type.
        #expect(decodingErrorMessage { try read([0x64, 0xF0, 0x7F]) { r throws(DecodingError) in try r.readValueType() } }
                == "integer representation too long")
        #expect(decodingErrorMessage { try read([0x64]) { r throws(DecodingError) in try r.readValueType() } }
                == "unexpected end of section or function")
        #expect(decodingErrorMessage { try read([0x5F, 0x01, 0x62, 0x00]) { r throws(DecodingError) in try r.readCompositeType() } }
                == "malformed storage type")
        #expect(decodingErrorMessage { try read([0x5D]) { r throws(DecodingError) in try r.readCompositeType() } }
                == "malformed definition type")
        #expect(decodingErrorMessage { try read([0x7F, 0x02]) { r throws(DecodingError) in try r.readGlobalType() } }
                == "malformed mutability")
    }

    @Test func featuresDecideWhichTypesExist() {
        #expect(decodingErrorMessage { try read([0x6E], features: .wasm2) { r throws(DecodingError) in try r.readValueType() } }
                == "malformed reference type")
        #expect(decodingErrorMessage { try read([0x64, 0x70], features: .wasm2) { r throws(DecodingError) in try r.readValueType() } }
                == "malformed reference type")
        #expect(decodingErrorMessage { try read([0x7B], features: .mvp) { r throws(DecodingError) in try r.readValueType() } }
                == "malformed reference type")
        #expect(decodingErrorMessage { try read([0x5E, 0x7F, 0x00], features: .wasm2) { r throws(DecodingError) in try r.readCompositeType() } }
                == "malformed definition type")
    }

    @Test func blockTypes() throws {
        #expect(try read([0x40]) { r throws(DecodingError) in try r.readBlockType() } == .empty)
        #expect(try read([0x7F]) { r throws(DecodingError) in try r.readBlockType() } == .value(.i32))
        #expect(try read([0x63, 0x00]) { r throws(DecodingError) in try r.readBlockType() }
                == .value(.ref(RefType(nullable: true, heapType: .concrete(0)))))
        #expect(try read([0x03]) { r throws(DecodingError) in try r.readBlockType() } == .typeIndex(3))
        #expect(try read([0x80, 0x01]) { r throws(DecodingError) in try r.readBlockType() } == .typeIndex(128))
        #expect(decodingErrorMessage { try read([0x7A]) { r throws(DecodingError) in try r.readBlockType() } }
                == "malformed reference type")
    }

    @Test func recursionGroupsAndSubTypes() throws {
        // rec { sub (struct (field i8 mut)); sub final 0 (array i16) }
        let bytes: [UInt8] = [0x4E, 0x02, 0x50, 0x00, 0x5F, 0x01, 0x78, 0x01, 0x4F, 0x01, 0x00, 0x5E, 0x77, 0x00]
        let group = try read(bytes) { r throws(DecodingError) in try r.readRecGroup() }
        #expect(group == RecGroup(types: [
            SubType(isFinal: false, supertypes: [], composite: .struct([FieldType(storage: .i8, mutable: true)])),
            SubType(isFinal: true, supertypes: [0], composite: .array(FieldType(storage: .i16, mutable: false))),
        ], isExplicit: true))
        let single = try read([0x60, 0x01, 0x7F, 0x01, 0x7E]) { r throws(DecodingError) in try r.readRecGroup() }
        #expect(single == RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32], results: [.i64])))]))
    }

    @Test func limitsIn30() throws {
        let memory = try read([0x05, 0x01, 0x80, 0x80, 0x80, 0x80, 0x20]) { r throws(DecodingError) in try r.readMemoryType() }
        #expect(memory == MemoryType(limits: Limits(min: 1, max: 1 << 33, addressType: .i64)))
        let shared = try read([0x03, 0x01, 0x02]) { r throws(DecodingError) in try r.readMemoryType() }
        #expect(shared.limits.shared && shared.limits.max == 2)
        let pages = try read([0x08, 0x01, 0x00]) { r throws(DecodingError) in try r.readMemoryType() }
        #expect(pages == MemoryType(limits: Limits(min: 1), pageSizeLog2: 0))
        #expect(decodingErrorMessage { try read([0x08, 0x00, 0x00], features: .wasm3) { r throws(DecodingError) in try r.readMemoryType() } }
                == "malformed limits flags")
        #expect(decodingErrorMessage { try read([0x81, 0x00, 0x00], features: .wasm3) { r throws(DecodingError) in try r.readMemoryType() } }
                == "malformed limits flags")
        // Tables are never shared.
        #expect(decodingErrorMessage { try read([0x70, 0x02, 0x00]) { r throws(DecodingError) in try r.readTableType() } }
                == "malformed limits flags")
        #expect(decodingErrorMessage { try read([0x08, 0x00, 0x41]) { r throws(DecodingError) in try r.readMemoryType() } }
                == "invalid custom page size")
    }

    /// WebAssembly 2.0 reads the flag as a one-bit LEB128 number and the
    /// bounds as u32, with its own messages.
    @Test func limitsIn20() throws {
        #expect(try read([0x01, 0x01, 0x02], features: .wasm2) { r throws(DecodingError) in try r.readMemoryType() }
                == MemoryType(limits: Limits(min: 1, max: 2)))
        #expect(decodingErrorMessage { try read([0x02, 0x00], features: .wasm2) { r throws(DecodingError) in try r.readMemoryType() } }
                == "integer too large")
        #expect(decodingErrorMessage { try read([0x81, 0x00, 0x00], features: .wasm2) { r throws(DecodingError) in try r.readMemoryType() } }
                == "integer representation too long")
        #expect(decodingErrorMessage { try read([0x00, 0x80, 0x80, 0x80, 0x80, 0x10], features: .wasm2) { r throws(DecodingError) in try r.readMemoryType() } }
                == "integer too large")
    }

    @Test func tagTypesHaveAZeroAttribute() throws {
        #expect(try read([0x00, 0x03]) { r throws(DecodingError) in try r.readTagType() } == TagType(typeIndex: 3))
        #expect(decodingErrorMessage { try read([0x01, 0x03]) { r throws(DecodingError) in try r.readTagType() } }
                == "zero byte expected")
    }

    @Test func names() throws {
        #expect(try read([0x03, 0x61, 0xC3, 0xA9]) { r throws(DecodingError) in try r.readName() } == "aé")
        let invalid: [[UInt8]] = [
            [0x80],                   // lone continuation byte
            [0xC0, 0x80],             // overlong NUL
            [0xE0, 0x80, 0x80],       // overlong
            [0xED, 0xA0, 0x80],       // surrogate U+D800
            [0xF4, 0x90, 0x80, 0x80], // above U+10FFFF
            [0xF8, 0x88, 0x80, 0x80, 0x80],
            [0xE2, 0x82],             // truncated
        ]
        for bytes in invalid {
            #expect(decodingErrorMessage { try read([UInt8(bytes.count)] + bytes) { r throws(DecodingError) in try r.readName() } }
                    == "malformed UTF-8 encoding", "\(bytes)")
        }
        #expect(decodingErrorMessage { try read([0x05, 0x61]) { r throws(DecodingError) in try r.readName() } }
                == "length out of bounds")
        #expect(isValidUTF8([0xF0, 0x9F, 0x98, 0x80][...]))
        #expect(isValidUTF8([0xEF, 0xBF, 0xBF][...]))
    }
}
