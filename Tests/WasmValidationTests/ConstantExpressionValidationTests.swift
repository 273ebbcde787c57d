import Testing
import WasmSyntax
@testable import WasmValidation

@Suite("Constant expressions")
struct ConstantExpressionValidationTests {
    func global(_ t: ValueType, mutable: Bool = false, _ initializer: [Instruction]) -> Global {
        Global(type: GlobalType(valueType: t, mutable: mutable), initializer: initializer)
    }

    func importedGlobal(_ t: ValueType, mutable: Bool = false) -> Import {
        Import(module: "m", name: "g", descriptor: .global(GlobalType(valueType: t, mutable: mutable)))
    }

    @Test func onlyConstantInstructions() {
        var m = Module()
        m.globals = [global(.i32, [i32(1)])]
        #expect(moduleError(m) == nil)
        m.globals = [global(.f32, [f32(0), op(.f32Neg)])]
        #expect(moduleError(m) == "constant expression required")
        m.globals = [global(.i32, [i32(0), op(.nop)])]
        #expect(moduleError(m) == "constant expression required")
        m.globals = [global(.i32, [local(.localGet, 0)])]
        #expect(moduleError(m) == "constant expression required")
        m.globals = [global(.i32, [])]
        #expect(moduleError(m) == "type mismatch: instruction requires [i32] but stack has []")
        m.globals = [global(.i32, [i64(0)])]
        #expect(moduleError(m) == "type mismatch: instruction requires [i32] but stack has [i64]")
        m.globals = [global(.i32, [i32(0), i32(0)])]
        #expect(moduleError(m) == "type mismatch: block requires [i32] but stack has [i32 i32]")
    }

    @Test func extendedConstantArithmetic() {
        var m = Module()
        m.globals = [global(.i64, [i64(1), i64(2), op(.i64Mul)])]
        #expect(moduleError(m) == nil)
        #expect(moduleError(m, features: .wasm2) == "constant expression required")
        m.globals = [global(.i32, [i32(1), i32(2), op(.i32DivS)])]
        #expect(moduleError(m) == "constant expression required")
    }

    @Test func globalGetInTwoPointZero() {
        // 2.0: only imported immutable globals.
        var m = Module()
        m.imports = [importedGlobal(.i32)]
        m.globals = [global(.i32, [local(.globalGet, 0)])]
        #expect(moduleError(m, features: .wasm2) == nil)
        m.globals = [global(.i32, [i32(0)]), global(.i32, [local(.globalGet, 1)])]
        #expect(moduleError(m, features: .wasm2) == "unknown global 1")
        m.imports = [importedGlobal(.i32, mutable: true)]
        m.globals = [global(.i32, [local(.globalGet, 0)])]
        #expect(moduleError(m, features: .wasm2) == "constant expression required")
    }

    @Test func globalGetInThreePointZero() {
        // 3.0: any immutable global defined before.
        var m = Module()
        m.globals = [global(.i32, [i32(0)]), global(.i32, [local(.globalGet, 0)])]
        #expect(moduleError(m) == nil)
        m.globals = [global(.i32, [local(.globalGet, 1)]), global(.i32, [i32(0)])]
        #expect(moduleError(m) == "unknown global 1")
        m.globals = [global(.i32, [local(.globalGet, 0)])]
        #expect(moduleError(m) == "unknown global 0")
        m.globals = [global(.i32, mutable: true, [i32(0)]), global(.i32, [local(.globalGet, 0)])]
        #expect(moduleError(m) == "constant expression required")
    }

    @Test func tableInitialisersSeeOnlyImportedGlobals() {
        var m = Module()
        m.globals = [global(.funcref, [op(.refNull, .heapType(.func))])]
        m.tables = [Table(type: TableType(elementType: .funcref, limits: Limits(min: 1)), initializer: [local(.globalGet, 0)])]
        #expect(moduleError(m) == "unknown global 0")
        m.tables = [Table(type: TableType(elementType: ref(.func, null: false).refType!, limits: Limits(min: 1)))]
        #expect(moduleError(m)?.hasPrefix("type mismatch") == true)
    }

    @Test func segmentOffsets() {
        var m = Module()
        m.memories = [MemoryType(limits: Limits(min: 1))]
        m.globals = [global(.i32, [i32(0)])]
        m.datas = [DataSegment(mode: .active(memory: 0, offset: [local(.globalGet, 0)]), bytes: [])]
        #expect(moduleError(m) == nil)
        m.datas = [DataSegment(mode: .active(memory: 0, offset: [i64(0)]), bytes: [])]
        #expect(moduleError(m) == "type mismatch: instruction requires [i32] but stack has [i64]")
        m.datas = [DataSegment(mode: .active(memory: 1, offset: [i32(0)]), bytes: [])]
        #expect(moduleError(m) == "unknown memory 1")
        m.datas = [DataSegment(mode: .active(memory: 0, offset: [i32(0), op(.i32Ctz)]), bytes: [])]
        #expect(moduleError(m) == "constant expression required")

        m.datas = []
        m.elements = [ElementSegment(type: .funcref, mode: .active(table: 0, offset: [i32(0)]), items: .functions([]))]
        #expect(moduleError(m) == "unknown table 0")
        m.tables = [Table(type: TableType(elementType: .funcref, limits: Limits(min: 1)))]
        #expect(moduleError(m) == nil)
        m.elements = [ElementSegment(type: .funcref, mode: .active(table: 0, offset: [i32(0)]), items: .functions([3]))]
        #expect(moduleError(m) == "unknown function 3")
        m.elements = [ElementSegment(type: .externref, mode: .active(table: 0, offset: [i32(0)]), items: .expressions([]))]
        #expect(moduleError(m)?.hasPrefix("type mismatch") == true)
        m.elements = [ElementSegment(type: .funcref, mode: .passive, items: .expressions([[op(.refNull, .heapType(.extern))]]))]
        #expect(moduleError(m)?.hasPrefix("type mismatch") == true)
    }

    @Test func gcAllocationIsConstant() {
        var m = Module()
        let s = m.addType(.struct([FieldType(storage: .value(.i32), mutable: false)]))
        m.globals = [global(ref(.concrete(s), null: false), [i32(1), local(.structNew, s)]),
                     global(ref(.i31, null: false), [i32(1), op(.refI31)])]
        #expect(moduleError(m) == nil)
    }
}
