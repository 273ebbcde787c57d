import Testing
import WasmRuntime

@Suite struct IntegerArithmeticTests {
    @Test(arguments: TestTier.allCases) func addsLocalsAndConstants(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
          (func (export "addImm") (param i32) (result i32) (i32.add (local.get 0) (i32.const 7)))
          (func (export "subImm") (param i32) (result i32) (i32.sub (local.get 0) (i32.const 7)))
          (func (export "constLeft") (param i32) (result i32) (i32.sub (i32.const 7) (local.get 0)))
          (func (export "ltConstLeft") (param i32) (result i32) (i32.lt_s (i32.const 7) (local.get 0)))
        )
        """)
        #expect(try instance.call("add", [i32(2), i32(40)]) == [i32(42)])
        #expect(try instance.call("add", [i32(-1), i32(1)]) == [i32(0)])
        #expect(try instance.call("addImm", [i32(35)]) == [i32(42)])
        #expect(try instance.call("subImm", [i32(5)]) == [i32(-2)])
        #expect(try instance.call("constLeft", [i32(5)]) == [i32(2)])
        #expect(try instance.call("ltConstLeft", [i32(8)]) == [i32(1)])
        #expect(try instance.call("ltConstLeft", [i32(7)]) == [i32(0)])
    }

    @Test(arguments: TestTier.allCases) func divisionTraps(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "div_s") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
          (func (export "rem_s") (param i32 i32) (result i32) (i32.rem_s (local.get 0) (local.get 1)))
          (func (export "div_u64") (param i64 i64) (result i64) (i64.div_u (local.get 0) (local.get 1)))
        )
        """)
        #expect(try instance.call("div_s", [i32(-7), i32(2)]) == [i32(-3)])
        #expect(instance.trap("div_s", [i32(1), i32(0)]) == .integerDivideByZero)
        #expect(instance.trap("div_s", [i32(.min), i32(-1)]) == .integerOverflow)
        #expect(try instance.call("rem_s", [i32(.min), i32(-1)]) == [i32(0)])
        #expect(try instance.call("rem_s", [i32(-7), i32(2)]) == [i32(-1)])
        #expect(try instance.call("div_u64", [i64(-1), i64(2)]) == [.i64(UInt64.max / 2)])
        #expect(instance.trap("div_u64", [i64(1), i64(0)]) == .integerDivideByZero)
    }

    @Test(arguments: TestTier.allCases) func shiftsAndRotatesMaskTheirCount(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "shl") (param i32 i32) (result i32) (i32.shl (local.get 0) (local.get 1)))
          (func (export "rotl") (param i32 i32) (result i32) (i32.rotl (local.get 0) (local.get 1)))
          (func (export "rotr64") (param i64 i64) (result i64) (i64.rotr (local.get 0) (local.get 1)))
          (func (export "shr_s_imm") (param i32) (result i32) (i32.shr_s (local.get 0) (i32.const 33)))
        )
        """)
        #expect(try instance.call("shl", [i32(1), i32(33)]) == [i32(2)])
        #expect(try instance.call("rotl", [.i32(0x8000_0001), i32(1)]) == [.i32(3)])
        #expect(try instance.call("rotl", [.i32(0x1234_5678), i32(0)]) == [.i32(0x1234_5678)])
        #expect(try instance.call("rotr64", [.i64(1), i64(1)]) == [.i64(0x8000_0000_0000_0000)])
        #expect(try instance.call("shr_s_imm", [i32(-8)]) == [i32(-4)])
    }

    @Test(arguments: TestTier.allCases) func bitCounts(tier: TestTier) throws {
        let instance = try instantiate(on: tier, """
        (module
          (func (export "clz") (param i32) (result i32) (i32.clz (local.get 0)))
          (func (export "ctz64") (param i64) (result i64) (i64.ctz (local.get 0)))
          (func (export "popcnt") (param i32) (result i32) (i32.popcnt (local.get 0)))
          (func (export "extend8") (param i32) (result i32) (i32.extend8_s (local.get 0)))
        )
        """)
        #expect(try instance.call("clz", [i32(0)]) == [i32(32)])
        #expect(try instance.call("clz", [i32(1)]) == [i32(31)])
        #expect(try instance.call("ctz64", [i64(0)]) == [i64(64)])
        #expect(try instance.call("popcnt", [i32(-1)]) == [i32(32)])
        #expect(try instance.call("extend8", [i32(0x80)]) == [i32(-128)])
    }
}
