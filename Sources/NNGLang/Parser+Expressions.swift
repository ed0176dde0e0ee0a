import NNGCore

extension Parser {
    /// An expression and the depth of its tree.
    typealias Parsed = (expr: Expr, depth: Int)

    mutating func parseExpression() throws -> Expr {
        try parseSum().expr
    }

    mutating func parseStandaloneExpression() -> Expr? {
        skipSeparators()
        do {
            let e = try parseSum().expr
            skipSeparators()
            guard kind == .endOfFile else { throw expected("end of the expression") }
            return e
        } catch {
            return nil
        }
    }

    mutating func binary(_ op: BinaryOperator, _ lhs: Parsed, _ rhs: Parsed, _ opRange: SourceRange) throws -> Parsed {
        let depth = max(lhs.depth, rhs.depth) + 1
        if depth > Parser.maxNestingDepth { throw error("expression nested too deeply", at: opRange) }
        let e = Expr(.binary(op, lhs.expr, rhs.expr, operatorRange: opRange), lhs.expr.range.union(rhs.expr.range))
        return (e, depth)
    }

    mutating func parseSum() throws -> Parsed {
        var lhs = try parseProduct()
        while true {
            let op: BinaryOperator
            switch kind {
            case .plus: op = .add
            case .minus: op = .subtract
            default: return lhs
            }
            let opToken = advance()
            let rhs = try parseProduct()
            lhs = try binary(op, lhs, rhs, opToken.range)
        }
    }

    mutating func parseProduct() throws -> Parsed {
        var lhs = try parseUnary()
        while true {
            let op: BinaryOperator
            switch kind {
            case .star: op = .multiply
            case .slash: op = .divide
            case .at: op = .matmul
            default: return lhs
            }
            let opToken = advance()
            let rhs = try parseUnary()
            lhs = try binary(op, lhs, rhs, opToken.range)
        }
    }

    mutating func parseUnary() throws -> Parsed {
        nesting += 1
        defer { nesting -= 1 }
        if nesting > Parser.maxNestingDepth + 1 {
            let t = peek()
            throw error("expression nested too deeply", at: t.range)
        }
        if kind == .minus {
            let minus = advance()
            let operand = try parseUnary()
            let depth = operand.depth + 1
            if depth > Parser.maxNestingDepth { throw error("expression nested too deeply", at: minus.range) }
            return (Expr(.unary(.negate, operand.expr), minus.range.union(operand.expr.range)), depth)
        }
        return try parsePower()
    }

    mutating func parsePower() throws -> Parsed {
        let base = try parsePrimary()
        guard kind == .caret else { return base }
        let op = advance()
        let exponent = try parseUnary()
        return try binary(.power, base, exponent, op.range)
    }

    mutating func parsePrimary() throws -> Parsed {
        let t = peek()
        switch t.kind {
        case .number:
            advance()
            return (Expr(.number(t.numberValue), t.range), 0)
        case .string:
            advance()
            return (Expr(.string(t.stringValue), t.range), 0)
        case .keyword(.true), .keyword(.false):
            advance()
            return (Expr(.bool(t.kind == .keyword(.true)), t.range), 0)
        case .identifier:
            advance()
            if kind == .leftParen { return try parseCall(callee: t) }
            return (Expr(.name(t.text), t.range), 0)
        case .leftParen:
            advance()
            bracketDepth += 1
            let inner = try parseSum()
            guard kind == .rightParen else { throw expected("')' to close '('", newlineAware: true) }
            bracketDepth -= 1
            let close = advance()
            return (Expr(inner.expr.kind, t.range.union(close.range)), inner.depth)
        case .leftBracket:
            advance()
            bracketDepth += 1
            var elements: [Expr] = []
            var depth = 0
            if kind != .rightBracket {
                while true {
                    let e = try parseSum()
                    elements.append(e.expr)
                    depth = max(depth, e.depth)
                    guard kind == .comma else { break }
                    advance()
                }
            }
            guard kind == .rightBracket else { throw expected("']' to close the list", newlineAware: true) }
            bracketDepth -= 1
            let close = advance()
            return (Expr(.list(elements), t.range.union(close.range)), depth + 1)
        default:
            throw expected("an expression")
        }
    }

    /// `IDENT ( args )`; the current token is the `(`.
    mutating func parseCall(callee: Token) throws -> Parsed {
        advance()
        bracketDepth += 1
        var arguments: [Argument] = []
        var depth = 0
        var sawKeyword = false
        if kind != .rightParen {
            while true {
                let start = peek()
                var label: Identifier?
                if start.kind == .identifier && kindAfterCurrent() == .equal {
                    let l = Parser.identifier(advance())
                    if arguments.contains(where: { $0.label?.name == l.name }) {
                        throw error("duplicate keyword argument '\(l.name)'", at: l.range)
                    }
                    advance()
                    label = l
                    sawKeyword = true
                } else if sawKeyword {
                    throw error("positional argument follows keyword argument", at: start.range)
                }
                let value = try parseSum()
                arguments.append(Argument(label: label, value: value.expr))
                depth = max(depth, value.depth)
                guard kind == .comma else { break }
                advance()
            }
        }
        guard kind == .rightParen else {
            throw expected("')' to close the call of '\(callee.text)'", newlineAware: true)
        }
        bracketDepth -= 1
        let close = advance()
        return (Expr(.call(callee: Parser.identifier(callee), arguments: arguments), callee.range.union(close.range)),
                depth + 1)
    }
}
