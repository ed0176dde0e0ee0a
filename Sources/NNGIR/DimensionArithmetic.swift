import NNGCore
import NNGLang

// Dimension arithmetic (extension): a dimension in a type or in the shape list of `reshape` /
// `broadcast` may be an expression of integers and symbols with `+ - * / ^` and parentheses
// (`L*L`, `8*(L/2)*(L/2)`). Symbols with a bound size (LoweringOptions.sizes: `--size` or a
// data source such as `ising(L = 16)`) are replaced by it, so the expression becomes a
// number. What stays symbolic must be a product (`2*B`, `B*B`): the shapes of the graph are
// products of symbols (Dim), whose equality the checker can decide. `/` must divide exactly.

/// Why a dimension expression has no value, and where.
struct DimensionError: Error {
    var message: String
    var range: SourceRange
    /// The unbound symbol, when that is the reason (the message then names the whole dimension).
    var unbound: String? = nil
}

/// A dimension expression's value: a size, or a product of unbound symbols.
private enum DimValue {
    case size(Int)
    case product(Monomial, unbound: String)
}

/// The dimension `e` denotes with `sizes` bound.
func evaluateDimension(_ e: Expr, sizes: [String: Int]) throws(DimensionError) -> Dim {
    let value: DimValue
    do { value = try dimValue(e, sizes: sizes) } catch {
        guard let name = error.unbound else { throw error }
        throw DimensionError(message: "dimension \(describe(e)) needs the size of '\(name)': give --size \(name)=N, or a data source that binds it (only products such as 2*\(name) can stay symbolic)",
                             range: e.range)
    }
    switch value {
    case .size(let n):
        guard n > 0 else { throw DimensionError(message: "a dimension must be a positive integer, got \(n)", range: e.range) }
        return .known(n)
    case .product(let m, _):
        guard let d = Dim(m) else { throw DimensionError(message: "a dimension must be positive, got \(m.sourceText)", range: e.range) }
        return d
    }
}

private func dimValue(_ e: Expr, sizes: [String: Int]) throws(DimensionError) -> DimValue {
    func overflow() -> DimensionError { DimensionError(message: "dimension \(describe(e)) is too large", range: e.range) }
    switch e.kind {
    case .number(let v):
        guard v == v.rounded(), v >= 0, v < 1e15 else {
            throw DimensionError(message: "a dimension must be built from whole numbers and symbols, found \(describe(e))", range: e.range)
        }
        return .size(Int(v))
    case .name(let s):
        if let n = sizes[s] { return .size(n) }
        return .product(Monomial(symbols: [s: 1]), unbound: s)
    case .unary(.negate, let x):
        guard case .size(let n) = try dimValue(x, sizes: sizes) else { throw unboundError(e, x, sizes) }
        return .size(-n)
    case .binary(let op, let a, let b, let opRange):
        let l = try dimValue(a, sizes: sizes), r = try dimValue(b, sizes: sizes)
        switch (op, l, r) {
        case (.add, .size(let x), .size(let y)):
            let (v, o) = x.addingReportingOverflow(y); if o { throw overflow() }; return .size(v)
        case (.subtract, .size(let x), .size(let y)):
            let (v, o) = x.subtractingReportingOverflow(y); if o { throw overflow() }; return .size(v)
        case (.multiply, _, _):
            guard let m = monomial(l).multiplied(by: monomial(r)) else { throw overflow() }
            if m.symbols.isEmpty { return .size(m.coefficient) }
            return .product(m, unbound: unboundName(l) ?? unboundName(r)!)
        case (.divide, .size(let x), .size(let y)):
            guard y != 0, x % y == 0 else {
                throw DimensionError(message: "dimension \(describe(e)) is \(x)/\(y), not a whole number", range: opRange)
            }
            return .size(x / y)
        case (.power, _, .size(let y)):
            guard y >= 0, y <= 64 else { throw DimensionError(message: "the exponent of a dimension must be in 0…64, got \(y)", range: b.range) }
            var m = Monomial()
            for _ in 0..<y { guard let p = m.multiplied(by: monomial(l)) else { throw overflow() }; m = p }
            if m.symbols.isEmpty { return .size(m.coefficient) }
            return .product(m, unbound: unboundName(l)!)
        case (.matmul, _, _):
            throw DimensionError(message: "'@' cannot be used in a dimension", range: opRange)
        default:
            throw unboundError(e, b, sizes, fallback: a)
        }
    default:
        throw DimensionError(message: "a dimension must be built from whole numbers, symbols and + - * / ^, found \(describe(e))", range: e.range)
    }
}

private func monomial(_ v: DimValue) -> Monomial {
    switch v {
    case .size(let n): return Monomial(coefficient: n)
    case .product(let m, _): return m
    }
}

private func unboundName(_ v: DimValue) -> String? {
    if case .product(_, let s) = v { return s }
    return nil
}

/// `e` needs the size of a symbol that is not bound: only products can stay symbolic.
private func unboundError(_ e: Expr, _ x: Expr, _ sizes: [String: Int], fallback: Expr? = nil) -> DimensionError {
    let name = firstUnbound(x, sizes) ?? fallback.flatMap { firstUnbound($0, sizes) } ?? "?"
    return DimensionError(message: "", range: e.range, unbound: name)
}

private func firstUnbound(_ e: Expr, _ sizes: [String: Int]) -> String? {
    switch e.kind {
    case .name(let s): return sizes[s] == nil ? s : nil
    case .unary(_, let x): return firstUnbound(x, sizes)
    case .binary(_, let a, let b, _): return firstUnbound(a, sizes) ?? firstUnbound(b, sizes)
    default: return nil
    }
}

/// The expression as the user wrote it, for messages.
private func describe(_ e: Expr, inside: Int = 0) -> String {
    switch e.kind {
    case .number(let v): return v == v.rounded() && Swift.abs(v) < 1e15 ? String(Int(v)) : String(v)
    case .name(let s): return s
    case .unary(_, let x): return "-" + describe(x, inside: 3)
    case .binary(let op, let a, let b, _):
        let p = precedence(op)
        let text = describe(a, inside: p) + op.rawValue + describe(b, inside: p + 1)
        return p < inside ? "(" + text + ")" : text
    default: return "a " + kindName(e)
    }
}

private func kindName(_ e: Expr) -> String {
    switch e.kind {
    case .string: return "string"
    case .bool: return "boolean"
    case .call(let c, _): return "call of '\(c.name)'"
    case .list: return "list"
    default: return "expression"
    }
}

private func precedence(_ op: BinaryOperator) -> Int {
    switch op {
    case .add, .subtract: return 1
    case .multiply, .divide, .matmul: return 2
    case .power: return 3
    }
}
