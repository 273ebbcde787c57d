import Foundation

/// JSON forms of the runner's results (the `files` of a `ConformanceReport`).
///
///     {"line": 104, "directive": "assert_return", "outcome": "fail", "reason": "wrong result",
///      "expected": "(i32.const 3)", "actual": "(i32.const 4)", "seconds": 0.00012}
///
/// `outcome` is one of `pass`, `fail`, `skip`, `xfail` (an expected failure
/// that failed), `xpass` (an expected failure that passed: a failure).
extension Outcome {
    /// The short word of the outcome in JSON reports.
    public var word: String {
        switch self {
        case .passed: return "pass"
        case .failed: return "fail"
        case .skipped: return "skip"
        case .expectedFailure: return "xfail"
        case .unexpectedPass: return "xpass"
        }
    }

    /// Why the directive failed or was skipped; nil when it passed.
    public var reason: String? {
        switch self {
        case .passed: return nil
        case .failed(let why), .skipped(let why), .expectedFailure(let why), .unexpectedPass(let why): return why
        }
    }

    init?(word: String, reason: String?) {
        let why = reason ?? ""
        switch word {
        case "pass": self = .passed
        case "fail": self = .failed(why)
        case "skip": self = .skipped(why)
        case "xfail": self = .expectedFailure(why)
        case "xpass": self = .unexpectedPass(why)
        default: return nil
        }
    }
}

extension DirectiveResult: Codable {
    enum CodingKeys: String, CodingKey {
        case line, directive, outcome, reason, expected, actual, seconds
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let word = try c.decode(String.self, forKey: .outcome)
        guard let outcome = Outcome(word: word, reason: try c.decodeIfPresent(String.self, forKey: .reason)) else {
            throw DecodingError.dataCorruptedError(forKey: .outcome, in: c, debugDescription: "unknown outcome \(word)")
        }
        self.init(line: try c.decode(Int.self, forKey: .line),
                  directive: try c.decode(String.self, forKey: .directive),
                  outcome: outcome,
                  expected: try c.decodeIfPresent(String.self, forKey: .expected),
                  actual: try c.decodeIfPresent(String.self, forKey: .actual),
                  seconds: try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(line, forKey: .line)
        try c.encode(directive, forKey: .directive)
        try c.encode(outcome.word, forKey: .outcome)
        try c.encodeIfPresent(outcome.reason, forKey: .reason)
        try c.encodeIfPresent(expected, forKey: .expected)
        try c.encodeIfPresent(actual, forKey: .actual)
        try c.encode(seconds, forKey: .seconds)
    }
}

extension Counts: Codable {
    enum CodingKeys: String, CodingKey { case passed, failed, skipped }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init()
        passed = try c.decode(Int.self, forKey: .passed)
        failed = try c.decode(Int.self, forKey: .failed)
        skipped = try c.decode(Int.self, forKey: .skipped)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(passed, forKey: .passed)
        try c.encode(failed, forKey: .failed)
        try c.encode(skipped, forKey: .skipped)
    }

    /// The share of run directives (passed + failed) that passed, in
    /// percent; 100 when nothing ran.
    public var passRate: Double {
        let run = passed + failed
        return run == 0 ? 100 : Double(passed) * 100 / Double(run)
    }
}

/// `group` and `counts` are written for readers (jq, dashboards); they are
/// derived, so reading ignores them.
extension FileReport: Codable {
    enum CodingKeys: String, CodingKey {
        case path, name, group, counts, error, seconds, results
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(path: try c.decode(String.self, forKey: .path),
                  results: try c.decode([DirectiveResult].self, forKey: .results),
                  error: try c.decodeIfPresent(String.self, forKey: .error),
                  seconds: try c.decodeIfPresent(Double.self, forKey: .seconds) ?? 0,
                  name: try c.decodeIfPresent(String.self, forKey: .name))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(path, forKey: .path)
        try c.encode(name, forKey: .name)
        try c.encode(group.id, forKey: .group)
        try c.encode(counts, forKey: .counts)
        try c.encodeIfPresent(error, forKey: .error)
        try c.encode(seconds, forKey: .seconds)
        try c.encode(results, forKey: .results)
    }
}
