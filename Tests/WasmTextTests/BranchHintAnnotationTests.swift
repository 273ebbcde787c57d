import Testing
import WasmBinary
import WasmSyntax
import WasmText

/// `(@metadata.code.branch_hint "\00"|"\01")` annotations become the
/// `metadata.code.branch_hint` custom section, which `checkCustomSections`
/// checks against the code.
@Suite struct BranchHintAnnotationTests {
    static let hinted = #"""
        (module
          (func $f (param i32) (result i32)
            (local i64 i64)
            (@metadata.code.branch_hint "\01")
            (if (result i32) (local.get 0)
              (then (block (@metadata.code.branch_hint "\00") (br_if 0 (local.get 0))) (i32.const 1))
              (else (i32.const 2))))
          (func $g (param i32)
            local.get 0
            (@metadata.code.branch_hint "\00") if end))
        """#

    /// Byte for byte what `wasm-tools parse` writes for the same text:
    /// offsets count from the local declarations, folded instructions are
    /// hinted where their opcode is.
    @Test func sectionMatchesTheProposalsEncoding() throws {
        let m = try parse(Self.hinted)
        #expect(m.customSections == [CustomSection(
            name: "metadata.code.branch_hint",
            bytes: [0x02, 0x00, 0x02, 0x05, 0x01, 0x01, 0x0B, 0x01, 0x00, 0x01, 0x01, 0x03, 0x01, 0x00],
            after: 3)])
        let binary = encodeModule(m)
        try checkCustomSections(binary)
        let decoded = try BranchHintSection(decoding: m.customSections[0].bytes[...])
        #expect(decoded.functions == [
            .init(function: 0, hints: [.init(offset: 5, isLikely: true), .init(offset: 11, isLikely: false)]),
            .init(function: 1, hints: [.init(offset: 3, isLikely: false)]),
        ])
        #expect(decoded.encoded() == m.customSections[0].bytes)
    }

    /// Function indices count imports; the section goes before the code
    /// (after the data count section when there is one).
    @Test func indicesCountImportsAndPlacementIsBeforeCode() throws {
        let m = try parse(#"""
            (import "m" "f" (func))
            (memory 1)
            (func (param i32) (@metadata.code.branch_hint "\01") (br_if 0 (local.get 0)) (data.drop 0))
            (data "x")
            """#)
        let section = try #require(m.customSections.first)
        #expect(section.after == 12)
        #expect(section.bytes == [0x01, 0x01, 0x01, 0x03, 0x01, 0x01])
        try checkCustomSections(encodeModule(m))
    }

    @Test func malformedAnnotationsAreRejected() {
        #expect(parseError(#"(func (i32.const 0) (@metadata.code.branch_hint "\01") (@metadata.code.branch_hint "\01") if end)"#)
            == "@metadata.code.branch_hint annotation: duplicate annotation")
        #expect(parseError(#"(@metadata.code.branch_hint "\01") (func)"#)
            == "@metadata.code.branch_hint annotation: not in a function")
        #expect(parseError(#"(global i32 (@metadata.code.branch_hint "\01") (i32.const 0))"#)
            == "@metadata.code.branch_hint annotation: not in a function")
        #expect(parseError(#"(func (@metadata.code.branch_hint "\01"))"#)
            == "@metadata.code.branch_hint annotation: invalid placement")
        #expect(parseError(#"(func (i32.const 0) (@metadata.code.branch_hint "\02") (if (then)))"#)
            == "@metadata.code.branch_hint annotation: invalid hint value")
        #expect(parseError(#"(func (i32.const 0) (@metadata.code.branch_hint 1) (if (then)))"#)
            == "@metadata.code.branch_hint annotation: unexpected token")
    }

    /// A hint on anything but `if` or `br_if` parses (it is where the
    /// annotation is), but the section does not fit the code.
    @Test func targetsOtherThanBranchesAreInvalid() throws {
        let m = try parse(#"(func (param i32) (local.get 0) (@metadata.code.branch_hint "\01") (drop))"#)
        #expect(customSectionError { () throws(CustomSectionError) in try checkCustomSections(encodeModule(m)) }
            == "@metadata.code.branch_hint annotation: invalid target")
    }

    @Test func hintsAtNoInstructionAreInvalid() throws {
        var m = try parse(Self.hinted)
        m.customSections[0] = CustomSection(
            name: BranchHintSection.name,
            bytes: BranchHintSection(functions: [.init(function: 1, hints: [.init(offset: 4, isLikely: true)])]).encoded(),
            after: 3)
        #expect(customSectionError { () throws(CustomSectionError) in try checkCustomSections(encodeModule(m)) }
            == "@metadata.code.branch_hint section: invalid offset")
        #expect(customSectionError { () throws(CustomSectionError) in
            _ = try BranchHintSection(decoding: [0x01, 0x00, 0x01, 0x03, 0x02, 0x00][...])
        } == "@metadata.code.branch_hint section: missing reserved byte")
    }

    /// The message of the error a check reports, or nil when it passes.
    private func customSectionError(_ check: () throws(CustomSectionError) -> Void) -> String? {
        do {
            try check()
            return nil
        } catch {
            return error.message
        }
    }
}
