import Foundation
import Testing
import WasmEngines
@testable import WasmFuzz

@Suite("Stored findings")
struct FindingStoreTests {
    func finding(_ signature: String) -> Finding {
        Finding(kind: .result, signature: signature, step: "call f", detail: "1 vs 2", outcomes: ["a": "returned [i32:1]", "b": "returned [i32:2]"])
    }

    @Test func storesOnePerSignatureWithARecord() throws {
        let directory = scratchDirectory()
        let store = FindingStore(directory: directory)
        let c = try textCase("(module (func (export \"f\") (result i32) (i32.const 1)))", seed: 0xABCD)
        let report = CaseReport(verdict: .agreed, transcripts: ["a": ["compile: compiled"], "b": ["compile: compiled"]], calls: 1)
        let path = try #require(try store.add(finding("result|x"), fuzzCase: c, report: report, engines: ["a", "b"], generator: nil))
        #expect(path.hasPrefix(directory + "/result/"))
        #expect(FileManager.default.contents(atPath: path).map { [UInt8]($0) } == c.bytes)
        #expect(try store.add(finding("result|x"), fuzzCase: c, report: report, engines: ["a", "b"], generator: nil) == nil)
        #expect(store.signatureCounts["result|x"] == 2)
        // No temporary files are left behind.
        let files = try FileManager.default.contentsOfDirectory(atPath: directory + "/result")
        #expect(files.sorted() == [(path as NSString).lastPathComponent.replacingOccurrences(of: ".wasm", with: ".json"),
                                   (path as NSString).lastPathComponent].sorted())

        let stored = try StoredCase(path: path)
        let record = try #require(stored.record)
        #expect(record.finding.signature == "result|x")
        #expect(record.engines == ["a", "b"])
        #expect(record.argumentSeed == 0xABCD)
        #expect(record.transcripts["b"] == ["compile: compiled"])
        #expect(stored.fuzzCase().argumentSeed == 0xABCD)

        // A new store over the same directory knows the signature already.
        let again = FindingStore(directory: directory)
        #expect(try again.add(finding("result|x"), fuzzCase: c, report: report, engines: ["a", "b"], generator: nil) == nil)
        #expect(try again.add(finding("result|y"), fuzzCase: c, report: report, engines: ["a", "b"], generator: nil) != nil)
    }

    /// Two processes on one directory (each with its own store, made
    /// before either found anything) store a signature once.
    @Test func storesSharingADirectoryStoreASignatureOnce() throws {
        let directory = scratchDirectory()
        let first = FindingStore(directory: directory), second = FindingStore(directory: directory)
        let c = try textCase("(module (func (export \"f\") (result i32) (i32.const 1)))")
        let other = try textCase("(module (func (export \"f\") (result i32) (i32.const 2)))")
        let report = CaseReport(verdict: .agreed, transcripts: [:], calls: 1)
        #expect(try first.add(finding("result|shared"), fuzzCase: c, report: report, engines: ["a", "b"], generator: nil) != nil)
        #expect(try second.add(finding("result|shared"), fuzzCase: other, report: report, engines: ["a", "b"], generator: nil) == nil)
        #expect(try second.add(finding("result|second"), fuzzCase: other, report: report, engines: ["a", "b"], generator: nil) != nil)
        let stored = try FileManager.default.contentsOfDirectory(atPath: directory + "/result").filter { $0.hasSuffix(".wasm") }
        #expect(stored.count == 2)
    }
}
