import NNGCore
import NNGLang

extension Lowerer {
    /// Module-level checks of the `fn` declarations: duplicates, names of operations,
    /// repeated parameters.
    mutating func checkFunctionDeclarations() {
        var seen: [String: SourceRange] = [:]
        for f in module.functions {
            if let first = seen[f.name.name] {
                error("fn '\(f.name.name)' is already defined", at: f.name.range, notes: [firstDefinedNote(f.name.name, first)])
            } else {
                seen[f.name.name] = f.name.range
            }
            if operationNames.contains(f.name.name) {
                error("'\(f.name.name)' is an operation; a fn cannot have its name", at: f.name.range)
            }
            var params = Set<String>()
            for p in f.parameters where !params.insert(p.name).inserted {
                error("parameter '\(p.name)' of '\(f.name.name)' is listed twice", at: p.range)
            }
        }
    }

    /// Inlines a call of `fn`: the arguments are tensors of the caller's scope; the body sees
    /// only its parameters, its own bindings and (through calls) the other fns. Values made in
    /// the body are unnamed.
    mutating func inlineCall(_ fn: FnDecl, callee: Identifier, args: [Argument], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        if callStack.contains(where: { $0.name == fn.name.name }) {
            let chain = (callStack.map(\.name) + [fn.name.name]).joined(separator: " -> ")
            throw fail("recursive call of '\(fn.name.name)'", at: callee.range, notes: ["note: call chain \(chain)"])
        }
        if let label = args.first(where: { $0.label != nil })?.label {
            throw fail("the arguments of fn '\(fn.name.name)' are positional", at: label.range)
        }
        guard args.count == fn.parameters.count else {
            let n = fn.parameters.count
            throw fail("'\(fn.name.name)' takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: callee.range)
        }
        var values: [NodeID] = []
        for arg in args { values.append(try lowerExpr(arg.value, in: scope)) }

        callStack.append((fn.name.name, callee.range))
        defer { callStack.removeLast() }
        let before = diagnostics.count
        var local = Scope(declared: Set(fn.parameters.map(\.name) + fn.body.map(\.name.name)))
        for (p, v) in zip(fn.parameters, values) { local.define(p.name, .node(v), at: p.range) }
        for b in fn.body {
            define(b.name, lowerBinding(b.name, b.type, b.value, in: local), in: &local)
        }
        let result = try lowerExpr(fn.result, in: local)
        guard diagnostics.count == before else { throw LoweringFailure() }
        return result
    }

    /// Checks of fn bodies that need no argument types (for `nngc check`): names, unknown
    /// operations, arity of fn calls, recursion.
    mutating func checkFunctionBodies() {
        for f in module.functions where fns[f.name.name]?.range == f.range {
            var defined = Set(f.parameters.map(\.name))
            var order = f.parameters.map(\.name)
            let declared = Set(order + f.body.map(\.name.name))
            for b in f.body {
                checkNames(b.value, defined: defined, order: order, declared: declared, fn: f)
                if defined.contains(b.name.name) {
                    error("'\(b.name.name)' is already defined", at: b.name.range)
                }
                defined.insert(b.name.name)
                order.append(b.name.name)
            }
            checkNames(f.result, defined: defined, order: order, declared: declared, fn: f)
        }
    }

    private mutating func checkNames(_ e: Expr, defined: Set<String>, order: [String], declared: Set<String>, fn: FnDecl) {
        switch e.kind {
        case .number, .string, .bool: break
        case .name(let n):
            if defined.contains(n) { break }
            if declared.contains(n) { error("'\(n)' is used before it is defined", at: e.range) }
            else if fns[n] != nil { error("'\(n)' is a fn: call it with arguments", at: e.range) }
            else { error("unknown name '\(n)'" + didYouMean(n, order), at: e.range) }
        case .list(let items):
            for i in items { checkNames(i, defined: defined, order: order, declared: declared, fn: fn) }
        case .unary(_, let x):
            checkNames(x, defined: defined, order: order, declared: declared, fn: fn)
        case .binary(_, let l, let r, _):
            checkNames(l, defined: defined, order: order, declared: declared, fn: fn)
            checkNames(r, defined: defined, order: order, declared: declared, fn: fn)
        case .call(let callee, let args):
            if let target = fns[callee.name] {
                if args.count != target.parameters.count {
                    let n = target.parameters.count
                    error("'\(callee.name)' takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: callee.range)
                }
                if let chain = recursionChain(from: target.name.name, to: fn.name.name, visited: []) {
                    error("recursive call of '\(callee.name)'", at: callee.range,
                          notes: ["note: call chain \(([fn.name.name] + chain).joined(separator: " -> "))"])
                }
            } else if !operationNames.contains(callee.name) {
                let hint = callee.name == "min" ? "; did you mean 'minimum'?"
                    : didYouMean(callee.name, Array(operationNames) + Array(fns.keys))
                error("unknown operation '\(callee.name)'" + hint, at: callee.range)
            }
            for a in args where !isAttributeList(a, of: callee.name) {
                checkNames(a.value, defined: defined, order: order, declared: declared, fn: fn)
            }
        }
    }

    /// Whether an argument is a literal attribute (names in it are symbols, not values).
    private func isAttributeList(_ a: Argument, of op: String) -> Bool {
        guard fns[op] == nil else { return false }
        if op == "reshape" || op == "broadcast", a.label?.name == "dims" || a.label == nil, case .list = a.value.kind { return true }
        return false
    }

    /// A chain of fn names from `start` that calls `target`, or nil.
    private func recursionChain(from start: String, to target: String, visited: Set<String>) -> [String]? {
        if start == target { return [start] }
        guard !visited.contains(start), let f = fns[start] else { return nil }
        var visited = visited
        visited.insert(start)
        for callee in calledFns(f) {
            if let rest = recursionChain(from: callee, to: target, visited: visited) { return [start] + rest }
        }
        return nil
    }

    private func calledFns(_ f: FnDecl) -> [String] {
        var out: [String] = []
        func walk(_ e: Expr) {
            switch e.kind {
            case .call(let c, let args):
                if fns[c.name] != nil, !out.contains(c.name) { out.append(c.name) }
                args.forEach { walk($0.value) }
            case .list(let items): items.forEach(walk)
            case .unary(_, let x): walk(x)
            case .binary(_, let l, let r, _): walk(l); walk(r)
            default: break
            }
        }
        f.body.forEach { walk($0.value) }
        walk(f.result)
        return out
    }
}
