import Testing
import WasmSyntax
import WasmText

@Suite struct ModuleFieldParsingTests {
    @Test func fullModuleOrBareFields() throws {
        #expect(try parse("(module $m (func))") == parse("(func)"))
        #expect(try parse("") == Module())
        #expect(parseError("(module) (func)") == "unexpected token")
    }

    @Test func importsPlainAndInline() throws {
        let m = try parse("""
            (import "m" "f" (func $f (param i32)))
            (func $g (import "m" "g") (result i32))
            (table (import "m" "t") 1 funcref)
            (memory (export "mem") (import "m" "mem") 1)
            (global $g2 (import "m" "g") (mut i64))
            (tag (import "m" "e") (param f32))
            (func (call $f (call $g)))
            """)
        #expect(m.imports.map(\.descriptor) == [
            .function(0), .function(1), .table(TableType(elementType: .funcref, limits: Limits(min: 1))),
            .memory(MemoryType(limits: Limits(min: 1))), .global(GlobalType(valueType: .i64, mutable: true)),
            .tag(TagType(typeIndex: 2)),
        ])
        #expect(m.exports == [Export(name: "mem", descriptor: .memory(0))])
        #expect(Array(m.functions[0].body) == encodedBody([Instruction(.call, .index(1)), Instruction(.call, .index(0))]))
    }

    @Test func importsMustComeFirst() {
        #expect(parseError("(func) (import \"\" \"\" (func))") == "import after function")
        #expect(parseError("(global i32 (i32.const 0)) (import \"\" \"\" (memory 0))") == "import after global")
        #expect(parseError("(memory 0) (func (import \"\" \"\"))") == "import after memory")
    }

    @Test func inlineExportsInOrder() throws {
        let m = try parse("""
            (func $f (export "a") (export "b"))
            (global (export "g") i32 (i32.const 1))
            (export "c" (func $f))
            (tag $e (export "t"))
            """)
        #expect(m.exports == [
            Export(name: "a", descriptor: .function(0)), Export(name: "b", descriptor: .function(0)),
            Export(name: "g", descriptor: .global(0)), Export(name: "c", descriptor: .function(0)),
            Export(name: "t", descriptor: .tag(0)),
        ])
        #expect(parseError("(func (export \"\\80\"))") == "malformed UTF-8 encoding")
    }

    @Test func namedParamsAndLocals() throws {
        let m = try parse("""
            (func (param $a i32) (param i64) (local $b f32) (local f64 f64) (local $c f32)
              (local.get $a) (local.set $c (local.get $b)) (drop) (local.get 4) (drop))
            """)
        #expect(m.functions[0].locals == [LocalRun(count: 1, type: .f32), LocalRun(count: 2, type: .f64), LocalRun(count: 1, type: .f32)])
        #expect(Array(m.functions[0].body) == encodedBody([
            Instruction(.localGet, .index(0)), Instruction(.localGet, .index(2)), Instruction(.localSet, .index(5)),
            Instruction(.drop), Instruction(.localGet, .index(4)), Instruction(.drop),
        ]))
        #expect(parseError("(func (param $x i32) (local $x i32))") == "duplicate local $x")
        #expect(parseError("(func (local.get $y))") == "unknown local $y")
    }

    @Test func duplicateNames() {
        #expect(parseError("(func $f) (func $f)") == "duplicate func $f")
        #expect(parseError("(import \"\" \"\" (memory $m 1)) (memory $m 1)")?.hasPrefix("duplicate memory") == true)
        #expect(parseError("(type $t (func)) (type $t (func))") == "duplicate type $t")
        #expect(parseError("(type (struct (field $x i32) (field $x i32)))") == "duplicate field $x")
    }

    @Test func tablesWithInitialisersAndInlineElements() throws {
        let m = try parse("""
            (func $f)
            (table $t 2 funcref (ref.func $f))
            (table funcref (elem $f $f))
            (table i64 (ref null func) (elem (ref.func $f) (item ref.null func)))
            """)
        #expect(m.tables[0].initializer == [Instruction(.refFunc, .index(0))])
        #expect(m.tables[1].type == TableType(elementType: .funcref, limits: Limits(min: 2, max: 2)))
        #expect(m.tables[2].type.limits == Limits(min: 2, max: 2, addressType: .i64))
        #expect(m.elements == [
            ElementSegment(type: .funcref, mode: .active(table: 1, offset: [Instruction(.i32Const, .i32(0))]),
                           items: .expressions([[Instruction(.refFunc, .index(0))], [Instruction(.refFunc, .index(0))]])),
            ElementSegment(type: .funcref, mode: .active(table: 2, offset: [Instruction(.i64Const, .i64(0))]),
                           items: .expressions([[Instruction(.refFunc, .index(0))], [Instruction(.refNull, .heapType(.func))]])),
        ])
    }

    @Test func memoriesWithInlineData() throws {
        let m = try parse("(memory $m (data \"ab\" \"c\")) (memory i64 (pagesize 1) (data \"xyz\"))")
        #expect(m.memories == [MemoryType(limits: Limits(min: 1, max: 1)),
                               MemoryType(limits: Limits(min: 3, max: 3, addressType: .i64), pageSizeLog2: 0)])
        #expect(m.datas == [
            DataSegment(mode: .active(memory: 0, offset: [Instruction(.i32Const, .i32(0))]), bytes: Array("abc".utf8)),
            DataSegment(mode: .active(memory: 1, offset: [Instruction(.i64Const, .i64(0))]), bytes: Array("xyz".utf8)),
        ])
    }

    @Test func elementSegmentForms() throws {
        let m = try parse("""
            (table $t 1 funcref) (func $f) (global $g i32 (i32.const 0))
            (elem (i32.const 0) $f 0)
            (elem $e (table $t) (offset (global.get $g)) func $f)
            (elem func $f)
            (elem declare func $f)
            (elem funcref (ref.func $f) (item (ref.null func)))
            (elem 0 (i32.const 0) $f)
            (func (elem.drop $e))
            """)
        let refFunc = RefType(nullable: false, heapType: .func)
        #expect(m.elements == [
            ElementSegment(type: refFunc, mode: .active(table: 0, offset: [Instruction(.i32Const, .i32(0))]), items: .functions([0, 0])),
            ElementSegment(type: refFunc, mode: .active(table: 0, offset: [Instruction(.globalGet, .index(0))]), items: .functions([0])),
            ElementSegment(type: refFunc, mode: .passive, items: .functions([0])),
            ElementSegment(type: refFunc, mode: .declarative, items: .functions([0])),
            ElementSegment(type: .funcref, mode: .passive,
                           items: .expressions([[Instruction(.refFunc, .index(0))], [Instruction(.refNull, .heapType(.func))]])),
            ElementSegment(type: refFunc, mode: .active(table: 0, offset: [Instruction(.i32Const, .i32(0))]), items: .functions([0])),
        ])
        #expect(Array(m.functions[1].body) == encodedBody([Instruction(.elemDrop, .index(1))]))
    }

    @Test func dataSegmentForms() throws {
        let m = try parse("""
            (memory $m 1) (memory $n 1)
            (data (i32.const 8) "a")
            (data $d (memory $n) (offset (i32.const 1)) "b" "c")
            (data "p")
            (func (data.drop $d) (memory.init $n $d (i32.const 0) (i32.const 0) (i32.const 0)))
            """)
        #expect(m.datas == [
            DataSegment(mode: .active(memory: 0, offset: [Instruction(.i32Const, .i32(8))]), bytes: [0x61]),
            DataSegment(mode: .active(memory: 1, offset: [Instruction(.i32Const, .i32(1))]), bytes: [0x62, 0x63]),
            DataSegment(mode: .passive, bytes: [0x70]),
        ])
        // Code that names data segments needs the data count section.
        #expect(m.dataCount == 3)
        #expect(try parse("(memory 1) (data (i32.const 0) \"\")").dataCount == nil)
    }

    @Test func globalsTagsAndStart() throws {
        let m = try parse("""
            (global $a (mut i32) (i32.const 1))
            (global i64 (i64.add (i64.const 1) (i64.const 2)))
            (tag $e (param i32))
            (func $main) (start $main)
            """)
        #expect(m.globals == [
            Global(type: GlobalType(valueType: .i32, mutable: true), initializer: [Instruction(.i32Const, .i32(1))]),
            Global(type: GlobalType(valueType: .i64, mutable: false),
                   initializer: [Instruction(.i64Const, .i64(1)), Instruction(.i64Const, .i64(2)), Instruction(.i64Add)]),
        ])
        #expect(m.tags == [TagType(typeIndex: 0)])
        #expect(m.start == 0)
        #expect(parseError("(func $a) (start $a) (start $a)") == "multiple start sections")
    }

    @Test func customSectionAnnotations() throws {
        let m = try parse("""
            (module (type (func)) (@custom "a" "x")
              (@custom "b" (before type) "y" "z") (func) (@custom "c" (after func)))
            """)
        #expect(m.customSections == [
            CustomSection(name: "b", bytes: Array("yz".utf8), after: 0),
            CustomSection(name: "c", bytes: [], after: 3),
            CustomSection(name: "a", bytes: Array("x".utf8), after: 10),
        ])
        #expect(parseError("(func (@custom \"a\"))") == "misplaced @custom annotation")
        #expect(parseError("(@custom)") == "@custom annotation: missing section name")
        #expect(parseError("(@custom \"a\" (before types))") == "@custom annotation: malformed section kind")
        // Annotations other than the interpreted ones are white space.
        #expect(try parse("(func (@a (nested) x) (@\"b c\") nop)") == parse("(func nop)"))
    }
}
