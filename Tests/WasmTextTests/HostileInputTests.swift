import Foundation
import Testing
import WasmText

/// Bad input gives an error, never a crash or a hang.
@Suite struct HostileInputTests {
    /// Deterministic xorshift, so that a failure can be replayed.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }
    }

    static let fragments: [[UInt8]] = [
        "(", ")", " ", "$x", "\"", "0x", "(;", ";)", "(@a", "block", "end", "(then", "i32.const", "-",
        "nan:0x", "1e", "\\u{", "(module", "(func", "(type", "(rec", "(ref", "offset=", "align=", "else",
        "delegate", "try", "catch", "(elem", "(table", "(memory", "(data", "(import", "v128.const",
    ].map { Array($0.utf8) }

    @Test func mutatedSuiteScriptsNeverCrash() throws {
        let files = ["block.wast", "br_table.wast", "elem.wast", "data.wast", "simd_const.wast", "try_table.wast",
                     "annotations.wast", "comments.wast", "type-rec.wast", "struct.wast", "memory64.wast"]
            .map { TestSuite.core3.appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0.path) }
        var generator = Generator(state: 0x9E37_79B9_7F4A_7C15)
        for _ in 0..<400 {
            guard let url = files.isEmpty ? nil : files[generator.below(files.count)] else { break }
            var bytes = Array(try [UInt8](Data(contentsOf: url)).prefix(8000))
            for _ in 0...generator.below(4) where !bytes.isEmpty {
                let at = generator.below(bytes.count)
                switch generator.below(4) {
                case 0: bytes.remove(at: at)
                case 1: bytes.insert(contentsOf: Self.fragments[generator.below(Self.fragments.count)], at: at)
                case 2: bytes[at] = UInt8(truncatingIfNeeded: generator.next())
                default: bytes.removeSubrange(at..<min(bytes.count, at + generator.below(200)))
                }
            }
            guard let script = try? parseScript(utf8: bytes, fileName: url.lastPathComponent) else { continue }
            for command in script.commands {
                if case .module(let m) = command.kind, case .text(let module) = m.source { _ = printModule(module) }
                if case .assertMalformed(let m, _) = command.kind, case .quote(let text) = m.source {
                    _ = try? parseModule(utf8: text)
                }
            }
        }
    }

    @Test func truncatedAndUnbalancedInput() {
        for text in ["(", "(module", "(module (func", "(func (block", "(func block", "(;", "\"", "(@a", "$", "(type (rec",
                     "(import \"a\"", "(memory (data", "(table funcref (elem", "))", "(func (i32.const", "(module quote"] {
            #expect(parseError(text) != nil, "\(text)")
            #expect((try? parseScript(text, fileName: "t.wast")) == nil, "\(text)")
        }
    }

    @Test func hugeNumbersAndCountsAreRejectedCheaply() {
        #expect(parseError("(memory 99999999999999999999999)") == "i64 constant out of range")
        #expect(parseError("(func (local.get 99999999999))") == "i32 constant out of range")
        #expect(parseError("(func (br_table 4294967296))") == "i32 constant out of range")
    }
}
