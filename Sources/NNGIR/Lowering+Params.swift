import NNGCore
import NNGLang

/// The initialiser names written as bare names or calls (contract 5.2).
let initializerNames = ["zeros", "ones", "he", "xavier", "normal", "uniform"]

extension Lowerer {
    /// A parameter initialiser (contract 5.2): a number; a nested list literal of the exact
    /// shape; `zeros`, `ones`, `he`, `xavier`; `normal(std = S)` (default std 1);
    /// `uniform(low = A, high = B)` (defaults 0 and 1).
    mutating func paramInit(_ e: Expr, type: TensorType, name: Identifier) throws(LoweringFailure) -> ParamInit {
        if let v = literalNumber(e) { return .fill(v) }
        switch e.kind {
        case .list:
            let (values, shape) = try listConstant(e)
            guard shape == type.shape else {
                throw fail("the initial value of '\(name.name)' has shape \(shape) but the parameter is \(type)", at: e.range)
            }
            return .literal(values)
        case .name(let n):
            switch n {
            case "zeros": return .zeros
            case "ones": return .ones
            case "he": return .he
            case "xavier": return .xavier
            case "normal", "uniform": throw fail("'\(n)' needs arguments: \(n == "normal" ? "normal(std = S)" : "uniform(low = A, high = B)")", at: e.range)
            default: throw fail("unknown initializer '\(n)'" + didYouMean(n, initializerNames), at: e.range)
            }
        case .call(let callee, let args):
            switch callee.name {
            case "normal":
                let a = try bindArguments(args, params: ["std"], required: 0, callee: callee)
                let std = try numberAttribute(a["std"], default: 1, "std", of: "normal")
                guard std >= 0 else { throw fail("'std' of 'normal' must not be negative", at: a["std"]!.range) }
                return .normal(std: std)
            case "uniform":
                let a = try bindArguments(args, params: ["low", "high"], required: 0, callee: callee)
                let low = try numberAttribute(a["low"], default: 0, "low", of: "uniform")
                let high = try numberAttribute(a["high"], default: 1, "high", of: "uniform")
                guard low <= high else { throw fail("uniform needs low <= high, got \(formatNumber(low)) and \(formatNumber(high))", at: callee.range) }
                return .uniform(low: low, high: high)
            default:
                throw fail("unknown initializer '\(callee.name)'" + didYouMean(callee.name, initializerNames), at: callee.range)
            }
        default:
            throw fail("the initial value of '\(name.name)' must be a number, a list, zeros, ones, he, xavier, normal(std = S) or uniform(low = A, high = B)", at: e.range)
        }
    }
}
