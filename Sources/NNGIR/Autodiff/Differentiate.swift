import Foundation
import NNGCore

/// Test hooks of the pass. Only tests set them.
public enum AutodiffTestHooks {
    private static let lock = NSLock()
    nonisolated(unsafe) private static var scales: [String: Double] = [:]

    /// Installs a deliberately wrong rule: every gradient contribution of operation `op`
    /// (`Op.sourceName`, e.g. "tanh") in graphs named `graph` is multiplied by `factor`
    /// (nil removes it). Tests use it to check that the gradient checker notices.
    public static func setRuleScale(_ factor: Double?, op: String, graph: String) {
        lock.lock()
        defer { lock.unlock() }
        scales[graph + ":" + op] = factor
    }

    static func ruleScale(op: String, graph: String) -> Double? {
        lock.lock()
        defer { lock.unlock() }
        return scales.isEmpty ? nil : scales[graph + ":" + op]
    }
}

/// Appends to `graph` the nodes of ∂(output)/∂(each of wrt) and returns their ids (same order).
/// `output` must be a scalar node. Only nodes the requested gradients need are created.
///
/// Reverse mode over the SSA graph: every node on a path from a `wrt` node to `output` gets an
/// adjoint (contributions of fan-out are added); each operation's vector-Jacobian product is
/// written with IR operations, so the result can be differentiated again. A `wrt` node that
/// `output` does not depend on gets zeros of its shape. A `wrt` value node is treated as an
/// independent variable (its own inputs are held fixed unless they are in `wrt` too).
public func differentiate(_ graph: inout Graph, output: NodeID, wrt: [NodeID]) throws(DiagnosticsError) -> [NodeID] {
    guard output >= 0, output < graph.nodes.count else {
        throw DiagnosticsError(Diagnostic("internal error: node \(output) does not exist"))
    }
    for w in wrt where w < 0 || w >= graph.nodes.count {
        throw DiagnosticsError(Diagnostic("internal error: node \(w) does not exist"))
    }
    let outNode = graph.nodes[output]
    guard outNode.type.shape.isScalar else {
        throw DiagnosticsError(Diagnostic("grad needs a scalar to differentiate, got \(outNode.type)", at: outNode.range))
    }
    var pass = ReverseMode(graph: graph, output: output, wrt: wrt)
    let result = try pass.run()
    graph = pass.b.graph
    return result
}

/// Appends to `graph` the vector-Jacobian product of the values `seeds` (each with the node of
/// its cotangent, of its type) with respect to each of `wrt`, and returns those nodes. The body
/// of a reverse scan is made this way (Autodiff/ScanRule.swift).
func vectorJacobianProduct(_ graph: inout Graph, seeds: [(node: NodeID, cotangent: NodeID)], wrt: [NodeID]) throws(DiagnosticsError) -> [NodeID] {
    var pass = ReverseMode(graph: graph, seeds: seeds, wrt: wrt)
    let result = try pass.run()
    graph = pass.b.graph
    return result
}

/// The inputs of an operation that gradients flow into (the others are held fixed:
/// conditions, masks, and the operands of piecewise-constant operations).
func differentiableInputs(_ node: Node) -> [Int] {
    switch node.op.definition.gradientInputs {
    case .all: return Array(node.inputs.indices)
    case .none: return []
    case .only(let k): return k
    }
}

struct ReverseMode {
    var b: GradBuilder
    /// The scalar being differentiated (its adjoint is 1), or nil for a vector-Jacobian product.
    let output: NodeID?
    /// The values whose adjoints are given, with the nodes of those adjoints (nil: the scalar 1).
    let seeds: [(node: NodeID, cotangent: NodeID?)]
    let wrt: [NodeID]
    /// Nodes at or before the last seed (the only ones that can matter).
    let count: Int

    init(graph: Graph, output: NodeID, wrt: [NodeID]) {
        self.b = GradBuilder(graph: graph)
        self.output = output
        self.seeds = [(output, nil)]
        self.wrt = wrt
        self.count = output + 1
    }

    init(graph: Graph, seeds: [(node: NodeID, cotangent: NodeID)], wrt: [NodeID]) {
        self.b = GradBuilder(graph: graph)
        self.output = nil
        self.seeds = seeds.map { ($0.node, $0.cotangent) }
        self.wrt = wrt
        self.count = (seeds.map(\.node).max() ?? -1) + 1
    }

    var graph: Graph { b.graph }

    mutating func run() throws(DiagnosticsError) -> [NodeID] {
        let forward = b.graph.nodes  // the nodes before any gradient node was added
        let wrtSet = Set(wrt)
        // Forward: which nodes depend on a wrt node through differentiable inputs.
        var depends = [Bool](repeating: false, count: count)
        for i in 0..<count {
            let n = forward[i]
            depends[i] = wrtSet.contains(i) || differentiableInputs(n).contains { depends[n.inputs[$0]] }
        }
        // Backward: which of those lie on a path to a seed.
        var active = [Bool](repeating: false, count: count)
        for s in seeds { active[s.node] = depends[s.node] }
        for i in stride(from: count - 1, through: 0, by: -1) where active[i] {
            let n = forward[i]
            for k in differentiableInputs(n) where depends[n.inputs[k]] { active[n.inputs[k]] = true }
        }

        var contributions: [NodeID: [NodeID]] = [:]
        var adjoint: [NodeID: NodeID] = [:]
        // The adjoints of the results of each scan, gathered from its `scanResult` nodes.
        var resultAdjoints: [NodeID: [Int: NodeID]] = [:]
        for s in seeds where active[s.node] {
            b.range = forward[s.node].range
            contributions[s.node, default: []].append(s.cotangent ?? b.scalar(1))
        }
        for i in stride(from: count - 1, through: 0, by: -1) where active[i] {
            let node = forward[i]
            if case .scan = node.op, let results = resultAdjoints[i] {
                // A loop's operands get their gradients from all its results at once.
                contributions[i] = contributions[i] ?? []
                resultAdjoints[i] = nil
                if let own = try sum(contributions[i]!) { adjoint[i] = own }
                var all = results
                all[0] = adjoint[i]
                b.range = node.range
                for (k, c) in try scanVJP(i, node, all, active: node.inputs.map { active[$0] }) {
                    contributions[node.inputs[k], default: []].append(c)
                }
                continue
            }
            guard let cs = contributions[i], let g = try sum(cs) else { continue }
            b.range = node.range
            adjoint[i] = g
            nameAdjoint(g, of: node, at: i, forwardCount: forward.count)
            if case .scanResult(let k) = node.op {
                resultAdjoints[node.inputs[0], default: [:]][k] = g
                continue
            }
            if case .scan = node.op {
                for (k, c) in try scanVJP(i, node, [0: g], active: node.inputs.map { active[$0] }) {
                    contributions[node.inputs[k], default: []].append(c)
                }
                continue
            }
            for k in differentiableInputs(node) where active[node.inputs[k]] {
                guard var c = try vjp(i, node, g, k) else { continue }
                if let f = AutodiffTestHooks.ruleScale(op: node.op.sourceName, graph: b.graph.name) { c = try b.scale(c, f) }
                let input = node.inputs[k]
                guard b.type(c) == forward[input].type else {
                    throw DiagnosticsError(Diagnostic(
                        "internal error: the gradient of '\(node.op.sourceName)' to operand \(k) is \(b.type(c)), expected \(forward[input].type)",
                        at: node.range))
                }
                contributions[input, default: []].append(c)
            }
        }

        var result: [NodeID] = []
        for w in wrt {
            if let g = adjoint[w] {
                result.append(g)
            } else {
                b.range = forward[w].range
                result.append(try b.zeros(forward[w].type.shape))
            }
        }
        return result
    }

    /// The sum of the contributions to one node's adjoint; nil when there are none.
    mutating func sum(_ cs: [NodeID]) throws(DiagnosticsError) -> NodeID? {
        guard var g = cs.first else { return nil }
        for c in cs.dropFirst() { g = try b.add(g, c) }
        return g
    }

    /// Names the adjoint of a user-named value `d<out>_d<name>`, so that a printed gradient
    /// graph reads as the chain rule (`dloss_dh = dloss_dyhat * w2`). Inputs and params are
    /// named by `gradientGraph`; constants stay unnamed so the printer can inline them.
    mutating func nameAdjoint(_ g: NodeID, of node: Node, at i: NodeID, forwardCount: Int) {
        guard let output, i != output, g >= forwardCount, let name = node.name, b.graph.nodes[g].name == nil else { return }
        switch node.op {
        case .input, .param, .constant: return
        default: break
        }
        if case .constant = b.graph.nodes[g].op { return }
        b.graph.nodes[g].name = "d\(b.graph.nodes[output].name ?? "y")_d\(name)"
    }

    /// The contribution of node `i` (adjoint `g`) to its operand `k`, of that operand's type;
    /// nil when it is structurally zero. Each operation's rule is in its definition (Ops/).
    mutating func vjp(_ i: NodeID, _ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let (definition, values) = node.op.form
        guard let rule = definition.vjp else { return nil }
        return try rule(&b, VJPQuery(node: node, y: i, g: g, k: k, attributes: Attributes(definition, values)))
    }
}
