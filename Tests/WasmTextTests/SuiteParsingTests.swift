import Foundation
import Testing
import WasmSyntax
import WasmText

/// Every script of the official suite parses, and every quoted module
/// behaves as its command expects.
@Suite struct SuiteParsingTests {
    static var scripts: [(path: String, result: Result<Script, TextError>)] { TestSuite.parsedScripts }

    /// Messages this parser reports differently from the 2.0 suite, where
    /// 3.0 changed the syntax or the message (3.0 wins).
    static func isKnownDifference(_ path: String, expected: String) -> Bool {
        // 3.0 reads memory offsets and limits as 64-bit numbers, and says
        // "i8 constant out of range" for a lane index over 255.
        if path.hasPrefix("wasm-testsuite-2.0/") && (expected == "i32 constant" || expected == "i32 constant out of range"
            || expected == "malformed lane index") { return true }
        // The threads proposal predates 64-bit limits.
        if path.hasPrefix("wasm-testsuite/proposals/threads/") && expected == "i32 constant out of range" { return true }
        return false
    }

    @Test func everyScriptParses() throws {
        try #require(!Self.scripts.isEmpty || !FileManager.default.fileExists(atPath: TestSuite.core3.path))
        let failures = Self.scripts.compactMap { entry -> String? in
            if case .failure(let e) = entry.result { return "\(entry.path):\(e)" }
            return nil
        }
        #expect(failures.isEmpty, "\(failures.count) scripts failed:\n\(failures.joined(separator: "\n"))")
    }

    /// `assert_malformed (module quote ...)` fails with the suite's message
    /// (a prefix, as the reference interpreter compares), and every other
    /// quoted module parses.
    @Test func quotedModulesMatchTheirAssertions() throws {
        var failures: [String] = []
        for case let (path, .success(script)) in Self.scripts {
            for command in script.commands {
                let where_ = "\(path):\(command.line)"
                switch command.kind {
                case .assertMalformed(let m, let expected), .assertMalformedCustom(let m, let expected):
                    guard case .quote(let text) = m.source else { continue }
                    do {
                        _ = try parseModule(utf8: text)
                        if !Self.isKnownDifference(path, expected: expected) {
                            failures.append("\(where_): parsed, expected \"\(expected)\"")
                        }
                    } catch where error.isUnsupported {
                        continue
                    } catch {
                        if !error.message.hasPrefix(expected) && !Self.isKnownDifference(path, expected: expected) {
                            failures.append("\(where_): \"\(error.message)\", expected \"\(expected)\"")
                        }
                    }
                case .module(let m), .assertInvalid(let m, _), .assertUnlinkable(let m, _),
                     .assertUninstantiable(let m, _), .assertModuleTrap(let m, _), .assertInvalidCustom(let m, _):
                    guard case .quote(let text) = m.source else { continue }
                    do {
                        _ = try parseModule(utf8: text)
                    } catch where error.isUnsupported {
                        continue
                    } catch {
                        failures.append("\(where_): \(error)")
                    }
                default:
                    continue
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.count) quoted modules:\n\(failures.joined(separator: "\n"))")
    }

    /// Only the custom-descriptors proposal uses syntax the AST cannot hold.
    @Test func onlyCustomDescriptorsAreUnsupported() {
        var unsupported: Set<String> = []
        for case let (path, .success(script)) in Self.scripts {
            for command in script.commands {
                if case .module(let m) = command.kind, case .unsupported = m.source { unsupported.insert(path) }
                if case .assertInvalid(let m, _) = command.kind, case .unsupported = m.source { unsupported.insert(path) }
            }
        }
        #expect(unsupported.allSatisfy { $0.hasPrefix("wasm-testsuite/proposals/custom-descriptors/") }, "\(unsupported.sorted())")
    }
}
