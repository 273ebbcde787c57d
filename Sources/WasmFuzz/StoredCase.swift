import WasmEngines
import Foundation
import WasmBinary
import WasmSyntax
import WasmValidation

/// A module on disk with its finding record, if it has one: the input of
/// `wasmcheck repro` and `wasmcheck reduce`.
public struct StoredCase {
    public var path: String
    public var bytes: [UInt8]
    public var record: FindingRecord?

    public struct LoadError: Error, CustomStringConvertible {
        public var description: String
    }

    /// Loads a `.wasm` (and the `.json` beside it) or a `.json` record
    /// (and the module it names).
    public init(path: String) throws(LoadError) {
        var modulePath = path
        var record: FindingRecord?
        if path.hasSuffix(".json") {
            guard let r = FindingRecord.read(recordFor: path) else { throw LoadError(description: "\(path): not a finding record") }
            record = r
            modulePath = ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(r.moduleFile)
        } else {
            record = FindingRecord.read(recordFor: path)
        }
        guard let data = FileManager.default.contents(atPath: modulePath) else { throw LoadError(description: "\(modulePath): cannot read") }
        self.path = modulePath
        self.bytes = [UInt8](data)
        self.record = record
    }

    /// Every stored case under `path` (a file, or a directory searched
    /// recursively for `.wasm` files), in path order.
    public static func all(under path: String) throws(LoadError) -> [StoredCase] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw LoadError(description: "\(path): no such file") }
        guard isDirectory.boolValue else { return [try StoredCase(path: path)] }
        var cases: [StoredCase] = []
        let files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? []).sorted()
        for file in files where file.hasSuffix(".wasm") && !(file as NSString).lastPathComponent.hasPrefix(".") {
            cases.append(try StoredCase(path: (path as NSString).appendingPathComponent(file)))
        }
        return cases
    }

    /// The case to run: the record's argument seed and NaN mode, or ones
    /// derived from the bytes.
    public func fuzzCase(bytes: [UInt8]? = nil) -> FuzzCase {
        let b = bytes ?? self.bytes
        if let record { return record.fuzzCase(bytes: b) }
        return FuzzCase(bytes: b, argumentSeed: ContentHash.of(self.bytes))
    }
}

/// Replays cases through the oracle.
public enum Reproduction {
    /// Whether `bytes`, run like `template`, still gives a finding of
    /// `signature` (any finding when nil).
    public static func predicate(oracle: DifferentialOracle, template: FuzzCase, signature: String?) -> Reducer.Predicate {
        { bytes in
            var c = template
            c.bytes = bytes
            c.module = try? decodeModule(bytes)
            guard let finding = oracle.run(c).verdict.finding else { return false }
            return signature.map { finding.signature == $0 } ?? true
        }
    }

    /// The features to validate reduction candidates with: all, when the
    /// module is valid (a run divergence); nil for a validation finding.
    public static func validationFeatures(for bytes: [UInt8]) -> Features? {
        guard let module = try? decodeModule(bytes) else { return nil }
        do {
            try validateModule(module, features: .all)
            return .all
        } catch {
            return nil
        }
    }
}
