import Testing
import WasmRuntime

@Suite struct ExecutionLimitTests {
    static let recursion = """
    (module
      (func $down (export "down") (param i32) (result i32)
        (if (result i32) (i32.eqz (local.get 0))
          (then (i32.const 0))
          (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1)))))))
      (func $forever (export "forever") (call $forever))
      (func (export "loop") (param i32) (result i32)
        (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1)))))
        (local.get 0))
    )
    """

    @Test(arguments: TestTier.allCases) func callDepthIsLimitedInFrames(tier: TestTier) throws {
        var configuration = EngineConfiguration()
        configuration.maxCallDepth = 100
        let instance = try instantiate(on: tier, Self.recursion, configuration: configuration)
        #expect(try instance.call("down", [i32(99)]) == [i32(99)])
        #expect(instance.trap("down", [i32(100)]) == .callStackExhausted)
        #expect(instance.trap("forever") == .callStackExhausted)
        // The stacks are usable again after the trap.
        #expect(try instance.call("down", [i32(50)]) == [i32(50)])
    }

    @Test(arguments: TestTier.allCases) func valueStackExhaustionIsACallStackTrap(tier: TestTier) throws {
        var configuration = EngineConfiguration()
        configuration.valueStackSlots = 4096
        let instance = try instantiate(on: tier, Self.recursion, configuration: configuration)
        #expect(instance.trap("forever") == .callStackExhausted)
        #expect(instance.trap("down", [i32(10_000)]) == .callStackExhausted)
    }

    @Test(arguments: TestTier.allCases) func fuelCountsFunctionEntriesAndLoopBackEdges(tier: TestTier) throws {
        var configuration = EngineConfiguration()
        configuration.consumesFuel = true
        let instance = try instantiate(on: tier, Self.recursion, configuration: configuration)
        let store = instance.store
        // down(n) enters n + 1 functions.
        store.fuel = 11
        #expect(try instance.call("down", [i32(10)]) == [i32(10)])
        #expect(store.fuel == 0)
        store.fuel = 10
        #expect(instance.trap("down", [i32(10)]) == .outOfFuel)
        // loop(n): one entry and n - 1 back-edges.
        store.fuel = 5
        #expect(try instance.call("loop", [i32(5)]) == [i32(0)])
        #expect(store.fuel == 0)
        store.fuel = 5
        #expect(instance.trap("loop", [i32(6)]) == .outOfFuel)
    }
}
