import WasmBinary
import WasmSyntax

/// Builders for hand-written binaries in tests.
enum Bin {
    static let header: [UInt8] = [0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00]

    /// A section: id, u32 size, contents.
    static func section(_ id: UInt8, _ content: [UInt8]) -> [UInt8] {
        var w = BinaryWriter()
        w.byte(id)
        w.u32(UInt32(content.count))
        w.append(content)
        return w.bytes
    }

    /// A module of the given sections.
    static func module(_ sections: [UInt8]...) -> [UInt8] {
        header + sections.flatMap { $0 }
    }

    /// The type section with one `[] -> []` function type.
    static let voidType = section(1, [0x01, 0x60, 0x00, 0x00])

    /// A module with one `[] -> []` function whose body (after the locals)
    /// is `body`.
    static func function(body: [UInt8], locals: [UInt8] = [0x00], extra: [[UInt8]] = []) -> [UInt8] {
        let entry = locals + body
        var code = BinaryWriter()
        code.u32(1)
        code.u32(UInt32(entry.count))
        code.append(entry)
        return header + voidType + section(3, [0x01, 0x00]) + extra.flatMap { $0 } + section(10, code.bytes)
    }

    static func leb(_ value: UInt64) -> [UInt8] {
        var w = BinaryWriter()
        w.u64(value)
        return w.bytes
    }
}

/// The message of the error `body` throws, or nil when it does not throw.
func decodingErrorMessage<T>(_ body: () throws -> T) -> String? {
    do {
        _ = try body()
        return nil
    } catch let error as DecodingError {
        return error.message
    } catch {
        return "not a DecodingError: \(error)"
    }
}

/// Modules that use every section and most encodings, built as ASTs.
enum SampleModules {
    static var everything: Module {
        var m = Module()
        let point = CompositeType.struct([FieldType(storage: .i8, mutable: true), FieldType(storage: .value(.f64), mutable: false)])
        m.types = [
            RecGroup(types: [SubType(composite: .func(FuncType(params: [.i32, .i64], results: [.f32])))]),
            RecGroup(types: [SubType(composite: .func(FuncType()))]),
            RecGroup(types: [
                SubType(isFinal: false, supertypes: [], composite: point),
                SubType(isFinal: true, supertypes: [2], composite: point),
                SubType(composite: .array(FieldType(storage: .value(.ref(RefType(nullable: true, heapType: .concrete(3)))), mutable: true))),
            ], isExplicit: true),
            RecGroup(types: [SubType(composite: .func(FuncType(params: [.v128, .exnref])))], isExplicit: true),
        ]
        m.imports = [
            Import(module: "env", name: "f", descriptor: .function(1)),
            Import(module: "env", name: "t", descriptor: .table(TableType(elementType: .externref, limits: Limits(min: 1, max: 10)))),
            Import(module: "env", name: "m", descriptor: .memory(MemoryType(limits: Limits(min: 1, max: 2, shared: true)))),
            Import(module: "env", name: "g", descriptor: .global(GlobalType(valueType: .i32, mutable: true))),
            Import(module: "ünï", name: "tag", descriptor: .tag(TagType(typeIndex: 1))),
        ]
        m.functions = [
            Function(typeIndex: 1, locals: [], body: [0x0B][...]),
            Function(typeIndex: 0, locals: [LocalRun(count: 2, type: .i32), LocalRun(count: 0, type: .f64), LocalRun(count: 1, type: .anyref)],
                     body: sampleBody[...]),
        ]
        m.tables = [
            Table(type: TableType(elementType: .funcref, limits: Limits(min: 0))),
            Table(type: TableType(elementType: RefType(nullable: false, heapType: .func), limits: Limits(min: 2, max: 1 << 40, addressType: .i64)),
                  initializer: [Instruction(.refFunc, .index(0))]),
        ]
        m.memories = [
            MemoryType(limits: Limits(min: 1)),
            MemoryType(limits: Limits(min: 0, max: 1 << 48, addressType: .i64)),
            MemoryType(limits: Limits(min: 3), pageSizeLog2: 0),
        ]
        m.tags = [TagType(typeIndex: 1)]
        m.globals = [
            Global(type: GlobalType(valueType: .i64, mutable: false),
                   initializer: [Instruction(.i64Const, .i64(-5)), Instruction(.i64Const, .i64(7)), Instruction(.i64Add)]),
            Global(type: GlobalType(valueType: .f32, mutable: true), initializer: [Instruction(.f32Const, .f32(0x7FC0_0001))]),
            Global(type: GlobalType(valueType: .v128, mutable: false), initializer: [Instruction(.v128Const, .v128(V128(lo: 1, hi: 2)))]),
            Global(type: GlobalType(valueType: .ref(RefType(nullable: true, heapType: .concrete(2))), mutable: false),
                   initializer: [Instruction(.refNull, .heapType(.concrete(2)))]),
        ]
        m.exports = [
            Export(name: "f", descriptor: .function(1)), Export(name: "t", descriptor: .table(0)),
            Export(name: "m", descriptor: .memory(0)), Export(name: "g", descriptor: .global(1)),
            Export(name: "tag", descriptor: .tag(0)),
        ]
        m.start = 1
        let refFunc = RefType(nullable: false, heapType: .func)
        let zero: ConstExpression = [Instruction(.i32Const, .i32(0))]
        m.elements = [
            ElementSegment(type: refFunc, mode: .active(table: 0, offset: zero), items: .functions([0, 1])),
            ElementSegment(type: refFunc, mode: .passive, items: .functions([1])),
            ElementSegment(type: refFunc, mode: .active(table: 1, offset: zero), items: .functions([])),
            ElementSegment(type: refFunc, mode: .declarative, items: .functions([0])),
            ElementSegment(type: .funcref, mode: .active(table: 0, offset: zero), items: .expressions([[Instruction(.refNull, .heapType(.func))]])),
            ElementSegment(type: .externref, mode: .passive, items: .expressions([[Instruction(.refNull, .heapType(.extern))]])),
            ElementSegment(type: refFunc, mode: .active(table: 1, offset: [Instruction(.i64Const, .i64(1))]),
                           items: .expressions([[Instruction(.refFunc, .index(1))]])),
            ElementSegment(type: .funcref, mode: .declarative, items: .expressions([[Instruction(.refFunc, .index(0))]])),
        ]
        m.dataCount = 3
        m.datas = [
            DataSegment(mode: .active(memory: 0, offset: zero), bytes: Array("hello".utf8)),
            DataSegment(mode: .passive, bytes: []),
            DataSegment(mode: .active(memory: 1, offset: [Instruction(.i64Const, .i64(64))]), bytes: [0, 1, 2, 0xFF]),
        ]
        m.customSections = [
            CustomSection(name: "first", bytes: [1, 2, 3], after: 0),
            CustomSection(name: "after-types", bytes: [], after: 1),
            CustomSection(name: "after-tags", bytes: [9], after: 13),
            CustomSection(name: "name", bytes: [0, 1, 0], after: 11),
        ]
        return m
    }

    /// A body that touches most instruction families.
    static let sampleBody: [UInt8] = [
        0x02, 0x40,                         // block
        0x03, 0x7F,                         //   loop (result i32)
        0x41, 0x01,                         //     i32.const 1
        0x04, 0x01,                         //     if (type 1)
        0x20, 0x00, 0x21, 0x01,             //       local.get 0, local.set 1
        0x05, 0x01,                         //     else nop
        0x0B,                               //     end
        0x41, 0x00, 0x0E, 0x02, 0x00, 0x01, 0x00, // br_table 0 1 0
        0x0B,                               //   end
        0x1A,                               //   drop
        0x0B,                               // end
        0x41, 0x00, 0x28, 0x02, 0x04, 0x1A, // i32.load align=2 offset=4, drop
        0x41, 0x00, 0x2D, 0x40, 0x01, 0x00, 0x1A, // i32.load8_u memory 1
        0x3F, 0x00, 0x1A,                   // memory.size 0
        0x42, 0x7F, 0x44, 0, 0, 0, 0, 0, 0, 0xF8, 0x7F, 0x1A, 0x1A,
        0xFD, 0x0C, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,
        0xFD, 0x15, 0x03, 0x1A,             // i8x16.extract_lane_s 3
        0xD0, 0x70, 0xD1, 0x1A,             // ref.null func, ref.is_null, drop
        0xFB, 0x07, 0x04, 0x1A,             // array.new_default 4
        0x1F, 0x40, 0x01, 0x02, 0x00, 0x0B, // try_table (catch_all 0) end
        0xFC, 0x09, 0x01,                   // data.drop 1
        0xFC, 0x0E, 0x00, 0x01,             // table.copy 0 1
        0x1C, 0x01, 0x7E,                   // select (result i64)
        0x43, 0x00, 0x00, 0x80, 0x3F,       // f32.const 1
        0x0F,                               // return
        0x0B,                               // end
    ]

    /// A few small valid modules, as bytes, to mutate.
    static var seeds: [[UInt8]] {
        [
            encodeModule(everything),
            Bin.function(body: [0x41, 0x01, 0x41, 0x02, 0x6A, 0x1A, 0x0B]),
            Bin.function(body: sampleBody, locals: [0x01, 0x02, 0x7F], extra: [Bin.section(12, [0x02])])
                + Bin.section(11, [0x02, 0x01, 0x00, 0x01, 0x00]),
            Bin.module(Bin.section(5, [0x01, 0x00, 0x01]), Bin.section(11, [0x01, 0x00, 0x41, 0x00, 0x0B, 0x02, 0x61, 0x62])),
        ]
    }
}
