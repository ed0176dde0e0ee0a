import NNGCore

/// Losses and metrics: a prediction and a target of one shape → a scalar, averaged over the
/// elements (cross_entropy: over the rows).
enum LossOps {
    static func loss(_ l: LossOp) -> OpDefinition { losses[l]! }

    private static let losses: [LossOp: OpDefinition] = {
        var t: [LossOp: OpDefinition] = [:]
        for l in LossOp.allCases {
            t[l] = OpDefinition(l.rawValue, [.tensor("p"), .tensor("t")], type: { q throws(ShapeError) in
                if l == .crossEntropy, q.shapes[0] == q.shapes[1], q.shapes[0].rank == 0 {
                    throw ShapeError("cross_entropy needs tensors of rank 1 or more, got \(q.inputs[0])")
                }
                return try scalarOfSameShapes(q)
            }, vjp: { b, q throws(DiagnosticsError) in try lossVJP(l, &b, q) }) { _ in .loss(l) }
        }
        return t
    }()

    /// The fraction of rows whose largest prediction is at the target's largest entry (not
    /// differentiable: asking for its gradient is an error).
    static let accuracy = OpDefinition("accuracy", [.tensor("p"), .tensor("t")], type: { q throws(ShapeError) in try scalarOfSameShapes(q) },
                                       vjp: { _, q throws(DiagnosticsError) in
        throw DiagnosticsError(Diagnostic("accuracy is not differentiable", at: q.node.range))
    }) { _ in .accuracy }

    static var all: [OpDefinition] { LossOp.allCases.map(loss) + [accuracy] }

    private static func scalarOfSameShapes(_ q: TypeQuery) throws(ShapeError) -> TensorType {
        guard q.shapes[0] == q.shapes[1] else {
            throw ShapeError("\(q.name) needs prediction and target of the same shape, got \(q.inputs[0]) and \(q.inputs[1])")
        }
        return q.result(.scalar)
    }

    private static func lossVJP(_ l: LossOp, _ b: inout GradBuilder, _ q: VJPQuery) throws(DiagnosticsError) -> NodeID? {
        let p = q.inputs[0], t = q.inputs[1], g = q.g, k = q.k
        let s = b.shape(p)
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
