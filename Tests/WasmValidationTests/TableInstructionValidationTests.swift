import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Table instructions")
struct TableInstructionValidationTests {
    static var module: Module {
        var m = Module()
        m.tables = [
            Table(type: TableType(elementType: .funcref, limits: Limits(min: 1))),
            Table(type: TableType(elementType: .externref, limits: Limits(min: 1))),
            Table(type: TableType(elementType: .funcref, limits: Limits(min: 1, addressType: .i64))),
        ]
        m.elements = [
            ElementSegment(type: .funcref, mode: .passive, items: .expressions([])),
            ElementSegment(type: .externref, mode: .passive, items: .expressions([])),
        ]
        return m
    }

    @Test func getSetSizeGrowFill() {
        let m = Self.module
        #expect(bodyError([i32(0), local(.tableGet, 0)], results: [.funcref], in: m) == nil)
        #expect(bodyError([i32(0), local(.tableGet, 1)], results: [.funcref], in: m)
                == "type mismatch: instruction requires [funcref] but stack has [externref]")
        #expect(bodyError([i32(0), op(.refNull, .heapType(.extern)), local(.tableSet, 1)], in: m) == nil)
        #expect(bodyError([i32(0), op(.refNull, .heapType(.func)), local(.tableSet, 1)], in: m)
                == "type mismatch: instruction requires [externref] but stack has [funcref]")
        #expect(bodyError([local(.tableSize, 2)], results: [.i64], in: m) == nil)
        #expect(bodyError([op(.refNull, .heapType(.func)), i64(1), local(.tableGrow, 2)], results: [.i64], in: m) == nil)
        #expect(bodyError([op(.refNull, .heapType(.func)), i32(1), local(.tableGrow, 2)], results: [.i64], in: m)
                == "type mismatch: instruction requires [i64] but stack has [i32]")
        #expect(bodyError([i32(0), op(.refNull, .heapType(.func)), i32(1), local(.tableFill, 0)], in: m) == nil)
        #expect(bodyError([i32(0), local(.tableGet, 3), op(.drop)], in: m) == "unknown table 3")
    }

    @Test func copyNeedsCompatibleElementTypes() {
        let m = Self.module
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableCopy, .indexPair(0, 0))], in: m) == nil)
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableCopy, .indexPair(0, 1))], in: m)?.hasPrefix("type mismatch") == true)
        #expect(bodyError([i64(0), i32(0), i32(1), op(.tableCopy, .indexPair(2, 0))], in: m) == nil)
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableCopy, .indexPair(0, 5))], in: m) == "unknown table 5")
    }

    @Test func initAndDropUseElementSegments() {
        let m = Self.module
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableInit, .indexPair(0, 0))], in: m) == nil)
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableInit, .indexPair(1, 0))], in: m)?.hasPrefix("type mismatch") == true)
        #expect(bodyError([i32(0), i32(0), i32(1), op(.tableInit, .indexPair(4, 0))], in: m) == "unknown elem segment 4")
        #expect(bodyError([local(.elemDrop, 1)], in: m) == nil)
        #expect(bodyError([local(.elemDrop, 2)], in: m) == "unknown elem segment 2")
    }

    @Test func multipleTablesNeedReferenceTypes() {
        var m = Module()
        m.tables = [Table(type: TableType(elementType: .funcref, limits: Limits(min: 1))),
                    Table(type: TableType(elementType: .funcref, limits: Limits(min: 1)))]
        #expect(moduleError(m, features: .mvp) == "multiple tables")
        #expect(moduleError(m, features: .wasm2) == nil)
    }
}
