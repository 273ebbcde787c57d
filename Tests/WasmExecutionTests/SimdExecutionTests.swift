import Testing
import WasmRuntime
import WasmSyntax

/// SIMD instructions through the interpreter: the plumbing (two-slot
/// values in locals, globals, blocks, calls, memory) rather than the lane
/// arithmetic, which `VectorOps` tests cover.
@Suite struct SimdExecutionTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (memory 1)
          (global $g (mut v128) (v128.const i32x4 1 2 3 4))
          (func $add (param v128 v128) (result v128) (i32x4.add (local.get 0) (local.get 1)))
          (func (export "add") (param v128 v128) (result v128) (call $add (local.get 0) (local.get 1)))
          (func (export "global") (param v128) (result v128)
            (global.set $g (i32x4.mul (global.get $g) (local.get 0))) (global.get $g))
          (func (export "lanes") (param v128 i32) (result i32)
            (i32x4.extract_lane 3 (i32x4.replace_lane 3 (local.get 0) (local.get 1))))
          (func (export "shuffle") (param v128 v128) (result v128)
            (i8x16.shuffle 16 17 18 19 0 1 2 3 20 21 22 23 4 5 6 7 (local.get 0) (local.get 1)))
          (func (export "memory") (param v128) (result v128)
            (v128.store offset=3 (i32.const 0) (local.get 0))
            (v128.load32_lane 1 (i32.const 3) (v128.load (i32.const 3))))
          (func (export "select") (param v128 v128 i32) (result v128)
            (block (result v128) (select (local.get 0) (local.get 1) (local.get 2))))
          (func (export "bitmask") (param v128) (result i32) (i8x16.bitmask (local.get 0)))
          (func (export "shift") (param v128 i32) (result v128) (i64x2.shl (local.get 0) (local.get 1)))
          (func (export "splat") (param f64) (result v128) (f64x2.splat (local.get 0)))
          (func (export "bitselect") (param v128 v128 v128) (result v128) (v128.bitselect (local.get 0) (local.get 1) (local.get 2)))
          (func (export "load_splat") (result v128) (i32.store8 (i32.const 9) (i32.const 0xAB)) (v128.load8_splat (i32.const 9)))
          (func (export "oob") (v128.store (i32.const 65521) (v128.const i64x2 0 0)))
        )
        """

    func v(_ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: UInt32) -> Value {
        .v128(V128(lo: UInt64(a) | UInt64(b) << 32, hi: UInt64(c) | UInt64(d) << 32))
    }

    @Test(arguments: TestTier.allCases) func valuesFlowThroughCallsGlobalsAndBlocks(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("add", [v(1, 2, 3, 4), v(10, 20, 30, 40)]) == [v(11, 22, 33, 44)])
        #expect(try instance.call("global", [v(2, 2, 2, 2)]) == [v(2, 4, 6, 8)])
        #expect(try instance.call("select", [v(1, 1, 1, 1), v(2, 2, 2, 2), i32(0)]) == [v(2, 2, 2, 2)])
        #expect(try instance.call("select", [v(1, 1, 1, 1), v(2, 2, 2, 2), i32(1)]) == [v(1, 1, 1, 1)])
    }

    @Test(arguments: TestTier.allCases) func lanesShufflesAndTests(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("lanes", [v(1, 2, 3, 4), i32(99)]) == [i32(99)])
        #expect(try instance.call("shuffle", [v(1, 2, 3, 4), v(5, 6, 7, 8)]) == [v(5, 1, 6, 2)])
        #expect(try instance.call("bitmask", [v(0x8000_0000, 0, 0x80, 0)]) == [.i32(0x0108)])
        #expect(try instance.call("shift", [v(1, 0, 1, 0), i32(65)]) == [v(2, 0, 2, 0)])
        #expect(try instance.call("splat", [f64(1)]) == [.v128(V128(lo: 0x3FF0_0000_0000_0000, hi: 0x3FF0_0000_0000_0000))])
        #expect(try instance.call("bitselect", [v(~0, ~0, ~0, ~0), v(0, 0, 0, 0), v(0xFF, 0, 0, 1)]) == [v(0xFF, 0, 0, 1)])
    }

    @Test(arguments: TestTier.allCases) func memoryAccesses(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        // Lane 1 is replaced by the 32 bits at address 3, which hold lane 0.
        #expect(try instance.call("memory", [v(1, 2, 3, 4)]) == [v(1, 1, 3, 4)])
        #expect(try instance.call("load_splat") == [.v128(V128(lo: 0xABAB_ABAB_ABAB_ABAB, hi: 0xABAB_ABAB_ABAB_ABAB))])
        #expect(instance.trap("oob") == .outOfBoundsMemoryAccess)
    }
}
