import Testing
import WasmRuntime

@Suite struct ControlFlowTests {
    @Test(arguments: TestTier.allCases) func multiValueBlocksAndBranches(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "swap") (param i32 i32) (result i32 i32)
            (local.get 1) (local.get 0))
          (func (export "block") (param i32) (result i32 i64)
            (block (result i32 i64)
              (br_if 0 (i32.const 1) (i64.const 2) (local.get 0))
              (drop) (drop)
              (i32.const 3) (i64.const 4)))
          (func (export "params") (param i32) (result i32)
            (local.get 0)
            (block (param i32) (result i32) (i32.const 10) (i32.add)))
          (func (export "if") (param i32) (result i32 i32)
            (if (result i32 i32) (local.get 0)
              (then (i32.const 1) (i32.const 2))
              (else (i32.const 3) (i32.const 4))))
        )
        """)
        #expect(try instance.call("swap", [i32(1), i32(2)]) == [i32(2), i32(1)])
        #expect(try instance.call("block", [i32(1)]) == [i32(1), i64(2)])
        #expect(try instance.call("block", [i32(0)]) == [i32(3), i64(4)])
        #expect(try instance.call("params", [i32(5)]) == [i32(15)])
        #expect(try instance.call("if", [i32(7)]) == [i32(1), i32(2)])
        #expect(try instance.call("if", [i32(0)]) == [i32(3), i32(4)])
    }

    @Test(arguments: TestTier.allCases) func loopsCarryParameters(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          ;; sum 1..n with the running values carried as loop parameters
          (func (export "sum") (param i32) (result i32)
            (i32.const 0) (local.get 0)
            (loop (param i32 i32) (result i32)
              (local.set 0)
              (local.get 0) (i32.add)
              (local.get 0) (i32.const 1) (i32.sub)
              (local.tee 0) (i32.const 0) (i32.gt_s)
              (if (param i32) (result i32) (then (local.get 0) (br 1)))))
          (func (export "count") (param i32) (result i32) (local i32)
            (block (loop
              (br_if 1 (i32.ge_u (local.get 1) (local.get 0)))
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br 0)))
            (local.get 1))
        )
        """)
        #expect(try instance.call("sum", [i32(10)]) == [i32(55)])
        #expect(try instance.call("count", [i32(1000)]) == [i32(1000)])
    }

    @Test(arguments: TestTier.allCases) func brTableWithValues(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "table") (param i32) (result i32)
            (block (result i32)
              (block (result i32)
                (block (result i32)
                  (br_table 0 1 2 (i32.const 100) (local.get 0)))
                (i32.const 1) (i32.add) (return))
              (i32.const 2) (i32.add) (return))
            (i32.const 3) (i32.add))
          (func (export "loop") (param i32) (result i32) (local i32)
            (block $exit (loop $l
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (local.set 0 (i32.sub (local.get 0) (i32.const 1)))
              (br_table $exit $l $l (local.get 0))))
            (local.get 1))
        )
        """)
        #expect(try instance.call("table", [i32(0)]) == [i32(101)])
        #expect(try instance.call("table", [i32(1)]) == [i32(102)])
        #expect(try instance.call("table", [i32(2)]) == [i32(103)])
        #expect(try instance.call("table", [i32(99)]) == [i32(103)])
        #expect(try instance.call("loop", [i32(5)]) == [i32(5)])
    }

    @Test(arguments: TestTier.allCases) func operandsReadLocalsBeforeTheyChange(tier: TestTier) throws {
        // `local.get` is translated lazily; later writes must not leak into
        // values already on the stack.
        let instance = try instantiate(on: tier, """
        (module
          (func (export "tee") (param i32) (result i32)
            (local.get 0) (local.tee 0 (i32.const 5)) (i32.sub))
          (func (export "set") (param i32) (result i32)
            (local.get 0) (local.set 0 (i32.add (local.get 0) (i32.const 1))) (local.get 0) (i32.mul))
          (func (export "block") (param i32) (result i32)
            (local.get 0)
            (block (local.set 0 (i32.const 100)))
            (local.get 0) (i32.add))
          (func (export "if") (param i32 i32) (result i32)
            (local.get 0)
            (if (local.get 1) (then (local.set 0 (i32.const 100))))
            (local.get 0) (i32.add))
          (func (export "return") (param i32 i32) (result i32 i32)
            (local.get 1) (local.get 0) (return))
        )
        """)
        #expect(try instance.call("tee", [i32(7)]) == [i32(2)])
        #expect(try instance.call("set", [i32(3)]) == [i32(12)])
        #expect(try instance.call("block", [i32(1)]) == [i32(101)])
        #expect(try instance.call("if", [i32(1), i32(1)]) == [i32(101)])
        #expect(try instance.call("if", [i32(1), i32(0)]) == [i32(2)])
        #expect(try instance.call("return", [i32(1), i32(2)]) == [i32(2), i32(1)])
    }

    @Test(arguments: TestTier.allCases) func unreachableTrapsAndDeadCodeIsSkipped(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "trap") (unreachable))
          (func (export "dead") (result i32)
            (block (result i32) (br 0 (i32.const 1)) (unreachable) (i32.const 2)))
          (func (export "select") (param i32) (result i64)
            (select (i64.const 10) (i64.const 20) (local.get 0)))
        )
        """)
        #expect(instance.trap("trap") == .unreachable)
        #expect(try instance.call("dead") == [i32(1)])
        #expect(try instance.call("select", [i32(1)]) == [i64(10)])
        #expect(try instance.call("select", [i32(0)]) == [i64(20)])
    }
}
