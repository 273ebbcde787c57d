import WasmEngines
import Foundation
import WasmGenerator

/// The JSON record stored beside a finding's module (`<hash>.json` next to
/// `<hash>.wasm`): enough to replay the case exactly (`wasmcheck repro`)
/// and to reduce it (`wasmcheck reduce`).
public struct FindingRecord: Sendable {
    public static let format = "wasmcheck-finding/1"

    public var finding: Finding
    public var engines: [String]
    /// The module file's name, relative to the record.
    public var moduleFile: String
    public var moduleSize: Int
    public var expectation: FuzzCase.Expectation
    public var invalidRule: String?
    public var argumentSeed: UInt64
    public var strictNaNs: Bool
    public var seed: [UInt8]
    public var generator: GeneratorConfig?
    public var transcripts: [String: [String]]
    public var found: String

    public init(finding: Finding, fuzzCase: FuzzCase, report: CaseReport, engines: [String], moduleFile: String,
                generator: GeneratorConfig?) {
        self.finding = finding
        self.engines = engines
        self.moduleFile = moduleFile
        self.moduleSize = fuzzCase.bytes.count
        self.expectation = fuzzCase.expectation
        self.invalidRule = fuzzCase.invalidRule
        self.argumentSeed = fuzzCase.argumentSeed
        self.strictNaNs = fuzzCase.strictNaNs
        self.seed = fuzzCase.seed
        self.generator = generator
        self.transcripts = report.transcripts
        self.found = ISO8601DateFormatter().string(from: Date())
    }

    /// The case the record describes, with `bytes` as its module.
    public func fuzzCase(bytes: [UInt8]) -> FuzzCase {
        FuzzCase(bytes: bytes, expectation: expectation == .invalid ? .invalid : .unknown, invalidRule: invalidRule,
                 argumentSeed: argumentSeed, strictNaNs: strictNaNs, seed: seed)
    }

    public var json: JSON {
        var generatorJSON: JSON = .null
        if let generator, let data = try? JSONEncoder().encode(generator), let text = String(data: data, encoding: .utf8) {
            generatorJSON = (try? JSON(parsing: text)) ?? .null
        }
        return .object([
            ("format", .string(Self.format)),
            ("kind", .string(finding.kind.rawValue)),
            ("signature", .string(finding.signature)),
            ("step", .string(finding.step)),
            ("detail", .string(finding.detail)),
            ("module", .string(moduleFile)),
            ("moduleSize", .int(Int64(moduleSize))),
            ("engines", .array(engines.map(JSON.string))),
            ("outcomes", .object(engines.compactMap { e in finding.outcomes[e].map { (e, .string($0)) } })),
            ("case", .object([
                ("expectation", .string(expectation.rawValue)),
                ("invalidRule", invalidRule.map(JSON.string) ?? .null),
                ("argumentSeed", .string(argumentSeed.hex16)),
                ("strictNaNs", .bool(strictNaNs)),
                ("seed", WireProtocol.base64(seed)),
            ])),
            ("generator", generatorJSON),
            ("transcripts", .object(engines.map { e in (e, .array((transcripts[e] ?? []).map(JSON.string))) })),
            ("found", .string(found)),
        ])
    }

    public struct ReadError: Error, CustomStringConvertible {
        public var description: String
    }

    public init(json: JSON) throws(ReadError) {
        guard json["format"]?.string == Self.format else { throw ReadError(description: "not a \(Self.format) record") }
        guard let kind = json["kind"]?.string.flatMap(Finding.Kind.init(rawValue:)), let signature = json["signature"]?.string,
              let c = json["case"], let seedText = c["argumentSeed"]?.string, let argumentSeed = UInt64(seedText, radix: 16) else {
            throw ReadError(description: "record lacks kind, signature or case")
        }
        var outcomes: [String: String] = [:]
        if case .object(let members)? = json["outcomes"] {
            for (k, v) in members { outcomes[k] = v.string ?? v.compact }
        }
        finding = Finding(kind: kind, signature: signature, step: json["step"]?.string ?? "", detail: json["detail"]?.string ?? "",
                          outcomes: outcomes)
        engines = json["engines"]?.array?.compactMap(\.string) ?? []
        moduleFile = json["module"]?.string ?? ""
        moduleSize = Int(json["moduleSize"]?.int ?? 0)
        expectation = c["expectation"]?.string.flatMap(FuzzCase.Expectation.init(rawValue:)) ?? .unknown
        invalidRule = c["invalidRule"]?.string
        self.argumentSeed = argumentSeed
        strictNaNs = c["strictNaNs"]?.bool ?? false
        seed = WireProtocol.bytes(c["seed"]) ?? []
        if let g = json["generator"], g != .null, let data = g.compact.data(using: .utf8) {
            generator = try? JSONDecoder().decode(GeneratorConfig.self, from: data)
        }
        var transcripts: [String: [String]] = [:]
        if case .object(let members)? = json["transcripts"] {
            for (k, v) in members { transcripts[k] = v.array?.compactMap(\.string) ?? [] }
        }
        self.transcripts = transcripts
        found = json["found"]?.string ?? ""
    }

    /// Reads `path` (a record, or a module whose record sits beside it).
    public static func read(recordFor path: String) -> FindingRecord? {
        let recordPath = path.hasSuffix(".json") ? path : (path as NSString).deletingPathExtension + ".json"
        guard let data = FileManager.default.contents(atPath: recordPath), let text = String(data: data, encoding: .utf8),
              let json = try? JSON(parsing: text) else { return nil }
        return try? FindingRecord(json: json)
    }
}

/// The directory of findings: `<kind>/<hash>.wasm` with `<hash>.json`,
/// written atomically (to a temporary file in the same directory, then
/// renamed), and deduplicated by signature: the first case of a
/// signature is stored, later ones only counted. Signatures already in the
/// directory (from earlier runs) count as known. Jobs share one store.
public final class FindingStore: @unchecked Sendable {
    public let directory: String
    private let lock = NSLock()
    private var counts: [String: Int] = [:]
    private var known: Set<String> = []

    public init(directory: String) {
        self.directory = directory
        let fm = FileManager.default
        for kind in Finding.Kind.allCases.map(\.rawValue) + ["regressions"] {
            let folder = directory + "/" + kind
            for file in (try? fm.contentsOfDirectory(atPath: folder)) ?? [] where file.hasSuffix(".json") {
                if let record = FindingRecord.read(recordFor: folder + "/" + file) { known.insert(record.finding.signature) }
            }
        }
    }

    /// How many findings of each signature this run saw.
    public var signatureCounts: [String: Int] {
        lock.lock()
        defer { lock.unlock() }
        return counts
    }

    /// Records a finding; returns the module's path when it is the first
    /// of its signature (nil for a duplicate).
    public func add(_ finding: Finding, fuzzCase: FuzzCase, report: CaseReport, engines: [String],
                    generator: GeneratorConfig?) throws -> String? {
        lock.lock()
        counts[finding.signature, default: 0] += 1
        let isNew = known.insert(finding.signature).inserted
        lock.unlock()
        guard isNew, claim(finding.signature) else { return nil }
        let folder = directory + "/" + finding.kind.rawValue
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let name = ContentHash.of(fuzzCase.bytes).hex16
        let record = FindingRecord(finding: finding, fuzzCase: fuzzCase, report: report, engines: engines,
                                   moduleFile: name + ".wasm", generator: generator)
        try Self.writeAtomically(Data(fuzzCase.bytes), to: folder + "/" + name + ".wasm")
        try Self.writeAtomically(Data(record.json.pretty.utf8), to: folder + "/" + name + ".json")
        return folder + "/" + name + ".wasm"
    }

    /// Claims a signature for this process: several `wasmcheck fuzz`
    /// processes may share one store (`--jobs` within a process share this
    /// object; processes, even on other machines over a shared file system,
    /// share the directory), and the first to create the signature's marker
    /// (`O_EXCL`) stores the case. A store that cannot make markers stores
    /// anyway: a duplicate is better than a lost finding.
    private func claim(_ signature: String) -> Bool {
        let folder = directory + "/.signatures"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let marker = folder + "/" + ContentHash.of(Array(signature.utf8)).hex16
        let fd = open(marker, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        if fd >= 0 {
            _ = signature.utf8CString.withUnsafeBufferPointer { write(fd, $0.baseAddress, $0.count - 1) }
            close(fd)
            return true
        }
        return errno != EEXIST
    }

    /// Writes to a temporary file beside `path`, then renames it over
    /// `path`: readers see the old file or the whole new one.
    public static func writeAtomically(_ data: Data, to path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temporary = (directory.isEmpty ? "." : directory) + "/.tmp-\(UUID().uuidString)-" + (path as NSString).lastPathComponent
        guard FileManager.default.createFile(atPath: temporary, contents: data) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: temporary])
        }
        guard rename(temporary, path) == 0 else {
            try? FileManager.default.removeItem(atPath: temporary)
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: path])
        }
    }
}
