import NNGCore

/// Splits the bytes of a source file into tokens. Never fails: anything it cannot read
/// becomes an `.invalid` token carrying a diagnostic, and lexing goes on after it.
public struct Lexer {
    public let file: SourceFile
    private let bytes: [UInt8]
    private var index = 0

    public init(_ file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
    }

    /// All tokens of the file, the last one `.endOfFile`.
    public static func tokenize(_ file: SourceFile) -> [Token] {
        var lexer = Lexer(file)
        var tokens: [Token] = []
        while true {
            let t = lexer.next()
            tokens.append(t)
            if t.kind == .endOfFile { return tokens }
        }
    }

    private func text(_ start: Int, _ end: Int) -> String {
        String(decoding: bytes[start..<end], as: UTF8.self)
    }

    private func make(_ kind: TokenKind, _ start: Int, _ end: Int) -> Token {
        Token(kind: kind, range: SourceRange(start: start, end: end), text: text(start, end))
    }

    private func invalid(_ start: Int, _ end: Int, _ message: String, at range: SourceRange? = nil) -> Token {
        var t = make(.invalid, start, end)
        t.diagnostic = Diagnostic(message, at: range ?? SourceRange(start: start, end: end))
        return t
    }

    private func byte(_ i: Int) -> UInt8? { i < bytes.count ? bytes[i] : nil }

    static func isIdentStart(_ b: UInt8) -> Bool {
        (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x5F
    }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isIdentChar(_ b: UInt8) -> Bool { isIdentStart(b) || isDigit(b) }

    /// The next token; `.endOfFile` (repeatedly) at the end.
    public mutating func next() -> Token {
        // Skip blanks and comments.
        while index < bytes.count {
            let b = bytes[index]
            if b == 0x20 || b == 0x09 || b == 0x0D {
                index += 1
            } else if b == UInt8(ascii: "#") {
                while index < bytes.count && bytes[index] != 0x0A { index += 1 }
            } else {
                break
            }
        }
        let start = index
        guard index < bytes.count else { return make(.endOfFile, start, start) }
        let b = bytes[index]

        if b == 0x0A {
            index += 1
            return make(.newline, start, index)
        }
        if Lexer.isIdentStart(b) {
            while let c = byte(index), Lexer.isIdentChar(c) { index += 1 }
            var t = make(.identifier, start, index)
            if let kw = Keyword(rawValue: t.text) { t.kind = .keyword(kw) }
            return t
        }
        if Lexer.isDigit(b) || (b == UInt8(ascii: ".") && byte(index + 1).map(Lexer.isDigit) == true) {
            return lexNumber()
        }
        if b == UInt8(ascii: "\"") { return lexString() }

        let punct: TokenKind?
        switch b {
        case UInt8(ascii: "{"): punct = .leftBrace
        case UInt8(ascii: "}"): punct = .rightBrace
        case UInt8(ascii: "("): punct = .leftParen
        case UInt8(ascii: ")"): punct = .rightParen
        case UInt8(ascii: "["): punct = .leftBracket
        case UInt8(ascii: "]"): punct = .rightBracket
        case UInt8(ascii: ","): punct = .comma
        case UInt8(ascii: ":"): punct = .colon
        case UInt8(ascii: "="): punct = .equal
        case UInt8(ascii: "+"): punct = .plus
        case UInt8(ascii: "-"): punct = .minus
        case UInt8(ascii: "*"): punct = .star
        case UInt8(ascii: "/"): punct = .slash
        case UInt8(ascii: "^"): punct = .caret
        case UInt8(ascii: "@"): punct = .at
        case UInt8(ascii: ";"): punct = .semicolon
        default: punct = nil
        }
        if let punct {
            index += 1
            return make(punct, start, index)
        }

        // Anything else: one (possibly multi-byte) character that does not belong here.
        let (scalar, length) = decodeScalar(at: index)
        index += length
        let what = scalar.map { "unexpected character \(Lexer.describe($0))" }
            ?? "invalid UTF-8 byte 0x\(Lexer.hex(UInt32(b), digits: 2))"
        return invalid(start, index, what)
    }

    private mutating func lexNumber() -> Token {
        let start = index
        var isInteger = true
        while let c = byte(index), Lexer.isDigit(c) { index += 1 }
        if byte(index) == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            while let c = byte(index), Lexer.isDigit(c) { index += 1 }
        }
        if let e = byte(index), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            var j = index + 1
            if let s = byte(j), s == UInt8(ascii: "+") || s == UInt8(ascii: "-") { j += 1 }
            if let d = byte(j), Lexer.isDigit(d) {
                isInteger = false
                index = j
                while let c = byte(index), Lexer.isDigit(c) { index += 1 }
            }
        }
        // A number glued to letters, digits or dots (`12abc`, `1.2.3`, `1e`) is malformed.
        if let c = byte(index), Lexer.isIdentChar(c) || c == UInt8(ascii: ".") {
            while let c = byte(index), Lexer.isIdentChar(c) || c == UInt8(ascii: ".") { index += 1 }
            return invalid(start, index, "invalid number '\(Token.abbreviate(text(start, index)))'")
        }
        var t = make(.number, start, index)
        guard let value = Double(t.text), value.isFinite else {
            return invalid(start, index, "number '\(Token.abbreviate(t.text))' is out of range")
        }
        t.numberValue = value
        t.isInteger = isInteger
        return t
    }

    private mutating func lexString() -> Token {
        let start = index
        index += 1
        var value: [UInt8] = []
        var problem: Diagnostic?
        while true {
            guard let b = byte(index), b != 0x0A else {
                return invalid(start, index, "unterminated string", at: SourceRange(start: start, end: start + 1))
            }
            if b == UInt8(ascii: "\"") {
                index += 1
                break
            }
            if b == UInt8(ascii: "\\") {
                guard let e = byte(index + 1), e != 0x0A else {
                    index += 1
                    return invalid(start, index, "unterminated string", at: SourceRange(start: start, end: start + 1))
                }
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): value.append(e); index += 2
                case UInt8(ascii: "n"): value.append(0x0A); index += 2
                case UInt8(ascii: "t"): value.append(0x09); index += 2
                default:
                    let (scalar, length) = decodeScalar(at: index + 1)
                    if problem == nil {
                        let shown: String
                        if let scalar, scalar.properties.isPrintableForMessages {
                            shown = "'\\\(Character(scalar))'"
                        } else {
                            shown = "'\\' followed by " + (scalar.map { "U+" + Lexer.hex($0.value, digits: 4) }
                                ?? "byte 0x" + Lexer.hex(UInt32(e), digits: 2))
                        }
                        problem = Diagnostic("unknown escape sequence \(shown) in string",
                                             at: SourceRange(start: index, end: index + 1 + length))
                    }
                    value.append(contentsOf: bytes[index..<(index + 1 + length)])
                    index += 1 + length
                }
                continue
            }
            value.append(b)
            index += 1
        }
        if let problem {
            var t = make(.invalid, start, index)
            t.diagnostic = problem
            return t
        }
        var t = make(.string, start, index)
        t.stringValue = String(decoding: value, as: UTF8.self)
        return t
    }

    /// Decodes one UTF-8 scalar; on a malformed sequence returns nil and length 1.
    private func decodeScalar(at i: Int) -> (Unicode.Scalar?, Int) {
        let b0 = bytes[i]
        if b0 < 0x80 { return (Unicode.Scalar(b0), 1) }
        let length: Int
        var value: UInt32
        switch b0 {
        case 0xC2...0xDF: length = 2; value = UInt32(b0 & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(b0 & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(b0 & 0x07)
        default: return (nil, 1)
        }
        guard i + length <= bytes.count else { return (nil, 1) }
        for k in 1..<length {
            let c = bytes[i + k]
            guard c & 0xC0 == 0x80 else { return (nil, 1) }
            value = value << 6 | UInt32(c & 0x3F)
        }
        let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
        guard value >= minimum, let scalar = Unicode.Scalar(value) else { return (nil, 1) }
        return (scalar, length)
    }

    static func hex(_ v: UInt32, digits: Int) -> String {
        let s = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, digits - s.count)) + s
    }

    /// `'$'` for a visible character, `U+00A0` for an invisible one.
    static func describe(_ s: Unicode.Scalar) -> String {
        let code = "U+" + hex(s.value, digits: 4)
        guard s.properties.isPrintableForMessages else { return code }
        if s.isASCII { return "'\(Character(s))'" }
        return "'\(Character(s))' (\(code))"
    }
}

extension Unicode.Scalar.Properties {
    /// Whether showing the character itself in a message is helpful.
    var isPrintableForMessages: Bool {
        switch generalCategory {
        case .control, .format, .surrogate, .privateUse, .unassigned,
             .spaceSeparator, .lineSeparator, .paragraphSeparator, .nonspacingMark, .enclosingMark:
            return false
        default:
            return true
        }
    }
}
