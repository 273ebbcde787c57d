import Foundation
import WasmText

/// The official test suite beside the project checkout (`../shared`), found
/// from this file's path so that tests run from any working directory.
enum TestSuite {
    static let projectRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let shared = projectRoot.deletingLastPathComponent().appendingPathComponent("shared")
    static let core3 = shared.appendingPathComponent("wasm-testsuite")
    static let core2 = shared.appendingPathComponent("wasm-testsuite-2.0")

    /// Every `.wast` under the directory (recursively), sorted; empty when
    /// the directory is absent.
    static func scripts(in directory: URL) -> [URL] {
        guard let e = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: nil) else { return [] }
        var out: [URL] = []
        for case let url as URL in e where url.pathExtension == "wast" { out.append(url) }
        return out.sorted { $0.path < $1.path }
    }

    static var allScripts: [URL] { scripts(in: core3) + scripts(in: core2) }

    static func relativePath(_ url: URL) -> String {
        String(url.path.dropFirst(shared.path.count + 1))
    }

    /// Every script, parsed once for all the tests that need them.
    static let parsedScripts: [(path: String, result: Result<Script, TextError>)] = allScripts.map { url in
        let bytes = (try? [UInt8](Data(contentsOf: url))) ?? []
        do throws(TextError) {
            return (relativePath(url), .success(try parseScript(utf8: bytes, fileName: url.lastPathComponent)))
        } catch {
            return (relativePath(url), .failure(error))
        }
    }
}
