import Testing
import WasmRuntime

@Suite struct ReferenceTests {
    @Test(arguments: TestTier.allCases) func functionReferencesAreComparableValues(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func $f (export "f") (result i32) (i32.const 9))
          (func (export "ref") (result funcref) (ref.func $f))
          (func (export "null") (result funcref) (ref.null func))
          (func (export "is_null") (param externref) (result i32) (ref.is_null (local.get 0)))
          (func (export "id") (param externref) (result externref) (local.get 0))
          (global (export "g") funcref (ref.func $f))
        )
        """)
        let f = try #require(instance.function("f"))
        #expect(try instance.call("ref") == [.ref(.function(f))])
        #expect(try instance.call("null") == [.ref(.null(.func))])
        #expect(try instance.call("is_null", [.ref(.null(.extern))]) == [i32(1)])
        #expect(try instance.call("is_null", [.ref(.extern(0))]) == [i32(0)])
        #expect(try instance.call("id", [.ref(.extern(UInt64.max))]) == [.ref(.extern(UInt64.max))])
        #expect(instance.global("g")?.value == .ref(.function(f)))
        guard case .ref(.function(let g))? = instance.global("g")?.value else {
            Issue.record("not a function")
            return
        }
        #expect(try g.call([]) == [i32(9)])
    }
}
