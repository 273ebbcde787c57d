import Testing
import WasmSyntax
@testable import WasmText

@Suite struct LexerTests {
    private func kinds(_ s: String) -> [Token.Kind] {
        Lexer.lex(Array(s.utf8)).tokens.map(\.kind)
    }

    private func lexError(_ s: String) -> String? {
        Lexer.lex(Array(s.utf8)).error?.message
    }

    @Test func classifiesTokens() {
        #expect(kinds("( i32.add $x $\"q r\" \"s\" 12 -3 1.5 inf 0x1p3 ) ") ==
                [.leftParen, .keyword, .id, .id, .string, .nat, .int, .float, .keyword, .float, .rightParen, .eof])
        #expect(kinds("0x 1x 0xg - 1_ 1__0 +") == [.reserved, .reserved, .reserved, .reserved, .reserved, .reserved, .reserved, .eof])
        #expect(kinds("1_000 0xFF_ff +0x1.8p-3 -nan:0x1 1e10 1.e5") == [.nat, .nat, .float, .float, .float, .float, .eof])
    }

    @Test func tokensNeedSeparatingSpace() {
        // A string glued to other characters is one reserved token.
        #expect(kinds("$l\"a\"") == [.reserved, .eof])
        #expect(kinds("\"a\"\"b\"") == [.reserved, .eof])
        #expect(kinds("0$l") == [.reserved, .eof])
        // Parentheses and comments do separate.
        #expect(kinds("nop(nop);;c\nnop") == [.keyword, .leftParen, .keyword, .rightParen, .keyword, .eof])
    }

    @Test func skipsNestedBlockComments() {
        #expect(kinds("(; a (; b ;) c ;) nop (;;) (;((((( ;) (;))));)") == [.keyword, .eof])
        #expect(lexError("(; a (; b ;) nop") == "unclosed comment")
        #expect(lexError("(; a") == "unclosed comment")
    }

    @Test func lineCommentsEndAtAnyNewline() {
        #expect(kinds(";; a\rnop;;b\r\nnop") == [.keyword, .keyword, .eof])
    }

    @Test func skipsAnnotationsAndKeepsCustomContents() {
        let text = Lexer.lex(Array("(@a x (y \"z\") (@b)) nop (@custom \"n\" \"d\")".utf8))
        #expect(text.tokens.map(\.kind) == [.keyword, .eof])
        #expect(text.annotations.map(\.name) == ["a", "custom"])
        #expect(text.annotations[1].position == 1)
        #expect(text.annotations[1].contents.count == 2)
        #expect(lexError("(@x (y)") == "unclosed annotation")
        #expect(lexError("(@ x)") == "empty annotation id")
        #expect(lexError("(@\"\")") == "empty annotation id")
    }

    @Test func decodesStringEscapes() throws {
        let text = Lexer.lex(Array(#""\t\n\r\"\'\\\41\u{48}\u{1F600}é""#.utf8))
        let s = text.stringBytes(text.tokens[0])
        #expect(s == [9, 10, 13, 34, 39, 92, 0x41, 0x48, 0xF0, 0x9F, 0x98, 0x80, 0xC3, 0xA9])
        #expect(lexError("\"a\\q\"") == "illegal escape")
        #expect(lexError("\"a\\u{D800}\"") == "illegal escape")
        #expect(lexError("\"abc") == "unclosed string")
        #expect(lexError("\"a\nb\"") == "unclosed string")
    }

    @Test func identifiersPlainAndQuotedAreTheSame() {
        let text = Lexer.lex(Array("$abc $\"abc\" $\"a b\"".utf8))
        #expect(text.identifier(text.tokens[0]) == "abc")
        #expect(text.identifier(text.tokens[1]) == "abc")
        #expect(text.identifier(text.tokens[2]) == "a b")
        #expect(lexError("$ x") == "empty identifier")
        #expect(lexError("$\"\"") == "empty identifier")
        #expect(lexError("$\"\\ef\"") == "malformed UTF-8 encoding")
    }

    @Test func rejectsIllegalCharacters() {
        #expect(lexError("nop \u{7} nop") == "illegal character")
        #expect(lexError("nop é") == "illegal character")
        #expect(Lexer.lex([0x28, 0x80, 0x29]).error?.message == "malformed UTF-8 encoding")
        // Control characters are fine inside comments.
        #expect(lexError("(; \u{0} ;) ;; \u{7}") == nil)
    }

    @Test func stopsAtTheFirstError() {
        let text = Lexer.lex(Array("nop \"abc".utf8))
        #expect(text.tokens.map(\.kind) == [.keyword, .error, .eof])
    }

    @Test func errorsCarryLineAndColumn() {
        let e = TextError(message: "x", offset: 9).located(in: Array("ab\r\ncd\néf".utf8))
        #expect(e.line == 3)
        #expect(e.column == 2)
    }
}
