/// Source text split into tokens, with what the parser needs to read them:
/// the matching parenthesis of every `(`, string decoding, and positions.
final class LexedText {
    let source: [UInt8]
    let tokens: [Token]
    /// For each `(` token, the index of its matching `)` (or of `eof` /
    /// the error token when unbalanced); -1 for other tokens.
    let matching: [Int32]
    let error: (message: String, offset: Int)?
    let annotations: [Annotation]
    let annotationTokens: [Token]

    init(source: [UInt8], tokens: [Token], error: (message: String, offset: Int)?,
         annotations: [Annotation], annotationTokens: [Token]) {
        self.source = source
        self.tokens = tokens
        self.error = error
        self.annotations = annotations
        self.annotationTokens = annotationTokens
        var matching = [Int32](repeating: -1, count: tokens.count)
        var stack: [Int] = []
        for (i, t) in tokens.enumerated() {
            switch t.kind {
            case .leftParen: stack.append(i)
            case .rightParen: if let open = stack.popLast() { matching[open] = Int32(i) }
            case .error, .eof:
                while let open = stack.popLast() { matching[open] = Int32(i) }
            default: break
            }
        }
        self.matching = matching
    }

    // MARK: - Annotations

    /// The indices in `annotations` of those whose position lies in
    /// `positions` (token indices). Annotations are recorded in source
    /// order, so their positions never decrease: two binary searches.
    func annotationIndices(in positions: ClosedRange<Int>) -> Range<Int> {
        func firstIndex(atOrAfter position: Int) -> Int {
            var low = 0
            var high = annotations.count
            while low < high {
                let mid = (low + high) / 2
                if annotations[mid].position < position { low = mid + 1 } else { high = mid }
            }
            return low
        }
        guard !annotations.isEmpty else { return 0..<0 }
        let lower = firstIndex(atOrAfter: positions.lowerBound)
        let upper = positions.upperBound == .max ? annotations.count : firstIndex(atOrAfter: positions.upperBound + 1)
        return lower..<max(lower, upper)
    }

    /// The content tokens of an interpreted annotation.
    func contents(of annotation: Annotation) -> ArraySlice<Token> {
        annotationTokens[annotation.contents]
    }

    // MARK: - Token text

    func text(_ t: Token) -> String {
        String(decoding: source[t.range], as: UTF8.self)
    }

    /// Whether the token's bytes are exactly `s`.
    func equals(_ t: Token, _ s: StaticString) -> Bool {
        let count = Int(t.end - t.start)
        guard count == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        var i = Int(t.start)
        for k in 0..<count {
            if source[i] != p[k] { return false }
            i += 1
        }
        return true
    }

    /// Whether the token's bytes start with `s`.
    func hasPrefix(_ t: Token, _ s: StaticString) -> Bool {
        let count = s.utf8CodeUnitCount
        guard Int(t.end - t.start) >= count else { return false }
        let p = s.utf8Start
        for k in 0..<count where source[Int(t.start) + k] != p[k] { return false }
        return true
    }

    /// The bytes a string token denotes.
    func stringBytes(_ t: Token) -> [UInt8] {
        source.withUnsafeBufferPointer { LexedText.decodeString($0, t.range) }
    }

    /// The name an identifier token denotes (without `$`; `$"a"` and `$a`
    /// are the same identifier).
    func identifier(_ t: Token) -> String {
        let start = Int(t.start) + 1
        if start < Int(t.end) && source[start] == UInt8(ascii: "\"") {
            return String(decoding: stringBytes(Token(.string, start, Int(t.end))), as: UTF8.self)
        }
        return String(decoding: source[start..<Int(t.end)], as: UTF8.self)
    }

    // MARK: - Helpers shared with the lexer

    /// Decodes a string literal (with its quotes) that the lexer accepted.
    static func decodeString(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var i = range.lowerBound + 1
        let end = range.upperBound - 1
        while i < end {
            let b = bytes[i]
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            let e = bytes[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A); i += 2
            case UInt8(ascii: "t"): out.append(0x09); i += 2
            case UInt8(ascii: "r"): out.append(0x0D); i += 2
            case UInt8(ascii: "\""), UInt8(ascii: "'"), UInt8(ascii: "\\"): out.append(e); i += 2
            case UInt8(ascii: "u"):
                var j = i + 3
                while bytes[j] != UInt8(ascii: "}") { j += 1 }
                let scalar = hexScalar(bytes, i + 3..<j).flatMap(Unicode.Scalar.init) ?? "\u{FFFD}"
                out.append(contentsOf: String(Character(scalar)).utf8)
                i = j + 1
            default:
                out.append((hexValue(e) ?? 0) << 4 | (hexValue(bytes[i + 2]) ?? 0))
                i += 3
            }
        }
        return out
    }

    /// The value of `hexnum` (underscores allowed) when it is a Unicode
    /// scalar value.
    static func hexScalar(_ bytes: UnsafeBufferPointer<UInt8>, _ range: Range<Int>) -> UInt32? {
        var value: UInt32 = 0
        for i in range {
            guard let d = hexValue(bytes[i]) else { continue }
            value = value << 4 | UInt32(d)
            if value > 0x10FFFF { return nil }
        }
        if (0xD800...0xDFFF).contains(value) { return nil }
        return value
    }

    static func isValidUTF8(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { b in
            var i = 0
            while i < b.count {
                if b[i] < 0x80 {
                    i += 1
                } else {
                    let len = utf8SequenceLength(b, at: i)
                    if len == 0 { return false }
                    i += len
                }
            }
            return true
        }
    }

    /// The length of the well-formed UTF-8 sequence at `i` (Unicode table
    /// 3-7: no overlong forms, no surrogates, nothing above U+10FFFF), or 0.
    static func utf8SequenceLength(_ bytes: UnsafeBufferPointer<UInt8>, at i: Int) -> Int {
        let n = bytes.count
        let b0 = bytes[i]
        @inline(__always) func cont(_ k: Int, _ lo: UInt8 = 0x80, _ hi: UInt8 = 0xBF) -> Bool {
            i + k < n && bytes[i + k] >= lo && bytes[i + k] <= hi
        }
        switch b0 {
        case 0x00...0x7F: return 1
        case 0xC2...0xDF: return cont(1) ? 2 : 0
        case 0xE0: return cont(1, 0xA0, 0xBF) && cont(2) ? 3 : 0
        case 0xE1...0xEC, 0xEE...0xEF: return cont(1) && cont(2) ? 3 : 0
        case 0xED: return cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0
        case 0xF0: return cont(1, 0x90, 0xBF) && cont(2) && cont(3) ? 4 : 0
        case 0xF1...0xF3: return cont(1) && cont(2) && cont(3) ? 4 : 0
        case 0xF4: return cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0
        default: return 0
        }
    }
}
