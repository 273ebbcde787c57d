import Testing
import WasmBinary
import WasmSyntax

/// `decodeModule(encodeModule(m)) == m`, and the encoding of a decoded
/// module is byte for byte the encoding it came from.
@Suite struct ModuleEncoderRoundTripTests {
    func roundTrip(_ module: Module, features: Features = .all) throws {
        let bytes = encodeModule(module)
        let decoded = try decodeModule(bytes, features: features)
        #expect(decoded == module)
        #expect(encodeModule(decoded) == bytes)
    }

    @Test func emptyModule() throws {
        #expect(encodeModule(Module()) == Bin.header)
        try roundTrip(Module())
    }

    @Test func everySection() throws {
        try roundTrip(SampleModules.everything)
    }

    @Test func sectionsInSpecOrder() {
        let bytes = encodeModule(SampleModules.everything)
        var reader = BinaryReader(bytes)
        reader.offset = 8
        var ids: [UInt8] = []
        while !reader.isAtEnd {
            ids.append((try? reader.readByte()) ?? 0xFF)
            let size = (try? reader.readLength()) ?? 0
            reader.offset += size
        }
        #expect(ids == [0, 1, 0, 2, 3, 4, 5, 13, 0, 6, 7, 8, 9, 12, 10, 11, 0])
    }

    /// A custom section recorded after a section the module does not have
    /// keeps its place: the encoder writes that section empty.
    @Test func customSectionAfterAnEmptySection() throws {
        var module = Module()
        module.customSections = [CustomSection(name: "x", bytes: [1], after: 7)]
        let bytes = encodeModule(module)
        #expect(bytes == Bin.header + Bin.section(7, [0x00]) + Bin.section(0, [0x01, 0x78, 0x01]))
        try roundTrip(module)
    }

    @Test func canonicalElementFlags() {
        let refFunc = RefType(nullable: false, heapType: .func)
        let zero: ConstExpression = [Instruction(.i32Const, .i32(0))]
        func flags(_ segment: ElementSegment) -> UInt8 {
            var module = Module()
            module.elements = [segment]
            let bytes = encodeModule(module)
            return bytes[Bin.header.count + 3]  // id, size, count, flags
        }
        #expect(flags(ElementSegment(type: refFunc, mode: .active(table: 0, offset: zero), items: .functions([]))) == 0)
        #expect(flags(ElementSegment(type: refFunc, mode: .passive, items: .functions([]))) == 1)
        #expect(flags(ElementSegment(type: refFunc, mode: .active(table: 2, offset: zero), items: .functions([]))) == 2)
        #expect(flags(ElementSegment(type: refFunc, mode: .declarative, items: .functions([]))) == 3)
        #expect(flags(ElementSegment(type: .funcref, mode: .active(table: 0, offset: zero), items: .expressions([]))) == 4)
        #expect(flags(ElementSegment(type: .funcref, mode: .passive, items: .expressions([]))) == 5)
        #expect(flags(ElementSegment(type: refFunc, mode: .active(table: 0, offset: zero), items: .expressions([]))) == 6)
        #expect(flags(ElementSegment(type: .externref, mode: .declarative, items: .expressions([]))) == 7)
    }

    /// Function indices typed `funcref` (not what flags 0-3 decode to,
    /// `(ref func)`) are written as `ref.func` expressions: the type is kept.
    @Test func functionIndicesOfAnotherTypeBecomeExpressions() throws {
        var module = Module()
        module.elements = [ElementSegment(type: .funcref, mode: .passive, items: .functions([3]))]
        let decoded = try decodeModule(encodeModule(module))
        #expect(decoded.elements == [ElementSegment(type: .funcref, mode: .passive, items: .expressions([[Instruction(.refFunc, .index(3))]]))])
    }

    @Test func dataCountOnlyWhenSet() throws {
        var module = Module()
        module.datas = [DataSegment(mode: .passive, bytes: [1])]
        #expect(!encodeModule(module).contains(12))
        try roundTrip(module)
        module.dataCount = 1
        #expect(encodeModule(module) == Bin.header + Bin.section(12, [0x01]) + Bin.section(11, [0x01, 0x01, 0x01, 0x01]))
        try roundTrip(module)
    }

    @Test func wasm2ModulesRoundTripUnderWasm2Features() throws {
        var module = Module()
        module.types = [RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32], results: [.funcref])))])]
        module.memories = [MemoryType(limits: Limits(min: 1, max: 3))]
        module.tables = [Table(type: TableType(elementType: .externref, limits: Limits(min: 0)))]
        module.globals = [Global(type: GlobalType(valueType: .i32, mutable: false), initializer: [Instruction(.i32Const, .i32(42))])]
        module.functions = [Function(typeIndex: 0, body: [0x41, 0x00, 0x40, 0x00, 0x1A, 0xD0, 0x70, 0x0B][...])]
        try roundTrip(module, features: .wasm2)
    }

    @Test func bodiesAndLocalsAreKeptAsWritten() throws {
        var module = Module()
        module.types = [RecGroup(types: [SubType(composite: .func(FuncType()))])]
        module.functions = [Function(typeIndex: 0, locals: [LocalRun(count: 0, type: .i32), LocalRun(count: 3, type: .i32)],
                                     body: [0x01, 0x0B][...])]
        let bytes = encodeModule(module)
        let decoded = try decodeModule(bytes)
        #expect(decoded.functions[0].locals == module.functions[0].locals)
        #expect(Array(decoded.functions[0].body) == [0x01, 0x0B])
        #expect(decoded.functions[0].bodyOffset == bytes.count - 2)
    }

    @Test func suiteStyleBinaryReencodesIdentically() throws {
        // Encoded by hand the way encodeModule does; decoding and encoding
        // gives the same bytes back.
        let bytes = Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]), Bin.section(7, [0x01, 0x01, 0x66, 0x00, 0x00]),
                               Bin.section(10, [0x01, 0x02, 0x00, 0x0B]))
        #expect(encodeModule(try decodeModule(bytes)) == bytes)
    }
}
