import Testing
import WasmSyntax
import WasmText

@Suite struct PrinterTests {
    @Test func printsFieldsAndFlatInstructions() throws {
        let m = try parse("""
            (type $t (func (param i32) (result i32)))
            (import "m" "f" (func $imp (type $t)))
            (memory 1 2 shared)
            (func $f (export "f") (param i32) (result i32) (local i64 i64)
              (block $b (result i32) (br_table 0 $b (local.get 0))))
            (data (i32.const 4) "\\00\\ff a")
            """)
        #expect(printModule(m) == """
            (module
              (type (;0;) (func (param i32) (result i32)))
              (import "m" "f" (func (;0;) (type 0)))
              (memory (;0;) 1 2 shared)
              (func (;1;) (type 0) (local i64 i64)
                block (result i32)
                  local.get 0
                  br_table 0 0
                end
              )
              (export "f" (func 1))
              (data (;0;) (memory 0) (offset i32.const 4) "\\00\\ff a")
            )

            """)
    }

    @Test func printedTextParsesBack() throws {
        let wat = """
            (rec (type $s (sub (struct (field (mut i8)) (field (ref null $s))))) (type (sub final $s (struct (field (mut i8)) (field (ref null $s))))))
            (table $t i64 2 funcref (ref.null func))
            (memory i64 1 (pagesize 1))
            (global $g (mut f32) (f32.const -0x1p-3))
            (tag $e (param i64))
            (func $f (param anyref) (result f64)
              (drop (select (result i32) (i32.const 1) (i32.const 2) (i32.const 0)))
              (drop (ref.test (ref null $s) (local.get 0)))
              (drop (i64.load offset=8 align=4 (i64.const 0)))
              (drop (v128.const f32x4 1 -0 inf nan:0x1))
              (try_table (catch $e 0) (nop))
              (f64.const -nan:0x8000000000001))
            (elem declare func $f)
            (@custom "c" (after data) "xyz")
            """
        let m = try parse(wat)
        #expect(try parseModule(printModule(m)) == m)
    }

    @Test func floatsPrintExactly() throws {
        for bits: UInt32 in [0, 0x8000_0000, 1, 0x7F7F_FFFF, 0x3DCC_CCCD, 0x7F80_0000, 0xFFC0_0000, 0x7FA0_0001] {
            let m = try parse("(global f32 (f32.const \(bitsText(bits))))")
            #expect(try parseModule(printModule(m)) == m)
            #expect(m.globals[0].initializer == [Instruction(.f32Const, .f32(bits))])
        }
    }

    private func bitsText(_ bits: UInt32) -> String {
        let f = Float(bitPattern: bits)
        if f.isNaN { return (bits >> 31 != 0 ? "-" : "") + "nan:0x" + String(bits & 0x7F_FFFF, radix: 16) }
        if f.isInfinite { return f < 0 ? "-inf" : "inf" }
        return "\(f)"
    }
}
