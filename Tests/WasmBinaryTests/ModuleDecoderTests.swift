import Testing
import WasmBinary
import WasmSyntax

/// The module decoder, section by section.
@Suite struct ModuleDecoderTests {
    func message(_ bytes: [UInt8], features: Features = .all) -> String? {
        decodingErrorMessage { try decodeModule(bytes, features: features) }
    }

    @Test func header() throws {
        #expect(try decodeModule(Bin.header) == Module())
        #expect(message([]) == "unexpected end of section or function")
        #expect(message([0x00, 0x61, 0x73]) == "unexpected end of section or function")
        #expect(message([0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00]) == "magic header not detected")
        #expect(message([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00]) == "unknown binary version")
    }

    @Test func errorsCarryTheirOffset() {
        func offset(_ bytes: [UInt8]) -> Int? {
            do {
                _ = try decodeModule(bytes)
                return nil
            } catch {
                return error.offset
            }
        }
        #expect(offset([0x00, 0x61, 0x73, 0x6E, 0x01, 0x00, 0x00, 0x00]) == 0)
        #expect(offset([0x00, 0x61, 0x73, 0x6D, 0x02, 0x00, 0x00, 0x00]) == 4)
        #expect(offset(Bin.header + [0x0E, 0x01, 0x00]) == 8)
        #expect(offset(Bin.module(Bin.section(2, [0x01, 0x00, 0x00, 0x05]))) == 13)
        // In a body: the offending opcode's position in the file.
        let bytes = Bin.function(body: [0x01, 0xFF, 0x0B])
        #expect(offset(bytes) == bytes.count - 2)
    }

    @Test func sectionIdsOrderAndSizes() {
        #expect(message(Bin.header + [0x0E, 0x01, 0x00]) == "malformed section id")
        // The tag section is only a section with exception handling.
        #expect(message(Bin.header + [0x0D, 0x01, 0x00], features: .wasm2) == "malformed section id")
        #expect(message(Bin.module(Bin.section(2, [0x00]), Bin.section(1, [0x00]))) == "unexpected content after last section")
        #expect(message(Bin.module(Bin.section(6, [0x00]), Bin.section(6, [0x00]))) == "unexpected content after last section")
        // Tag (13) comes before global (6), data count (12) before code (10).
        #expect(message(Bin.module(Bin.section(6, [0x00]), Bin.section(13, [0x00]))) == "unexpected content after last section")
        #expect((try? decodeModule(Bin.module(Bin.section(13, [0x00]), Bin.section(6, [0x00])))) != nil)
        #expect(message(Bin.module(Bin.section(10, [0x00]), Bin.section(12, [0x00]))) == "unexpected content after last section")
        #expect(message(Bin.header + [0x01, 0x05, 0x00]) == "length out of bounds")
        #expect(message(Bin.header + [0x01, 0x02, 0x00, 0x00]) == "section size mismatch")
        #expect(message(Bin.header + [0x01, 0x01, 0x01, 0x60, 0x00, 0x00]) == "section size mismatch")
    }

    @Test func customSectionsKeepTheirPlace() throws {
        let custom = Bin.section(0, [0x01, 0x61, 0xAA, 0xBB])
        let module = try decodeModule(Bin.module(custom, Bin.voidType, custom, Bin.section(12, [0x00]), custom))
        #expect(module.customSections == [
            CustomSection(name: "a", bytes: [0xAA, 0xBB], after: 0),
            CustomSection(name: "a", bytes: [0xAA, 0xBB], after: 1),
            CustomSection(name: "a", bytes: [0xAA, 0xBB], after: 12),
        ])
        #expect(message(Bin.module(Bin.section(0, [0x05, 0x61]))) == "length out of bounds")
        // The name runs past the section's end.
        #expect(message(Bin.module(Bin.section(0, [0x02]), [0x61, 0x62])) == "unexpected end of section or function")
        #expect(message(Bin.module(Bin.section(0, [0x01, 0xFF]))) == "malformed UTF-8 encoding")
    }

    @Test func importsAndExports() throws {
        let imports = Bin.section(2, [
            0x04,
            0x01, 0x6D, 0x01, 0x66, 0x00, 0x00,
            0x01, 0x6D, 0x01, 0x74, 0x01, 0x70, 0x00, 0x01,
            0x01, 0x6D, 0x01, 0x6D, 0x02, 0x01, 0x01, 0x02,
            0x01, 0x6D, 0x01, 0x67, 0x03, 0x7F, 0x01,
        ])
        let module = try decodeModule(Bin.module(Bin.voidType, imports))
        #expect(module.imports.map(\.descriptor) == [
            .function(0), .table(TableType(elementType: .funcref, limits: Limits(min: 1))),
            .memory(MemoryType(limits: Limits(min: 1, max: 2))), .global(GlobalType(valueType: .i32, mutable: true)),
        ])
        #expect(message(Bin.module(Bin.section(2, [0x01, 0x00, 0x00, 0x05]))) == "malformed import kind")
        #expect(message(Bin.module(Bin.section(2, [0x01, 0x00, 0x00, 0x04, 0x00, 0x00])), features: .wasm2) == "malformed import kind")
        let exports = try decodeModule(Bin.module(Bin.section(7, [0x02, 0x01, 0x78, 0x00, 0x03, 0x01, 0x79, 0x04, 0x01])))
        #expect(exports.exports == [Export(name: "x", descriptor: .function(3)), Export(name: "y", descriptor: .tag(1))])
        #expect(message(Bin.module(Bin.section(7, [0x01, 0x00, 0x05, 0x00]))) == "malformed export kind")
    }

    @Test func tablesMemoriesGlobalsTags() throws {
        let tables = Bin.section(4, [0x02, 0x70, 0x00, 0x01, 0x40, 0x00, 0x64, 0x70, 0x00, 0x01, 0xD2, 0x00, 0x0B])
        let memories = Bin.section(5, [0x01, 0x00, 0x01])
        let tags = Bin.section(13, [0x01, 0x00, 0x00])
        let globals = Bin.section(6, [0x01, 0x7E, 0x00, 0x42, 0x07, 0x0B])
        let module = try decodeModule(Bin.module(Bin.voidType, tables, memories, tags, globals))
        #expect(module.tables == [
            Table(type: TableType(elementType: .funcref, limits: Limits(min: 1))),
            Table(type: TableType(elementType: RefType(nullable: false, heapType: .func), limits: Limits(min: 1)),
                  initializer: [Instruction(.refFunc, .index(0))]),
        ])
        #expect(module.memories == [MemoryType(limits: Limits(min: 1))])
        #expect(module.tags == [TagType(typeIndex: 0)])
        #expect(module.globals == [Global(type: GlobalType(valueType: .i64, mutable: false), initializer: [Instruction(.i64Const, .i64(7))])])
        // The initialiser form is WebAssembly 3.0 (function references).
        #expect(message(Bin.module(Bin.section(4, [0x01, 0x40, 0x00, 0x70, 0x00, 0x01, 0xD0, 0x70, 0x0B])), features: .wasm2)
                == "malformed reference type")
        // A table starting with 0x40 but not 0x40 0x00.
        #expect(message(Bin.module(Bin.section(4, [0x01, 0x40, 0x01, 0x70, 0x00, 0x00]))) == "malformed reference type")
    }

    /// Constant expressions, like everything in a section, are read on past
    /// the section's end: in WebAssembly 2.0 the next section's id is then
    /// an illegal opcode, in 3.0 (where 0x0a is throw_ref) the file ends.
    @Test func constantExpressionsWithoutEnd() {
        let bytes = Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]), Bin.section(6, [0x01, 0x7F, 0x00, 0x41, 0x00]),
                               Bin.section(10, [0x01, 0x02, 0x00, 0x0B]))
        #expect(message(bytes, features: .wasm2) == "illegal opcode 0a")
        #expect(message(bytes, features: .wasm3) == "unexpected end of section or function")
    }

    @Test func allEightElementSegmentForms() throws {
        let refFunc = RefType(nullable: false, heapType: .func)
        let offset: ConstExpression = [Instruction(.i32Const, .i32(0))]
        let expr: ConstExpression = [Instruction(.refFunc, .index(0))]
        let elements = Bin.section(9, [
            0x08,
            0x00, 0x41, 0x00, 0x0B, 0x01, 0x00,
            0x01, 0x00, 0x01, 0x00,
            0x02, 0x01, 0x41, 0x00, 0x0B, 0x00, 0x01, 0x00,
            0x03, 0x00, 0x01, 0x00,
            0x04, 0x41, 0x00, 0x0B, 0x01, 0xD2, 0x00, 0x0B,
            0x05, 0x70, 0x01, 0xD2, 0x00, 0x0B,
            0x06, 0x01, 0x41, 0x00, 0x0B, 0x64, 0x70, 0x01, 0xD2, 0x00, 0x0B,
            0x07, 0x70, 0x01, 0xD2, 0x00, 0x0B,
        ])
        let module = try decodeModule(Bin.module(elements))
        #expect(module.elements == [
            ElementSegment(type: refFunc, mode: .active(table: 0, offset: offset), items: .functions([0])),
            ElementSegment(type: refFunc, mode: .passive, items: .functions([0])),
            ElementSegment(type: refFunc, mode: .active(table: 1, offset: offset), items: .functions([0])),
            ElementSegment(type: refFunc, mode: .declarative, items: .functions([0])),
            ElementSegment(type: .funcref, mode: .active(table: 0, offset: offset), items: .expressions([expr])),
            ElementSegment(type: .funcref, mode: .passive, items: .expressions([expr])),
            ElementSegment(type: refFunc, mode: .active(table: 1, offset: offset), items: .expressions([expr])),
            ElementSegment(type: .funcref, mode: .declarative, items: .expressions([expr])),
        ])
        #expect(message(Bin.module(Bin.section(9, [0x01, 0x08]))) == "malformed elements segment kind")
        #expect(message(Bin.module(Bin.section(9, [0x01, 0x01, 0x01, 0x00]))) == "malformed element kind")
        #expect(message(Bin.module(Bin.section(9, [0x01, 0x05, 0x7F, 0x00]))) == "malformed reference type")
    }

    @Test func dataSegmentsAndDataCount() throws {
        let datas = Bin.section(11, [0x03, 0x00, 0x41, 0x00, 0x0B, 0x01, 0xAA, 0x01, 0x00, 0x02, 0x01, 0x41, 0x01, 0x0B, 0x02, 0xBB, 0xCC])
        let module = try decodeModule(Bin.module(Bin.section(12, [0x03]), datas))
        #expect(module.dataCount == 3)
        #expect(module.datas == [
            DataSegment(mode: .active(memory: 0, offset: [Instruction(.i32Const, .i32(0))]), bytes: [0xAA]),
            DataSegment(mode: .passive, bytes: []),
            DataSegment(mode: .active(memory: 1, offset: [Instruction(.i32Const, .i32(1))]), bytes: [0xBB, 0xCC]),
        ])
        #expect(message(Bin.module(Bin.section(12, [0x02]), datas)) == "data count and data section have inconsistent lengths")
        #expect(message(Bin.module(Bin.section(11, [0x01, 0x03]))) == "malformed data segment kind")
        // A data segment claiming more bytes than there are: beyond the
        // input from the length's own position, or just beyond its end.
        #expect(message(Bin.module(Bin.section(11, [0x01, 0x01, 0x03, 0xAA]))) == "length out of bounds")
        #expect(message(Bin.module(Bin.section(11, [0x01, 0x01, 0x02, 0xAA]))) == "unexpected end of section or function")
    }

    @Test func dataCountRequiredByDataIndices() {
        let data = Bin.section(11, [0x01, 0x01, 0x00])
        for body: [UInt8] in [[0xFC, 0x09, 0x00, 0x0B], [0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xFC, 0x08, 0x00, 0x00, 0x0B]] {
            var code = BinaryWriter()
            code.u32(1)
            code.u32(UInt32(body.count + 1))
            code.byte(0)
            code.append(body)
            let without = Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]), Bin.section(10, code.bytes), data)
            #expect(message(without) == "data count section required")
            let with = Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]), Bin.section(12, [0x01]), Bin.section(10, code.bytes), data)
            #expect(message(with) == nil)
        }
    }

    @Test func functionsAndCode() throws {
        let module = try decodeModule(Bin.function(body: [0x20, 0x00, 0x1A, 0x0B], locals: [0x02, 0x01, 0x7F, 0x03, 0x7E]))
        #expect(module.functions.count == 1)
        let function = module.functions[0]
        #expect(function.locals == [LocalRun(count: 1, type: .i32), LocalRun(count: 3, type: .i64)])
        #expect(Array(function.body) == [0x20, 0x00, 0x1A, 0x0B])
        // The body is a slice of the input: its start is its file offset.
        let bytes = Bin.function(body: [0x0B])
        #expect(try decodeModule(bytes).functions[0].bodyOffset == bytes.count - 1)
        #expect(message(Bin.module(Bin.voidType, Bin.section(3, [0x01, 0x00]))) == "function and code section have inconsistent lengths")
        #expect(message(Bin.module(Bin.section(10, [0x01, 0x02, 0x00, 0x0B]))) == "function and code section have inconsistent lengths")
    }

    @Test func localLimits() {
        // 50,000 locals are fine, one more is too many; nothing is allocated per local.
        #expect(message(Bin.function(body: [0x0B], locals: [0x01] + Bin.leb(50_000) + [0x7F])) == nil)
        #expect(message(Bin.function(body: [0x0B], locals: [0x02] + Bin.leb(50_000) + [0x7F, 0x01, 0x7E])) == "too many locals")
        #expect(message(Bin.function(body: [0x0B], locals: [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x7F])) == "too many locals")
        #expect(message(Bin.function(body: [0x0B], locals: [0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7F])) == "integer too large")
    }

    @Test func bodiesAreCheckedInstructionByInstruction() {
        #expect(message(Bin.function(body: [0xFF, 0x0B])) == "illegal opcode ff")
        #expect(message(Bin.function(body: [0x3F, 0x01, 0x1A, 0x0B]), features: .wasm2) == "zero byte expected")
        #expect(message(Bin.function(body: [0x3F, 0x01, 0x1A, 0x0B]), features: .wasm3) == nil)
        #expect(message(Bin.function(body: [0xFD, 0x0C, 0x00, 0x0B]), features: .all) == "unexpected end of section or function")
    }

    @Test func hostileCounts() {
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        for id: UInt8 in [1, 2, 3, 4, 5, 6, 7, 9, 10, 11, 13] {
            #expect(message(Bin.module(Bin.section(id, huge))) == "length out of bounds", "section \(id)")
        }
        // A section size of 4 GiB.
        #expect(message(Bin.header + [0x01] + huge) == "length out of bounds")
        // br_table with 2^32 - 1 targets.
        #expect(message(Bin.function(body: [0x41, 0x00, 0x0E] + huge + [0x0B])) == "length out of bounds")
    }
}
