import Testing
import WasmBinary
import WasmSyntax
import WasmText

/// `(@custom "name" placement? "data"*)` annotations become custom sections
/// at the place the appendix defines.
@Suite struct CustomAnnotationTests {
    /// The ordering example of the custom annotations appendix.
    @Test func placementFollowsTheAppendixExample() throws {
        let m = try parse("""
            (module
              (@custom "A" "aaa")
              (type $t (func))
              (@custom "B" (after func) "bbb")
              (@custom "C" (before func) "ccc")
              (@custom "D" (after last) "ddd")
              (table 10 funcref)
              (func (type $t))
              (@custom "E" (after import) "eee")
              (@custom "F" (before type) "fff")
              (@custom "G" (after data) "ggg")
              (@custom "H" (after code) "hhh")
              (@custom "I" (after func) "iii")
              (@custom "J" (before func) "jjj")
              (@custom "K" (before first) "kkk"))
            """)
        #expect(m.customSections.map(\.name) == ["K", "F", "E", "C", "J", "B", "I", "H", "G", "A", "D"])
        #expect(m.customSections.map(\.after) == [0, 0, 1, 1, 1, 3, 3, 10, 10, 10, 10])
        #expect(m.customSections[0].bytes == Array("kkk".utf8))

        // In the binary: K F type E C J func B I table code H G A D.
        let order = try sectionOrder(encodeModule(m))
        #expect(order == ["K", "F", "1", "E", "C", "J", "3", "B", "I", "4", "10", "H", "G", "A", "D"])
        #expect(try decodeModule(encodeModule(m)).customSections == m.customSections)
    }

    @Test func dataIsTheConcatenatedStrings() throws {
        let m = try parse(#"(@custom "s" "" "1" "" "2\41" "") (@custom "")"#)
        #expect(m.customSections == [
            CustomSection(name: "s", bytes: Array("12A".utf8)),
            CustomSection(name: "", bytes: []),
        ])
    }

    @Test func malformedAnnotationsAreRejected() {
        #expect(parseError("(@custom)") == "@custom annotation: missing section name")
        #expect(parseError("(@custom 4)") == "@custom annotation: missing section name")
        #expect(parseError(#"(@custom "\df")"#) == "@custom annotation: malformed UTF-8 encoding")
        #expect(parseError(#"(@custom "a" here)"#) == "@custom annotation: unexpected token")
        #expect(parseError(#"(@custom "a" (after))"#) == "@custom annotation: malformed section kind")
        #expect(parseError(#"(@custom "a" (type))"#) == "@custom annotation: malformed placement")
        #expect(parseError(#"(@custom "a" (before last))"#) == "@custom annotation: malformed section kind")
        #expect(parseError(#"(@custom "a" (after type) x)"#) == "@custom annotation: unexpected token")
    }

    @Test func onlyBetweenModuleFields() {
        #expect(parseError(#"(type (@custom "a") $t (func))"#) == "misplaced @custom annotation")
        #expect(parseError(#"(func (block (@custom "a")))"#) == "misplaced @custom annotation")
        #expect(parseError(#"(func (nop (@custom "a")))"#) == "misplaced @custom annotation")
        #expect(parseError(#"(module $m (@custom "a") (func) (@custom "b"))"#) == nil)
    }

    /// The ids of a binary's sections in order, custom sections by name.
    private func sectionOrder(_ bytes: [UInt8]) throws -> [String] {
        var reader = BinaryReader(bytes)
        _ = try reader.readBytes(8)
        var order: [String] = []
        while !reader.isAtEnd {
            let id = try reader.readByte()
            let size = try reader.readLength()
            let end = reader.offset + size
            order.append(id == 0 ? try reader.readName() : "\(id)")
            _ = try reader.readBytes(end - reader.offset)
        }
        return order
    }
}
