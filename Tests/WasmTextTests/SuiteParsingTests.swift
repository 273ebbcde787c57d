import Foundation
import Testing
import WasmSyntax
import WasmText

/// Every script of the official suite parses, and every quoted module
/// behaves as its command expects.
@Suite struct SuiteParsingTests {
    @Test func everyScriptParses() throws {
        let files = TestSuite.allScripts
        try #require(!files.isEmpty || !FileManager.default.fileExists(atPath: TestSuite.core3.path))
        var failures: [String] = []
        for url in files {
            let bytes = try [UInt8](Data(contentsOf: url))
            do {
                _ = try parseScript(utf8: bytes, fileName: url.lastPathComponent)
            } catch {
                failures.append("\(TestSuite.relativePath(url)):\(error)")
            }
        }
        #expect(failures.isEmpty, "\(failures.count) scripts failed:\n\(failures.joined(separator: "\n"))")
    }
}
