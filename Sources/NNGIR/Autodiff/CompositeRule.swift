import NNGCore

/// A composite operation written with primitives, on its operands `xs` (`Decomposition`); its
/// fused kernel computes the same value, and its VJP is derived from this expression.
typealias Decomposition = @Sendable (inout GradBuilder, _ xs: [NodeID], Attributes) throws(DiagnosticsError) -> NodeID

/// The VJP of a composite operation, derived from its decomposition: the expression is built in a
/// scratch graph on placeholders of the operands' types, differentiated there by the ordinary
/// pass (so only the primitives' rules are ever written), and the nodes of the result are copied
/// into the graph being differentiated, reading the node's own operands and adjoint. Where the
/// derivative needs the expression's value it reads the node itself (the fused kernel's result).
func derivedVJP(_ decomposition: @escaping Decomposition) -> VJPRule {
    { b, q throws(DiagnosticsError) in
        var scratch = GradBuilder(graph: Graph(name: "composite", dtype: b.graph.dtype))
        let operands = q.inputs.enumerated().map { j, x in
            scratch.graph.append(Node(op: .input("x\(j)"), inputs: [], type: b.type(x)))
        }
        let seed = scratch.graph.append(Node(op: .input("g"), inputs: [], type: b.type(q.y)))
        let value = try decomposition(&scratch, operands, q.attributes)
        let result = try vectorJacobianProduct(&scratch.graph, seeds: [(value, seed)], wrt: [operands[q.k]])[0]
        var map: [NodeID: NodeID] = [seed: q.g, value: q.y]
        for (j, x) in operands.enumerated() { map[x] = q.inputs[j] }
        return try copy(result, from: scratch.graph, into: &b, map: &map)
    }
}

/// Copies node `n` of `source` and the nodes it reads into `b`'s graph (each once), except those
/// `map` already gives; returns the copy of `n`.
private func copy(_ n: NodeID, from source: Graph, into b: inout GradBuilder, map: inout [NodeID: NodeID]) throws(DiagnosticsError) -> NodeID {
    if let done = map[n] { return done }
    let node = source.nodes[n]
    var inputs: [NodeID] = []
    for i in node.inputs { inputs.append(try copy(i, from: source, into: &b, map: &map)) }
    let id: NodeID
    if case .constant(let values) = node.op {
        id = b.graph.addConstant(values, shape: node.type.shape, range: b.range)
    } else {
        id = try b.op(node.op, inputs)
    }
    map[n] = id
    return id
}
