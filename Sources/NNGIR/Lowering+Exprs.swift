import Foundation
import NNGCore
import NNGLang

/// The value of a number literal expression: a number, `-` of one, or `+ - * / ^` of two
/// (folded, so that printed constants such as `-3` and `(0/0)` read back as constants).
public func literalNumber(_ e: Expr) -> Double? {
    switch e.kind {
    case .number(let v): return v
    case .unary(.negate, let x): return literalNumber(x).map { -$0 }
    case .binary(let op, let l, let r, _):
        guard op != .matmul, let a = literalNumber(l), let b = literalNumber(r) else { return nil }
        switch op {
        case .add: return a + b
        case .subtract: return a - b
        case .multiply: return a * b
        case .divide: return a / b
        case .power: return pow(a, b)
        case .matmul: return nil
        }
    default: return nil
    }
}

/// An integer literal (possibly negated), or nil.
public func literalInt(_ e: Expr) -> Int? {
    guard let v = literalNumber(e), v == v.rounded(), Swift.abs(v) < 1e15 else { return nil }
    return Int(v)
}

extension Lowerer {
    mutating func lowerExpr(_ e: Expr, in scope: Scope) throws(LoweringFailure) -> NodeID {
        depth += 1
        defer { depth -= 1 }
        if depth > options.limits.maxDepth {
            throw fail("fn calls nested too deeply (more than \(options.limits.maxDepth) levels of expressions)", at: e.range)
        }
        if let v = literalNumber(e) {
            return constant([v], shape: .scalar, range: e.range)
        }
        switch e.kind {
        case .number(let v):
            return constant([v], shape: .scalar, range: e.range)
        case .string:
            throw fail("expected a tensor, got a string", at: e.range)
        case .bool(let b):
            throw fail("expected a tensor, got '\(b)'", at: e.range)
        case .name(let n):
            return try lookup(n, at: e.range, in: scope)
        case .list:
            let (values, shape) = try listConstant(e)
            return constant(values, shape: shape, range: e.range)
        case .unary(.negate, let x):
            let a = try lowerExpr(x, in: scope)
            return try add(.unary(.negate), [a], range: e.range, errorRange: e.range)
        case .binary(let op, let l, let r, let opRange):
            let a = try lowerExpr(l, in: scope)
            let b = try lowerExpr(r, in: scope)
            let irOp: Op
            switch op {
            case .add: irOp = .binary(.add)
            case .subtract: irOp = .binary(.subtract)
            case .multiply: irOp = .binary(.multiply)
            case .divide: irOp = .binary(.divide)
            case .power: irOp = .binary(.power)
            case .matmul: irOp = .matmul
            }
            return try add(irOp, [a, b], range: e.range, errorRange: opRange)
        case .call(let callee, let args):
            return try lowerCall(callee, args, range: e.range, in: scope)
        }
    }

    mutating func lookup(_ name: String, at range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        switch scope.entry(name) {
        case .node(let n): return n
        case .poisoned: throw LoweringFailure()
        case nil: break
        }
        if scope.declared.contains(name) {
            throw fail("'\(name)' is used before it is defined", at: range)
        }
        if fns[name] != nil {
            throw fail("'\(name)' is a fn: call it with arguments", at: range)
        }
        throw fail("unknown name '\(name)'" + didYouMean(name, scope.order), at: range)
    }

    /// A nested list literal of numbers: row-major values and shape.
    mutating func listConstant(_ e: Expr) throws(LoweringFailure) -> (values: [Double], shape: Shape) {
        if let v = literalNumber(e) { return ([v], .scalar) }
        guard case .list(let items) = e.kind else {
            throw fail("a list literal may only contain numbers (use concat to join tensors)", at: e.range)
        }
        guard !items.isEmpty else { throw fail("an empty list is not a tensor", at: e.range) }
        var values: [Double] = []
        var inner: Shape?
        for item in items {
            let (v, s) = try listConstant(item)
            if let inner, inner != s {
                throw fail("ragged list: expected an element of shape \(inner), got \(s)", at: item.range)
            }
            inner = s
            values += v
        }
        return (values, Shape([.known(items.count)] + inner!.dims))
    }
}
