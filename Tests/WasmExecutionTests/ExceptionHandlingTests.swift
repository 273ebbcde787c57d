import Testing
import WasmRuntime

/// Exception handling (WebAssembly 3.0 `try_table`, and the legacy
/// `try`/`catch`/`delegate`/`rethrow`).
@Suite struct ExceptionHandlingTests {
    @Test(arguments: TestTier.allCases) func tryTableCatchesByTagAcrossCalls(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (tag $e (param i32))
          (tag $f)
          (func $thrower (param i32)
            (if (i32.eqz (local.get 0)) (then (throw $f)))
            (throw $e (local.get 0)))
          (func (export "catch") (param i32) (result i32)
            (block $caught_e (result i32)
              (block $caught_f
                (try_table (catch $e $caught_e) (catch $f $caught_f)
                  (call $thrower (local.get 0)))
                (return (i32.const -1)))
              (return (i32.const 100)))
            (i32.add (i32.const 1)))
          (func (export "catch_all_ref") (result i32)
            (block $h (result exnref)
              (try_table (catch_all_ref $h) (throw $e (i32.const 5)))
              (return (i32.const 0)))
            ;; rethrow the caught exception and catch it by tag
            (block $again (param exnref) (result i32)
              (try_table (param exnref) (catch $e $again) (throw_ref))
              (unreachable)))
          (func (export "uncaught") (throw $f))
          (func (export "null") (throw_ref (ref.null exn)))
          (func (export "to_function") (result i32)
            (try_table (catch $e 0) (throw $e (i32.const 9)))
            (i32.const 0))
        )
        """)
        #expect(try instance.call("catch", [i32(41)]) == [i32(42)])
        #expect(try instance.call("catch", [i32(0)]) == [i32(100)])
        #expect(try instance.call("catch_all_ref") == [i32(5)])
        #expect(try instance.call("to_function") == [i32(9)])
        #expect(instance.trap("uncaught") == .uncaughtException)
        #expect(instance.trap("null") == .nullExceptionReference)
    }

    @Test(arguments: TestTier.allCases) func trapsAreNotCaught(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "trap") (result i32)
            (block $h (try_table (catch_all $h) (unreachable)))
            (i32.const 1)))
        """)
        #expect(instance.trap("trap") == .unreachable)
    }

    @Test(arguments: TestTier.allCases) func legacyTryCatchRethrowAndDelegate(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (tag $e (param i32))
          (func (export "catch") (param i32) (result i32)
            (try (result i32)
              (do (throw $e (local.get 0)))
              (catch $e (i32.mul (i32.const 2)))))
          (func (export "rethrow") (result i32)
            (try (result i32)
              (do
                (try (result i32)
                  (do (throw $e (i32.const 3)))
                  (catch_all (rethrow 0))))
              (catch $e)))
          (func (export "delegate") (result i32)
            (try $outer (result i32)
              (do
                (try (result i32)
                  (do (try (result i32) (do (throw $e (i32.const 4))) (delegate $outer)))
                  (catch $e (drop) (i32.const 100))))
              (catch $e (i32.const 1) (i32.add))))
        )
        """)
        #expect(try instance.call("catch", [i32(21)]) == [i32(42)])
        #expect(try instance.call("rethrow") == [i32(3)])
        // The inner catch is skipped: the exception goes to $outer.
        #expect(try instance.call("delegate") == [i32(5)])
    }
}
