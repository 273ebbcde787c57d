import Testing
import WasmRuntime

/// `return_call*` (WebAssembly 3.0): the callee replaces the caller's
/// frame, so tail recursion runs in constant stack.
@Suite struct TailCallTests {
    /// A call depth limit far below the recursion depth: only tail calls
    /// get through.
    static func instantiate(on tier: TestTier) throws -> Instance {
        var configuration = EngineConfiguration()
        configuration.maxCallDepth = 50
        return try WasmExecutionTests.instantiate(on: tier, """
        (module
          (type $ii (func (param i64 i64) (result i64)))
          (table funcref (elem $sum))
          (func $sum (export "sum") (param i64 i64) (result i64)
            (if (result i64) (i64.eqz (local.get 0))
              (then (local.get 1))
              (else (return_call $sum (i64.sub (local.get 0) (i64.const 1)) (i64.add (local.get 1) (local.get 0))))))
          (func $indirect (export "indirect") (param i64 i64) (result i64)
            (return_call_indirect (type $ii) (local.get 0) (local.get 1) (i32.const 0)))
          (func $swap (export "swap") (param i32 i32 i32) (result i32)
            ;; arguments that read the slots they overwrite
            (if (result i32) (i32.eqz (local.get 0))
              (then (i32.sub (local.get 1) (local.get 2)))
              (else (return_call $swap (i32.sub (local.get 0) (i32.const 1)) (local.get 2) (local.get 1)))))
          (func $ref (export "ref") (param i64) (result i64)
            (return_call_ref $ii (local.get 0) (i64.const 0) (ref.func $sum)))
          (func (export "null") (result i64)
            (return_call_ref $ii (i64.const 0) (i64.const 0) (ref.null $ii)))
        )
        """, configuration: configuration)
    }

    @Test(arguments: TestTier.allCases) func tailRecursionRunsInConstantStack(tier: TestTier) throws {
        let instance = try Self.instantiate(on: tier)
        #expect(try instance.call("sum", [.i64(100_000), .i64(0)]) == [.i64(5_000_050_000)])
        #expect(try instance.call("indirect", [.i64(1000), .i64(0)]) == [.i64(500_500)])
        #expect(try instance.call("ref", [.i64(10)]) == [.i64(55)])
    }

    @Test(arguments: TestTier.allCases) func argumentsArePermutedInPlace(tier: TestTier) throws {
        let instance = try Self.instantiate(on: tier)
        #expect(try instance.call("swap", [i32(1), i32(10), i32(3)]) == [i32(-7)])
        #expect(try instance.call("swap", [i32(2), i32(10), i32(3)]) == [i32(7)])
    }

    @Test(arguments: TestTier.allCases) func nullReferencesTrap(tier: TestTier) throws {
        let instance = try Self.instantiate(on: tier)
        #expect(instance.trap("null") == .nullFunctionReference)
    }
}

/// Typed function references (WebAssembly 3.0).
@Suite struct FunctionReferenceTests {
    @Test(arguments: TestTier.allCases) func callRefAndNullChecks(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (type $f (func (param i32) (result i32)))
          (func $inc (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
          (elem declare func $inc)
          (func (export "call") (param i32) (result i32) (call_ref $f (local.get 0) (ref.func $inc)))
          (func (export "as_non_null") (result i32) (ref.as_non_null (ref.null $f)) (drop) (i32.const 0))
          (func (export "br_on_null") (param i32) (result i32)
            (block $null
              (return (call_ref $f (i32.const 41)
                (br_on_null $null (select (result (ref null $f)) (ref.func $inc) (ref.null $f) (local.get 0))))))
            (i32.const -1))
          (func (export "br_on_non_null") (param i32) (result i32)
            (call_ref $f (i32.const 1)
              (block $some (result (ref $f))
                (br_on_non_null $some (select (result (ref null $f)) (ref.func $inc) (ref.null $f) (local.get 0)))
                (return (i32.const -1)))))
        )
        """)
        #expect(try instance.call("call", [i32(1)]) == [i32(2)])
        #expect(instance.trap("as_non_null") == .nullReference)
        #expect(try instance.call("br_on_null", [i32(1)]) == [i32(42)])
        #expect(try instance.call("br_on_null", [i32(0)]) == [i32(-1)])
        #expect(try instance.call("br_on_non_null", [i32(1)]) == [i32(2)])
        #expect(try instance.call("br_on_non_null", [i32(0)]) == [i32(-1)])
    }
}
