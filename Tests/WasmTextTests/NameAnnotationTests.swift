import Testing
import WasmBinary
import WasmSyntax
import WasmText

/// `(@name "...")` annotations become the `name` custom section.
@Suite struct NameAnnotationTests {
    /// The section for every kind of binding, byte for byte as
    /// `wasm-tools parse` writes it for the same text.
    @Test func everyBindingKindIsEncoded() throws {
        let m = try parse("""
            (module (@name "Modül")
              (type (@name "t") (struct (field (@name "a") i32) (field (@name "b") i64)))
              (import "m" "f" (func (@name "imp") (param i32)))
              (func (@name "λ") (param (@name "x") i32) (local (@name "y") i64))
              (tag (@name "θ")))
            """)
        let section = try #require(m.customSections.first { $0.name == "name" })
        #expect(section.bytes == [
            0x00, 0x07, 0x06, 0x4D, 0x6F, 0x64, 0xC3, 0xBC, 0x6C,  // module "Modül"
            0x01, 0x0A, 0x02, 0x00, 0x03, 0x69, 0x6D, 0x70, 0x01, 0x02, 0xCE, 0xBB,  // functions 0 "imp", 1 "λ"
            0x02, 0x09, 0x01, 0x01, 0x02, 0x00, 0x01, 0x78, 0x01, 0x01, 0x79,  // locals of 1: 0 "x", 1 "y"
            0x04, 0x04, 0x01, 0x00, 0x01, 0x74,  // types: 0 "t"
            0x0A, 0x09, 0x01, 0x00, 0x02, 0x00, 0x01, 0x61, 0x01, 0x01, 0x62,  // fields of 0: "a", "b"
            0x0B, 0x05, 0x01, 0x00, 0x02, 0xCE, 0xB8,  // tags: 0 "θ"
        ])
        // After the last section present (the appendix: after data).
        #expect(section.after == 10)
    }

    @Test func identifiersComeFirst() throws {
        let m = try parse(#"(module $m (@name "M") (func $f (@name "F") (param $p (@name "P") i32) (local $l (@name "L") i32)))"#)
        let plain = try parse(#"(module (@name "M") (func (@name "F") (param (@name "P") i32) (local (@name "L") i32)))"#)
        #expect(m.customSections == plain.customSections)
        #expect(m.customSections.count == 1)
    }

    @Test func withoutAnnotationsThereIsNoSection() throws {
        #expect(try parse("(module $m (func $f (param $x i32)))").customSections.isEmpty)
    }

    @Test func misplacedOrRepeatedNamesAreRejected() {
        #expect(parseError(#"(module (@name "M1") (@name "M2"))"#) == "@name annotation: multiple module names")
        #expect(parseError(#"(module (func) (@name "M"))"#) == "misplaced @name annotation")
        #expect(parseError(#"(module (start $f (@name "M")) (func $f))"#) == "misplaced @name annotation")
        #expect(parseError(#"(func (type 0) (@name "f"))"#) == "misplaced @name annotation")
        #expect(parseError(#"(func (block (@name "b")))"#) == "misplaced @name annotation")
        #expect(parseError(#"(global (@name "g") i32 (i32.const 0))"#) == "misplaced @name annotation")
        // One annotation names one parameter, local or field.
        #expect(parseError(#"(func (param (@name "p") i32 i32))"#) == "misplaced @name annotation")
        #expect(parseError(#"(func (local (@name "l") i32 i64))"#) == "misplaced @name annotation")
        #expect(parseError(#"(func (@name "a") (@name "b"))"#) == "@name annotation: multiple function names")
        #expect(parseError(#"(func (@name))"#) == "@name annotation: string expected")
        #expect(parseError(#"(func (@name "f" "g"))"#) == "@name annotation: unexpected token")
        #expect(parseError(#"(func (@name "\ff"))"#) == "malformed UTF-8 encoding")
    }
}
