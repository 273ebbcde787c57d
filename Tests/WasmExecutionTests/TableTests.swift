import Testing
import WasmRuntime

@Suite struct TableTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (table $t 2 5 funcref)
          (table $e 3 externref)
          (elem $seg func $a $b)
          (func $a (result i32) (i32.const 1))
          (func $b (result i32) (i32.const 2))
          (func (export "size") (result i32) (table.size $t))
          (func (export "grow") (param i32) (result i32) (table.grow $t (ref.func $a) (local.get 0)))
          (func (export "init") (param i32 i32 i32) (table.init $t $seg (local.get 0) (local.get 1) (local.get 2)))
          (func (export "drop") (elem.drop $seg))
          (func (export "copy") (param i32 i32 i32) (table.copy $t $t (local.get 0) (local.get 1) (local.get 2)))
          (func (export "fill") (param i32 i32) (table.fill $t (local.get 0) (ref.null func) (local.get 1)))
          (func (export "call") (param i32) (result i32) (call_indirect $t (result i32) (local.get 0)))
          (func (export "is_null") (param i32) (result i32) (ref.is_null (table.get $t (local.get 0))))
          (func (export "set_extern") (param i32 externref) (table.set $e (local.get 0) (local.get 1)))
          (func (export "get_extern") (param i32) (result externref) (table.get $e (local.get 0)))
        )
        """

    @Test(arguments: TestTier.allCases) func initCopyFillAndGet(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("is_null", [i32(0)]) == [i32(1)])
        _ = try instance.call("init", [i32(0), i32(0), i32(2)])
        #expect(try instance.call("call", [i32(0)]) == [i32(1)])
        #expect(try instance.call("call", [i32(1)]) == [i32(2)])
        _ = try instance.call("copy", [i32(0), i32(1), i32(1)])
        #expect(try instance.call("call", [i32(0)]) == [i32(2)])
        _ = try instance.call("fill", [i32(1), i32(1)])
        #expect(try instance.call("is_null", [i32(1)]) == [i32(1)])
        #expect(instance.trap("is_null", [i32(2)]) == .outOfBoundsTableAccess)
        #expect(instance.trap("init", [i32(1), i32(1), i32(2)]) == .outOfBoundsTableAccess)
        _ = try instance.call("drop")
        #expect(instance.trap("init", [i32(0), i32(0), i32(1)]) == .outOfBoundsTableAccess)
    }

    @Test(arguments: TestTier.allCases) func growRespectsTheMaximum(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("grow", [i32(2)]) == [i32(2)])
        #expect(try instance.call("size") == [i32(4)])
        #expect(try instance.call("call", [i32(3)]) == [i32(1)])
        #expect(try instance.call("grow", [i32(2)]) == [i32(-1)])
        #expect(try instance.call("grow", [i32(1)]) == [i32(4)])
    }

    @Test(arguments: TestTier.allCases) func externReferencesRoundTrip(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        _ = try instance.call("set_extern", [i32(2), .ref(.extern(42))])
        #expect(try instance.call("get_extern", [i32(2)]) == [.ref(.extern(42))])
        #expect(try instance.call("get_extern", [i32(0)]) == [.ref(.null(.extern))])
        #expect(instance.trap("set_extern", [i32(3), .ref(.extern(1))]) == .outOfBoundsTableAccess)
    }
}
