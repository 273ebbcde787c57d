import Testing
import WasmRuntime
import WasmSyntax

@Suite struct InstantiationTests {
    @Test func segmentsApplyInOrderAndPartialEffectsRemain() throws {
        var h = try Harness()
        let shared = try h.instantiate("""
        (module (memory (export "mem") 1) (table (export "tab") 3 funcref)
          (func (export "load") (param i32) (result i32) (i32.load8_u (local.get 0))))
        """)
        h.linker.define(module: "s", instance: shared)
        let error = try h.instantiationError("""
        (module
          (import "s" "mem" (memory 1))
          (import "s" "tab" (table 3 funcref))
          (func $f)
          (elem (i32.const 0) $f)
          (elem (i32.const 2) $f $f)
          (data (i32.const 0) "a")
          (data (i32.const 65535) "bc"))
        """)
        #expect(error == .trap(Trap(.outOfBoundsTableAccess)))
        // The first element segment was applied, the data segments were not.
        let table = try #require(shared.table("tab"))
        #expect(table.get(0)?.isNull == false)
        #expect(table.get(2)?.isNull == true)
        #expect(try shared.call("load", [i32(0)]) == [i32(0)])

        let dataError = try h.instantiationError("""
        (module
          (import "s" "mem" (memory 1))
          (data (i32.const 0) "a")
          (data (i32.const 65535) "bc")
          (data (i32.const 1) "z"))
        """)
        #expect(dataError == .trap(Trap(.outOfBoundsMemoryAccess)))
        #expect(try shared.call("load", [i32(0)]) == [i32(97)])
        #expect(try shared.call("load", [i32(1)]) == [i32(0)])
    }

    @Test func startFunctionRunsAfterSegments() throws {
        let h = try Harness()
        let instance = try h.instantiate("""
        (module
          (memory 1)
          (global $g (mut i32) (i32.const 0))
          (data (i32.const 0) "\\05")
          (func $start (global.set $g (i32.load8_u (i32.const 0))))
          (start $start)
          (func (export "g") (result i32) (global.get $g)))
        """)
        #expect(try instance.call("g") == [i32(5)])
        let error = try h.instantiationError("(module (func $s (unreachable)) (start $s))")
        #expect(error == .trap(Trap(.unreachable)))
    }

    @Test func globalInitializersSeeImportsAndFunctions() throws {
        let h = try Harness()
        let instance = try h.instantiate("""
        (module
          (import "spectest" "global_i32" (global $imported i32))
          (global $a i32 (global.get $imported))
          (global $b i32 (i32.add (global.get $a) (i32.const 1)))
          (global (export "f") funcref (ref.func $f))
          (func $f (result i32) (global.get $b))
          (func (export "b") (result i32) (global.get $b)))
        """)
        #expect(try instance.call("b") == [i32(667)])
        guard case .ref(.function(let f))? = instance.global("f")?.value else {
            Issue.record("no function reference")
            return
        }
        #expect(try f.call([]) == [i32(667)])
    }

    @Test func compileErrorsAreMalformedOrInvalid() throws {
        let h = try Harness()
        do {
            _ = try WasmRuntime.Module(engine: h.engine, bytes: [0, 0x61, 0x73, 0x6D, 2, 0, 0, 0])
            Issue.record("compiled a bad header")
        } catch {
            #expect(error.kind == .malformed)
            #expect(error.message == "unknown binary version")
        }
        do {
            _ = try h.compile("(module (func (result i32) (i64.const 0)))")
            Issue.record("compiled an invalid module")
        } catch let error as CompileError {
            #expect(error.kind == .invalid)
        }
        do {
            _ = try h.compile("(module (global i32 (i32.const 0)) (global i32 (i32.const 0)) (export \"a\" (global 0)) (export \"a\" (global 1)))")
            Issue.record("compiled duplicate exports")
        } catch let error as CompileError {
            #expect(error.kind == .invalid)
            #expect(error.message == "duplicate export name")
        }
    }
}
