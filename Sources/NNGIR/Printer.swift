import NNGCore

/// A number written so that it parses back to the identical Double: integral values
/// without `.0`, the shortest round-trip form otherwise, and `(0/0)`, `(1/0)`, `(-1/0)`
/// for NaN and infinities (number literal arithmetic is folded by the lowering).
public func formatNumber(_ v: Double) -> String {
    if v.isNaN { return "(0/0)" }
    if v.isInfinite { return v > 0 ? "(1/0)" : "(-1/0)" }
    if v == 0 { return v.sign == .minus ? "-0" : "0" }
    if v == v.rounded(), Swift.abs(v) < 1e15 { return String(Int(v)) }
    return v.description
}

/// Writes a graph as valid `.nng` source (contract 8): declarations and one operation a
/// line in node order, every value annotated with its type, `output` last.
///
/// Names: inputs and params keep theirs; a named value keeps its name unless it is already
/// taken (by an earlier node or by an output that refers to another node); all other values
/// get fresh names `t1`, `t2`, … that clash with no name of the graph. An output whose name
/// is not the printed name of its node (an alias such as `h = x`) is written as an alias
/// line `h: T = x` just before `output`; the lowering turns that back into the same output.
///
/// The body of each `scan` is written before the graph as a fn of its own (Printer+Scan.swift).
public func printGraph(_ graph: Graph) -> String {
    var printer = GraphPrinter(graph)
    return printer.run()
}

struct GraphPrinter {
    let graph: Graph
    var names: [String]
    var used: Set<String> = []
    /// Unnamed scalar constants with one use are written inline (`t1 ^ 2`), not on a line of their own.
    var inlined: Set<NodeID> = []
    /// The index of each random operation among the graph's random operations, in node order.
    var randomIndex: [NodeID: Int] = [:]
    /// The fn name of each scan body (Printer+Scan.swift), and the prefix of those names.
    var bodyNames: [ScanSpec: String] = [:]
    let fnPrefix: String

    init(_ graph: Graph, fnPrefix: String? = nil) {
        self.graph = graph
        self.names = []
        self.fnPrefix = fnPrefix ?? graph.name
    }

    mutating func run() -> String {
        assignNames()
        var lines = scanBodyDefinitions()
        lines.append("graph \(graph.name) {")
        for (i, node) in graph.nodes.enumerated() {
            let ty = node.type.description
            switch node.op {
            case .input(let n):
                lines.append("  input \(n): \(ty)")
            case .param(let n, let initializer):
                lines.append("  param \(n): \(ty) = \(formatInit(initializer, shape: node.type.shape))")
            default:
                if inlined.contains(i) { continue }
                lines.append("  \(names[i]): \(ty) = \(expression(i))")
            }
        }
        for (name, id) in graph.outputs where names[id] != name {
            lines.append("  \(name): \(graph.nodes[id].type) = \(names[id])")
        }
        if !graph.outputs.isEmpty {
            lines.append("  output " + graph.outputs.map(\.name).joined(separator: ", "))
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    mutating func assignNames() {
        findInlinedConstants()
        for (i, node) in graph.nodes.enumerated() where node.op.isRandom { randomIndex[i] = randomIndex.count }
        nameScanBodies()
        var outputNode: [String: NodeID] = [:]
        for (n, id) in graph.outputs where outputNode[n] == nil { outputNode[n] = id }
        var taken = Set(graph.outputs.map(\.name))
        for node in graph.nodes {
            if let n = node.name { taken.insert(n) }
            switch node.op {
            case .input(let n), .param(let n, _): taken.insert(n)
            default: break
            }
        }
        // Inputs and params first: their names are part of the graph's interface.
        names = Array(repeating: "", count: graph.nodes.count)
        for (i, node) in graph.nodes.enumerated() {
            switch node.op {
            case .input(let n), .param(let n, _):
                names[i] = n
                used.insert(n)
            default: break
            }
        }
        for i in inlined {
            guard case .constant(let values) = graph.nodes[i].op else { continue }
            let text = formatNumber(values[0])
            names[i] = text.hasPrefix("-") ? "(\(text))" : text
        }
        var counter = 0
        for (i, node) in graph.nodes.enumerated() where names[i].isEmpty {
            if let n = node.name, !used.contains(n), outputNode[n] == nil || outputNode[n] == i {
                names[i] = n
            } else {
                repeat { counter += 1 } while taken.contains("t\(counter)") || used.contains("t\(counter)")
                names[i] = "t\(counter)"
            }
            used.insert(names[i])
        }
    }

    /// Unnamed scalar constants are written inline (`t1 ^ 2`, `2 * t1`). One used more than
    /// once reparses as one constant per use (same values). One used once is inlined only when
    /// that reparses to the same node order (and never all operands of a node, which the
    /// lowering would fold): its user's inlined operands must be exactly the
    /// nodes just before the user, in argument order (the lowering creates them there).
    mutating func findInlinedConstants() {
        var uses = [Int](repeating: 0, count: graph.nodes.count)
        for node in graph.nodes { for input in node.inputs { uses[input] += 1 } }
        for (_, id) in graph.outputs { uses[id] += graph.nodes.count + 1 }
        func scalarConstant(_ i: NodeID) -> Bool {
            let node = graph.nodes[i]
            guard node.name == nil, uses[i] <= graph.nodes.count, case .constant(let values) = node.op else { return false }
            return node.type.shape.isScalar && values.count == 1
        }
        var loopOperands = Set<NodeID>()
        for node in graph.nodes { if case .scan = node.op { loopOperands.formUnion(node.inputs) } }
        for (j, node) in graph.nodes.enumerated() {
            // All-literal operands would be folded by the lowering into one constant.
            if node.inputs.allSatisfy(scalarConstant) {
                switch node.op {
                case .binary, .unary(.negate): continue
                default: break
                }
            }
            let single = node.inputs.filter { scalarConstant($0) && uses[$0] == 1 }
            if !single.isEmpty, single == Array((j - single.count)..<j) { inlined.formUnion(single) }
            inlined.formUnion(node.inputs.filter { scalarConstant($0) && uses[$0] > 1 })
        }
        // A loop's calls (one per result) must name the same operand nodes to be one loop.
        inlined.subtract(loopOperands)
    }

    /// The source form of a node: as its definition's syntax says, each attribute printed as its
    /// parameter says; a random operation's `stream = N` only when it is not the one the
    /// lowering would give it at its position (a rewrite moved or removed random operations).
    func expression(_ i: NodeID) -> String {
        let node = graph.nodes[i]
        let a = node.inputs.map { names[$0] }
        if let loop = scanExpression(i) { return loop }
        let (definition, values) = node.op.form
        switch definition.syntax {
        case .leaf:
            guard case .constant(let values) = node.op else { return "" }
            return formatConstant(values, shape: node.type.shape)
        case .prefix(let symbol):
            return "\(symbol)\(a[0])"
        case .infix(let symbol):
            return "\(a[0]) \(symbol) \(a[1])"
        case .call:
            var args: [String] = []
            var tensors = a.makeIterator()
            var attributes = values.makeIterator()
            for p in definition.parameters {
                switch p.kind {
                case .tensor: args.append(tensors.next()!)
                case .tensors: args.append("[" + a.joined(separator: ", ") + "]")
                default:
                    let v = attributes.next()!
                    if p.kind == .stream, case .int(let stream) = v, randomIndex[i] == stream { continue }
                    switch p.printing {
                    case .positional: args.append(v.source)
                    case .keyword: args.append("\(p.name) = \(v.source)")
                    case .unlessDefault: if v != p.defaultValue.attributeValue { args.append("\(p.name) = \(v.source)") }
                    }
                }
            }
            return "\(definition.name)(" + args.joined(separator: ", ") + ")"
        }
    }
}

/// A constant: a number for a scalar, a nested list literal otherwise.
func formatConstant(_ values: [Double], shape: Shape) -> String {
    guard let dims = shape.concrete, !dims.isEmpty, Monomial(shape.dims)?.coefficient == values.count else {
        if values.count == 1 { return formatNumber(values[0]) }
        return "[" + values.map(formatNumber).joined(separator: ", ") + "]"
    }
    var index = 0
    func nest(_ level: Int) -> String {
        if level == dims.count {
            defer { index += 1 }
            return formatNumber(values[index])
        }
        return "[" + (0..<dims[level]).map { _ in nest(level + 1) }.joined(separator: ", ") + "]"
    }
    return nest(0)
}

/// A parameter initialiser in source form (contract 5.2).
public func formatInit(_ initializer: ParamInit, shape: Shape) -> String {
    switch initializer {
    case .fill(let v): return formatNumber(v)
    case .literal(let values): return formatConstant(values, shape: shape)
    case .zeros: return "zeros"
    case .ones: return "ones"
    case .he: return "he"
    case .xavier: return "xavier"
    case .normal(let std): return "normal(std = \(formatNumber(std)))"
    case .uniform(let low, let high): return "uniform(low = \(formatNumber(low)), high = \(formatNumber(high)))"
    }
}
