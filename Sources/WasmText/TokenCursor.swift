import WasmSyntax

/// A position in a token stream, with the small reading steps that both the
/// module parser and the script parser are made of.
struct TokenCursor {
    let text: LexedText
    var pos: Int

    init(_ text: LexedText, at pos: Int = 0) {
        self.text = text
        self.pos = pos
    }

    // MARK: - Looking

    var peek: Token { text.tokens[pos] }

    /// The token `k` places ahead (clamped to `eof`).
    func peek(_ k: Int) -> Token {
        text.tokens[min(pos + k, text.tokens.count - 1)]
    }

    var atRightParen: Bool { peek.kind == .rightParen }
    var atLeftParen: Bool { peek.kind == .leftParen }

    func isKeyword(_ t: Token, _ s: StaticString) -> Bool {
        t.kind == .keyword && text.equals(t, s)
    }

    func peekIsKeyword(_ s: StaticString) -> Bool { isKeyword(peek, s) }

    /// Whether the next tokens are `(` and the keyword `s`.
    func peekIsOpen(_ s: StaticString) -> Bool {
        peek.kind == .leftParen && isKeyword(peek(1), s)
    }

    /// The keyword after a `(` at the cursor, if any.
    var openKeyword: Token? {
        guard peek.kind == .leftParen, peek(1).kind == .keyword else { return nil }
        return peek(1)
    }

    /// Whether the next token is an index: a `nat` or an identifier.
    var atIndex: Bool { peek.kind == .nat || peek.kind == .id }

    // MARK: - Errors

    func error(_ message: String, at t: Token) -> TextError {
        TextError(message: message, offset: Int(t.start))
    }

    func unsupported(_ what: String, at t: Token) -> TextError {
        TextError(message: "unsupported: \(what)", offset: Int(t.start), isUnsupported: true)
    }

    /// The error for a token the grammar does not allow here. Tokens that
    /// are not valid anywhere are reported as the reference lexer reports
    /// them ("unknown operator"); lexical errors carry their own message.
    func unexpected(_ t: Token) -> TextError {
        switch t.kind {
        case .error:
            return TextError(message: text.error?.message ?? "unexpected token", offset: text.error?.offset ?? Int(t.start))
        case .reserved:
            return error("unknown operator \(text.text(t))", at: t)
        case .keyword:
            if !Keywords.isKnown(t, in: text) { return error("unknown operator \(text.text(t))", at: t) }
            return error("unexpected token", at: t)
        case .eof:
            return error("unexpected end of input", at: t)
        default:
            return error("unexpected token", at: t)
        }
    }

    func unexpected() -> TextError { unexpected(peek) }

    // MARK: - Consuming

    @discardableResult
    mutating func advance() -> Token {
        let t = text.tokens[pos]
        if t.kind != .eof && t.kind != .error { pos += 1 }
        return t
    }

    mutating func expectLeftParen() throws(TextError) {
        guard peek.kind == .leftParen else { throw unexpected() }
        pos += 1
    }

    mutating func expectRightParen() throws(TextError) {
        guard peek.kind == .rightParen else { throw unexpected() }
        pos += 1
    }

    mutating func takeKeyword(_ s: StaticString) -> Bool {
        guard peekIsKeyword(s) else { return false }
        pos += 1
        return true
    }

    mutating func expectKeyword(_ s: StaticString) throws(TextError) {
        guard peekIsKeyword(s) else { throw unexpected() }
        pos += 1
    }

    /// Consumes `(` and the keyword `s` when they come next.
    mutating func takeOpen(_ s: StaticString) -> Bool {
        guard peekIsOpen(s) else { return false }
        pos += 2
        return true
    }

    mutating func optionalID() -> Token? {
        guard peek.kind == .id else { return nil }
        return advance()
    }

    mutating func string() throws(TextError) -> [UInt8] {
        guard peek.kind == .string else { throw unexpected() }
        return text.stringBytes(advance())
    }

    /// A string that must be valid UTF-8 (import, export and section names).
    mutating func name() throws(TextError) -> String {
        let t = peek
        let bytes = try string()
        guard LexedText.isValidUTF8(bytes) else { throw error("malformed UTF-8 encoding", at: t) }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Consumes strings while they come, concatenated (data strings, binary
    /// and quoted modules).
    mutating func strings() -> [UInt8] {
        var out: [UInt8] = []
        while peek.kind == .string { out.append(contentsOf: text.stringBytes(advance())) }
        return out
    }

    mutating func u32() throws(TextError) -> UInt32 {
        let t = peek
        guard t.kind == .nat else { throw unexpected() }
        guard let v = text.natural(t, max: UInt64(UInt32.max)) else { throw error("i32 constant out of range", at: t) }
        pos += 1
        return UInt32(v)
    }

    mutating func u64() throws(TextError) -> UInt64 {
        let t = peek
        guard t.kind == .nat else { throw unexpected() }
        guard let v = text.natural(t, max: .max) else { throw error("i64 constant out of range", at: t) }
        pos += 1
        return v
    }

    /// The error for a wrong number of lanes, unless the token that ended
    /// them is itself no valid token.
    func laneCountError(_ message: String) -> TextError {
        switch peek.kind {
        case .reserved, .error: return unexpected()
        case .keyword where !Keywords.isKnown(peek, in: text): return unexpected()
        default: return error(message, at: peek)
        }
    }

    /// Skips to just after the `)` that closes the `(` at `open`.
    mutating func skip(pastGroupAt open: Int) {
        pos = Int(text.matching[open]) + (text.tokens[Int(text.matching[open])].kind == .rightParen ? 1 : 0)
    }

    // MARK: - Literals

    mutating func i32() throws(TextError) -> Int32 {
        let t = peek
        guard t.kind == .nat || t.kind == .int else { throw unexpected() }
        guard let bits = text.integerBits(t, bitWidth: 32) else { throw error("constant out of range", at: t) }
        pos += 1
        return Int32(bitPattern: UInt32(bits))
    }

    mutating func i64() throws(TextError) -> Int64 {
        let t = peek
        guard t.kind == .nat || t.kind == .int else { throw unexpected() }
        guard let bits = text.integerBits(t, bitWidth: 64) else { throw error("constant out of range", at: t) }
        pos += 1
        return Int64(bitPattern: bits)
    }

    mutating func f32() throws(TextError) -> UInt32 {
        let t = peek
        guard text.isFloatLiteral(t) else { throw unexpected() }
        guard let bits = text.float32Bits(t) else { throw error("constant out of range", at: t) }
        pos += 1
        return bits
    }

    mutating func f64() throws(TextError) -> UInt64 {
        let t = peek
        guard text.isFloatLiteral(t) else { throw unexpected() }
        guard let bits = text.float64Bits(t) else { throw error("constant out of range", at: t) }
        pos += 1
        return bits
    }

    /// `v128.const` operands: a shape keyword and its lanes.
    mutating func v128() throws(TextError) -> V128 {
        let shapeToken = peek
        guard let shape = V128Shape(shapeToken, in: text) else { throw unexpected() }
        pos += 1
        var lanes: [Token] = []
        while text.isFloatLiteral(peek) {
            lanes.append(advance())
        }
        guard lanes.count == shape.laneCount else { throw laneCountError("wrong number of lane literals") }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(16)
        for lane in lanes {
            let bits: UInt64
            switch shape {
            case .f32x4:
                guard text.isFloatLiteral(lane) else { throw unexpected(lane) }
                guard let b = text.float32Bits(lane) else { throw error("constant out of range", at: lane) }
                bits = UInt64(b)
            case .f64x2:
                guard let b = text.float64Bits(lane) else { throw error("constant out of range", at: lane) }
                bits = b
            default:
                guard lane.kind == .nat || lane.kind == .int else { throw unexpected(lane) }
                guard let b = text.integerBits(lane, bitWidth: shape.laneBits) else {
                    throw error("constant out of range", at: lane)
                }
                bits = b
            }
            for k in 0..<(shape.laneBits / 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(8 * k))) }
        }
        return V128(bytes: bytes)
    }
}

/// The lane interpretations of `v128.const`.
enum V128Shape: CaseIterable {
    case i8x16, i16x8, i32x4, i64x2, f32x4, f64x2

    init?(_ t: Token, in text: LexedText) {
        guard t.kind == .keyword else { return nil }
        if text.equals(t, "i8x16") { self = .i8x16 }
        else if text.equals(t, "i16x8") { self = .i16x8 }
        else if text.equals(t, "i32x4") { self = .i32x4 }
        else if text.equals(t, "i64x2") { self = .i64x2 }
        else if text.equals(t, "f32x4") { self = .f32x4 }
        else if text.equals(t, "f64x2") { self = .f64x2 }
        else { return nil }
    }

    var laneCount: Int {
        switch self {
        case .i8x16: return 16
        case .i16x8: return 8
        case .i32x4, .f32x4: return 4
        case .i64x2, .f64x2: return 2
        }
    }

    var laneBits: Int { 128 / laneCount }
}
