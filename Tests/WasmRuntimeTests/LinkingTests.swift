import Testing
import WasmRuntime
import WasmSyntax

@Suite struct LinkingTests {
    @Test func registeredInstancesShareTheirEntities() throws {
        var h = try Harness()
        let a = try h.instantiate("""
        (module
          (memory (export "mem") 1)
          (global (export "g") (mut i32) (i32.const 1))
          (table (export "tab") 2 funcref)
          (func (export "f") (result i32) (i32.const 10))
          (func (export "get") (result i32) (global.get 0)))
        """)
        h.linker.define(module: "a", instance: a)
        let b = try h.instantiate("""
        (module
          (import "a" "mem" (memory 1))
          (import "a" "g" (global $g (mut i32)))
          (import "a" "tab" (table 2 funcref))
          (import "a" "f" (func $f (result i32)))
          (elem (i32.const 1) $f)
          (func (export "run") (result i32)
            (global.set $g (i32.const 5))
            (i32.store (i32.const 0) (i32.const 77))
            (i32.add (call $f) (call_indirect (result i32) (i32.const 1)))))
        """)
        #expect(try b.call("run") == [i32(20)])
        #expect(try a.call("get") == [i32(5)])
        #expect(a.memory("mem")?.read(at: 0, count: 1) == [77])
        #expect(a.table("tab")?.get(1) == .function(try #require(a.function("f"))))
    }

    @Test func missingImportsAreUnknown() throws {
        let h = try Harness()
        let error = try h.instantiationError("""
        (module (import "spectest" "nothing" (func)))
        """)
        guard case .unlinkable(let link)? = error else {
            Issue.record("expected a link error, got \(String(describing: error))")
            return
        }
        #expect(link.message == "unknown import")
        #expect(link.name == "nothing")
    }

    @Test func importTypesMustMatch() throws {
        let h = try Harness()
        let incompatible = [
            #"(module (import "spectest" "print_i32" (func (param i64))))"#,
            #"(module (import "spectest" "print_i32" (func (param i32) (result i32))))"#,
            #"(module (import "spectest" "global_i32" (global (mut i32))))"#,
            #"(module (import "spectest" "global_i32" (global i64)))"#,
            #"(module (import "spectest" "memory" (memory 2)))"#,
            #"(module (import "spectest" "memory" (memory 1 1)))"#,
            #"(module (import "spectest" "table" (table 10 15 funcref)))"#,
            #"(module (import "spectest" "table" (table 10 externref)))"#,
            #"(module (import "spectest" "memory" (func)))"#,
        ]
        for text in incompatible {
            guard case .unlinkable(let link)? = try h.instantiationError(text) else {
                Issue.record("linked: \(text)")
                continue
            }
            #expect(link.message == "incompatible import type", "\(text)")
        }
        let compatible = [
            #"(module (import "spectest" "memory" (memory 0 3)))"#,
            #"(module (import "spectest" "memory" (memory 1)))"#,
            #"(module (import "spectest" "table" (table 5 funcref)))"#,
            #"(module (import "spectest" "table" (table 10 20 funcref)))"#,
            #"(module (import "spectest" "global_i32" (global i32)))"#,
        ]
        for text in compatible {
            #expect(try h.instantiationError(text) == nil, "\(text)")
        }
    }

    @Test func limitsMatchTheCurrentSize() throws {
        var h = try Harness()
        let a = try h.instantiate(#"(module (memory (export "m") 1 4) (func (export "grow") (drop (memory.grow (i32.const 2)))))"#)
        h.linker.define(module: "a", instance: a)
        #expect(try h.instantiationError(#"(module (import "a" "m" (memory 3)))"#) != nil)
        _ = try a.call("grow")
        #expect(try h.instantiationError(#"(module (import "a" "m" (memory 3)))"#) == nil)
    }
}

extension InstantiationError: Equatable {
    public static func == (a: InstantiationError, b: InstantiationError) -> Bool {
        switch (a, b) {
        case (.unlinkable(let x), .unlinkable(let y)): return x == y
        case (.trap(let x), .trap(let y)): return x == y
        default: return false
        }
    }
}
