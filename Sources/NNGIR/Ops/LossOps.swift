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
            }, vjp: derivedVJP(decomposition(l))) { _ in .loss(l) }
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

    /// Each loss as the expression its kernel computes (Kernels/LossKernels.swift), written with
    /// primitives so that its derived VJP reads like the hand-derived one: over the count n (or
    /// the rows), with the sign inside the sum.
    static func decomposition(_ l: LossOp) -> Decomposition {
        { b, xs, _ throws(DiagnosticsError) in
            let p = xs[0], t = xs[1]
            let s = b.shape(p)
            let all = Array(0..<s.rank)
            func average(_ terms: NodeID, over axes: [Int]) throws(DiagnosticsError) -> NodeID {
                try b.div(b.op(.reduce(.sum, axes: all, keepdims: false), terms), b.count(s, axes: axes))
            }
            switch l {
            case .mse:                                                      // Σ (p − t)² / n
                let d = try b.sub(p, t)
                return try average(b.mul(d, d), over: all)
            case .bce:                                                      // Σ (−t log p − (1 − t) log(1 − p)) / n
                let one = b.scalar(1)
                let terms = try b.sub(b.neg(b.mul(t, b.unary(.log, p))), b.mul(b.sub(one, t), b.unary(.log, b.sub(one, p))))
                return try average(terms, over: all)
            case .bceLogits:                                                // Σ (softplus(z) − z t) / n
                return try average(b.sub(b.unary(.softplus, p), b.mul(p, t)), over: all)
            case .crossEntropy:                                             // Σ t (logsumexp(z) − z) / rows
                let last = s.rank - 1
                let lse = try b.op(.reduce(.logsumexp, axes: [last], keepdims: true), p)
                return try average(b.mul(t, b.sub(lse, p)), over: Array(0..<last))
            }
        }
    }
}
