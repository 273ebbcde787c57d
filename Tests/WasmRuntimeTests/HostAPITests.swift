import Testing
import WasmRuntime
import WasmSyntax

/// Memories, tables and globals as the host sees them.
@Suite struct HostAPITests {
    @Test func memoriesGrowAndAreReadableFromTheHost() throws {
        let h = try Harness()
        let memory = try Memory(store: h.store, type: MemoryType(limits: Limits(min: 1, max: 3)))
        #expect(memory.pageCount == 1)
        #expect(memory.byteCount == 65536)
        #expect(memory.write([1, 2, 3], at: 65533))
        #expect(!memory.write([1, 2, 3], at: 65534))
        #expect(memory.grow(by: 1) == 1)
        #expect(memory.read(at: 65533, count: 4) == [1, 2, 3, 0])
        #expect(memory.grow(by: 2) == nil)
        #expect(memory.type.limits.min == 2)
        #expect(throws: Trap.self) {
            try Memory(store: h.store, type: MemoryType(limits: Limits(min: 70000)))
        }
    }

    @Test func tablesHoldTypedReferences() throws {
        let h = try Harness()
        let table = try Table(store: h.store, type: TableType(elementType: .externref, limits: Limits(min: 2, max: 4)))
        #expect(table.get(0) == .null(.extern))
        #expect(table.set(1, .extern(5)))
        #expect(table.get(1) == .extern(5))
        #expect(table.get(2) == nil)
        #expect(table.grow(by: 2, value: .extern(6)) == 2)
        #expect(table.get(3) == .extern(6))
        #expect(table.grow(by: 1) == nil)
        let f = WasmRuntime.Function(store: h.store, type: FuncType()) { _ in [] }
        #expect(!table.set(0, .function(f)))
    }

    @Test func globalsKeepMutabilityAndBits() throws {
        let h = try Harness()
        let constant = try Global(store: h.store, type: GlobalType(valueType: .f32, mutable: false), value: .f32(0x7FA0_0001))
        #expect(constant.value == .f32(0x7FA0_0001))
        #expect(!constant.set(.f32(0)))
        let variable = try Global(store: h.store, type: GlobalType(valueType: .v128, mutable: true), value: .v128(.zero))
        #expect(variable.set(.v128(V128(lo: 1, hi: 2))))
        #expect(variable.value == .v128(V128(lo: 1, hi: 2)))
        #expect(!variable.set(.i32(0)))
        #expect(throws: Trap.self) {
            try Global(store: h.store, type: GlobalType(valueType: .i32, mutable: false), value: .i64(0))
        }
    }

    @Test func hostFunctionResultsAreChecked() throws {
        var h = try Harness()
        h.linker.define(module: "host", name: "bad", .function(WasmRuntime.Function(store: h.store, type: FuncType(results: [.i32])) { _ in [.i64(1)] }))
        h.linker.define(module: "host", name: "throws", .function(WasmRuntime.Function(store: h.store, type: FuncType()) { _ in
            struct Oops: Error {}
            throw Oops()
        }))
        let instance = try h.instantiate("""
        (module
          (import "host" "bad" (func $bad (result i32)))
          (import "host" "throws" (func $throws))
          (func (export "bad") (result i32) (call $bad))
          (func (export "throws") (call $throws)))
        """)
        #expect(throws: Trap(.typeMismatch)) { try instance.call("bad") }
        do {
            _ = try instance.call("throws")
            Issue.record("no trap")
        } catch let trap as Trap {
            guard case .host = trap.kind else {
                Issue.record("wrong kind \(trap.kind)")
                return
            }
        }
    }

    @Test func exportsAreFoundByExactName() throws {
        let h = try Harness()
        // "\u{C5}" and "A\u{30A}" are canonically equivalent Swift strings,
        // but different export names.
        let instance = try h.instantiate("""
        (module
          (func (export "\u{C5}") (result i32) (i32.const 1))
          (func (export "A\u{30A}") (result i32) (i32.const 2)))
        """)
        #expect(try instance.call("\u{C5}") == [i32(1)])
        #expect(try instance.call("A\u{30A}") == [i32(2)])
        #expect(instance.exports.count == 2)
        #expect(instance.export("nothing") == nil)
    }
}
