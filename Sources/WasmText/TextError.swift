/// An error in WebAssembly text: the module or script is malformed, or uses
/// syntax that this implementation cannot represent.
///
/// Messages follow the spec reference interpreter where the test suite
/// checks them (`assert_malformed (module quote ...)` compares prefixes):
/// "unexpected token", "unknown operator", "unknown label", ...
public struct TextError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    /// The byte offset in the UTF-8 text (of the quoted module text, for a
    /// `module quote`).
    public var offset: Int
    /// 1-based line and column (the column counts Unicode scalars).
    public var line: Int
    public var column: Int
    /// True when the text is well formed as far as the parser understands it,
    /// but uses a construct the module AST cannot represent (for example the
    /// custom-descriptors proposal). Script runners report such modules as
    /// skipped rather than failed.
    public var isUnsupported: Bool

    public init(message: String, offset: Int, line: Int = 0, column: Int = 0, isUnsupported: Bool = false) {
        self.message = message
        self.offset = offset
        self.line = line
        self.column = column
        self.isUnsupported = isUnsupported
    }

    public var description: String { "\(line):\(column): \(message)" }

    /// Fills in `line` and `column` from `offset`. Errors are rare, so the
    /// position is computed by a scan only when one is reported.
    func located(in source: [UInt8]) -> TextError {
        var e = self
        let end = min(max(offset, 0), source.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < end {
            let b = source[i]
            if b == 0x0A {
                line += 1
                lineStart = i + 1
            } else if b == 0x0D {
                // CR LF counts once; a lone CR is a newline too.
                if i + 1 < end, source[i + 1] == 0x0A { i += 1 }
                line += 1
                lineStart = i + 1
            }
            i += 1
        }
        var column = 1
        for j in lineStart..<end where source[j] & 0xC0 != 0x80 { column += 1 }
        e.line = line
        e.column = column
        return e
    }
}
