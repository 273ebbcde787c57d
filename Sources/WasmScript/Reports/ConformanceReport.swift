import Foundation

/// The machine-readable result of one or more conformance runs: what
/// `wasmcheck wast --json` writes and `wasmcheck merge-reports` reads and
/// combines. One run is one engine on one suite with one feature set
/// (possibly only a shard of it); a merged report holds a run per engine and
/// suite, which the HTML page shows side by side.
///
///     {"schemaVersion": 1, "generator": "wasmcheck",
///      "runs": [{"engine": "interpreter", "suite": "wasm-2.0", "features": "wasm2",
///                "shards": ["1/2"], "started": "2025-...Z", "seconds": 5.6,
///                "counts": {...}, "groups": [{"id": "simd", "title": "SIMD", "counts": {...}}],
///                "files": [FileReport...]}]}
///
/// `counts` and `groups` are derived from `files` and written for readers;
/// reading ignores them.
public struct ConformanceReport: Sendable, Equatable {
    /// The version of this JSON layout. Readers refuse newer versions.
    public static let schemaVersion = 1

    public var runs: [ConformanceRun]

    public init(runs: [ConformanceRun]) {
        self.runs = runs
    }
}

/// One engine on one suite (or a shard of it).
public struct ConformanceRun: Sendable, Equatable {
    /// The execution tier (`interpreter`).
    public var engine: String
    /// A label of the suite (`wasm-2.0`), by default its folder's name.
    public var suite: String
    /// The WebAssembly feature set the run enabled (`--features`).
    public var features: String
    /// The shards this run covers (`1/4`); empty for a whole run.
    public var shards: [String]
    /// When the run started (ISO 8601), if known.
    public var started: String?
    /// Run time; for merged shards, the sum of their run times.
    public var seconds: Double
    public var files: [FileReport]

    public init(engine: String, suite: String, features: String, shards: [String] = [], started: String? = nil, seconds: Double = 0, files: [FileReport]) {
        self.engine = engine
        self.suite = suite
        self.features = features
        self.shards = shards
        self.started = started
        self.seconds = seconds
        self.files = files
    }

    /// What identifies the run when reports are merged: shards of the same
    /// key are one run.
    public var key: String { "\(engine) \(suite) \(features)" }

    public var counts: Counts { files.reduce(Counts()) { $0 + $1.counts } }

    /// Directive counts per feature group, in group order.
    public var groupCounts: [(group: FeatureGroup, counts: Counts)] {
        var byGroup: [FeatureGroup: Counts] = [:]
        for file in files { byGroup[file.group, default: Counts()] = byGroup[file.group, default: Counts()] + file.counts }
        return byGroup.keys.sorted().map { ($0, byGroup[$0] ?? Counts()) }
    }
}

// MARK: Combining

extension ConformanceReport {
    /// Combines reports: runs with the same engine, suite and features (the
    /// shards of one run) become one run with the union of their files;
    /// other runs are kept side by side. A script that two shards of a run
    /// both report is an error: the shards overlap.
    public static func merging(_ reports: [ConformanceReport]) throws(ReportError) -> ConformanceReport {
        var order: [String] = []
        var merged: [String: ConformanceRun] = [:]
        var seen: [String: Set<String>] = [:]
        for run in reports.flatMap(\.runs) {
            let key = run.key
            guard var into = merged[key] else {
                order.append(key)
                merged[key] = run
                seen[key] = Set(run.files.map(\.name))
                continue
            }
            var names = seen[key] ?? []
            for file in run.files {
                guard names.insert(file.name).inserted else {
                    throw ReportError("\(file.name) is in more than one report of \(key): do the shards overlap?")
                }
                into.files.append(file)
            }
            seen[key] = names
            into.shards = Array(Set(into.shards + run.shards)).sorted(by: Self.shardOrder)
            into.seconds += run.seconds
            if let a = into.started, let b = run.started { into.started = min(a, b) } else { into.started = into.started ?? run.started }
            merged[key] = into
        }
        return ConformanceReport(runs: order.compactMap { key in
            guard var run = merged[key] else { return nil }
            run.files.sort { ($0.name, $0.path) < ($1.name, $1.path) }
            return run
        })
    }

    /// `2/10` before `10/10`.
    private static func shardOrder(_ a: String, _ b: String) -> Bool {
        switch (Shard(parsing: a), Shard(parsing: b)) {
        case let (x?, y?): return (x.count, x.index) < (y.count, y.index)
        default: return a < b
        }
    }
}

// MARK: JSON

extension ConformanceReport: Codable {
    enum CodingKeys: String, CodingKey { case schemaVersion, generator, runs }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decode(Int.self, forKey: .schemaVersion)
        guard version <= Self.schemaVersion else {
            throw DecodingError.dataCorruptedError(forKey: .schemaVersion, in: c,
                debugDescription: "schema version \(version) is newer than this wasmcheck reads (\(Self.schemaVersion))")
        }
        self.init(runs: try c.decode([ConformanceRun].self, forKey: .runs))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.schemaVersion, forKey: .schemaVersion)
        try c.encode("wasmcheck", forKey: .generator)
        try c.encode(runs, forKey: .runs)
    }

    /// The JSON text of the report.
    public func jsonData() throws(ReportError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        do { return try encoder.encode(self) } catch { throw ReportError("cannot encode the report: \(error)") }
    }

    public init(jsonData data: Data, path: String? = nil) throws(ReportError) {
        do {
            self = try JSONDecoder().decode(ConformanceReport.self, from: data)
        } catch let DecodingError.dataCorrupted(context) {
            throw ReportError(path: path, "not a conformance report: \(context.debugDescription)")
        } catch {
            throw ReportError(path: path, "not a conformance report: \(error)")
        }
    }

    public init(contentsOf path: String) throws(ReportError) {
        guard let data = FileManager.default.contents(atPath: path) else { throw ReportError(path: path, "cannot read file") }
        try self.init(jsonData: data, path: path)
    }

    /// Writes the JSON report atomically.
    public func write(to path: String) throws(ReportError) {
        try AtomicFile.write(try jsonData(), to: path)
    }
}

extension ConformanceRun: Codable {
    enum CodingKeys: String, CodingKey {
        case engine, suite, features, shards, started, seconds, counts, groups, files
    }

    struct GroupSummary: Codable {
        var id: String
        var title: String
        var counts: Counts
        var passRate: Double
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(engine: try c.decode(String.self, forKey: .engine),
                  suite: try c.decode(String.self, forKey: .suite),
                  features: try c.decode(String.self, forKey: .features),
                  shards: try c.decodeIfPresent([String].self, forKey: .shards) ?? [],
                  started: try c.decodeIfPresent(String.self, forKey: .started),
                  seconds: try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0,
                  files: try c.decode([FileReport].self, forKey: .files))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(engine, forKey: .engine)
        try c.encode(suite, forKey: .suite)
        try c.encode(features, forKey: .features)
        try c.encode(shards, forKey: .shards)
        try c.encodeIfPresent(started, forKey: .started)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(counts, forKey: .counts)
        try c.encode(groupCounts.map { GroupSummary(id: $0.group.id, title: $0.group.title, counts: $0.counts, passRate: $0.counts.passRate) }, forKey: .groups)
        try c.encode(files, forKey: .files)
    }
}
