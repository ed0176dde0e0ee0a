import NNGCore

/// Parses a whole `.nng` file. Never fails: on errors the module holds what could be
/// parsed and `diagnostics` says what is wrong (at most one error per statement; the
/// parser skips to the next statement and goes on).
public func parse(_ file: SourceFile) -> (module: Module, diagnostics: [Diagnostic]) {
    var parser = Parser(file)
    let module = parser.parseModule()
    return (module, parser.diagnostics)
}

/// Parses a single expression (for example the value of `--set x=[[1,2],[3,4]]`);
/// the whole text must be one expression.
public func parseExpression(_ file: SourceFile) -> (expr: Expr?, diagnostics: [Diagnostic]) {
    var parser = Parser(file)
    let expr = parser.parseStandaloneExpression()
    return (expr, parser.diagnostics)
}

/// Thrown after a diagnostic has been recorded; the statement loops catch it and resynchronize.
struct ParseError: Error {}

struct Parser {
    /// Deepest allowed nesting of expressions and lists: 200 pairs of brackets, 200 unary
    /// minuses, or an expression tree 200 operators/calls/lists deep.
    static let maxNestingDepth = 200
    /// After this many errors the parser stops (with one more diagnostic saying so).
    static let maxErrors = 100

    let file: SourceFile
    var tokens: [Token]
    var pos = 0
    /// Open `(` and `[` around the current token; newlines are skipped while positive.
    var bracketDepth = 0
    /// Index of the first newline skipped (inside brackets) just before the current token.
    var pendingNewline: Int?
    /// Range of the last consumed token.
    var previousRange = SourceRange(start: 0, end: 0)
    /// Recursion depth of the expression parser.
    var nesting = 0
    var diagnostics: [Diagnostic] = []

    // Where to resynchronize after an error.
    var syncIndex: Int?
    var depthAtError = 0

    init(_ file: SourceFile) {
        self.file = file
        self.tokens = Lexer.tokenize(file)
    }

    // MARK: - Token access

    /// The current token (inside brackets, newlines are skipped first).
    mutating func peek() -> Token {
        if bracketDepth > 0 {
            while tokens[pos].kind == .newline {
                if pendingNewline == nil { pendingNewline = pos }
                pos += 1
            }
        }
        return tokens[pos]
    }

    var kind: TokenKind {
        mutating get { peek().kind }
    }

    /// The kind of the token after the current one, skipping newlines (for use inside brackets).
    mutating func kindAfterCurrent() -> TokenKind {
        _ = peek()
        var j = pos + 1
        while j < tokens.count - 1 && tokens[j].kind == .newline { j += 1 }
        return tokens[min(j, tokens.count - 1)].kind
    }

    @discardableResult
    mutating func advance() -> Token {
        let t = peek()
        if t.kind != .endOfFile { pos += 1 }
        pendingNewline = nil
        previousRange = t.range
        return t
    }

    mutating func skipSeparators() {
        while tokens[pos].kind == .newline || tokens[pos].kind == .semicolon { pos += 1 }
    }

    mutating func skipNewlines() {
        while tokens[pos].kind == .newline { pos += 1 }
    }

    // MARK: - Errors

    /// Records a diagnostic. After `maxErrors` of them, records a last one and jumps to the
    /// end of the file, so every loop winds down without reporting more.
    mutating func report(_ d: Diagnostic) {
        guard diagnostics.count < Parser.maxErrors else { return }
        diagnostics.append(d)
        if diagnostics.count == Parser.maxErrors {
            diagnostics.append(Diagnostic("too many errors; stopping here", at: d.range))
            pos = tokens.count - 1
            pendingNewline = nil
        }
    }

    /// Records an error and returns the error to throw.
    mutating func error(_ message: String, at range: SourceRange) -> ParseError {
        report(Diagnostic(message, at: range))
        depthAtError = bracketDepth
        syncIndex = nil
        return ParseError()
    }

    /// `expected WHAT, found TOKEN` at the current token. A lexer error at the current token
    /// is reported instead. With `newlineAware`, a newline skipped inside brackets just
    /// before the current token is taken as the culprit (`found newline`).
    mutating func expected(_ what: String, newlineAware: Bool = false) -> ParseError {
        let t = peek()
        if newlineAware, let nl = pendingNewline {
            report(Diagnostic("expected \(what), found newline", at: tokens[nl].range))
            syncIndex = diagnostics.count > Parser.maxErrors ? nil : nl
            depthAtError = bracketDepth
            return ParseError()
        }
        if t.kind == .invalid, let d = t.diagnostic {
            report(d)
            depthAtError = bracketDepth
            syncIndex = nil
            return ParseError()
        }
        return error("expected \(what), found \(t.readableDescription)", at: t.range)
    }

    mutating func resetState() {
        bracketDepth = 0
        pendingNewline = nil
        nesting = 0
        syncIndex = nil
        depthAtError = 0
    }

    static func isStatementKeyword(_ k: TokenKind) -> Bool {
        switch k {
        case .keyword(.input), .keyword(.param), .keyword(.output), .keyword(.return),
             .keyword(.graph), .keyword(.fn), .keyword(.train):
            return true
        default:
            return false
        }
    }

    /// A statement keyword, a `}`, or `NAME =` / `NAME :`.
    func looksLikeStatementStart(_ i: Int) -> Bool {
        let k = tokens[i].kind
        if Parser.isStatementKeyword(k) || k == .rightBrace { return true }
        if k == .identifier, i + 1 < tokens.count {
            return tokens[i + 1].kind == .equal || tokens[i + 1].kind == .colon
        }
        return false
    }

    func isDeclarationStart(_ i: Int) -> Bool {
        switch tokens[i].kind {
        case .keyword(.graph), .keyword(.fn), .keyword(.train):
            // `graph = G` inside a train block is a setting, not a declaration.
            return i + 1 >= tokens.count || tokens[i + 1].kind != .equal
        default:
            return false
        }
    }

    /// After an error inside a block: skip to the end of the statement (newline or `;`
    /// outside brackets), the block's `}`, or the start of a declaration.
    mutating func synchronize(statementStart: Int) {
        let depth0 = depthAtError
        if let s = syncIndex { pos = s }
        var depth = depth0
        resetState()
        if pos <= statementStart && tokens[pos].kind != .endOfFile { pos = statementStart + 1 }
        var braces = 0
        while true {
            let t = tokens[pos]
            switch t.kind {
            case .endOfFile:
                return
            case .rightBrace:
                if braces == 0 { return }
                braces -= 1
            case .leftBrace:
                braces += 1
            case .newline, .semicolon:
                if depth <= 0 && braces == 0 { return }
                // Inside an unclosed bracket: a line that looks like a new statement starts afresh.
                if t.kind == .newline && braces == 0 {
                    var j = pos + 1
                    while tokens[j].kind == .newline { j += 1 }
                    if looksLikeStatementStart(j) {
                        pos = j - 1
                        return
                    }
                }
            case .leftParen, .leftBracket:
                depth += 1
            case .rightParen, .rightBracket:
                depth -= 1
            default:
                if isDeclarationStart(pos) { return }
            }
            pos += 1
        }
    }

    /// After an error at the top level: skip to the next `graph`, `fn` or `train`.
    mutating func synchronizeTopLevel(declarationStart: Int) {
        resetState()
        if pos <= declarationStart && tokens[pos].kind != .endOfFile { pos = declarationStart + 1 }
        while tokens[pos].kind != .endOfFile && !isDeclarationStart(pos) { pos += 1 }
    }

    // MARK: - Helpers

    static func identifier(_ t: Token) -> Identifier { Identifier(t.text, t.range) }

    /// Ends a statement: a newline or `;` (consumed), or a `}` or the end of the file (not consumed).
    mutating func expectStatementEnd() throws {
        switch kind {
        case .newline, .semicolon: advance()
        case .rightBrace, .endOfFile: break
        default: throw expected("newline or ';' at the end of the statement")
        }
    }
}
