import Testing
@testable import WasmEngines

@Suite("JSON reading and writing")
struct JSONCodingTests {
    @Test func roundTripsValues() throws {
        let value: JSON = ["id": 7, "op": "invoke", "args": [["type": "i32", "value": "4294967295"]], "ok": true,
                           "nothing": .null, "text": "tab\t quote\" newline\n \u{1}"]
        let parsed = try JSON(parsing: value.compact)
        #expect(parsed == value)
        #expect(!value.compact.contains("\n"))
        #expect(try JSON(parsing: value.pretty) == value)
    }

    @Test func keepsKeyOrderAndReadsNumbers() throws {
        let parsed = try JSON(parsing: #"{"b": -12, "a": 1.5e3, "c": "\u00e9\ud83d\ude00"}"#)
        guard case .object(let members) = parsed else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.0) == ["b", "a", "c"])
        #expect(parsed["b"]?.int == -12)
        #expect(parsed["a"] == .double(1500))
        #expect(parsed["c"]?.string == "é😀")
    }

    @Test(arguments: ["", "{", "[1,", #"{"a" 1}"#, #""unterminated"#, "\"\\", "tru", "01x", "[1] 2", "{\"a\":\"\u{1}\"}",
                      String(repeating: "[", count: 10_000)])
    func rejectsMalformedText(_ text: String) {
        #expect(throws: JSON.ParseError.self) { try JSON(parsing: text) }
    }
}
