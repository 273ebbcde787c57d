/// The lexer: splits UTF-8 text into tokens, skipping white space, comments
/// and annotations.
///
/// It never throws: a lexical error becomes an `.error` token at the place
/// where it occurs, followed by `eof`, so that errors surface in source order
/// when the parser reaches them (as in the reference interpreter, whose
/// parser pulls tokens on demand).
struct Lexer {
    private let bytes: UnsafeBufferPointer<UInt8>
    private var pos = 0
    private(set) var tokens: [Token] = []
    private(set) var error: (message: String, offset: Int)?
    private(set) var annotations: [Annotation] = []
    private(set) var annotationTokens: [Token] = []

    private init(_ bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        tokens.reserveCapacity(bytes.count / 4)
    }

    /// Tokenizes `source`; the result always ends with an `eof` token.
    static func lex(_ source: [UInt8]) -> LexedText {
        source.withUnsafeBufferPointer { buffer in
            var lexer = Lexer(buffer)
            lexer.tokenize()
            return LexedText(
                source: source, tokens: lexer.tokens, error: lexer.error,
                annotations: lexer.annotations, annotationTokens: lexer.annotationTokens)
        }
    }

    // MARK: - Character classes

    /// `idchar` of the text format: letters, digits and `!#$%&'*+-./:<=>?@\^_`|~`.
    static let idChar: [Bool] = {
        var t = [Bool](repeating: false, count: 256)
        for c in UInt8(ascii: "0")...UInt8(ascii: "9") { t[Int(c)] = true }
        for c in UInt8(ascii: "A")...UInt8(ascii: "Z") { t[Int(c)] = true }
        for c in UInt8(ascii: "a")...UInt8(ascii: "z") { t[Int(c)] = true }
        for c in "!#$%&'*+-./:<=>?@\\^_`|~".utf8 { t[Int(c)] = true }
        return t
    }()

    @inline(__always) private func byte(_ i: Int) -> UInt8 { i < bytes.count ? bytes[i] : 0 }

    // MARK: - Driver

    private mutating func tokenize() {
        // Token offsets are 32-bit.
        guard bytes.count < Int(Int32.max) else {
            tokens.append(Token(.error, 0, 0))
            tokens.append(Token(.eof, 0, 0))
            error = ("source too large", 0)
            return
        }
        while error == nil {
            let t = scan()
            if t.kind == .eof { break }
            if t.kind == .error { break }
            if isAnnotationStart {
                annotation(at: Int(t.start), nameEnd: Int(t.end))
                continue
            }
            tokens.append(t)
        }
        if let e = error {
            tokens.append(Token(.error, e.offset, e.offset))
        }
        tokens.append(Token(.eof, bytes.count, bytes.count))
    }

    private var isAnnotationStart = false
    private var annotationDepth = 0

    private mutating func fail(_ message: String, at offset: Int) {
        if error == nil { error = (message, offset) }
    }

    /// Reads one annotation whose `(@name` has been scanned; its tokens are
    /// skipped (kept for the annotations the parser interprets). Nested
    /// parentheses must balance.
    private mutating func annotation(at start: Int, nameEnd: Int) {
        let name = annotationName(start: start, end: nameEnd)
        let keep = Annotation.interpretedNames.contains(name)
        let first = annotationTokens.count
        var depth = 1
        annotationDepth += 1
        defer { annotationDepth -= 1 }
        while depth > 0 {
            let t = scan()
            if t.kind == .error { return }
            if t.kind == .eof {
                fail("unclosed annotation", at: start)
                return
            }
            if isAnnotationStart {
                depth += 1
                if keep { annotationTokens.append(Token(.leftParen, Int(t.start), Int(t.start) + 1)) }
                continue
            }
            switch t.kind {
            case .leftParen: depth += 1
            case .rightParen: depth -= 1
            default: break
            }
            if keep && depth > 0 { annotationTokens.append(t) }
        }
        annotations.append(Annotation(name: name, offset: start, position: tokens.count, contents: first..<annotationTokens.count))
    }

    private func annotationName(start: Int, end: Int) -> String {
        let nameStart = start + 2
        if byte(nameStart) == UInt8(ascii: "\"") {
            return String(decoding: LexedText.decodeString(bytes, nameStart..<end), as: UTF8.self)
        }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[nameStart..<end]), as: UTF8.self)
    }

    // MARK: - Scanning

    /// Scans the next token, skipping white space and comments. Sets
    /// `isAnnotationStart` when the token is `(@name` (kind `.leftParen`,
    /// range covering the name).
    private mutating func scan() -> Token {
        isAnnotationStart = false
        let n = bytes.count
        while pos < n {
            let b = bytes[pos]
            switch b {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), 0x0A, 0x0D:
                pos += 1
            case UInt8(ascii: ";") where byte(pos + 1) == UInt8(ascii: ";"):
                if !lineComment() { return errorToken() }
            case UInt8(ascii: "(") where byte(pos + 1) == UInt8(ascii: ";"):
                if !blockComment() { return errorToken() }
            case UInt8(ascii: "("):
                if byte(pos + 1) == UInt8(ascii: "@") { return annotationStart() }
                pos += 1
                return Token(.leftParen, pos - 1, pos)
            case UInt8(ascii: ")"):
                pos += 1
                return Token(.rightParen, pos - 1, pos)
            default:
                if Lexer.idChar[Int(b)] || isReservedPunctuation(b) || b == UInt8(ascii: "\"") {
                    return run(from: pos)
                }
                if b < 0x80 {
                    fail("illegal character", at: pos)
                } else if utf8SequenceLength(at: pos) == 0 {
                    fail("malformed UTF-8 encoding", at: pos)
                } else {
                    fail("illegal character", at: pos)
                }
                return errorToken()
            }
        }
        return Token(.eof, n, n)
    }

    private func errorToken() -> Token { Token(.error, error?.offset ?? pos, error?.offset ?? pos) }

    @inline(__always) private func isReservedPunctuation(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "["), UInt8(ascii: "]"),
             UInt8(ascii: "{"), UInt8(ascii: "}"):
            return true
        default:
            return false
        }
    }

    /// `;;` up to the end of the line. Returns false on malformed UTF-8.
    private mutating func lineComment() -> Bool {
        pos += 2
        while pos < bytes.count {
            let b = bytes[pos]
            if b == 0x0A || b == 0x0D { return true }
            if b < 0x80 {
                pos += 1
            } else {
                let len = utf8SequenceLength(at: pos)
                if len == 0 {
                    fail("malformed UTF-8 encoding", at: pos)
                    return false
                }
                pos += len
            }
        }
        return true
    }

    /// `(; ... ;)`, which nests. Returns false when unterminated or on
    /// malformed UTF-8.
    private mutating func blockComment() -> Bool {
        let start = pos
        pos += 2
        var depth = 1
        while pos < bytes.count {
            let b = bytes[pos]
            if b == UInt8(ascii: "(") && byte(pos + 1) == UInt8(ascii: ";") {
                depth += 1
                pos += 2
            } else if b == UInt8(ascii: ";") && byte(pos + 1) == UInt8(ascii: ")") {
                depth -= 1
                pos += 2
                if depth == 0 { return true }
            } else if b < 0x80 {
                pos += 1
            } else {
                let len = utf8SequenceLength(at: pos)
                if len == 0 {
                    fail("malformed UTF-8 encoding", at: pos)
                    return false
                }
                pos += len
            }
        }
        fail("unclosed comment", at: start)
        return false
    }

    /// `(@` followed by an annotation id: `idchar+` or a non-empty string.
    /// Inside an annotation, `(@` without an id is just `(` and a reserved
    /// token.
    private mutating func annotationStart() -> Token {
        let start = pos
        pos += 2
        if byte(pos) == UInt8(ascii: "\"") {
            switch scanString(from: pos) {
            case .failure:
                if annotationDepth > 0 { return plainParen(start) }
                fail("empty annotation id", at: start)
                return errorToken()
            case .success(let end):
                let content = LexedText.decodeString(bytes, pos..<end)
                if content.isEmpty {
                    if annotationDepth > 0 { return plainParen(start) }
                    fail("empty annotation id", at: start)
                    return errorToken()
                }
                if !LexedText.isValidUTF8(content) {
                    fail("malformed UTF-8 encoding", at: pos)
                    return errorToken()
                }
                pos = end
            }
        } else {
            let nameStart = pos
            while pos < bytes.count && Lexer.idChar[Int(bytes[pos])] { pos += 1 }
            if pos == nameStart {
                if annotationDepth > 0 { return plainParen(start) }
                fail("empty annotation id", at: start)
                return errorToken()
            }
        }
        isAnnotationStart = true
        return Token(.leftParen, start, pos)
    }

    private mutating func plainParen(_ start: Int) -> Token {
        pos = start + 1
        return Token(.leftParen, start, start + 1)
    }

    /// A maximal run of identifier characters, strings and reserved
    /// punctuation, classified as one token (the text format requires
    /// white space or a parenthesis between tokens).
    private mutating func run(from start: Int) -> Token {
        var strings = 0
        var lastStringStart = -1
        var lastStringEnd = -1
        var punctuation = false
        let n = bytes.count
        while pos < n {
            let b = bytes[pos]
            if Lexer.idChar[Int(b)] {
                pos += 1
            } else if b == UInt8(ascii: "\"") {
                switch scanString(from: pos) {
                case .failure(let e):
                    if pos == start + 1 && bytes[start] == UInt8(ascii: "$") {
                        fail("empty identifier", at: start)
                    } else {
                        fail(e.message, at: e.offset)
                    }
                    return errorToken()
                case .success(let end):
                    strings += 1
                    lastStringStart = pos
                    lastStringEnd = end
                    pos = end
                }
            } else if b == UInt8(ascii: ";") {
                if byte(pos + 1) == UInt8(ascii: ";") { break }
                punctuation = true
                pos += 1
            } else if isReservedPunctuation(b) {
                punctuation = true
                pos += 1
            } else {
                break
            }
        }
        let end = pos
        let first = bytes[start]
        if strings > 0 || punctuation {
            if !punctuation && strings == 1 && lastStringEnd == end {
                if lastStringStart == start { return Token(.string, start, end) }
                if lastStringStart == start + 1 && first == UInt8(ascii: "$") {
                    let name = LexedText.decodeString(bytes, lastStringStart..<end)
                    if name.isEmpty {
                        fail("empty identifier", at: start)
                        return errorToken()
                    }
                    if !LexedText.isValidUTF8(name) {
                        fail("malformed UTF-8 encoding", at: start)
                        return errorToken()
                    }
                    return Token(.id, start, end)
                }
            }
            return Token(.reserved, start, end)
        }
        if first == UInt8(ascii: "$") {
            if end == start + 1 {
                fail("empty identifier", at: start)
                return errorToken()
            }
            return Token(.id, start, end)
        }
        if first >= UInt8(ascii: "a") && first <= UInt8(ascii: "z") { return Token(.keyword, start, end) }
        return Token(numberKind(start, end), start, end)
    }

    private struct StringError: Error {
        var message: String
        var offset: Int
    }

    /// Checks a string literal starting at the quote; returns the offset
    /// after the closing quote.
    private func scanString(from start: Int) -> Result<Int, StringError> {
        var i = start + 1
        let n = bytes.count
        while true {
            guard i < n else { return .failure(StringError(message: "unclosed string", offset: start)) }
            let b = bytes[i]
            switch b {
            case UInt8(ascii: "\""):
                return .success(i + 1)
            case UInt8(ascii: "\\"):
                let e = byte(i + 1)
                switch e {
                case UInt8(ascii: "n"), UInt8(ascii: "t"), UInt8(ascii: "r"), UInt8(ascii: "\""),
                     UInt8(ascii: "'"), UInt8(ascii: "\\"):
                    i += 2
                case UInt8(ascii: "u"):
                    guard byte(i + 2) == UInt8(ascii: "{"), let close = digits(i + 3, n, hex: true),
                          byte(close) == UInt8(ascii: "}"),
                          LexedText.hexScalar(bytes, i + 3..<close) != nil
                    else { return .failure(StringError(message: "illegal escape", offset: i)) }
                    i = close + 1
                default:
                    guard hexValue(e) != nil, hexValue(byte(i + 2)) != nil else {
                        return .failure(StringError(message: "illegal escape", offset: i))
                    }
                    i += 3
                }
            case 0x0A, 0x0D:
                return .failure(StringError(message: "unclosed string", offset: start))
            case 0..<0x20, 0x7F:
                return .failure(StringError(message: "illegal control character in string", offset: i))
            default:
                if b < 0x80 {
                    i += 1
                } else {
                    let len = utf8SequenceLength(at: i)
                    if len == 0 { return .failure(StringError(message: "malformed UTF-8 encoding", offset: i)) }
                    i += len
                }
            }
        }
    }

    /// The length of the well-formed UTF-8 sequence at `i`, or 0.
    private func utf8SequenceLength(at i: Int) -> Int {
        LexedText.utf8SequenceLength(bytes, at: i)
    }

    // MARK: - Numbers

    /// Classifies a run that starts with a digit or a sign: `nat`, `int`,
    /// `float`, or `reserved` when it matches no number syntax.
    private func numberKind(_ start: Int, _ end: Int) -> Token.Kind {
        var i = start
        var signed = false
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            signed = true
            i += 1
        }
        guard i < end else { return .reserved }
        if matches(i, end, "inf") || matches(i, end, "nan") { return .float }
        if end - i > 6 && matches(i, i + 6, "nan:0x") {
            return digits(i + 6, end, hex: true) == end ? .float : .reserved
        }
        var hex = false
        if end - i >= 2 && bytes[i] == UInt8(ascii: "0") && bytes[i + 1] == UInt8(ascii: "x") {
            hex = true
            i += 2
        }
        guard let afterMantissa = digits(i, end, hex: hex) else { return .reserved }
        i = afterMantissa
        if i == end { return signed ? .int : .nat }
        if bytes[i] == UInt8(ascii: ".") {
            i += 1
            if i < end, let afterFraction = digits(i, end, hex: hex) { i = afterFraction }
            if i == end { return .float }
        }
        let e = bytes[i]
        let isExponent = hex ? (e == UInt8(ascii: "p") || e == UInt8(ascii: "P"))
                             : (e == UInt8(ascii: "e") || e == UInt8(ascii: "E"))
        guard isExponent else { return .reserved }
        i += 1
        if i < end && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
        guard let afterExponent = digits(i, end, hex: false), afterExponent == end else { return .reserved }
        return .float
    }

    private func matches(_ start: Int, _ end: Int, _ s: StaticString) -> Bool {
        guard end - start == s.utf8CodeUnitCount else { return false }
        let p = s.utf8Start
        for k in 0..<(end - start) where bytes[start + k] != p[k] { return false }
        return true
    }

    /// Scans `digit ('_'? digit)*` and returns the offset after it, or nil
    /// when there is no digit at `start` (an underscore must sit between
    /// two digits).
    private func digits(_ start: Int, _ end: Int, hex: Bool) -> Int? {
        var i = start
        var count = 0
        while i < end {
            let b = bytes[i]
            if b == UInt8(ascii: "_") {
                guard count > 0, i + 1 < end, isDigit(bytes[i + 1], hex: hex) else { return count > 0 ? i : nil }
                i += 1
                continue
            }
            guard isDigit(b, hex: hex) else { break }
            count += 1
            i += 1
        }
        return count > 0 ? i : nil
    }

    @inline(__always) private func isDigit(_ b: UInt8, hex: Bool) -> Bool {
        hex ? hexValue(b) != nil : (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9"))
    }
}

@inline(__always) func hexValue(_ b: UInt8) -> UInt8? {
    switch b {
    case UInt8(ascii: "0")...UInt8(ascii: "9"): return b - UInt8(ascii: "0")
    case UInt8(ascii: "a")...UInt8(ascii: "f"): return b - UInt8(ascii: "a") + 10
    case UInt8(ascii: "A")...UInt8(ascii: "F"): return b - UInt8(ascii: "A") + 10
    default: return nil
    }
}
