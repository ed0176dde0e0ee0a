import NNGCore

/// Operations that draw counter-based random numbers (docs/language.md, "Random operations").
enum RandomOps {
    static let stream = OpParameter("stream", .stream, .position)

    /// In training: zero with probability p, scale by 1/(1-p); else identity. Its VJP is the same
    /// dropout (same stream, so the same mask) applied to the adjoint.
    static let dropout = OpDefinition("dropout", [.tensor("x"), OpParameter("p", .number, .number(0.5)), stream],
                                      flags: [.elementwise, .random], type: { q throws(ShapeError) in
        let p = q.number("p")
        guard p >= 0 && p < 1 else { throw ShapeError("dropout needs 0 <= p < 1, got \(formatNumber(p))") }
        return q.inputs[0]
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.op(q.node.op, q.g)
    }) { a in
        .dropout(p: a.number("p"), stream: a.stream())
    }

    static let bernoulli = OpDefinition("bernoulli", [.tensor("p"), stream], flags: [.elementwise, .random],
                                        gradientInputs: .none, type: ElementwiseOps.sameType) { a in
        .bernoulli(stream: a.stream())
    }

    static let all = [dropout, bernoulli]
}
