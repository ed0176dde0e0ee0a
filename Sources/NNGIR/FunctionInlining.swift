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
    /// the body are unnamed. A second call of a fn on the same argument nodes returns the first
    /// call's result (unless the fn draws random numbers), so nested calls cost time linear in
    /// the program, not exponential (`f(x) + f(x)` at every level of a chain).
    mutating func inlineCall(_ fn: FnDecl, callee: Identifier, args: [Argument], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        if inlining.contains(fn.name.name) {
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
        let key = SharedCall(fn: fn.name.name, arguments: values)
        let shareable = !callGraph.drawsRandomNumbers(fn.name.name)
        if shareable, let result = sharing.calls[key] { return result }

        callStack.append((fn.name.name, callee.range))
        inlining.insert(fn.name.name)
        defer { callStack.removeLast(); inlining.remove(fn.name.name) }
        let before = diagnostics.count
        var local = Scope(declared: Set(fn.parameters.map(\.name) + fn.body.map(\.name.name)))
        for (p, v) in zip(fn.parameters, values) { local.define(p.name, .node(v), at: p.range) }
        for b in fn.body {
            define(b.name, lowerBinding(b.name, b.type, b.value, in: local), in: &local)
        }
        let result = try lowerExpr(fn.result, in: local)
        guard diagnostics.count == before else { throw LoweringFailure() }
        if graph.nodes.count > options.limits.maxNodes {
            throw fail("inlining '\(fn.name.name)' makes the graph larger than \(options.limits.maxNodes) operations", at: callee.range,
                       notes: ["note: every call of a fn adds a copy of its body; calls that draw random numbers cannot share one"])
        }
        if shareable { sharing.calls[key] = result }
        return result
    }

    /// Checks of fn bodies that need no argument types (for `nngc check`): names, unknown
    /// operations, arity of fn calls, recursion.
    mutating func checkFunctionBodies() {
        let scanBodies = scanBodyNames()
        for f in module.functions where fns[f.name.name]?.range == f.range {
            let captures = scanBodies.contains(f.name.name)
            var defined = Set(f.parameters.map(\.name))
            var order = f.parameters.map(\.name)
            let declared = Set(order + f.body.map(\.name.name))
            for b in f.body {
                checkNames(b.value, defined: defined, order: order, declared: declared, fn: f, captures: captures)
                if defined.contains(b.name.name) {
                    error("'\(b.name.name)' is already defined", at: b.name.range)
                }
                defined.insert(b.name.name)
                order.append(b.name.name)
            }
            checkNames(f.result, defined: defined, order: order, declared: declared, fn: f, captures: captures)
        }
    }

    /// `captures`: the fn is a scan body, whose free names are values of the scope of the scan
    /// (checked there).
    private mutating func checkNames(_ e: Expr, defined: Set<String>, order: [String], declared: Set<String>, fn: FnDecl, captures: Bool) {
        switch e.kind {
        case .number, .string, .bool: break
        case .name(let n):
            if defined.contains(n) { break }
            if declared.contains(n) { error("'\(n)' is used before it is defined", at: e.range) }
            else if fns[n] != nil { error("'\(n)' is a fn: call it with arguments", at: e.range) }
            else if !captures { error("unknown name '\(n)'" + didYouMean(n, order), at: e.range) }
        case .list(let items):
            for i in items { checkNames(i, defined: defined, order: order, declared: declared, fn: fn, captures: captures) }
        case .unary(_, let x):
            checkNames(x, defined: defined, order: order, declared: declared, fn: fn, captures: captures)
        case .binary(_, let l, let r, _):
            checkNames(l, defined: defined, order: order, declared: declared, fn: fn, captures: captures)
            checkNames(r, defined: defined, order: order, declared: declared, fn: fn, captures: captures)
        case .call(let callee, let args):
            if let target = fns[callee.name] {
                if args.count != target.parameters.count {
                    let n = target.parameters.count
                    error("'\(callee.name)' takes \(n) argument\(n == 1 ? "" : "s"), got \(args.count)", at: callee.range)
                }
                if callGraph.isRecursive(call: target.name.name, in: fn.name.name),
                   let chain = callGraph.chain(from: target.name.name, to: fn.name.name) {
                    error("recursive call of '\(callee.name)'", at: callee.range,
                          notes: ["note: call chain \(([fn.name.name] + chain).joined(separator: " -> "))"])
                }
            } else if !operationNames.contains(callee.name) {
                let hint = callee.name == "min" ? "; did you mean 'minimum'?"
                    : didYouMean(callee.name, callableNames)
                error("unknown operation '\(callee.name)'" + hint, at: callee.range)
            }
            for (i, a) in args.enumerated() where !isAttributeList(a, of: callee.name) && !(callee.name == "scan" && i == 0) {
                checkNames(a.value, defined: defined, order: order, declared: declared, fn: fn, captures: captures)
            }
        }
    }

    /// The fns passed to `scan` anywhere in the module.
    private func scanBodyNames() -> Set<String> {
        var names = Set<String>()
        func visit(_ e: Expr) {
            switch e.kind {
            case .number, .string, .bool, .name: break
            case .list(let items): items.forEach(visit)
            case .unary(_, let x): visit(x)
            case .binary(_, let l, let r, _): visit(l); visit(r)
            case .call(let callee, let args):
                if callee.name == "scan", case .name(let f)? = args.first?.value.kind { names.insert(f) }
                args.forEach { visit($0.value) }
            }
        }
        for f in module.functions { f.body.forEach { visit($0.value) }; visit(f.result) }
        for g in module.graphs {
            for s in g.statements { if case .assign(_, _, let e) = s.kind { visit(e) } }
        }
        return names
    }

    /// Whether an argument is a literal attribute (names in it are symbols, not values).
    func isAttributeList(_ a: Argument, of op: String) -> Bool {
        guard fns[op] == nil else { return false }
        // linspace(A, B, N): numbers, and N may be a size symbol.
        if op == "linspace" { return true }
        if op == "reshape" || op == "broadcast", a.label?.name == "dims" || a.label == nil, case .list = a.value.kind { return true }
        return false
    }
}
