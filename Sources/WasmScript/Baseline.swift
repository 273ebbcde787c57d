import Foundation
import WasmEngines

/// A stored conformance result of one engine on one suite
/// (`testsuite/baselines/interpreter-wasm-2.0.json`): for every script, how
/// many of its directives passed, and which did not, failed and skipped
/// apart. CI compares each run with it (`wasmcheck wast --baseline`) and
/// fails on a regression: a directive that fails now and is not a listed
/// failure, or a script with fewer passing directives than recorded (a
/// passing directive that is now skipped or no longer runs). Listed
/// failures do not fail the build; those that pass now are improvements,
/// listed so the baseline can be raised (`--update-baseline`).
///
/// Only what did not pass is named: nearly every directive passes, so
/// naming them all made a baseline megabytes of `"pass"` lines that nobody
/// reviews. A count is enough to catch a lost pass, because every directive
/// that passes now and is not a listed failure can only be one that passed
/// before or a new one; if there are fewer of them than the count, some
/// that passed no longer do.
///
/// The file is JSON laid out for review: the header, then one script a
/// line, sorted by name; a script with failures or skips lists their keys
/// sorted by line, one a line, so the diff of an update shows exactly the
/// directives whose outcome changed and the counts that moved. A key is
/// written within its script, `line:directive` (`binary.wast` and
/// `12:assert_malformed` are the key `binary.wast:12:assert_malformed`):
/// the script's name on every line would be most of the file.
///
///     {
///       "schemaVersion": 2,
///       "engine": "interpreter",
///       "suite": "wasm-3.0",
///       "features": "wasm3",
///       "counts": {"pass": 65713, "fail": 1301, "skip": 20},
///       "scripts": {
///         "address.wast": {"pass": 260},
///         "binary.wast": {"pass": 120,
///           "fail": [
///             "12:assert_malformed",
///             "40:assert_malformed"
///           ],
///           "skip": [
///             "50:module"
///           ]},
///         ...
///       }
///     }
///
/// `counts` is the sum over the scripts, for people; reading ignores it.
public struct Baseline: Sendable, Equatable {
    public static let schemaVersion = 2

    /// What a baseline remembers of a directive.
    public enum State: String, Sendable, Codable, Comparable {
        case pass, fail, skip

        public init(_ outcome: Outcome) {
            switch outcome {
            case .passed: self = .pass
            case .failed, .unexpectedPass: self = .fail
            case .skipped, .expectedFailure: self = .skip
            }
        }

        public static func < (a: State, b: State) -> Bool { a.rawValue < b.rawValue }
    }

    /// One directive: the script's suite name, the line the directive starts
    /// on, the directive, and which occurrence of that directive on that line
    /// (1 unless a line holds several).
    public struct Key: Hashable, Sendable, Comparable, CustomStringConvertible {
        public var file: String
        public var line: Int
        public var directive: String
        public var occurrence: Int

        public init(file: String, line: Int, directive: String, occurrence: Int = 1) {
            self.file = file
            self.line = line
            self.directive = directive
            self.occurrence = occurrence
        }

        /// `file:line:directive`, and `#n` for the n-th of several on a line.
        public var description: String { "\(file):" + descriptionWithinScript }

        /// `line:directive`, and `#n`: the key within its script.
        public var descriptionWithinScript: String {
            "\(line):\(directive)" + (occurrence > 1 ? "#\(occurrence)" : "")
        }

        /// Parses `description`; the file name may itself hold colons.
        public init?(parsing text: String) {
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count >= 3, let line = Int(parts[parts.count - 2]), line >= 0 else { return nil }
            var directive = String(parts[parts.count - 1])
            var occurrence = 1
            if let hash = directive.lastIndex(of: "#"), let n = Int(directive[directive.index(after: hash)...]), n > 1 {
                occurrence = n
                directive = String(directive[..<hash])
            }
            let file = parts[..<(parts.count - 2)].joined(separator: ":")
            guard !file.isEmpty, !directive.isEmpty else { return nil }
            self.init(file: file, line: line, directive: directive, occurrence: occurrence)
        }

        public static func < (a: Key, b: Key) -> Bool {
            (a.file, a.line, a.directive, a.occurrence) < (b.file, b.line, b.directive, b.occurrence)
        }
    }

    /// What the baseline records of one script.
    public struct Script: Sendable, Equatable {
        /// How many of its directives passed.
        public var passed: Int
        /// The directives that failed (an expected failure that passed
        /// among them: the skip list must shrink).
        public var failed: Set<Key>
        /// The directives that were skipped, or failed as the skip list
        /// expects.
        public var skipped: Set<Key>

        public init(passed: Int = 0, failed: Set<Key> = [], skipped: Set<Key> = []) {
            self.passed = passed
            self.failed = failed
            self.skipped = skipped
        }

        /// `.fail` or `.skip` for a listed directive; nil for any other,
        /// which passed or is new.
        public func state(of key: Key) -> State? {
            if failed.contains(key) { return .fail }
            if skipped.contains(key) { return .skip }
            return nil
        }

        /// The record of one script's report, its directives keyed under
        /// the script name `name`.
        init(_ file: FileReport, as name: String) {
            self.init()
            for (key, result) in Baseline.entries(of: file, as: name) {
                switch State(result.outcome) {
                case .pass: passed += 1
                case .fail: failed.insert(key)
                case .skip: skipped.insert(key)
                }
            }
        }
    }

    public var engine: String
    public var suite: String
    public var features: String
    /// By the script's name within the suite.
    public var scripts: [String: Script]

    public init(engine: String, suite: String, features: String, scripts: [String: Script] = [:]) {
        self.engine = engine
        self.suite = suite
        self.features = features
        self.scripts = scripts
    }

    /// The baseline of a run.
    public init(run: ConformanceRun) {
        self.init(engine: run.engine, suite: run.suite, features: run.features)
        for file in run.files { scripts[file.name] = Script(file, as: file.name) }
    }

    /// The scripts the baseline knows.
    public var files: Set<String> { Set(scripts.keys) }

    /// What the baseline lists for a directive: `.fail`, `.skip`, or nil
    /// (it passed, or the baseline does not know it).
    public func state(of key: Key) -> State? { scripts[key.file]?.state(of: key) }

    /// The directives of a report with their keys under the script name
    /// `name`. A script that could not be run at all is one failed
    /// directive, `file` at line 0, so that losing a whole script to a
    /// parser error is a regression of that entry and of the script's
    /// passed count.
    static func entries(of file: FileReport, as name: String) -> [(key: Key, entry: DirectiveResult)] {
        var seen: [Key: Int] = [:]
        var entries: [(Key, DirectiveResult)] = []
        if let error = file.error {
            entries.append((Key(file: name, line: 0, directive: "file"), DirectiveResult(line: 0, directive: "file", outcome: .failed(error))))
        }
        for result in file.results {
            var key = Key(file: name, line: result.line, directive: result.directive)
            let n = (seen[key] ?? 0) + 1
            seen[key] = n
            key.occurrence = n
            entries.append((key, result))
        }
        return entries
    }
}

// MARK: File format

extension Baseline {
    /// Directives passed, failed and skipped over all scripts.
    public var counts: [State: Int] {
        var counts: [State: Int] = [.pass: 0, .fail: 0, .skip: 0]
        for script in scripts.values {
            counts[.pass, default: 0] += script.passed
            counts[.fail, default: 0] += script.failed.count
            counts[.skip, default: 0] += script.skipped.count
        }
        return counts
    }

    /// The file's text: one script a line, sorted by name; the keys of its
    /// failures and skips sorted by line, one a line.
    public func encoded() -> String {
        let c = counts
        var text = "{\n"
        text += "  \"schemaVersion\": \(Self.schemaVersion),\n"
        text += "  \"engine\": \(jsonString(engine)),\n"
        text += "  \"suite\": \(jsonString(suite)),\n"
        text += "  \"features\": \(jsonString(features)),\n"
        text += "  \"counts\": {\"pass\": \(c[.pass] ?? 0), \"fail\": \(c[.fail] ?? 0), \"skip\": \(c[.skip] ?? 0)},\n"
        text += "  \"scripts\": {"
        let names = scripts.keys.sorted()
        for (i, name) in names.enumerated() {
            guard let script = scripts[name] else { continue }
            text += i == 0 ? "\n" : ",\n"
            text += "    \(jsonString(name)): {\"pass\": \(script.passed)"
            for (label, keys) in [("fail", script.failed), ("skip", script.skipped)] where !keys.isEmpty {
                text += ",\n      \"\(label)\": ["
                for (j, key) in keys.sorted().enumerated() {
                    text += (j == 0 ? "\n" : ",\n") + "        " + jsonString(key.descriptionWithinScript)
                }
                text += "\n      ]"
            }
            text += "}"
        }
        text += names.isEmpty ? "}\n}\n" : "\n  }\n}\n"
        return text
    }

    private struct Header: Decodable {
        var schemaVersion: Int
    }

    private struct FileFormat: Decodable {
        struct Script: Decodable {
            var pass: Int
            var fail: [String]?
            var skip: [String]?
        }

        var engine: String
        var suite: String
        var features: String
        var scripts: [String: Script]
    }

    public init(jsonData data: Data, path: String? = nil) throws(ReportError) {
        let version: Int
        do {
            version = try JSONDecoder().decode(Header.self, from: data).schemaVersion
        } catch {
            throw ReportError(path: path, "not a baseline: \(error)")
        }
        guard version <= Self.schemaVersion else {
            throw ReportError(path: path, "baseline schema version \(version) is newer than this wasmcheck reads (\(Self.schemaVersion))")
        }
        guard version == Self.schemaVersion else {
            throw ReportError(path: path, "baseline schema version \(version) is no longer read (now \(Self.schemaVersion)); delete the file and create it again with --update-baseline")
        }
        let file: FileFormat
        do {
            file = try JSONDecoder().decode(FileFormat.self, from: data)
        } catch {
            throw ReportError(path: path, "not a baseline: \(error)")
        }
        var scripts: [String: Script] = [:]
        scripts.reserveCapacity(file.scripts.count)
        for (name, stored) in file.scripts {
            guard stored.pass >= 0 else { throw ReportError(path: path, "\(name): a negative pass count") }
            var script = Script(passed: stored.pass)
            script.failed = try Self.keys(stored.fail ?? [], of: name, path: path)
            script.skipped = try Self.keys(stored.skip ?? [], of: name, path: path)
            if let both = script.failed.intersection(script.skipped).min() {
                throw ReportError(path: path, "\(both) is listed as failed and as skipped")
            }
            scripts[name] = script
        }
        self.init(engine: file.engine, suite: file.suite, features: file.features, scripts: scripts)
    }

    /// The keys listed, as `line:directive`, under the script `name`.
    private static func keys(_ texts: [String], of name: String, path: String?) throws(ReportError) -> Set<Key> {
        var keys = Set<Key>()
        keys.reserveCapacity(texts.count)
        for text in texts {
            guard let key = Key(parsing: name + ":" + text), key.file == name else {
                throw ReportError(path: path, "\(name): not a line:directive key: \(text)")
            }
            guard keys.insert(key).inserted else { throw ReportError(path: path, "\(name): \(text) is listed twice") }
        }
        return keys
    }

    public init(contentsOf path: String) throws(ReportError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError(path: path, "cannot read baseline") }
        try self.init(jsonData: data, path: path)
    }

    /// Writes the baseline atomically.
    public func write(to path: String) throws(ReportError) {
        try AtomicFile.write(encoded(), to: path)
    }
}

/// A JSON string literal (the one JSON writer, `WasmEngines.JSON`).
func jsonString(_ s: String) -> String { JSON.string(s).compact }
