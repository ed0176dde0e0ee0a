import NNGCore
import NNGLang

/// The parameters of every operation callable by name (contract 6), in positional order.
/// Arguments without a default are required; defaults are applied in `lowerOperation`.
let operationParameters: [String: (params: [String], required: Int)] = {
    var t: [String: (params: [String], required: Int)] = [:]
    for u in UnaryOp.byName.keys { t[u] = (["x"], 1) }
    t["leaky_relu"] = (["x", "alpha"], 1)
    t["maximum"] = (["a", "b"], 2)
    t["minimum"] = (["a", "b"], 2)
    t["where"] = (["c", "a", "b"], 3)
    t["transpose"] = (["x", "perm"], 1)
    t["reshape"] = (["x", "dims"], 2)
    t["broadcast"] = (["x", "dims"], 2)
    for r in ReduceOp.allCases { t[r.sourceName] = (["x", "axes", "keepdims"], 1) }
    t["softmax"] = (["x", "axis"], 1)
    t["log_softmax"] = (["x", "axis"], 1)
    t["concat"] = (["xs", "axis"], 1)
    t["slice"] = (["x", "axis", "start", "end"], 4)
    t["pad"] = (["x", "axis", "before", "after"], 2)
    t["one_hot"] = (["labels", "classes"], 2)
    for l in LossOp.allCases { t[l.rawValue] = (["p", "t"], 2) }
    t["accuracy"] = (["p", "t"], 2)
    t["conv2d"] = (["x", "w", "stride", "padding"], 2)
    t["maxpool2d"] = (["x", "size", "stride"], 1)
    t["avgpool2d"] = (["x", "size", "stride"], 1)
    t["dropout"] = (["x", "p", "stream"], 1)
    t["bernoulli"] = (["p", "stream"], 1)
    t["stop_gradient"] = (["x"], 1)
    t["grad"] = (["y", "x"], 2)
    // Gradient operations (docs/gradient-ops.md).
    t["argmax_mask"] = (["x", "axes"], 1)
    t["conv2d_grad_input"] = (["g", "w", "stride", "padding", "size"], 5)
    t["conv2d_grad_weight"] = (["x", "g", "stride", "padding", "size"], 5)
    t["maxpool2d_grad"] = (["x", "g", "size", "stride"], 2)
    t["maxpool2d_select"] = (["x", "u", "size", "stride"], 2)
    t["avgpool2d_grad"] = (["g", "size", "stride", "shape"], 4)
    return t
}()

/// Every operation name callable in the language.
public let operationNames: Set<String> = Set(operationParameters.keys)

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
        guard let sig = operationParameters[callee.name] else {
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
        let a = try bindArguments(args, params: sig.params, required: sig.required, callee: callee)
        return try lowerOperation(callee, a, range: range, in: scope)
    }

    private func isListOrNumber(_ e: Expr) -> Bool {
        if case .list = e.kind { return true }
        return literalNumber(e) != nil
    }

    /// Lowers a call of an operation with bound arguments.
    mutating func lowerOperation(_ callee: Identifier, _ a: [String: Expr], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        let name = callee.name
        func tensor(_ p: String) throws(LoweringFailure) -> NodeID { try lowerExpr(a[p]!, in: scope) }
        func make(_ op: Op, _ inputs: [NodeID]) throws(LoweringFailure) -> NodeID {
            try add(op, inputs, range: range, errorRange: callee.range)
        }
        func rank(_ n: NodeID) -> Int { graph.nodes[n].type.shape.rank }

        if let u = UnaryOp.byName[name] { return try make(.unary(u), [try tensor("x")]) }
        switch name {
        case "leaky_relu":
            let x = try tensor("x")
            let alpha = try numberAttribute(a["alpha"], default: 0.01, "alpha", of: name)
            return try make(.unary(.leakyRelu(alpha: alpha)), [x])
        case "maximum", "minimum":
            let x = try tensor("a"), y = try tensor("b")
            return try make(.binary(name == "maximum" ? .maximum : .minimum), [x, y])
        case "where":
            let c = try tensor("c"), x = try tensor("a"), y = try tensor("b")
            return try make(.select, [c, x, y])
        case "transpose":
            let x = try tensor("x")
            var perm = Array((0..<rank(x)).reversed())
            if let p = a["perm"] { perm = try intList(p, "perm", of: name).map { $0.value < 0 ? $0.value + rank(x) : $0.value } }
            return try make(.transpose(perm), [x])
        case "reshape":
            let x = try tensor("x")
            return try make(.reshape(try reshapeTarget(a["dims"]!, input: x, callee: callee)), [x])
        case "broadcast":
            let x = try tensor("x")
            return try make(.broadcast(try dimList(a["dims"]!, allowInfer: false, of: name)), [x])
        case "sum", "mean", "max", "logsumexp":
            let x = try tensor("x")
            let axes = try a["axes"].map { e throws(LoweringFailure) in try axesAttribute(e, rank: rank(x), of: name) }
                ?? Array(0..<rank(x))
            let keepdims = try boolAttribute(a["keepdims"], default: false, "keepdims", of: name)
            return try make(.reduce(ReduceOp(rawValue: name)!, axes: axes, keepdims: keepdims), [x])
        case "softmax", "log_softmax":
            let x = try tensor("x")
            let axis = try axisAttribute(a["axis"], default: -1, rank: rank(x), of: name, call: callee.range)
            return try make(name == "softmax" ? .softmax(axis: axis) : .logSoftmax(axis: axis), [x])
        case "concat":
            guard case .list(let items) = a["xs"]!.kind, !items.isEmpty else {
                throw fail("concat takes a list of tensors: concat([a, b], axis = 0)", at: a["xs"]!.range)
            }
            var xs: [NodeID] = []
            for item in items { xs.append(try lowerExpr(item, in: scope)) }
            let axis = try axisAttribute(a["axis"], default: 0, rank: rank(xs[0]), of: name, call: callee.range)
            return try make(.concat(axis: axis), xs)
        case "slice":
            let x = try tensor("x")
            let axis = try axisAttribute(a["axis"], default: 0, rank: rank(x), of: name, call: callee.range)
            let start = try intAttribute(a["start"], default: 0, "start", of: name)
            let end = try intAttribute(a["end"], default: 0, "end", of: name)
            return try make(.slice(axis: axis, start: start, end: end), [x])
        case "pad":
            let x = try tensor("x")
            let axis = try axisAttribute(a["axis"], default: 0, rank: rank(x), of: name, call: callee.range)
            let before = try intAttribute(a["before"], default: 0, "before", of: name)
            let after = try intAttribute(a["after"], default: 0, "after", of: name)
            return try make(.pad(axis: axis, before: before, after: after), [x])
        case "one_hot":
            let x = try tensor("labels")
            return try make(.oneHot(classes: try intAttribute(a["classes"], default: 0, "classes", of: name)), [x])
        case "mse", "bce", "bce_logits", "cross_entropy", "accuracy":
            let p = try tensor("p"), t = try tensor("t")
            return try make(name == "accuracy" ? .accuracy : .loss(LossOp(rawValue: name)!), [p, t])
        case "conv2d":
            let x = try tensor("x"), w = try tensor("w")
            let stride = try intAttribute(a["stride"], default: 1, "stride", of: name)
            let padding = try intAttribute(a["padding"], default: 0, "padding", of: name)
            return try make(.conv2d(stride: stride, padding: padding), [x, w])
        case "maxpool2d", "avgpool2d":
            let x = try tensor("x")
            let size = try intAttribute(a["size"], default: 2, "size", of: name)
            let stride = try intAttribute(a["stride"], default: size, "stride", of: name)
            return try make(.pool(name == "maxpool2d" ? .max : .average, size: size, stride: stride), [x])
        case "dropout":
            let x = try tensor("x")
            let p = try numberAttribute(a["p"], default: 0.5, "p", of: name)
            let stream = try streamAttribute(a["stream"], of: name)
            return try make(.dropout(p: p, stream: stream), [x])
        case "bernoulli":
            let p = try tensor("p")
            let stream = try streamAttribute(a["stream"], of: name)
            return try make(.bernoulli(stream: stream), [p])
        case "stop_gradient":
            return try make(.stopGradient, [try tensor("x")])
        case "grad":
            return try lowerGrad(callee, a, range: range, in: scope)
        case "argmax_mask", "conv2d_grad_input", "conv2d_grad_weight", "maxpool2d_grad", "maxpool2d_select", "avgpool2d_grad":
            return try lowerGradientOperation(callee, a, range: range, in: scope)
        default:
            throw fail("unknown operation '\(name)'", at: callee.range)
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

    /// A list of dimensions: positive integer literals and symbol names (and `-1` if allowed).
    mutating func dimList(_ e: Expr, allowInfer: Bool, of op: String) throws(LoweringFailure) -> [Dim] {
        guard case .list(let items) = e.kind else {
            throw fail("the shape of '\(op)' must be a list of integers and symbols", at: e.range)
        }
        var dims: [Dim] = []
        var inferred = false
        for item in items {
            if case .name(let s) = item.kind { dims.append(.symbol(s)); continue }
            guard let v = literalInt(item) else {
                throw fail("the shape of '\(op)' must be a list of integers and symbols", at: item.range)
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
