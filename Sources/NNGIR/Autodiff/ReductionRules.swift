import NNGCore

/// Vector-Jacobian products of reductions, softmax and the losses.
extension ReverseMode {
    mutating func reduceVJP(_ r: ReduceOp, _ axes: [Int], _ keepdims: Bool, _ y: NodeID, _ node: Node, _ g: NodeID) throws(DiagnosticsError) -> NodeID? {
        let x = node.inputs[0]
        let sx = graph.nodes[x].type.shape
        let gb = try b.unreduce(g, from: sx, axes: axes)                   // g broadcast back
        switch r {
        case .sum:
            return gb
        case .mean:
            return try b.div(gb, b.count(sx, axes: axes))
        case .max:                                                          // to the first maximum
            return try b.mul(gb, b.op(.argmaxMask(axes: axes), x))
        case .logsumexp:
            // g · softmax(x) over the axes: the softmax op for one axis (most accurate),
            // else exp(x − y) with y broadcast back.
            if axes.count == 1 { return try b.mul(gb, b.op(.softmax(axis: axes[0]), x)) }
            let yb = try b.unreduce(y, from: sx, axes: axes)
            return try b.mul(gb, b.unary(.exp, b.sub(x, yb)))
        }
    }

    mutating func softmaxVJP(_ axis: Int, _ y: NodeID, _ node: Node, _ g: NodeID) throws(DiagnosticsError) -> NodeID? {
        // y · (g − Σ_axis g·y)
        let s = try b.op(.reduce(.sum, axes: [axis], keepdims: true), b.mul(g, y))
        return try b.mul(y, b.sub(g, s))
    }

    mutating func logSoftmaxVJP(_ axis: Int, _ y: NodeID, _ node: Node, _ g: NodeID) throws(DiagnosticsError) -> NodeID? {
        // g − softmax(x) · Σ_axis g
        let s = try b.op(.reduce(.sum, axes: [axis], keepdims: true), g)
        return try b.sub(g, b.mul(b.op(.softmax(axis: axis), node.inputs[0]), s))
    }

    mutating func lossVJP(_ l: LossOp, _ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let p = node.inputs[0], t = node.inputs[1]
        let s = graph.nodes[p].type.shape
        let all = Array(0..<s.rank)
        switch l {
        case .mse:                                                          // ±2 g (p − t) / n
            let d = try b.div(b.scale(b.mul(b.sub(p, t), g), 2), b.count(s, axes: all))
            return k == 0 ? d : try b.neg(d)
        case .bce:
            let n = try b.count(s, axes: all)
            let one = b.scalar(1)
            if k == 0 {                                                     // g ((1−t)/(1−p) − t/p) / n
                let d = try b.sub(b.div(b.sub(one, t), b.sub(one, p)), b.div(t, p))
                return try b.div(b.mul(d, g), n)
            }
            let d = try b.sub(b.unary(.log, b.sub(one, p)), b.unary(.log, p)) // g (log(1−p) − log p) / n
            return try b.div(b.mul(d, g), n)
        case .bceLogits:
            let n = try b.count(s, axes: all)
            if k == 0 {                                                     // g (sigmoid(z) − t) / n
                return try b.div(b.mul(b.sub(b.unary(.sigmoid, p), t), g), n)
            }
            return try b.div(b.mul(b.neg(p), g), n)                         // −g z / n
        case .crossEntropy:
            let last = s.rank - 1
            let rows = try b.count(s, axes: Array(0..<last))
            if k == 0 {
                // g (softmax(z) · Σ_j t_j − t) / rows; Σ_j t_j = 1 for one-hot or probability targets.
                let st = try b.op(.reduce(.sum, axes: [last], keepdims: true), t)
                let d = try b.sub(b.mul(b.op(.softmax(axis: last), p), st), t)
                return try b.div(b.mul(d, g), rows)
            }
            return try b.div(b.mul(b.neg(b.op(.logSoftmax(axis: last), p)), g), rows)   // −g log_softmax(z) / rows
        }
    }
}
