import NNGCore

/// Reductions over axes, and the operations normalised along one axis.
enum ReductionOps {
    static func reduce(_ r: ReduceOp) -> OpDefinition { reductions[r]! }

    private static let reductions: [ReduceOp: OpDefinition] = {
        var t: [ReduceOp: OpDefinition] = [:]
        for r in ReduceOp.allCases {
            t[r] = OpDefinition(r.rawValue, [.tensor("x"), OpParameter("axes", .axes, .allAxes),
                                             OpParameter("keepdims", .bool, .bool(false), printing: .unlessDefault)],
                                type: { q throws(ShapeError) in try reducedType(q) }, vjp: vjp(of: r)) { a in
                .reduce(r, axes: a.ints("axes"), keepdims: a.bool("keepdims"))
            }
        }
        return t
    }()

    /// x's shape without `axes` (or with them of size 1, `keepdims`).
    private static func reducedType(_ q: TypeQuery) throws(ShapeError) -> TensorType {
        let axes = q.ints("axes"), keepdims = q.bool("keepdims")
        try checkAxes(axes, of: q.inputs[0], op: q.name)
        var dims: [Dim] = []
        for (i, d) in q.shapes[0].dims.enumerated() {
            if axes.contains(i) { if keepdims { dims.append(1) } } else { dims.append(d) }
        }
        return q.result(Shape(dims))
    }

    /// `mean` is a composite, sum / count: its VJP is derived from that (Autodiff/CompositeRule);
    /// the others' are written here. logsumexp stays a primitive: its derivative is softmax, the
    /// fused kernel (a decomposition max + log Σ exp(x − max) would recompute the exponentials).
    private static func vjp(of r: ReduceOp) -> VJPRule {
        if r == .mean { return derivedVJP(meanDecomposition) }
        return { b, q throws(DiagnosticsError) in try reduceVJP(r, &b, q) }
    }

    /// mean(x, axes, keepdims) = sum(x, axes, keepdims) / (the number of elements over the axes).
    static let meanDecomposition: Decomposition = { b, xs, a throws(DiagnosticsError) in
        let axes = a.ints("axes")
        let sum = try b.op(.reduce(.sum, axes: axes, keepdims: a.bool("keepdims")), xs[0])
        return try b.div(sum, b.count(b.shape(xs[0]), axes: axes))
    }

    private static func reduceVJP(_ r: ReduceOp, _ b: inout GradBuilder, _ q: VJPQuery) throws(DiagnosticsError) -> NodeID? {
        let x = q.inputs[0], axes = q.ints("axes")
        let sx = b.shape(x)
        let gb = try b.unreduce(q.g, from: sx, axes: axes)                 // g broadcast back
        switch r {
        case .sum:
            return gb
        case .mean:
            preconditionFailure("mean's VJP is derived from its decomposition")
        case .max:                                                          // to the first maximum
            return try b.mul(gb, b.op(.argmaxMask(axes: axes), x))
        case .logsumexp:
            // g · softmax(x) over the axes: the softmax op for one axis (most accurate),
            // else exp(x − y) with y broadcast back.
            if axes.count == 1 { return try b.mul(gb, b.op(.softmax(axis: axes[0]), x)) }
            let yb = try b.unreduce(q.y, from: sx, axes: axes)
            return try b.mul(gb, b.unary(.exp, b.sub(x, yb)))
        }
    }

    /// x's type, with `axis` checked.
    private static let alongAxis: TypeRule = { q throws(ShapeError) in
        try checkAxis(q.int("axis"), of: q.inputs[0], op: q.name)
        return q.inputs[0]
    }

    /// softmax and log_softmax are composites of logsumexp (below): their kernels are fused, their
    /// VJPs derived from these expressions (Autodiff/CompositeRule).
    static let softmax = OpDefinition("softmax", [.tensor("x"), OpParameter("axis", .axis, .int(-1))], type: alongAxis,
                                      vjp: derivedVJP(softmaxDecomposition)) { a in
        .softmax(axis: a.int("axis"))
    }

    static let logSoftmax = OpDefinition("log_softmax", [.tensor("x"), OpParameter("axis", .axis, .int(-1))], type: alongAxis,
                                         vjp: derivedVJP(logSoftmaxDecomposition)) { a in
        .logSoftmax(axis: a.int("axis"))
    }

    /// log_softmax(x, axis) = x − logsumexp(x, [axis], keepdims).
    static let logSoftmaxDecomposition: Decomposition = { b, xs, a throws(DiagnosticsError) in
        try b.sub(xs[0], b.op(.reduce(.logsumexp, axes: [a.int("axis")], keepdims: true), xs[0]))
    }

    /// softmax(x, axis) = exp(log_softmax(x, axis)).
    static let softmaxDecomposition: Decomposition = { b, xs, a throws(DiagnosticsError) in
        try b.unary(.exp, logSoftmaxDecomposition(&b, xs, a))
    }

    /// 1 at the first maximal element over `axes` (row-major order), 0 elsewhere (max's gradient).
    static let argmaxMask = OpDefinition("argmax_mask", [.tensor("x"), OpParameter("axes", .axes, .allAxes)],
                                         gradientInputs: .none, type: { q throws(ShapeError) in
        try checkAxes(q.ints("axes"), of: q.inputs[0], op: q.name)
        return q.inputs[0]
    }) { a in
        .argmaxMask(axes: a.ints("axes"))
    }

    static var all: [OpDefinition] { ReduceOp.allCases.map(reduce) + [softmax, logSoftmax, argmaxMask] }
}
