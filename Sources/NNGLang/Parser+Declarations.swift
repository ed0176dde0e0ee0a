import NNGCore

extension Parser {
    mutating func parseModule() -> Module {
        var module = Module(file: file)
        while true {
            skipSeparators()
            let start = pos
            let t = tokens[pos]
            switch t.kind {
            case .endOfFile:
                return module
            case .keyword(.graph):
                do { module.graphs.append(try parseGraph()) } catch { synchronizeTopLevel(declarationStart: start) }
            case .keyword(.fn):
                do {
                    if let fn = try parseFn() { module.functions.append(fn) }
                } catch { synchronizeTopLevel(declarationStart: start) }
            case .keyword(.train):
                do { module.trains.append(try parseTrain()) } catch { synchronizeTopLevel(declarationStart: start) }
            default:
                _ = expected("'graph', 'fn' or 'train' at the top level")
                synchronizeTopLevel(declarationStart: start)
            }
        }
    }

    // MARK: graph

    mutating func parseGraph() throws -> GraphDecl {
        let keyword = advance()
        guard kind == .identifier else { throw expected("a graph name after 'graph'") }
        let name = Parser.identifier(advance())
        skipNewlines()
        guard kind == .leftBrace else { throw expected("'{' after the graph name") }
        advance()
        var statements: [Statement] = []
        while true {
            skipSeparators()
            let t = tokens[pos]
            if t.kind == .rightBrace {
                advance()
                return GraphDecl(name: name, statements: statements, range: keyword.range.union(t.range))
            }
            if t.kind == .endOfFile || isDeclarationStart(pos) {
                _ = expected("'}' to close graph '\(name.name)'")
                return GraphDecl(name: name, statements: statements, range: keyword.range.union(previousRange))
            }
            let start = pos
            do {
                statements.append(try parseStatement())
            } catch {
                synchronize(statementStart: start)
            }
        }
    }

    mutating func parseStatement() throws -> Statement {
        let first = peek()
        let kindOfStatement: StatementKind
        switch first.kind {
        case .keyword(.input):
            advance()
            guard kind == .identifier else { throw expected("an input name after 'input'") }
            let name = Parser.identifier(advance())
            guard kind == .colon else { throw expected("':' after input name '\(name.name)'") }
            advance()
            kindOfStatement = .input(name, try parseType())
        case .keyword(.param):
            advance()
            guard kind == .identifier else { throw expected("a parameter name after 'param'") }
            let name = Parser.identifier(advance())
            guard kind == .colon else { throw expected("':' after parameter name '\(name.name)'") }
            advance()
            let type = try parseType()
            guard kind == .equal else { throw expected("'=' after parameter type") }
            advance()
            kindOfStatement = .param(name, type, initializer: try parseExpression())
        case .keyword(.output):
            advance()
            var names: [Identifier] = []
            while true {
                guard kind == .identifier else { throw expected("an output name") }
                names.append(Parser.identifier(advance()))
                guard kind == .comma else { break }
                advance()
            }
            kindOfStatement = .output(names)
        case .identifier:
            let (name, type, value) = try parseBinding()
            kindOfStatement = .assign(name, type, value)
        default:
            throw expected("a statement (input, param, output or NAME = expr)")
        }
        let range = first.range.union(previousRange)
        try expectStatementEnd()
        return Statement(kindOfStatement, range)
    }

    /// `NAME [: TYPE] = expr` (the current token is the name).
    mutating func parseBinding() throws -> (Identifier, TypeExpr?, Expr) {
        let name = Parser.identifier(advance())
        var type: TypeExpr?
        if kind == .colon {
            advance()
            type = try parseType()
            guard kind == .equal else { throw expected("'=' after the type of '\(name.name)'") }
        } else {
            guard kind == .equal else { throw expected("'=' or ':' after '\(name.name)'") }
        }
        advance()
        return (name, type, try parseExpression())
    }

    // MARK: types

    mutating func parseType() throws -> TypeExpr {
        let t = peek()
        guard t.kind == .identifier else { throw expected("a type such as f32[B, 8]") }
        guard let dtype = DType(rawValue: t.text) else {
            throw error("unknown element type '\(Token.abbreviate(t.text))' (expected f32 or f64)", at: t.range)
        }
        advance()
        guard kind == .leftBracket else { throw expected("'[' after '\(t.text)' (write \(t.text)[] for a scalar)") }
        advance()
        bracketDepth += 1
        var dims: [DimExpr] = []
        if kind != .rightBracket {
            while true {
                let d = peek()
                if d.kind == .identifier || d.kind == .leftParen || (d.kind == .number && isArithmeticAhead()) {
                    dims.append(try parseDimension())
                } else if d.kind == .number {
                    guard d.isInteger, d.numberValue > 0 else {
                        throw error("expected a dimension (a positive integer or a symbol), found '\(Token.abbreviate(d.text))'",
                                    at: d.range)
                    }
                    guard let size = Int(d.text) else {
                        throw error("dimension \(Token.abbreviate(d.text)) is too large", at: d.range)
                    }
                    advance()
                    dims.append(.size(size, d.range))
                } else {
                    throw expected("a dimension (a positive integer or a symbol)")
                }
                guard kind == .comma else { break }
                advance()
            }
        }
        guard kind == .rightBracket else { throw expected("']' to close the shape", newlineAware: true) }
        bracketDepth -= 1
        let close = advance()
        return TypeExpr(dtype: dtype, dims: dims, range: t.range.union(close.range))
    }

    /// Whether the token after the current one continues a dimension expression (`2*L`).
    mutating func isArithmeticAhead() -> Bool {
        [.plus, .minus, .star, .slash, .caret].contains(kindAfterCurrent())
    }

    /// One dimension that is a symbol or arithmetic (`L`, `L*L`, `8*(L/2)`): an expression,
    /// which the checker evaluates and restricts to integers, symbols and `+ - * / ^`.
    mutating func parseDimension() throws -> DimExpr {
        let e = try parseExpression()
        if case .name(let n) = e.kind { return .symbol(Identifier(n, e.range)) }
        return .arithmetic(e)
    }

    // MARK: fn

    /// Returns nil when the fn has no usable result (the error is already reported).
    mutating func parseFn() throws -> FnDecl? {
        let keyword = advance()
        guard kind == .identifier else { throw expected("a function name after 'fn'") }
        let name = Parser.identifier(advance())
        guard kind == .leftParen else { throw expected("'(' after the name of fn '\(name.name)'") }
        advance()
        bracketDepth += 1
        var parameters: [Identifier] = []
        if kind != .rightParen {
            while true {
                guard kind == .identifier else { throw expected("a parameter name") }
                let p = Parser.identifier(advance())
                if parameters.contains(where: { $0.name == p.name }) {
                    throw error("duplicate parameter '\(p.name)' in fn '\(name.name)'", at: p.range)
                }
                parameters.append(p)
                guard kind == .comma else { break }
                advance()
            }
        }
        guard kind == .rightParen else {
            throw expected("')' to close the parameter list of fn '\(name.name)'", newlineAware: true)
        }
        bracketDepth -= 1
        advance()
        skipNewlines()
        guard kind == .leftBrace else { throw expected("'{' after the parameter list of fn '\(name.name)'") }
        advance()

        var body: [Binding] = []
        var result: Expr?
        var sawReturn = false
        while true {
            skipSeparators()
            let t = tokens[pos]
            if t.kind == .rightBrace {
                advance()
                if !sawReturn {
                    _ = error("fn '\(name.name)' has no 'return'", at: t.range)
                }
                guard let result else { return nil }
                return FnDecl(name: name, parameters: parameters, body: body, result: result,
                              range: keyword.range.union(t.range))
            }
            if t.kind == .endOfFile || isDeclarationStart(pos) {
                _ = expected("'}' to close fn '\(name.name)'")
                guard let result else { return nil }
                return FnDecl(name: name, parameters: parameters, body: body, result: result,
                              range: keyword.range.union(previousRange))
            }
            let start = pos
            if sawReturn {
                // Nothing may follow the return: report once, then skip to the closing brace.
                _ = expected("'}' after the return of fn '\(name.name)'")
                skipToClosingBrace()
                continue
            }
            do {
                switch t.kind {
                case .keyword(.return):
                    sawReturn = true
                    advance()
                    result = try parseExpression()
                    try expectStatementEnd()
                case .identifier:
                    let (n, type, value) = try parseBinding()
                    try expectStatementEnd()
                    body.append(Binding(name: n, type: type, value: value))
                default:
                    throw expected("a binding (NAME = expr) or 'return' in fn '\(name.name)'")
                }
            } catch {
                synchronize(statementStart: start)
            }
        }
    }

    /// Skips to the `}` closing the current block (not consumed), a declaration, or the end.
    mutating func skipToClosingBrace() {
        resetState()
        var braces = 0
        while tokens[pos].kind != .endOfFile && !isDeclarationStart(pos) {
            if tokens[pos].kind == .leftBrace { braces += 1 }
            if tokens[pos].kind == .rightBrace {
                if braces == 0 { return }
                braces -= 1
            }
            pos += 1
        }
    }

    // MARK: train

    mutating func parseTrain() throws -> TrainDecl {
        let keyword = advance()
        var name: Identifier?
        if kind == .identifier { name = Parser.identifier(advance()) }
        skipNewlines()
        guard kind == .leftBrace else {
            throw expected(name == nil ? "'{' or a name after 'train'" : "'{' after the train name")
        }
        advance()
        var entries: [TrainEntry] = []
        while true {
            skipSeparators()
            let t = tokens[pos]
            if t.kind == .rightBrace {
                advance()
                return TrainDecl(name: name, entries: entries, range: keyword.range.union(t.range))
            }
            if t.kind == .endOfFile || isDeclarationStart(pos) {
                _ = expected("'}' to close the train block")
                return TrainDecl(name: name, entries: entries, range: keyword.range.union(previousRange))
            }
            let start = pos
            do {
                // Keys are names; keywords are allowed too (`graph = G`).
                switch t.kind {
                case .identifier, .keyword:
                    let key = Parser.identifier(advance())
                    guard kind == .equal else { throw expected("'=' after train setting '\(key.name)'") }
                    advance()
                    let value = try parseExpression()
                    try expectStatementEnd()
                    entries.append(TrainEntry(key: key, value: value))
                default:
                    throw expected("a setting (NAME = expr) in the train block")
                }
            } catch {
                synchronize(statementStart: start)
            }
        }
    }
}
