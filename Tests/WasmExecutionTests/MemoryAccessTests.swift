import Testing
import WasmRuntime

@Suite struct MemoryAccessTests {
    @Test(arguments: TestTier.allCases) func loadsAndStoresOfEveryWidth(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory 1)
          (data (i32.const 16) "\\01\\02\\03\\04\\05\\06\\07\\88")
          (func (export "i32.load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "i64.load") (param i32) (result i64) (i64.load offset=16 (local.get 0)))
          (func (export "i32.load8_s") (param i32) (result i32) (i32.load8_s offset=16 (local.get 0)))
          (func (export "i64.load16_u") (param i32) (result i64) (i64.load16_u offset=16 (local.get 0)))
          (func (export "i64.load32_s") (param i32) (result i64) (i64.load32_s offset=20 (local.get 0)))
          (func (export "store16") (param i32 i32) (i32.store16 (local.get 0) (local.get 1)))
          (func (export "f64.roundtrip") (param f64) (result f64)
            (f64.store (i32.const 100) (local.get 0)) (f64.load (i32.const 100)))
        )
        """)
        #expect(try instance.call("i32.load", [i32(17)]) == [.i32(0x0504_0302)])
        #expect(try instance.call("i64.load", [i32(0)]) == [.i64(0x8807_0605_0403_0201)])
        #expect(try instance.call("i32.load8_s", [i32(7)]) == [i32(-120)])
        #expect(try instance.call("i64.load16_u", [i32(6)]) == [.i64(0x8807)])
        #expect(try instance.call("i64.load32_s", [i32(0)]) == [.i64(0xFFFF_FFFF_8807_0605)])
        _ = try instance.call("store16", [i32(1), .i32(0xABCD_EF12)])
        #expect(try instance.call("i32.load", [i32(0)]) == [.i32(0x00EF_1200)])
        #expect(try instance.call("f64.roundtrip", [.f64(0x7FF4_0000_0000_0001)]) == [.f64(0x7FF4_0000_0000_0001)])
    }

    /// A store whose address is `const + x` (folded into the access) and
    /// whose value is a constant too wide for an immediate: the constant's
    /// slot must not be the folded operand's (the interpreter stored
    /// through the bits of 1.0; found by the differential fuzzer).
    @Test(arguments: TestTier.allCases) func aFoldedAddressSurvivesAWideConstantValue(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory 1)
          (global $g (mut i32) (i32.const 8))
          (func (export "f32") (result i32)
            (f32.store offset=6 (i32.add (i32.const 0) (global.get $g)) (f32.const 1)) (i32.load (i32.const 14)))
          (func (export "f64") (result i64)
            (f64.store (i32.add (i32.const 32) (global.get $g)) (f64.const -2)) (i64.load (i32.const 40)))
          (func (export "i64") (result i64)
            (i64.store (i32.add (global.get $g) (i32.const 64)) (i64.const 0x123456789)) (i64.load (i32.const 72)))
        )
        """)
        #expect(try instance.call("f32", []) == [.i32(0x3F80_0000)])
        #expect(try instance.call("f64", []) == [.i64(0xC000_0000_0000_0000)])
        #expect(try instance.call("i64", []) == [.i64(0x1_2345_6789)])
    }

    @Test(arguments: TestTier.allCases) func accessesAreBoundsChecked(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory 1)
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
          (func (export "load_offset") (param i32) (result i32) (i32.load offset=0xFFFFFFFF (local.get 0)))
          (func (export "store") (param i32) (i64.store (local.get 0) (i64.const 1)))
        )
        """)
        #expect(try instance.call("load", [i32(65532)]) == [i32(0)])
        #expect(instance.trap("load", [i32(65533)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("load", [i32(-1)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("load_offset", [i32(1)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("store", [i32(65529)]) == .outOfBoundsMemoryAccess)
        _ = try instance.call("store", [i32(65528)])
    }

    @Test(arguments: TestTier.allCases) func growAndSize(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory 1 3)
          (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
          (func (export "size") (result i32) (memory.size))
          (func (export "load") (param i32) (result i32) (i32.load (local.get 0)))
        )
        """)
        #expect(try instance.call("size") == [i32(1)])
        #expect(instance.trap("load", [i32(65536)]) == .outOfBoundsMemoryAccess)
        #expect(try instance.call("grow", [i32(1)]) == [i32(1)])
        #expect(try instance.call("load", [i32(65536)]) == [i32(0)])
        #expect(try instance.call("grow", [i32(2)]) == [i32(-1)])
        #expect(try instance.call("grow", [i32(1)]) == [i32(2)])
        #expect(try instance.call("size") == [i32(3)])
        #expect(try instance.call("grow", [i32(0)]) == [i32(3)])
    }

    @Test(arguments: TestTier.allCases) func memory64AndMultipleMemories(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory $a i64 1)
          (memory $b 1)
          (func (export "store64") (param i64 i32) (i32.store $a (local.get 0) (local.get 1)))
          (func (export "load64") (param i64) (result i32) (i32.load $a (local.get 0)))
          (func (export "storeB") (param i32 i32) (i32.store $b (local.get 0) (local.get 1)))
          (func (export "loadB") (param i32) (result i32) (i32.load $b (local.get 0)))
          (func (export "size64") (result i64) (memory.size $a))
          (func (export "grow64") (param i64) (result i64) (memory.grow $a (local.get 0)))
        )
        """)
        _ = try instance.call("store64", [i64(8), i32(42)])
        _ = try instance.call("storeB", [i32(8), i32(7)])
        #expect(try instance.call("load64", [i64(8)]) == [i32(42)])
        #expect(try instance.call("loadB", [i32(8)]) == [i32(7)])
        #expect(instance.trap("load64", [.i64(0x1_0000_0000)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("load64", [i64(-1)]) == .outOfBoundsMemoryAccess)
        #expect(try instance.call("size64") == [i64(1)])
        #expect(try instance.call("grow64", [i64(1)]) == [i64(1)])
        #expect(try instance.call("size64") == [i64(2)])
    }

    /// The JIT checks an access through a local once and trusts later ones
    /// through the same local that end no further, until the local is
    /// written or control merges. Each function here reaches an access
    /// that must still be checked: after a merge with a path that checked
    /// nothing, after the local changed (in a loop too), with a larger end,
    /// or in another memory.
    @Test(arguments: TestTier.allCases) func checksAreOnlyTrustedWhereTheyHold(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (memory 1)
          (memory $small 0)
          (func (export "rmw") (param i32) (result i32)
            (i32.store offset=4 (local.get 0) (i32.add (i32.load offset=4 (local.get 0)) (i32.const 1)))
            (i32.load offset=4 (local.get 0)))
          (func (export "merge") (param i32 i32) (result i32)
            (block
              (br_if 0 (local.get 1))
              (drop (i32.load (local.get 0)))
              (br 0))
            (i32.load (local.get 0)))
          (func (export "if") (param i32 i32) (result i32)
            (if (local.get 1) (then (drop (i32.load (local.get 0)))))
            (i32.load (local.get 0)))
          (func (export "set") (param i32 i32) (result i32)
            (drop (i32.load (local.get 0)))
            (local.set 0 (local.get 1))
            (i32.load (local.get 0)))
          (func (export "loop") (param i32 i32) (result i32) (local $n i32)
            (drop (i32.load (local.get 0)))
            (loop $l
              (drop (i32.load (local.get 0)))
              (local.set 0 (i32.add (local.get 0) (local.get 1)))
              (local.set $n (i32.add (local.get $n) (i32.const 1)))
              (br_if $l (i32.lt_u (local.get $n) (i32.const 3))))
            (local.get $n))
          (func (export "wider") (param i32) (result i64)
            (drop (i32.load (local.get 0)))
            (i64.load (local.get 0)))
          (func (export "other_memory") (param i32) (result i32)
            (drop (i32.load (local.get 0)))
            (i32.load $small (local.get 0)))
          (func (export "after_grow") (param i32) (result i32)
            (drop (i32.load (local.get 0)))
            (drop (memory.grow (i32.const 1)))
            (i32.load (local.get 0)))
        )
        """)
        #expect(try instance.call("rmw", [i32(100)]) == [i32(1)])
        #expect(instance.trap("rmw", [i32(65532)]) == .outOfBoundsMemoryAccess)
        #expect(try instance.call("merge", [i32(8), i32(0)]) == [i32(0)])
        #expect(instance.trap("merge", [i32(65534), i32(1)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("if", [i32(65534), i32(0)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("set", [i32(0), i32(65534)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("loop", [i32(65528), i32(4)]) == .outOfBoundsMemoryAccess)
        #expect(try instance.call("loop", [i32(65520), i32(4)]) == [i32(3)])
        #expect(instance.trap("wider", [i32(65530)]) == .outOfBoundsMemoryAccess)
        #expect(instance.trap("other_memory", [i32(0)]) == .outOfBoundsMemoryAccess)
        #expect(try instance.call("after_grow", [i32(65532)]) == [i32(0)])
    }
}
