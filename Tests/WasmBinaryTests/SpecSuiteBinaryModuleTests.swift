import Foundation
import Testing
import WasmBinary
import WasmSyntax

/// Every `(module binary ...)` of the official suite: plain modules (and
/// those of assert_invalid, assert_trap, ...) must decode, with every body
/// decodable instruction by instruction and an exact encode/decode round
/// trip; assert_malformed modules must fail with the suite's message.
@Suite struct SpecSuiteBinaryModuleTests {
    struct SuiteDirectory: CustomStringConvertible, Sendable {
        var path: String
        var features: Features
        var description: String { path }
    }

    static let directories: [SuiteDirectory] = [
        SuiteDirectory(path: "wasm-testsuite-2.0", features: .wasm2),
        SuiteDirectory(path: "wasm-testsuite", features: .wasm3),
        SuiteDirectory(path: "wasm-testsuite/proposals/wide-arithmetic", features: Features.wasm3.union(.wideArithmetic)),
        SuiteDirectory(path: "wasm-testsuite/proposals/custom-page-sizes", features: Features.wasm3.union(.customPageSizes)),
    ]

    @Test(arguments: directories)
    func binaryModulesDecodeAsTheSuiteExpects(_ directory: SuiteDirectory) throws {
        let files = TestSuiteLocation.wastFiles(in: directory.path)
        #expect(!files.isEmpty, "no .wast files in \(TestSuiteLocation.root.path)/\(directory.path)")
        var failures: [String] = []
        var checked = 0
        for file in files {
            for testCase in try WastBinaryExtractor.cases(inFile: file) {
                checked += 1
                if let failure = Self.check(testCase, features: directory.features) {
                    failures.append("\(testCase.file):\(testCase.line): \(failure)")
                }
            }
        }
        #expect(checked > 0)
        print("\(directory.path): \(checked) binary modules checked, \(failures.count) failed")
        #expect(failures.isEmpty, "\(failures.count) of \(checked) failed:\n\(failures.joined(separator: "\n"))")
    }

    /// nil when the case behaves as expected, otherwise what went wrong.
    static func check(_ testCase: WastBinaryCase, features: Features) -> String? {
        switch testCase.expectation {
        case .malformed(let message):
            do {
                _ = try decodeModule(testCase.bytes, features: features)
                return "decoded, expected malformed \"\(message)\""
            } catch {
                return error.message.hasPrefix(message) ? nil : "got \"\(error.message)\", expected \"\(message)\""
            }
        case .decodes(let command):
            let module: Module
            do {
                module = try decodeModule(testCase.bytes, features: features)
            } catch {
                return "\(command): \(error)"
            }
            for (i, function) in module.functions.enumerated() {
                do {
                    let instructions = try decodeInstructions(function.body, features: features)
                    guard instructions.last?.opcode == .end else { return "function \(i) does not end with end" }
                } catch {
                    return "\(command): function \(i): \(error)"
                }
            }
            let encoded = encodeModule(module)
            do {
                let again = try decodeModule(encoded, features: features)
                guard again == module else { return "\(command): decode(encode(m)) != m" }
                guard encodeModule(again) == encoded else { return "\(command): re-encoding differs" }
            } catch {
                return "\(command): re-decoding failed: \(error)"
            }
            return nil
        }
    }
}
