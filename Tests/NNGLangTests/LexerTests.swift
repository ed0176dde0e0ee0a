import NNGCore
import Testing
@testable import NNGLang

private func kinds(_ text: String) -> [TokenKind] {
    Lexer.tokenize(source(text)).map(\.kind)
}

private func tokens(_ text: String) -> [Token] {
    Lexer.tokenize(source(text))
}

@Suite struct LexerTests {
    @Test func punctuation() {
        #expect(kinds("{ } ( ) [ ] , : = + - * / ^ @ ;") == [
            .leftBrace, .rightBrace, .leftParen, .rightParen, .leftBracket, .rightBracket,
            .comma, .colon, .equal, .plus, .minus, .star, .slash, .caret, .at, .semicolon, .endOfFile,
        ])
    }

    @Test func keywordsAndIdentifiers() {
        let ts = tokens("graph fn train input param output return true false relu _x9 Graph f32")
        #expect(ts.map(\.kind) == [
            .keyword(.graph), .keyword(.fn), .keyword(.train), .keyword(.input), .keyword(.param),
            .keyword(.output), .keyword(.return), .keyword(.true), .keyword(.false),
            .identifier, .identifier, .identifier, .identifier, .endOfFile,
        ])
        #expect(ts[9].text == "relu")
        #expect(ts[10].text == "_x9")
        #expect(ts[12].text == "f32")
    }

    @Test(arguments: [
        ("12", 12.0, true), ("0", 0, true), ("1.5", 1.5, false), (".5", 0.5, false),
        ("1e-3", 0.001, false), ("2.5E+4", 25000, false), ("3e2", 300, false), ("1.", 1.0, false),
        ("007", 7, true),
    ])
    func numbers(text: String, value: Double, isInteger: Bool) {
        let ts = tokens(text)
        #expect(ts.count == 2)
        #expect(ts[0].kind == .number)
        #expect(ts[0].numberValue == value)
        #expect(ts[0].isInteger == isInteger)
        #expect(ts[0].range == SourceRange(start: 0, end: text.utf8.count))
    }

    @Test func signIsNotPartOfNumber() {
        #expect(kinds("-1e-3") == [.minus, .number, .endOfFile])
        #expect(tokens("-1e-3")[1].numberValue == 0.001)
        // `1e` followed by `-` is malformed; `1 e` is a number then a name
        #expect(kinds("1 e") == [.number, .identifier, .endOfFile])
    }

    @Test(arguments: [
        ("12abc", "invalid number '12abc'"),
        ("1e", "invalid number '1e'"),
        ("1.2.3", "invalid number '1.2.3'"),
        ("1e999", "number '1e999' is out of range"),
    ])
    func badNumbers(text: String, message: String) {
        let ts = tokens(text)
        #expect(ts[0].kind == .invalid)
        #expect(ts[0].diagnostic?.message == message)
        #expect(ts.last?.kind == .endOfFile)
    }

    @Test func stringsWithEscapes() {
        let ts = tokens(#""a\"b\\c\nd\te" "" "héllo""#)
        #expect(ts.map(\.kind) == [.string, .string, .string, .endOfFile])
        #expect(ts[0].stringValue == "a\"b\\c\nd\te")
        #expect(ts[1].stringValue == "")
        #expect(ts[2].stringValue == "héllo")
        #expect(ts[0].range == SourceRange(start: 0, end: 15))
    }

    @Test func badStrings() {
        let unknown = tokens(#"x "ab\qc" y"#)
        #expect(unknown[1].kind == .invalid)
        #expect(unknown[1].diagnostic?.message == "unknown escape sequence '\\q' in string")
        #expect(unknown[1].diagnostic?.range == SourceRange(start: 5, end: 7))
        #expect(unknown[2].kind == .identifier)

        let unterminated = tokens("\"abc\nx")
        #expect(unterminated.map(\.kind) == [.invalid, .newline, .identifier, .endOfFile])
        #expect(unterminated[0].diagnostic?.message == "unterminated string")
        #expect(unterminated[0].diagnostic?.range == SourceRange(start: 0, end: 1))

        let atEnd = tokens("\"abc\\")
        #expect(atEnd[0].diagnostic?.message == "unterminated string")
    }

    @Test func commentsAndNewlines() {
        #expect(kinds("a # comment ( [\nb\r\n\n# only\nc") == [
            .identifier, .newline, .identifier, .newline, .newline, .newline, .identifier, .endOfFile,
        ])
        // The lexer reports every newline; the parser ignores them inside brackets.
        #expect(kinds("f(a,\nb)") == [.identifier, .leftParen, .identifier, .comma, .newline, .identifier,
                                     .rightParen, .endOfFile])
    }

    @Test(arguments: [
        ("$", "unexpected character '$'"),
        ("a ! b", "unexpected character '!'"),
        ("é", "unexpected character 'é' (U+00E9)"),
        ("\u{00A0}", "unexpected character U+00A0"),
        ("\u{7}", "unexpected character U+0007"),
        ("x . y", "unexpected character '.'"),
    ])
    func unexpectedCharacters(text: String, message: String) {
        let ts = tokens(text)
        let bad = ts.first { $0.kind == .invalid }
        #expect(bad?.diagnostic?.message == message)
        #expect(ts.last?.kind == .endOfFile)
    }

    @Test func rangesAreByteOffsets() {
        let ts = tokens("é = 1")  // é is two bytes
        #expect(ts[0].range == SourceRange(start: 0, end: 2))
        #expect(ts[1].range == SourceRange(start: 3, end: 4))
        #expect(ts[2].range == SourceRange(start: 5, end: 6))
        #expect(ts[3].range == SourceRange(start: 6, end: 6))
    }

    @Test func emptyFile() {
        #expect(kinds("") == [.endOfFile])
        #expect(kinds("   # just a comment") == [.endOfFile])
    }

    @Test func readableDescriptions() {
        let ts = tokens("foo 12 1.5 \"s\" ;\n")
        #expect(ts.map(\.readableDescription) == ["'foo'", "number 12", "number 1.5", "string \"s\"", "';'",
                                                  "newline", "end of file"])
    }
}
