import NNGCore

/// Vector-Jacobian products of the elementwise operations (the unary and binary ones are rows of
/// the scalar-op table, Ops/ScalarOps.swift).
extension ReverseMode {
    mutating func unaryVJP(_ u: UnaryOp, _ y: NodeID, _ node: Node, _ g: NodeID) throws(DiagnosticsError) -> NodeID? {
        try u.rule().vjp?(&b, node.inputs[0], y, g)
    }

    mutating func binaryVJP(_ op: BinaryOp, _ y: NodeID, _ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let full = try op.rule().vjp(&b, node.inputs[0], node.inputs[1], y, g, k)
        return try b.sumTo(full, graph.nodes[node.inputs[k]].type.shape)
    }

    mutating func selectVJP(_ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let cond = node.inputs[0]
        let target = graph.nodes[node.inputs[k]].type.shape
        let zero = b.scalar(0)
        let masked = k == 1 ? try b.op(.select, cond, g, zero) : try b.op(.select, cond, zero, g)
        return try b.sumTo(masked, target)
    }
}
