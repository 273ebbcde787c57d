import Foundation

/// What happened to one directive of a script.
public enum Outcome: Hashable, Sendable {
    case passed
    case failed(String)
    case skipped(String)
    /// Listed as an expected failure, and failed.
    case expectedFailure(String)
    /// Listed as an expected failure, but passed: the skip list must shrink.
    case unexpectedPass(String)

    public var isFailure: Bool {
        switch self {
        case .failed, .unexpectedPass: return true
        case .passed, .skipped, .expectedFailure: return false
        }
    }
}

/// The result of one directive (`module`, `assert_return`, ...).
public struct DirectiveResult: Hashable, Sendable {
    public var line: Int
    public var directive: String
    public var outcome: Outcome
    /// What the script expected and what the engine did, for failures.
    public var expected: String?
    public var actual: String?
    public var seconds: Double

    public init(line: Int, directive: String, outcome: Outcome, expected: String? = nil, actual: String? = nil, seconds: Double = 0) {
        self.line = line
        self.directive = directive
        self.outcome = outcome
        self.expected = expected
        self.actual = actual
        self.seconds = seconds
    }
}

/// The results of one script file.
public struct FileReport: Hashable, Sendable {
    public var path: String
    /// The script's name within its suite (`legacy/throw.wast` for
    /// `testsuite/official/wasm-3.0/legacy/throw.wast`): what baselines and
    /// reports key on, so they do not depend on where the suite lives.
    /// The path itself when the runner was given no suite root.
    public var name: String
    public var results: [DirectiveResult]
    /// Set when the file could not be run at all (unreadable, text error).
    public var error: String?
    public var seconds: Double
    /// Calls of the `spectest` print functions that the runner answered
    /// (0 for an engine that uses its own `spectest`): each crossed the
    /// pipe for an engine in another process.
    public var hostCalls = 0

    public init(path: String, results: [DirectiveResult] = [], error: String? = nil, seconds: Double = 0, name: String? = nil) {
        self.path = path
        self.name = name ?? path
        self.results = results
        self.error = error
        self.seconds = seconds
    }

    public var counts: Counts {
        var c = Counts()
        if error != nil { c.failed += 1 }
        for r in results { c.add(r.outcome) }
        return c
    }
}

/// Directive counts. Expected failures count as skipped (they are listed
/// with a reason); unexpected passes count as failed (the list must shrink).
public struct Counts: Hashable, Sendable {
    public var passed = 0
    public var failed = 0
    public var skipped = 0

    public init() {}

    public mutating func add(_ outcome: Outcome) {
        switch outcome {
        case .passed: passed += 1
        case .failed, .unexpectedPass: failed += 1
        case .skipped, .expectedFailure: skipped += 1
        }
    }

    public static func + (a: Counts, b: Counts) -> Counts {
        var c = a
        c.passed += b.passed
        c.failed += b.failed
        c.skipped += b.skipped
        return c
    }

    public var total: Int { passed + failed + skipped }
}
