import NNGCore
import NNGLang

// `scan(f, inits…, sequences…, others…, axis = 0, reverse = false, final = false, carries = C,
// sequences = S, result = 0, length = N)` (docs/language.md, "Loops"):
//
// - f's parameters take, in order, the C carries, one slice of each of the S sequences (the
//   sequence without `axis`) and the other operands whole. Names f's body uses without
//   defining them are captured from the scope of the call (the graph's params and values).
// - f returns one value, or a list `[a, b, …]`: the C new carries, then per-step outputs.
//   C defaults to the number of values f returns; S to every operand after the carries.
// - When f returns only its carries, the call gives carry `result` stacked along `axis`
//   (or, with `final = true`, its last value). With per-step outputs, the call's results are
//   the final carries, then the stacked per-step outputs, and `result` picks one.
// - The body is checked once, as a graph of its own; its errors point into f and name the call.

/// A scan already lowered in this graph: further calls that differ only in `result` share it.
struct SharedScan: Hashable {
    var fn: String
    var operands: [NodeID]
    var attributes: [Int]
}

extension Lowerer {
    struct ScanArguments {
        var fn: FnDecl
        var operands: [Expr]
        var carries: Int
        var sequences: Int
        var axis: Int?
        var axisRange: SourceRange?
        var reverse = false
        var final = false
        var result = 0
        var length: Int?
    }

    mutating func lowerScan(_ callee: Identifier, _ args: [Argument], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        let a = try scanArguments(callee, args)
        if inlining.contains(a.fn.name.name) {
            let chain = (callStack.map(\.name) + [a.fn.name.name]).joined(separator: " -> ")
            throw fail("recursive call of '\(a.fn.name.name)'", at: args[0].value.range, notes: ["note: call chain \(chain)"])
        }
        var operands: [NodeID] = []
        for e in a.operands { operands.append(try lowerExpr(e, in: scope)) }
        let axis = try scanAxis(a, operands, callee: callee)
        let captured = try capturedNames(a.fn, at: args[0].value.range, in: scope)
        operands += captured.map(\.node)
        let key = SharedScan(fn: a.fn.name.name, operands: operands,
                             attributes: [a.carries, a.sequences, axis, a.reverse ? 1 : 0, a.final ? 1 : 0, a.length ?? 0])
        let node: NodeID
        if let shared = sharing.scans[key] {
            node = shared
        } else {
            let spec = try scanSpec(a, callee: callee, operands: operands, captured: captured.map(\.name), axis: axis)
            node = try add(.scan(spec), operands, range: range, errorRange: callee.range)
            sharing.scans[key] = node
        }
        return try scanCallResult(node, a, callee: callee, range: range)
    }

    /// `axis`, normalised against the first sequence (a loop without sequences: 0 or more).
    private mutating func scanAxis(_ a: ScanArguments, _ operands: [NodeID], callee: Identifier) throws(LoweringFailure) -> Int {
        let given = a.axis ?? 0
        guard a.sequences > 0 else {
            guard given >= 0 else { throw fail("the axis of a scan without sequences must not be negative", at: a.axisRange!) }
            return given
        }
        let firstSequence = graph.nodes[operands[a.carries]].type
        let rank = firstSequence.shape.rank
        guard given >= -rank, given < rank else {
            throw fail("axis \(given) is out of range for the sequence \(firstSequence)", at: a.axisRange ?? callee.range)
        }
        return given < 0 ? given + rank : given
    }

    /// The value the call gives: see the comment at the top of the file.
    private mutating func scanCallResult(_ node: NodeID, _ a: ScanArguments, callee: Identifier, range: SourceRange) throws(LoweringFailure) -> NodeID {
        guard case .scan(let spec) = graph.nodes[node].op else { preconditionFailure("not a scan") }
        let stacksCarries = returnedCount(a.fn) == a.carries && !a.final
        let available = stacksCarries ? a.carries : spec.resultCount
        guard a.result >= 0, a.result < available else {
            throw fail("'result' of 'scan' must be in 0..<\(available), got \(a.result)", at: callee.range)
        }
        return graph.scanResult(node, stacksCarries ? a.carries + a.result : a.result, range: range)
    }

    /// The call's arguments, checked against f before anything is lowered.
    private mutating func scanArguments(_ callee: Identifier, _ args: [Argument]) throws(LoweringFailure) -> ScanArguments {
        guard let first = args.first, first.label == nil, case .name(let fnName) = first.value.kind, let fn = fns[fnName] else {
            throw fail("the first argument of scan must be the name of a fn: scan(cell, h0, xs)", at: args.first?.value.range ?? callee.range)
        }
        var keywords: [String: Expr] = [:]
        var operands: [Expr] = []
        for arg in args.dropFirst() {
            guard let label = arg.label else {
                if !keywords.isEmpty { throw fail("a positional argument cannot follow keyword arguments", at: arg.value.range) }
                operands.append(arg.value)
                continue
            }
            let known = ["axis", "reverse", "final", "carries", "sequences", "result", "length"]
            guard known.contains(label.name) else {
                throw fail("unknown argument '\(label.name)' for 'scan'" + didYouMean(label.name, known), at: label.range)
            }
            guard keywords[label.name] == nil else { throw fail("argument '\(label.name)' of 'scan' is given twice", at: label.range) }
            keywords[label.name] = arg.value
        }
        let returned = returnedCount(fn)
        let carries = try intAttribute(keywords["carries"], default: returned, "carries", of: "scan")
        guard carries >= 1, carries <= operands.count else {
            throw fail("scan of '\(fnName)' needs \(carries) initial carr\(carries == 1 ? "y" : "ies"), got \(operands.count) operand\(operands.count == 1 ? "" : "s")",
                       at: keywords["carries"]?.range ?? callee.range)
        }
        let sequences = try intAttribute(keywords["sequences"], default: operands.count - carries, "sequences", of: "scan")
        guard sequences >= 0, carries + sequences <= operands.count else {
            throw fail("'sequences' of 'scan' must be in 0...\(operands.count - carries), got \(sequences)", at: keywords["sequences"]!.range)
        }
        guard fn.parameters.count == operands.count else {
            throw fail("'\(fnName)' takes \(fn.parameters.count) argument\(fn.parameters.count == 1 ? "" : "s"), but scan passes it \(operands.count) (\(carries) carr\(carries == 1 ? "y" : "ies"), \(sequences) slice\(sequences == 1 ? "" : "s"), \(operands.count - carries - sequences) other)",
                       at: first.value.range)
        }
        let length: Int? = try keywords["length"].map { e throws(LoweringFailure) in
            let n = try intAttribute(e, default: 0, "length", of: "scan")
            guard n >= 1 else { throw fail("'length' of 'scan' must be positive, got \(n)", at: e.range) }
            guard sequences == 0 else { throw fail("'length' is for a scan without sequences; this one has \(sequences)", at: e.range) }
            return n
        }
        if sequences == 0, length == nil {
            throw fail("scan of '\(fnName)' has no sequence to run along: give its number of steps, length = N", at: callee.range)
        }
        guard returned >= carries else {
            throw fail("'\(fnName)' returns \(returned) value\(returned == 1 ? "" : "s"), fewer than its \(carries) carries", at: fn.result.range)
        }
        var a = ScanArguments(fn: fn, operands: operands, carries: carries, sequences: sequences)
        a.length = length
        if let e = keywords["axis"] {
            guard let v = literalInt(e) else { throw fail("'axis' of 'scan' must be an integer literal", at: e.range) }
            a.axis = v
            a.axisRange = e.range
        }
        a.reverse = try boolAttribute(keywords["reverse"], default: false, "reverse", of: "scan")
        a.final = try boolAttribute(keywords["final"], default: false, "final", of: "scan")
        a.result = try intAttribute(keywords["result"], default: 0, "result", of: "scan")
        if a.final, returned > carries {
            throw fail("'final' of 'scan' applies when '\(fnName)' returns only its carries; its results here are the final carries and the stacked per-step outputs (pick one with result = k)",
                       at: keywords["final"]!.range)
        }
        return a
    }

    /// How many values f returns: the items of a returned list, else one.
    func returnedCount(_ fn: FnDecl) -> Int {
        if case .list(let items) = fn.result.kind, !items.isEmpty, literalNumber(items[0]) == nil || items.count > 1, !isNumberList(fn.result) {
            return items.count
        }
        return 1
    }

    /// A list of numbers is a constant tensor, not several results.
    private func isNumberList(_ e: Expr) -> Bool {
        guard case .list(let items) = e.kind else { return literalNumber(e) != nil }
        return items.allSatisfy(isNumberList)
    }

    /// The spec of the loop: f lowered once into a body graph of its own.
    private mutating func scanSpec(_ a: ScanArguments, callee: Identifier, operands: [NodeID], captured: [String], axis: Int) throws(LoweringFailure) -> ScanSpec {
        var inputs: [(name: String, type: TensorType)] = []
        for (k, node) in operands.enumerated() {
            var t = graph.nodes[node].type
            let isSequence = k >= a.carries && k < a.carries + a.sequences
            if isSequence {
                guard axis < t.shape.rank, t.shape[axis] == graph.nodes[operands[a.carries]].type.shape[axis] else {
                    throw fail("the sequences of 'scan' differ in length along axis \(axis): \(graph.nodes[operands[a.carries]].type) and \(t)",
                               at: a.operands[k].range)
                }
                t = TensorType(t.dtype, t.shape.removing(axis: axis))
            }
            let name = k < a.fn.parameters.count ? a.fn.parameters[k].name : captured[k - a.fn.parameters.count]
            inputs.append((name, t))
        }
        var body = try lowerScanBody(a.fn, inputs: inputs, carries: a.carries, callee: callee)
        let returned = returnedCount(a.fn)
        if returned == a.carries && !a.final {
            // The stacked carries are per-step outputs of their own.
            body.outputs += body.outputs.prefix(a.carries).enumerated().map { ("step\($0.offset)", $0.element.node) }
        }
        for (k, o) in body.outputs.enumerated() where k >= a.carries {
            let rank = body.nodes[o.node].type.shape.rank
            guard axis <= rank else {
                throw fail("scan cannot stack \(body.nodes[o.node].type) along axis \(axis)", at: a.axisRange ?? callee.range)
            }
        }
        return ScanSpec(body: body, carries: a.carries, sequences: a.sequences, axis: axis, reverse: a.reverse, length: a.length)
    }

    private func resultExprs(_ fn: FnDecl) -> [Expr] {
        if returnedCount(fn) > 1, case .list(let items) = fn.result.kind { return items }
        return [fn.result]
    }

    /// f lowered into a new graph whose inputs are `inputs`; outputs: what f returns.
    /// The new carries must have their carries' types.
    private mutating func lowerScanBody(_ fn: FnDecl, inputs: [(name: String, type: TensorType)], carries: Int, callee: Identifier) throws(LoweringFailure) -> Graph {
        let outer = graph, outerSharing = sharing, outerRandom = randomCount
        graph = Graph(name: fn.name.name, dtype: outer.dtype, file: module.file)
        sharing = LoweringSharing()
        callStack.append(("scan(\(fn.name.name))", callee.range))
        inlining.insert(fn.name.name)
        defer {
            graph = outer
            sharing = outerSharing
            randomCount = outerRandom
            callStack.removeLast()
            inlining.remove(fn.name.name)
        }
        let before = diagnostics.count
        var local = Scope(declared: Set(inputs.map(\.name) + fn.body.map(\.name.name)))
        for (k, input) in inputs.enumerated() {
            let range = k < fn.parameters.count ? fn.parameters[k].range : fn.name.range
            local.define(input.name, .node(graph.append(Node(op: .input(input.name), inputs: [], type: input.type, range: range))), at: range)
        }
        for b in fn.body {
            define(b.name, lowerBinding(b.name, b.type, b.value, in: local), in: &local)
        }
        var results: [NodeID] = []
        for e in resultExprs(fn) { results.append(try lowerExpr(e, in: local)) }
        guard diagnostics.count == before else { throw LoweringFailure() }
        for k in 0..<carries where graph.nodes[results[k]].type != inputs[k].type {
            throw fail("carry \(k + 1) of '\(fn.name.name)' is \(inputs[k].type) on entry but \(graph.nodes[results[k]].type) after a step",
                       at: resultExprs(fn)[k].range)
        }
        if let random = graph.nodes.first(where: { $0.op.isRandom }) {
            throw fail("'\(random.op.sourceName)' cannot be used in a scan body: every step would draw the same numbers", at: random.range)
        }
        graph.outputs = results.enumerated().map { ("result\($0.offset)", $0.element) }
        return graph
    }

    /// The names f's body uses without defining them, resolved in the scope of the call, in
    /// order of first use: the values the loop captures.
    private mutating func capturedNames(_ fn: FnDecl, at range: SourceRange, in scope: Scope) throws(LoweringFailure) -> [(name: String, node: NodeID)] {
        var defined = Set(fn.parameters.map(\.name))
        var free: [String] = []
        func visit(_ e: Expr) {
            switch e.kind {
            case .number, .string, .bool: break
            case .name(let n): if !defined.contains(n), !free.contains(n) { free.append(n) }
            case .list(let items): items.forEach(visit)
            case .unary(_, let x): visit(x)
            case .binary(_, let l, let r, _): visit(l); visit(r)
            case .call(let callee, let args):
                for (i, a) in args.enumerated() where !(callee.name == "scan" && i == 0) && !isAttributeList(a, of: callee.name) {
                    visit(a.value)
                }
            }
        }
        for b in fn.body {
            visit(b.value)
            defined.insert(b.name.name)
        }
        visit(fn.result)
        var out: [(String, NodeID)] = []
        for n in free where fns[n] == nil {
            switch scope.entry(n) {
            case .node(let node): out.append((n, node))
            case .poisoned: throw LoweringFailure()
            case nil:
                throw fail("'\(fn.name.name)' uses '\(n)', which is not defined where scan is called" + didYouMean(n, scope.order), at: range)
            }
        }
        return out
    }
}
