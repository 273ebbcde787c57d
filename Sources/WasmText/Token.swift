/// One token of WebAssembly text: a kind and a byte range of the source.
///
/// Tokens carry no decoded payload: the parser reads keywords, numbers and
/// strings from the source bytes when it needs them, which keeps the token
/// array small (12 bytes per token) for large scripts.
struct Token: Equatable {
    enum Kind: UInt8 {
        case leftParen
        case rightParen
        /// A lowercase letter followed by identifier characters (`i32.add`,
        /// `offset=8`, `nan:0x1`, `inf`).
        case keyword
        /// `$name` or `$"quoted name"`.
        case id
        case string
        /// An unsigned integer literal (`12`, `0xff_ff`).
        case nat
        /// A signed integer literal (`+1`, `-0x10`).
        case int
        /// A literal that only a float can be (`1.5`, `-inf`, `0x1p3`,
        /// `+nan:0x1`). Unsigned `inf`/`nan` are keywords.
        case float
        /// Any other run of identifier characters, strings and `,;[]{}`:
        /// lexically a token, but no valid one ("unknown operator").
        case reserved
        /// A lexical error; the message is in `LexedText.error`. It is the
        /// last token before `eof`, so the parser reports it when it gets there.
        case error
        case eof
    }

    var kind: Kind
    var start: Int32
    var end: Int32

    init(_ kind: Kind, _ start: Int, _ end: Int) {
        self.kind = kind
        self.start = Int32(truncatingIfNeeded: start)
        self.end = Int32(truncatingIfNeeded: end)
    }

    var range: Range<Int> { Int(start)..<Int(end) }
}

/// An annotation `(@name ...)`. Annotations are white space to the grammar,
/// so they are kept beside the token stream; those the parser interprets
/// (`interpretedNames`) keep their content tokens.
struct Annotation {
    /// The annotations that become custom sections (the custom annotations
    /// appendix and the branch hinting proposal); others stay white space.
    static let interpretedNames: Set<String> = ["custom", "name", "metadata.code.branch_hint"]

    var name: String
    /// The offset of `(@`.
    var offset: Int
    /// The index in the main token array of the token that follows the
    /// annotation: where in the grammar it appeared.
    var position: Int
    /// The content tokens (in `LexedText.annotationTokens`), for the
    /// interpreted annotations.
    var contents: Range<Int>
}
