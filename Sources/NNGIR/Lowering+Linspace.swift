import NNGCore
import NNGLang

extension Lowerer {
    /// `linspace(start, end, count)` in a graph: the constant f[count] of `count` evenly spaced
    /// points from start to end inclusive — the same points as the `linspace` of a data source
    /// (`Linspace.values`). Start and end are number literals; count is a positive integer or
    /// a bound size (`linspace(0, 5, M)` with `--size M=201`). It is an ordinary constant node,
    /// so both backends, the printer and autodiff need nothing new; `grad(y, x)` may take a
    /// value computed from it as x (collocation points of a physics-informed network).
    mutating func lowerLinspace(_ callee: Identifier, _ a: [String: Expr], range: SourceRange) throws(LoweringFailure) -> NodeID {
        let start = try finiteNumber(a["start"]!, "start")
        let end = try finiteNumber(a["end"]!, "end")
        let countExpr = a["count"]!
        let count: Int
        if let n = literalInt(countExpr) {
            count = n
        } else {
            let dim: Dim
            do { dim = try evaluateDimension(countExpr, sizes: options.sizes) }
            catch { throw fail(error.message, at: error.range) }
            guard case .known(let n) = dim else {
                throw fail("'count' of 'linspace' must be an integer or a bound size (--size M=N), got \(dim)", at: countExpr.range)
            }
            count = n
        }
        guard count >= 1 else { throw fail("'count' of 'linspace' must be a positive integer, got \(count)", at: countExpr.range) }
        guard count <= options.limits.maxConstantElements else {
            throw fail("'count' of 'linspace' is \(count), more than the \(options.limits.maxConstantElements) elements a constant may have", at: countExpr.range)
        }
        return constant(Linspace(start, end, count).values, shape: Shape([.known(count)]), range: range)
    }

    private mutating func finiteNumber(_ e: Expr, _ p: String) throws(LoweringFailure) -> Double {
        guard let v = literalNumber(e) else { throw fail("'\(p)' of 'linspace' must be a number literal", at: e.range) }
        guard v.isFinite else { throw fail("'\(p)' of 'linspace' must be finite, got \(v)", at: e.range) }
        return v
    }
}
