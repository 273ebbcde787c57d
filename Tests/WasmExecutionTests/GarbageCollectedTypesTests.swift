import Testing
import WasmRuntime

/// Structs, arrays, i31 and casts (WebAssembly 3.0 GC).
@Suite struct GarbageCollectedTypesTests {
    /// The module every test of the suite instantiates on its tier.
    static let module = """
        (module
          (type $point (sub (struct (field $x (mut i32)) (field $y i8) (field $v v128))))
          (type $point3 (sub $point (struct (field (mut i32)) (field i8) (field v128) (field f64))))
          (type $bytes (array (mut i8)))
          (type $refs (array (mut anyref)))
          (data $d "\\01\\02\\03\\ff")
          (global $origin (ref $point) (struct.new $point (i32.const 1) (i32.const -1) (v128.const i64x2 7 8)))

          (func (export "struct") (param i32) (result i32)
            (local $p (ref $point))
            (local.set $p (struct.new $point (local.get 0) (i32.const 0x1ff) (v128.const i64x2 0 0)))
            (struct.set $point $x (local.get $p) (i32.add (struct.get $point $x (local.get $p)) (i32.const 1)))
            (i32.add (struct.get $point $x (local.get $p)) (struct.get_u $point $y (local.get $p))))
          (func (export "packed_signed") (result i32) (struct.get_s $point $y (global.get $origin)))
          (func (export "v128_field") (result i64) (i64x2.extract_lane 1 (struct.get $point $v (global.get $origin))))
          (func (export "null_struct") (result i32) (struct.get $point $x (ref.null $point)))

          (func (export "array") (param i32) (result i32)
            (local $a (ref $bytes))
            (local.set $a (array.new_data $bytes $d (i32.const 0) (i32.const 4)))
            (array.set $bytes (local.get $a) (i32.const 0) (i32.const 10))
            (array.copy $bytes $bytes (local.get $a) (i32.const 1) (local.get $a) (i32.const 0) (i32.const 2))
            (i32.add (array.get_u $bytes (local.get $a) (local.get 0)) (array.len (local.get $a))))
          (func (export "array_s") (result i32)
            (array.get_s $bytes (array.new_data $bytes $d (i32.const 3) (i32.const 1)) (i32.const 0)))
          (func (export "array_oob") (param i32) (result i32)
            (array.get_u $bytes (array.new $bytes (i32.const 5) (i32.const 3)) (local.get 0)))
          (func (export "array_fixed") (result i32)
            (array.len (array.new_fixed $refs 3 (ref.i31 (i32.const 1)) (ref.null any) (global.get $origin))))
          (func (export "data_oob") (drop (array.new_data $bytes $d (i32.const 2) (i32.const 3))))

          (func (export "i31") (param i32) (result i32 i32)
            (i31.get_s (ref.i31 (local.get 0))) (i31.get_u (ref.i31 (local.get 0))))
          (func (export "eq") (result i32)
            (i32.add
              (ref.eq (ref.i31 (i32.const 5)) (ref.i31 (i32.const 5)))
              (ref.eq (global.get $origin) (struct.new_default $point))))

          (func (export "test") (param i32) (result i32)
            (local $r anyref)
            (local.set $r
              (select (result anyref) (global.get $origin)
                (struct.new_default $point3) (local.get 0)))
            (i32.add (i32.add
              (i32.mul (ref.test (ref $point) (local.get $r)) (i32.const 1))
              (i32.mul (ref.test (ref $point3) (local.get $r)) (i32.const 2)))
              (i32.mul (ref.test (ref i31) (local.get $r)) (i32.const 4))))
          (func (export "cast") (param i32) (result i32)
            (struct.get $point3 0 (ref.cast (ref $point3)
              (select (result anyref) (global.get $origin) (struct.new_default $point3) (local.get 0)))))
          (func (export "br_on_cast") (param i32) (result i32)
            (block $is_i31 (result (ref i31))
              (br_on_cast $is_i31 anyref (ref i31)
                (select (result anyref) (ref.i31 (i32.const 42)) (global.get $origin) (local.get 0)))
              (drop)
              (return (i32.const -1)))
            (i31.get_u))
        )
        """

    @Test(arguments: TestTier.allCases) func structFieldsPackAndWiden(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("struct", [i32(41)]) == [i32(42 + 0xFF)])
        #expect(try instance.call("packed_signed") == [i32(-1)])
        #expect(try instance.call("v128_field") == [i64(8)])
        #expect(instance.trap("null_struct") == .nullStructureReference)
    }

    @Test(arguments: TestTier.allCases) func arraysFromDataCopiesAndBounds(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        // [10, 10, 2, 0xff] after the set and the overlapping copy.
        #expect(try instance.call("array", [i32(1)]) == [i32(10 + 4)])
        #expect(try instance.call("array", [i32(2)]) == [i32(2 + 4)])
        #expect(try instance.call("array_s") == [i32(-1)])
        #expect(try instance.call("array_oob", [i32(2)]) == [i32(5)])
        #expect(instance.trap("array_oob", [i32(3)]) == .outOfBoundsArrayAccess)
        #expect(try instance.call("array_fixed") == [i32(3)])
        #expect(instance.trap("data_oob") == .outOfBoundsMemoryAccess)
    }

    @Test(arguments: TestTier.allCases) func i31AndEquality(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("i31", [i32(-1)]) == [i32(-1), .i32(0x7FFF_FFFF)])
        #expect(try instance.call("i31", [.i32(0x4000_0000)]) == [i32(-0x4000_0000), .i32(0x4000_0000)])
        #expect(try instance.call("eq") == [i32(1)])
    }

    @Test(arguments: TestTier.allCases) func castsFollowDeclaredSubtyping(tier: TestTier) throws {
        let instance = try instantiate(on: tier, Self.module)
        #expect(try instance.call("test", [i32(1)]) == [i32(1)])
        #expect(try instance.call("test", [i32(0)]) == [i32(3)])
        #expect(try instance.call("cast", [i32(0)]) == [i32(0)])
        #expect(instance.trap("cast", [i32(1)]) == .castFailure)
        #expect(try instance.call("br_on_cast", [i32(1)]) == [i32(42)])
        #expect(try instance.call("br_on_cast", [i32(0)]) == [i32(-1)])
    }
}
