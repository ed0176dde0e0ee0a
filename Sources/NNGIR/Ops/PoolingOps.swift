import NNGCore

/// Pooling over the last two axes (size × size windows, no padding) and its gradients. The
/// gradient operations are linear in their adjoint operand, so their VJPs are each other.
enum PoolingOps {
    static let window = [OpParameter("size", .int, .int(2)), OpParameter("stride", .int, .sameAs("size"))]

    static let maxpool = OpDefinition("maxpool2d", [.tensor("x")] + window, type: { q throws(ShapeError) in
        try pooledType(q.inputs[0], size: q.int("size"), stride: q.int("stride"), name: q.name, dtype: q.dtype)
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.op(.maxPoolGrad(size: q.int("size"), stride: q.int("stride")), q.inputs[0], q.g)
    }) { a in
        .pool(.max, size: a.int("size"), stride: a.int("stride"))
    }

    static let avgpool = OpDefinition("avgpool2d", [.tensor("x")] + window, type: { q throws(ShapeError) in
        try pooledType(q.inputs[0], size: q.int("size"), stride: q.int("stride"), name: q.name, dtype: q.dtype)
    }, vjp: { b, q throws(DiagnosticsError) in
        let (h, w) = b.spatialSize(q.inputs[0])
        return try b.op(.avgPoolGrad(size: q.int("size"), stride: q.int("stride"), height: h, width: w), q.g)
    }) { a in
        .pool(.average, size: a.int("size"), stride: a.int("stride"))
    }

    /// g (pooled shape) routed to the first maximal element of each window of x; x's shape.
    static let maxpoolGrad = OpDefinition("maxpool2d_grad", [.tensor("x"), .tensor("g")] + window,
                                          gradientInputs: .only([1]), type: { q throws(ShapeError) in
        let (x, g) = (q.inputs[0], q.inputs[1])
        let pooled = try pooledType(x, size: q.int("size"), stride: q.int("stride"), name: "maxpool2d", dtype: q.dtype)
        guard pooled == g else { throw ShapeError("maxpool2d_grad needs g of the pooled shape \(pooled), got \(g)") }
        return x
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.op(.maxPoolSelect(size: q.int("size"), stride: q.int("stride")), q.inputs[0], q.g)
    }) { a in
        .maxPoolGrad(size: a.int("size"), stride: a.int("stride"))
    }

    /// The adjoint of maxpool2d_grad: for each window of x, u at its first maximal element; the
    /// pooled shape.
    static let maxpoolSelect = OpDefinition("maxpool2d_select", [.tensor("x"), .tensor("u")] + window,
                                            gradientInputs: .only([1]), type: { q throws(ShapeError) in
        let (x, u) = (q.inputs[0], q.inputs[1])
        let pooled = try pooledType(x, size: q.int("size"), stride: q.int("stride"), name: "maxpool2d", dtype: q.dtype)
        guard x == u else { throw ShapeError("maxpool2d_select needs x and u of the same shape, got \(x) and \(u)") }
        return pooled
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.op(.maxPoolGrad(size: q.int("size"), stride: q.int("stride")), q.inputs[0], q.g)
    }) { a in
        .maxPoolSelect(size: a.int("size"), stride: a.int("stride"))
    }

    /// g spread evenly over each window, into a tensor whose last two axes are `shape`.
    static let avgpoolGrad = OpDefinition("avgpool2d_grad", [.tensor("g"), OpParameter("size", .int), OpParameter("stride", .int),
                                                             OpParameter("shape", .pair)], type: { q throws(ShapeError) in
        let g = q.inputs[0], (size, stride) = (q.int("size"), q.int("stride")), hw = q.ints("shape")
        guard g.shape.rank >= 2, hw[0] >= size, hw[1] >= size, size >= 1, stride >= 1 else {
            throw ShapeError("\(q.name) needs g of rank 2 or more and a shape of at least size × size, got \(g)")
        }
        var s = g.shape
        s[s.rank - 2] = .known(hw[0])
        s[s.rank - 1] = .known(hw[1])
        let pooled = try pooledType(q.result(s), size: size, stride: stride, name: "avgpool2d", dtype: q.dtype)
        guard pooled == g else {
            throw ShapeError("\(q.name): avgpool2d of \(q.result(s)) gives \(pooled), not \(g)")
        }
        return q.result(s)
    }, vjp: { b, q throws(DiagnosticsError) in
        try b.op(.pool(.average, size: q.int("size"), stride: q.int("stride")), q.g)
    }) { a in
        let hw = a.ints("shape")
        return .avgPoolGrad(size: a.int("size"), stride: a.int("stride"), height: hw[0], width: hw[1])
    }

    static func pool(_ kind: PoolKind) -> OpDefinition { kind == .max ? maxpool : avgpool }

    static let all = [maxpool, avgpool, maxpoolGrad, maxpoolSelect, avgpoolGrad]

    /// x [..., H, W] pooled by size × size windows: [..., (H−size)/stride+1, (W−size)/stride+1].
    private static func pooledType(_ x: TensorType, size: Int, stride: Int, name: String, dtype: DType) throws(ShapeError) -> TensorType {
        guard size >= 1, stride >= 1 else {
            throw ShapeError("\(name) needs size >= 1 and stride >= 1, got size \(size), stride \(stride)")
        }
        guard x.shape.rank >= 2 else { throw ShapeError("\(name) needs a tensor of rank 2 or more, got \(x)") }
        let r = x.shape.rank
        guard let h = x.shape[r - 2].value, let w = x.shape[r - 1].value else {
            throw ShapeError("\(name) needs concrete sizes on the last two axes, got \(x)")
        }
        guard h >= size, w >= size else {
            throw ShapeError("\(name) output would be empty: \(x) with size \(size), stride \(stride)")
        }
        var s = x.shape
        s[r - 2] = .known(windowCount(h, window: size, stride: stride))
        s[r - 1] = .known(windowCount(w, window: size, stride: stride))
        return TensorType(dtype, s)
    }
}
