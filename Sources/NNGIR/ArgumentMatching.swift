import NNGCore
import NNGLang

/// Matches the arguments of a call to named parameters: positional ones in order, then
/// keywords (operations, initialisers, optimizers and data sources all take arguments this
/// way). The first `required` parameters must be given.
public func matchArguments(_ args: [Argument], params: [String], required: Int = 0, callee: Identifier) throws(Diagnostic) -> [String: Expr] {
    var bound: [String: Expr] = [:]
    var positional = 0
    var sawKeyword = false
    for arg in args {
        if let label = arg.label {
            sawKeyword = true
            guard params.contains(label.name) else {
                throw Diagnostic("unknown argument '\(label.name)' for '\(callee.name)'" + didYouMean(label.name, params), at: label.range)
            }
            guard bound[label.name] == nil else {
                throw Diagnostic("argument '\(label.name)' of '\(callee.name)' is given twice", at: label.range)
            }
            bound[label.name] = arg.value
        } else {
            if sawKeyword { throw Diagnostic("a positional argument cannot follow keyword arguments", at: arg.value.range) }
            guard positional < params.count else {
                let n = params.count
                throw Diagnostic("'\(callee.name)' takes at most \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: arg.value.range)
            }
            bound[params[positional]] = arg.value
            positional += 1
        }
    }
    for p in params.prefix(required) where bound[p] == nil {
        throw Diagnostic("missing argument '\(p)' for '\(callee.name)'", at: callee.range)
    }
    return bound
}
