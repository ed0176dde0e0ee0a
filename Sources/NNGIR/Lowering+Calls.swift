import NNGCore
import NNGLang

extension Lowerer {
    /// Matches the arguments of a call to named parameters (positional, then keyword).
    mutating func bindArguments(_ args: [Argument], params: [String], required: Int, callee: Identifier) throws(LoweringFailure) -> [String: Expr] {
        do { return try matchArguments(args, params: params, required: required, callee: callee) }
        catch { throw fail(error.message, at: error.range) }
    }

    mutating func lowerCall(_ callee: Identifier, _ args: [Argument], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        if let fn = fns[callee.name] {
            return try inlineCall(fn, callee: callee, args: args, range: range, in: scope)
        }
        if callee.name == "scan" {
            return try lowerScan(callee, args, range: range, in: scope)
        }
        if callee.name == "linspace" {
            let a = try bindArguments(args, params: ["start", "end", "count"], required: 3, callee: callee)
            return try lowerLinspace(callee, a, range: range)
        }
        if callee.name == "grad" {
            let a = try bindArguments(args, params: ["y", "x"], required: 2, callee: callee)
            return try lowerGrad(callee, a, range: range, in: scope)
        }
        guard let definition = OpRegistry.callable[callee.name] else {
            let hint = callee.name == "min" ? "; did you mean 'minimum'?"
                : didYouMean(callee.name, callableNames)
            throw fail("unknown operation '\(callee.name)'" + hint, at: callee.range)
        }
        if callee.name == "max" {
            let positional = args.filter { $0.label == nil }
            if positional.count >= 2, !isListOrNumber(positional[1].value) {
                throw fail("max(x, axes) reduces one tensor; use maximum(a, b) for the elementwise maximum", at: callee.range)
            }
        }
        let a = try bindArguments(args, params: definition.parameters.map(\.name), required: definition.requiredCount, callee: callee)
        return try lowerOperation(definition, callee, a, range: range, in: scope)
    }

    private func isListOrNumber(_ e: Expr) -> Bool {
        if case .list = e.kind { return true }
        return literalNumber(e) != nil
    }

    /// Lowers a call of an operation with bound arguments: each parameter in order (tensors
    /// lowered, attributes checked, normalised and defaulted as its kind says), then the
    /// operation its definition builds from them.
    mutating func lowerOperation(_ definition: OpDefinition, _ callee: Identifier, _ a: [String: Expr], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        let name = definition.name
        var inputs: [NodeID] = []
        var attributes = Attributes()
        func rank() -> Int { graph.nodes[inputs[0]].type.shape.rank }
        for p in definition.parameters {
            let e = a[p.name]
            let value: AttributeValue
            switch p.kind {
            case .tensor:
                inputs.append(try lowerExpr(e!, in: scope))
                continue
            case .tensors:
                guard case .list(let items) = e!.kind, !items.isEmpty else {
                    throw fail("\(name) takes a list of tensors: \(name)([a, b], axis = 0)", at: e!.range)
                }
                for item in items { inputs.append(try lowerExpr(item, in: scope)) }
                continue
            case .int:
                value = .int(try intAttribute(e, default: defaultInt(p, attributes), p.name, of: name))
            case .number:
                guard case .number(let d) = p.defaultValue else { preconditionFailure("'\(p.name)' of '\(name)' has no number default") }
                value = .number(try numberAttribute(e, default: d, p.name, of: name))
            case .bool:
                guard case .bool(let d) = p.defaultValue else { preconditionFailure("'\(p.name)' of '\(name)' has no boolean default") }
                value = .bool(try boolAttribute(e, default: d, p.name, of: name))
            case .axis:
                value = .int(try axisAttribute(e, default: defaultInt(p, attributes), rank: rank(), of: name, call: callee.range))
            case .axes:
                let r = rank()
                value = .ints(try e.map { e throws(LoweringFailure) in try axesAttribute(e, rank: r, of: name) } ?? Array(0..<r))
            case .permutation:
                let r = rank()
                var perm = Array((0..<r).reversed())
                if let e { perm = try intList(e, p.name, of: name).map { $0.value < 0 ? $0.value + r : $0.value } }
                value = .ints(perm)
            case .shape:
                value = .dims(try dimList(e!, allowInfer: false, of: name))
            case .reshapeTarget:
                value = .dims(try reshapeTarget(e!, input: inputs[0], callee: callee))
            case .pair:
                let items = try intList(e!, p.name, of: name)
                guard items.count == 2 else { throw fail("'\(p.name)' of '\(name)' must be a list of two integers", at: e!.range) }
                value = .ints(items.map(\.value))
            case .stream:
                value = .int(Int(try streamAttribute(e, of: name)))
            }
            attributes[p.name] = value
        }
        return try add(definition.build(attributes), inputs, range: range, errorRange: callee.range)
    }

    /// The default of an integer parameter (a required one is always given, so its 0 is unused).
    private func defaultInt(_ p: OpParameter, _ resolved: Attributes) -> Int {
        switch p.defaultValue {
        case .int(let v): return v
        case .sameAs(let other): return resolved.int(other)
        default: return 0
        }
    }

    /// The stream of the next random operation: the `stream = N` argument when given (the
    /// printer writes it when a rewrite has moved a random operation), else n, the 0-based
    /// index of the random operation among those of the graph in creation order (= printing
    /// order, so streams survive print → parse).
    mutating func streamAttribute(_ e: Expr?, of op: String) throws(LoweringFailure) -> UInt64 {
        defer { randomCount += 1 }
        let given = try intAttribute(e, default: randomCount, "stream", of: op)
        guard given >= 0 else { throw fail("'stream' of '\(op)' must not be negative", at: e!.range) }
        return UInt64(given)
    }

    /// `grad(y, x)`: y a scalar expression, x a name in scope. Built by `options.differentiate`.
    mutating func lowerGrad(_ callee: Identifier, _ a: [String: Expr], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        guard case .name(let xName) = a["x"]!.kind else {
            throw fail("the second argument of grad must be a name", at: a["x"]!.range)
        }
        let y = try lowerExpr(a["y"]!, in: scope)
        let x = try lookup(xName, at: a["x"]!.range, in: scope)
        guard graph.nodes[y].type.shape.isScalar else {
            throw fail("grad needs a scalar to differentiate, got \(graph.nodes[y].type)", at: a["y"]!.range)
        }
        guard let differentiate = options.differentiate else {
            // The autodiff pass (Autodiff/Differentiate.swift).
            do {
                return try differentiateInLowering(y: y, x: x)
            } catch {
                for d in error.diagnostics { self.error(d.message, at: d.range.isNone ? callee.range : d.range) }
                throw LoweringFailure()
            }
        }
        do {
            return try differentiate(&graph, y, x)
        } catch {
            throw fail(error.message, at: callee.range)
        }
    }

    // MARK: Attributes (literals)

    mutating func intAttribute(_ e: Expr?, default d: Int, _ p: String, of op: String) throws(LoweringFailure) -> Int {
        guard let e else { return d }
        guard let v = literalInt(e) else { throw fail("'\(p)' of '\(op)' must be an integer literal", at: e.range) }
        return v
    }

    mutating func numberAttribute(_ e: Expr?, default d: Double, _ p: String, of op: String) throws(LoweringFailure) -> Double {
        guard let e else { return d }
        guard let v = literalNumber(e) else { throw fail("'\(p)' of '\(op)' must be a number literal", at: e.range) }
        return v
    }

    mutating func boolAttribute(_ e: Expr?, default d: Bool, _ p: String, of op: String) throws(LoweringFailure) -> Bool {
        guard let e else { return d }
        guard case .bool(let b) = e.kind else { throw fail("'\(p)' of '\(op)' must be true or false", at: e.range) }
        return b
    }

    /// One axis, negative counting from the end, normalised against `rank`.
    mutating func axisAttribute(_ e: Expr?, default d: Int, rank: Int, of op: String, call: SourceRange) throws(LoweringFailure) -> Int {
        let v = try intAttribute(e, default: d, "axis", of: op)
        guard v >= -rank, v < rank else {
            throw fail("axis \(v) is out of range for a tensor of rank \(rank)", at: e?.range ?? call)
        }
        return v < 0 ? v + rank : v
    }

    /// `axes = [..]` (or one integer): normalised, checked, sorted.
    mutating func axesAttribute(_ e: Expr, rank: Int, of op: String) throws(LoweringFailure) -> [Int] {
        let items: [(value: Int, range: SourceRange)]
        if let v = literalInt(e) { items = [(v, e.range)] } else { items = try intList(e, "axes", of: op) }
        var axes: [Int] = []
        for (v, r) in items {
            guard v >= -rank, v < rank else { throw fail("axis \(v) is out of range for a tensor of rank \(rank)", at: r) }
            let n = v < 0 ? v + rank : v
            guard !axes.contains(n) else { throw fail("axis \(v) is listed twice", at: r) }
            axes.append(n)
        }
        return axes.sorted()
    }

    mutating func intList(_ e: Expr, _ p: String, of op: String) throws(LoweringFailure) -> [(value: Int, range: SourceRange)] {
        guard case .list(let items) = e.kind else {
            throw fail("'\(p)' of '\(op)' must be a list of integer literals", at: e.range)
        }
        var out: [(Int, SourceRange)] = []
        for item in items {
            guard let v = literalInt(item) else {
                throw fail("'\(p)' of '\(op)' must be a list of integer literals", at: item.range)
            }
            out.append((v, item.range))
        }
        return out
    }

    /// A list of dimensions: positive integers, symbols and dimension arithmetic (and `-1` if allowed).
    mutating func dimList(_ e: Expr, allowInfer: Bool, of op: String) throws(LoweringFailure) -> [Dim] {
        guard case .list(let items) = e.kind else {
            throw fail("the shape of '\(op)' must be a list of integers and symbols", at: e.range)
        }
        var dims: [Dim] = []
        var inferred = false
        for item in items {
            guard let v = literalInt(item) else {
                do { dims.append(try evaluateDimension(item, sizes: options.sizes)) }
                catch { throw fail(error.message, at: error.range) }
                continue
            }
            if v == -1, allowInfer {
                guard !inferred else { throw fail("only one dimension of '\(op)' can be -1", at: item.range) }
                inferred = true
            } else if v <= 0 {
                throw fail("a dimension must be a positive integer\(allowInfer ? " or -1" : ""), got \(v)", at: item.range)
            }
            dims.append(.known(v))
        }
        return dims
    }

    /// The target of `reshape`, with a `-1` inferred by dividing element counts (monomials).
    mutating func reshapeTarget(_ e: Expr, input: NodeID, callee: Identifier) throws(LoweringFailure) -> [Dim] {
        var dims = try dimList(e, allowInfer: true, of: "reshape")
        guard let i = dims.firstIndex(of: .known(-1)) else { return dims }
        let t = graph.nodes[input].type
        var rest = dims
        rest.remove(at: i)
        guard let total = Monomial(t.shape.dims), let known = Monomial(rest),
              let q = total.divided(by: known), let d = q.asDim else {
            throw fail("cannot infer -1 in reshape of \(t) to \(Shape(dims))", at: e.range)
        }
        dims[i] = d
        return dims
    }
}
