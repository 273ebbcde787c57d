import Foundation
import WasmSyntax

/// A test-only reader for the `(module binary "...")` commands of `.wast`
/// scripts: just enough S-expression syntax (strings with escapes, line and
/// block comments, nesting) to pull out the binary modules and the message
/// of each `assert_malformed`. The real text parser lives in WasmText.
struct WastBinaryCase {
    enum Expectation: Equatable {
        /// A plain module, or one that must decode but may fail later
        /// (assert_invalid, assert_unlinkable, ...).
        case decodes(command: String)
        case malformed(message: String)
    }

    var file: String
    var line: Int
    var bytes: [UInt8]
    var expectation: Expectation
}

enum WastBinaryExtractor {
    indirect enum Node {
        case list([Node], line: Int)
        case atom(String)
        case string([UInt8])
    }

    static func cases(inFile path: String) throws -> [WastBinaryCase] {
        let text = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        let name = URL(fileURLWithPath: path).lastPathComponent
        var result: [WastBinaryCase] = []
        for node in try parse(text) {
            guard case .list(let items, let line) = node, case .atom(let head)? = items.first else { continue }
            if head == "module" {
                if let bytes = binaryModule(node) {
                    result.append(WastBinaryCase(file: name, line: line, bytes: bytes, expectation: .decodes(command: "module")))
                }
            } else if head.hasPrefix("assert_"), items.count >= 2, let bytes = binaryModule(items[1]) {
                if head == "assert_malformed" {
                    guard items.count >= 3, case .string(let message) = items[2] else { continue }
                    result.append(WastBinaryCase(file: name, line: line, bytes: bytes,
                                                 expectation: .malformed(message: String(decoding: message, as: UTF8.self))))
                } else {
                    result.append(WastBinaryCase(file: name, line: line, bytes: bytes, expectation: .decodes(command: head)))
                }
            }
        }
        return result
    }

    /// The bytes of `(module $id? binary "..."*)` (also `module definition`).
    static func binaryModule(_ node: Node) -> [UInt8]? {
        guard case .list(let items, _) = node, case .atom("module")? = items.first else { return nil }
        var i = 1
        while i < items.count, case .atom(let a) = items[i], a == "definition" || a.hasPrefix("$") { i += 1 }
        guard i < items.count, case .atom("binary") = items[i] else { return nil }
        var bytes: [UInt8] = []
        for item in items[(i + 1)...] {
            if case .string(let s) = item { bytes += s }
        }
        return bytes
    }

    struct ParseError: Error { var line: Int }

    /// The top-level forms of a script.
    static func parse(_ text: [UInt8]) throws -> [Node] {
        var stack: [([Node], Int)] = [([], 0)]
        var i = 0
        var line = 1
        let n = text.count
        func isDelimiter(_ c: UInt8) -> Bool {
            c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D || c == 0x28 || c == 0x29 || c == 0x22 || c == 0x3B
        }
        while i < n {
            let c = text[i]
            switch c {
            case 0x0A:
                line += 1
                i += 1
            case 0x20, 0x09, 0x0D:
                i += 1
            case 0x3B where i + 1 < n && text[i + 1] == 0x3B:  // ;; line comment
                while i < n && text[i] != 0x0A { i += 1 }
            case 0x28 where i + 1 < n && text[i + 1] == 0x3B:  // (; block comment ;)
                var depth = 0
                repeat {
                    if text[i] == 0x0A { line += 1 }
                    if i + 1 < n && text[i] == 0x28 && text[i + 1] == 0x3B { depth += 1; i += 2; continue }
                    if i + 1 < n && text[i] == 0x3B && text[i + 1] == 0x29 { depth -= 1; i += 2; continue }
                    i += 1
                } while depth > 0 && i < n
            case 0x28:
                stack.append(([], line))
                i += 1
            case 0x29:
                guard stack.count > 1 else { throw ParseError(line: line) }
                let (items, start) = stack.removeLast()
                stack[stack.count - 1].0.append(.list(items, line: start))
                i += 1
            case 0x22:
                i += 1
                var bytes: [UInt8] = []
                while i < n && text[i] != 0x22 {
                    if text[i] == 0x5C, i + 1 < n {
                        let e = text[i + 1]
                        switch e {
                        case UInt8(ascii: "n"): bytes.append(0x0A); i += 2
                        case UInt8(ascii: "t"): bytes.append(0x09); i += 2
                        case UInt8(ascii: "r"): bytes.append(0x0D); i += 2
                        case UInt8(ascii: "\\"), UInt8(ascii: "'"), UInt8(ascii: "\""): bytes.append(e); i += 2
                        case UInt8(ascii: "u"):
                            // \u{hex}
                            var j = i + 3
                            var scalar: UInt32 = 0
                            while j < n && text[j] != UInt8(ascii: "}") {
                                scalar = scalar * 16 + UInt32(hexValue(text[j]) ?? 0)
                                j += 1
                            }
                            bytes += Array(String(Character(Unicode.Scalar(scalar) ?? "?")).utf8)
                            i = j + 1
                        default:
                            guard i + 2 < n, let hi = hexValue(e), let lo = hexValue(text[i + 2]) else {
                                throw ParseError(line: line)
                            }
                            bytes.append(hi << 4 | lo)
                            i += 3
                        }
                    } else {
                        if text[i] == 0x0A { line += 1 }
                        bytes.append(text[i])
                        i += 1
                    }
                }
                i += 1
                stack[stack.count - 1].0.append(.string(bytes))
            default:
                let start = i
                while i < n && !isDelimiter(text[i]) { i += 1 }
                if i == start { i += 1; continue }
                stack[stack.count - 1].0.append(.atom(String(decoding: text[start..<i], as: UTF8.self)))
            }
        }
        guard stack.count == 1 else { throw ParseError(line: line) }
        return stack[0].0
    }

    static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}

/// Where the official test suite is: `../shared` beside the checkout (see
/// testsuite/fetch.sh), or the directory named by `WASMCHECK_TESTSUITE_ROOT` (the
/// folder that holds `wasm-testsuite` and `wasm-testsuite-2.0`).
enum TestSuiteLocation {
    static var root: URL {
        if let path = ProcessInfo.processInfo.environment["WASMCHECK_TESTSUITE_ROOT"] {
            return URL(fileURLWithPath: path)
        }
        let repository = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repository.deletingLastPathComponent().appendingPathComponent("shared")
    }

    static func wastFiles(in directory: String) -> [String] {
        let dir = root.appendingPathComponent(directory)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".wast") }.sorted().map { dir.appendingPathComponent($0).path }
    }
}
