import NNGCore

/// The reserved words of the language. Operation names are ordinary identifiers.
public enum Keyword: String, Sendable, CaseIterable {
    case graph, fn, train, input, param, output
    case `return`, `true`, `false`
}

public enum TokenKind: Hashable, Sendable {
    case identifier
    case keyword(Keyword)
    /// A number literal; see `Token.numberValue` and `Token.isInteger`.
    case number
    /// A string literal; see `Token.stringValue` (escapes resolved).
    case string
    case leftBrace, rightBrace, leftParen, rightParen, leftBracket, rightBracket
    case comma, colon, equal, plus, minus, star, slash, caret, at, semicolon
    /// A line break. Significant (it ends a statement) except inside `( )` and `[ ]`,
    /// which the parser handles.
    case newline
    case endOfFile
    /// Something the lexer could not make sense of; `Token.diagnostic` says why.
    case invalid
}

public struct Token: Sendable {
    public var kind: TokenKind
    /// Byte offsets into `SourceFile.bytes`.
    public var range: SourceRange
    /// The source text of the token (for strings, with quotes and escapes as written).
    public var text: String
    /// The value of a number literal.
    public var numberValue: Double = 0
    /// Whether a number literal was written as an integer (no '.', no exponent).
    public var isInteger: Bool = false
    /// The value of a string literal, escapes resolved.
    public var stringValue: String = ""
    /// Why an `.invalid` token is invalid.
    public var diagnostic: Diagnostic?

    public init(kind: TokenKind, range: SourceRange, text: String) {
        self.kind = kind
        self.range = range
        self.text = text
    }

    /// How the token is named in messages: `'foo'`, `number 12`, `newline`, `end of file`.
    public var readableDescription: String {
        switch kind {
        case .newline: return "newline"
        case .endOfFile: return "end of file"
        case .number: return "number \(Token.abbreviate(text))"
        case .string: return "string \(Token.abbreviate(text))"
        default: return "'\(Token.abbreviate(text))'"
        }
    }

    static func abbreviate(_ s: String) -> String {
        let scalars = s.unicodeScalars
        if scalars.count <= 40 { return s }
        return String(String.UnicodeScalarView(scalars.prefix(37))) + "..."
    }
}

extension TokenKind {
    /// The spelling of punctuation kinds.
    public var punctuationText: String? {
        switch self {
        case .leftBrace: return "{"
        case .rightBrace: return "}"
        case .leftParen: return "("
        case .rightParen: return ")"
        case .leftBracket: return "["
        case .rightBracket: return "]"
        case .comma: return ","
        case .colon: return ":"
        case .equal: return "="
        case .plus: return "+"
        case .minus: return "-"
        case .star: return "*"
        case .slash: return "/"
        case .caret: return "^"
        case .at: return "@"
        case .semicolon: return ";"
        default: return nil
        }
    }
}
