import Testing
import WasmRuntime

@Suite struct BulkMemoryTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (memory 1)
          (data $d "hello")
          (func (export "fill") (param i32 i32 i32) (memory.fill (local.get 0) (local.get 1) (local.get 2)))
          (func (export "copy") (param i32 i32 i32) (memory.copy (local.get 0) (local.get 1) (local.get 2)))
          (func (export "init") (param i32 i32 i32) (memory.init $d (local.get 0) (local.get 1) (local.get 2)))
          (func (export "drop") (data.drop $d))
          (func (export "load8") (param i32) (result i32) (i32.load8_u (local.get 0)))
        )
        """

    func bytes(_ instance: Instance, _ at: Int32, _ count: Int32) throws -> [UInt32] {
        try (at..<at + count).map { i in
            guard case .i32(let v) = try instance.call("load8", [i32(i)])[0] else { return 0 }
            return v
        }
    }

    @Test(arguments: TestTier.allCases) func fillAndOverlappingCopy(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        _ = try instance.call("fill", [i32(10), i32(0x41), i32(3)])
        #expect(try bytes(instance, 9, 5) == [0, 0x41, 0x41, 0x41, 0])
        _ = try instance.call("init", [i32(20), i32(0), i32(5)])
        _ = try instance.call("copy", [i32(21), i32(20), i32(4)])
        #expect(try bytes(instance, 20, 5) == Array("hhell".utf8).map(UInt32.init))
        _ = try instance.call("copy", [i32(20), i32(21), i32(4)])
        #expect(try bytes(instance, 20, 5) == Array("helll".utf8).map(UInt32.init))
    }

    @Test(arguments: TestTier.allCases) func boundsAreCheckedBeforeWriting(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(instance.trap("fill", [i32(65535), i32(1), i32(2)]) == .outOfBoundsMemoryAccess)
        #expect(try bytes(instance, 65535, 1) == [0])
        #expect(instance.trap("init", [i32(0), i32(3), i32(3)]) == .outOfBoundsMemoryAccess)
        #expect(try bytes(instance, 0, 1) == [0])
        // Length zero at the end is fine, one past it is not.
        _ = try instance.call("fill", [i32(65536), i32(1), i32(0)])
        #expect(instance.trap("copy", [i32(65537), i32(0), i32(0)]) == .outOfBoundsMemoryAccess)
    }

    @Test(arguments: TestTier.allCases) func droppedSegmentsAreEmpty(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        _ = try instance.call("init", [i32(0), i32(5), i32(0)])
        _ = try instance.call("drop")
        _ = try instance.call("init", [i32(0), i32(0), i32(0)])
        #expect(instance.trap("init", [i32(0), i32(0), i32(1)]) == .outOfBoundsMemoryAccess)
    }
}
