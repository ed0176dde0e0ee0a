import NNGCore

/// A forward graph with its gradients appended, and which output holds which gradient.
public struct DifferentiatedGraph: Sendable {
    public var graph: Graph
    /// Each name differentiated with respect to, in the order asked, with the output that holds
    /// its gradient. Consumers read this map instead of rebuilding `d<out>_d<name>`: the name
    /// gets a suffix when the graph already uses it (a user value called `dloss_dw`).
    public var gradients: [(wrt: String, output: String)]

    /// `gradients` as a dictionary: name → gradient output.
    public var gradientOutputs: [String: String] {
        Dictionary(gradients.map { ($0.wrt, $0.output) }, uniquingKeysWith: { first, _ in first })
    }
}

/// The forward graph plus ∂output/∂(each of wrt), simplified: what `nngc compile --emit grad`
/// prints and `nngc eval --grad` evaluates. `wrt` names inputs, params or named values;
/// nil = every parameter. The gradients are added to `outputs` as `d<out>_d<name>` (with a
/// suffix `_2`, `_3`, … when that name is already taken), in the order of `wrt`.
public func gradientGraph(_ graph: Graph, of output: String, wrt: [String]?) throws(DiagnosticsError) -> Graph {
    try differentiatedGraph(graph, of: output, wrt: wrt).graph
}

/// `gradientGraph` with the map from each name in `wrt` to the output holding its gradient.
public func differentiatedGraph(_ graph: Graph, of output: String, wrt: [String]?) throws(DiagnosticsError) -> DifferentiatedGraph {
    guard let out = graph.output(named: output) ?? graph.node(named: output) else {
        let candidates = graph.outputs.map(\.name)
        let hint = closestName(to: output, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
        throw DiagnosticsError(Diagnostic("unknown output '\(output)'" + hint))
    }
    let names = wrt ?? graph.params.map(\.name)
    var taken = Set(graph.outputs.map(\.name)).union(graph.valueNames.keys)
    for n in graph.nodes {
        if let name = n.name { taken.insert(name) }
        switch n.op {
        case .input(let name), .param(let name, _): taken.insert(name)
        default: break
        }
    }
    // An alias (`d = c`) is found through the names the lowering kept, as `grad(L, d)` finds it.
    let byName = nodesByName(graph).merging(graph.valueNames) { node, _ in node }
    var ids: [NodeID] = []
    var diagnostics: [Diagnostic] = []
    for name in names {
        if let id = byName[name] { ids.append(id) } else {
            let hint = closestName(to: name, among: taken.sorted()).map { "; did you mean '\($0)'?" } ?? ""
            diagnostics.append(Diagnostic("unknown name '\(name)' to differentiate with respect to" + hint))
        }
    }
    if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }

    var g = graph
    let grads = try differentiate(&g, output: out, wrt: ids)
    var gradNames: [String] = []
    for (name, id) in zip(names, grads) {
        var n = "d\(output)_d\(name)"
        if taken.contains(n) {
            var k = 2
            while taken.contains("\(n)_\(k)") { k += 1 }
            n = "\(n)_\(k)"
        }
        taken.insert(n)
        gradNames.append(n)
        g.outputs.append((n, id))
    }
    var s = simplify(g)
    let outputsByName = Dictionary(s.outputs.map { ($0.name, $0.node) }, uniquingKeysWith: { first, _ in first })
    for n in gradNames {
        guard let id = outputsByName[n] else { continue }
        switch s.nodes[id].op {
        case .input, .param: continue
        default: if s.nodes[id].name == nil { s.nodes[id].name = n }
        }
    }
    return DifferentiatedGraph(graph: s, gradients: Array(zip(names, gradNames)))
}

/// What a name to differentiate with respect to refers to: an input or param of that name
/// first, else the last node the user named so (one pass: a lookup per name would make the
/// gradient of n params quadratic).
private func nodesByName(_ graph: Graph) -> [String: NodeID] {
    var declared: [String: NodeID] = [:], named: [String: NodeID] = [:]
    for (i, n) in graph.nodes.enumerated() {
        switch n.op {
        case .input(let name), .param(let name, _): if declared[name] == nil { declared[name] = i }
        default: break
        }
        if let name = n.name { named[name] = i }
    }
    return named.merging(declared) { _, decl in decl }
}
