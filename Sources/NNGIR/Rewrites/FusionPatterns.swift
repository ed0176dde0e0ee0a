import NNGCore

/// Fusion patterns: a subgraph of primitives that a fused kernel computes, replaced by that
/// kernel's operation while simplifying. A composite written out by hand then runs as the
/// composite called by name does (one kernel, instead of a reduction and separate elementwise
/// loops). The fused kernel computes the same value up to rounding; since every backend runs the
/// simplified graph, the backends still agree bit for bit.
///
/// - x − logsumexp(x, [a], keepdims = true) → log_softmax(x, a)
/// - exp(log_softmax(x, a)) → softmax(x, a)
extension Simplifier {
    mutating func fused(_ op: Op, _ a: [NodeID], _ type: TensorType) -> NodeID? {
        switch op {
        case .binary(.subtract):
            guard type == self.type(a[0]), let axis = logsumexpAxis(of: a[1], over: a[0]) else { return nil }
            return make(.logSoftmax(axis: axis), [a[0]], type)
        case .unary(.exp):
            guard case .logSoftmax(let axis) = out.nodes[a[0]].op else { return nil }
            return make(.softmax(axis: axis), out.nodes[a[0]].inputs, type)
        default:
            return nil
        }
    }

    /// The axis when `n` is logsumexp(x, [axis], keepdims = true), or a broadcast of it.
    private func logsumexpAxis(of n: NodeID, over x: NodeID) -> Int? {
        let node = out.nodes[n]
        switch node.op {
        case .reduce(.logsumexp, let axes, keepdims: true) where axes.count == 1 && node.inputs[0] == x:
            return axes[0]
        case .broadcast:
            return logsumexpAxis(of: node.inputs[0], over: x)
        default:
            return nil
        }
    }
}
