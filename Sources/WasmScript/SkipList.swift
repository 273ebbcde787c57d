import Foundation

/// The conformance skip list (`testsuite/skiplist.txt`): which files or
/// directives are not run, and which are expected to fail, each with its
/// reason. An expected failure that passes is reported, so the list only
/// shrinks.
///
/// Format, one entry a line (`#` starts a comment):
///
///     skip  PATH[:LINE]  REASON
///     xfail PATH:LINE    REASON
///
/// PATH matches a script by suffix (`simd_lane.wast`, `proposals/threads/`);
/// a PATH ending in `/` matches every script under that folder.
public struct SkipList: Sendable {
    public enum Action: String, Sendable { case skip, xfail }

    public struct Entry: Sendable, Hashable {
        public var action: Action
        public var path: String
        public var line: Int?
        public var reason: String
    }

    public var entries: [Entry]

    public init(entries: [Entry] = []) { self.entries = entries }

    public struct ParseError: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "skip list line \(line): \(message)" }
    }

    public init(contentsOf url: URL) throws {
        try self.init(parsing: String(contentsOf: url, encoding: .utf8))
    }

    public init(parsing text: String) throws(ParseError) {
        var entries: [Entry] = []
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? ""
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" })
            if words.isEmpty { continue }
            guard words.count >= 3, let action = Action(rawValue: String(words[0])) else {
                throw ParseError(line: index + 1, message: "expected `skip|xfail PATH[:LINE] REASON`")
            }
            var path = String(words[1])
            var lineNumber: Int?
            if let colon = path.lastIndex(of: ":"), let n = Int(path[path.index(after: colon)...]) {
                lineNumber = n
                path = String(path[..<colon])
            }
            if action == .xfail && lineNumber == nil {
                throw ParseError(line: index + 1, message: "an xfail entry names one directive (PATH:LINE)")
            }
            entries.append(Entry(action: action, path: path, line: lineNumber, reason: words[2...].joined(separator: " ")))
        }
        self.entries = entries
    }

    /// The entry that applies to a whole file, if any.
    public func fileEntry(for path: String) -> Entry? {
        entries.first { $0.line == nil && matches($0.path, path) }
    }

    /// The entry that applies to the directive at `line` of a file, if any.
    public func directiveEntry(for path: String, line: Int) -> Entry? {
        entries.first { $0.line == line && matches($0.path, path) }
    }

    private func matches(_ pattern: String, _ path: String) -> Bool {
        if pattern.hasSuffix("/") { return path.contains("/" + pattern) || path.hasPrefix(pattern) }
        return path == pattern || path.hasSuffix("/" + pattern)
    }
}
