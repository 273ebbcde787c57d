import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmText

@Suite struct CallTests {
    @Test(arguments: TestTier.allCases) func directAndRecursiveCalls(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func $fac (export "fac") (param i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (i64.const 1))
              (else (i64.mul (local.get 0) (call $fac (i64.sub (local.get 0) (i64.const 1)))))))
          (func $pair (param i32) (result i32 i32) (local.get 0) (i32.add (local.get 0) (i32.const 1)))
          (func (export "pair") (param i32) (result i32) (i32.mul (call $pair (local.get 0))))
          (func $many (param i32 i64 f32 f64 i32) (result f64)
            (f64.add (f64.convert_i32_s (i32.add (local.get 0) (local.get 4))) (local.get 3)))
          (func (export "many") (result f64)
            (call $many (i32.const 1) (i64.const 2) (f32.const 3) (f64.const 4.5) (i32.const 5)))
        )
        """)
        #expect(try instance.call("fac", [i64(20)]) == [i64(2_432_902_008_176_640_000)])
        #expect(try instance.call("pair", [i32(6)]) == [i32(42)])
        #expect(try instance.call("many") == [f64(10.5)])
    }

    @Test(arguments: TestTier.allCases) func indirectCallsCheckTheirTarget(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (type $ii (func (param i32) (result i32)))
          (type $v (func))
          (table 4 funcref)
          (elem (i32.const 0) $double $nothing)
          (func $double (type $ii) (i32.add (local.get 0) (local.get 0)))
          (func $nothing (type $v))
          (func (export "call") (param i32 i32) (result i32)
            (call_indirect (type $ii) (local.get 1) (local.get 0)))
        )
        """)
        #expect(try instance.call("call", [i32(0), i32(21)]) == [i32(42)])
        #expect(instance.trap("call", [i32(1), i32(0)]) == .indirectCallTypeMismatch)
        #expect(instance.trap("call", [i32(2), i32(0)]) == .uninitializedElement)
        #expect(instance.trap("call", [i32(4), i32(0)]) == .undefinedElement)
        #expect(instance.trap("call", [i32(-1), i32(0)]) == .undefinedElement)
    }

    @Test(arguments: TestTier.allCases) func hostFunctionsAreCalledWithArgumentsAndResults(tier: TestTier) throws {
        let module = try compile(on: tier, """
        (module
          (import "host" "add" (func $add (param i32 i64) (result i64)))
          (func (export "run") (param i32) (result i64)
            (i64.mul (call $add (local.get 0) (i64.const 100)) (i64.const 2)))
        )
        """)
        let store = Store(engine: module.engine)
        var linker = Linker()
        let add = WasmRuntime.Function(store: store, type: FuncType(params: [.i32, .i64], results: [.i64])) { args in
            guard case .i32(let a) = args[0], case .i64(let b) = args[1] else { throw Trap(.typeMismatch) }
            return [.i64(UInt64(a) + b)]
        }
        linker.define(module: "host", name: "add", .function(add))
        let instance = try linker.instantiate(module, in: store)
        #expect(try instance.call("run", [i32(1)]) == [i64(202)])
    }

    @Test(arguments: TestTier.allCases) func hostFunctionsCanCallBackIntoWebAssembly(tier: TestTier) throws {
        let module = try compile(on: tier, """
        (module
          (import "host" "again" (func $again (param i32) (result i32)))
          (func (export "down") (param i32) (result i32)
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.const 0))
              (else (i32.add (i32.const 1) (call $again (i32.sub (local.get 0) (i32.const 1)))))))
        )
        """)
        let store = Store(engine: module.engine)
        var linker = Linker()
        nonisolated(unsafe) var down: WasmRuntime.Function?
        let again = WasmRuntime.Function(store: store, type: FuncType(params: [.i32], results: [.i32])) { args in
            guard let down else { throw Trap(.host("not linked")) }
            return try down.call(args)
        }
        linker.define(module: "host", name: "again", .function(again))
        let instance = try linker.instantiate(module, in: store)
        down = instance.function("down")
        #expect(try instance.call("down", [i32(50)]) == [i32(50)])
    }

    @Test(arguments: TestTier.allCases) func hostTrapsPropagateAndLeaveTheStoreUsable(tier: TestTier) throws {
        let module = try compile(on: tier, """
        (module
          (import "host" "fail" (func $fail))
          (func (export "run") (param i32) (result i32)
            (if (local.get 0) (then (call $fail)))
            (i32.const 7))
        )
        """)
        let store = Store(engine: module.engine)
        var linker = Linker()
        linker.define(module: "host", name: "fail",   .function(WasmRuntime.Function(store: store, type: FuncType()) { _ in
            throw Trap(.host("boom"))
        }))
        let instance = try linker.instantiate(module, in: store)
        #expect(instance.trap("run", [i32(1)]) == .host("boom"))
        #expect(try instance.call("run", [i32(0)]) == [i32(7)])
    }

    @Test(arguments: TestTier.allCases) func argumentsAreCheckedAgainstTheType(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module (func (export "f") (param i32) (result i32) (local.get 0)))
        """)
        #expect(instance.trap("f", []) == .typeMismatch)
        #expect(instance.trap("f", [i64(1)]) == .typeMismatch)
    }
}
