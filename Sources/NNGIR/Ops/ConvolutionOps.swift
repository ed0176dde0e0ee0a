import NNGCore

/// 2-D convolution (x [N,C,H,W], w [K,C,R,S]) and its gradients (docs/gradient-ops.md). All three
/// are linear in each operand, so their VJPs are each other.
enum ConvolutionOps {
    static let conv2d = OpDefinition("conv2d", [.tensor("x"), .tensor("w"), OpParameter("stride", .int, .int(1)),
                                                OpParameter("padding", .int, .int(0))], type: { q throws(ShapeError) in
        q.result(try conv2dShape(q.inputs[0], q.inputs[1], stride: q.int("stride"), padding: q.int("padding")))
    }, vjp: { b, q throws(DiagnosticsError) in                                // y = conv2d(x, w)
        let (x, w) = (q.inputs[0], q.inputs[1])
        if q.k == 0 { return try b.op(gradInput(q, like: x, in: b), q.g, w) }
        return try b.op(gradWeight(q, like: w, in: b), x, q.g)
    }) { a in
        .conv2d(stride: a.int("stride"), padding: a.int("padding"))
    }

    /// ∂conv2d/∂x applied to g: g [N,K,OH,OW], w [K,C,R,S] → [N,C,height,width].
    static let gradInput = OpDefinition("conv2d_grad_input", [.tensor("g"), .tensor("w"), OpParameter("stride", .int),
                                                              OpParameter("padding", .int), OpParameter("size", .pair)],
                                        type: { q throws(ShapeError) in
        let (g, k) = (q.inputs[0], q.inputs[1]), hw = q.ints("size")
        guard g.shape.rank == 4, k.shape.rank == 4, hw[0] >= 1, hw[1] >= 1 else {
            throw ShapeError("\(q.name) needs g [N, K, OH, OW], w [K, C, R, S] and size >= 1, got \(g) and \(k)")
        }
        let x = q.result(Shape([g.shape[0], k.shape[1], .known(hw[0]), .known(hw[1])]))
        try expectConvolution(q, of: x, with: k, gives: g)
        return x
    }, vjp: { b, q throws(DiagnosticsError) in                                // y = gi(d, w)
        let (d, w) = (q.inputs[0], q.inputs[1])
        if q.k == 0 { return try b.op(forward(q), q.g, w) }
        return try b.op(gradWeight(q, like: w, in: b), q.g, d)
    }) { a in
        let hw = a.ints("size")
        return .conv2dGradInput(stride: a.int("stride"), padding: a.int("padding"), height: hw[0], width: hw[1])
    }

    /// ∂conv2d/∂w applied to g: x [N,C,H,W], g [N,K,OH,OW] → [K,C,height,width].
    static let gradWeight = OpDefinition("conv2d_grad_weight", [.tensor("x"), .tensor("g"), OpParameter("stride", .int),
                                                                OpParameter("padding", .int), OpParameter("size", .pair)],
                                         type: { q throws(ShapeError) in
        let (x, g) = (q.inputs[0], q.inputs[1]), rs = q.ints("size")
        guard x.shape.rank == 4, g.shape.rank == 4, rs[0] >= 1, rs[1] >= 1 else {
            throw ShapeError("\(q.name) needs x [N, C, H, W], g [N, K, OH, OW] and size >= 1, got \(x) and \(g)")
        }
        let k = q.result(Shape([g.shape[1], x.shape[1], .known(rs[0]), .known(rs[1])]))
        try expectConvolution(q, of: x, with: k, gives: g)
        return k
    }, vjp: { b, q throws(DiagnosticsError) in                                // y = gw(x, d)
        let (x, d) = (q.inputs[0], q.inputs[1])
        if q.k == 0 { return try b.op(gradInput(q, like: x, in: b), d, q.g) }
        return try b.op(forward(q), x, q.g)
    }) { a in
        let hw = a.ints("size")
        return .conv2dGradWeight(stride: a.int("stride"), padding: a.int("padding"), height: hw[0], width: hw[1])
    }

    static let all = [conv2d, gradInput, gradWeight]

    // MARK: The operations a VJP builds, with the node's stride and padding.

    private static func forward(_ q: VJPQuery) -> Op { .conv2d(stride: q.int("stride"), padding: q.int("padding")) }

    /// conv2d_grad_input producing a tensor of the spatial size of `x`.
    private static func gradInput(_ q: VJPQuery, like x: NodeID, in b: GradBuilder) -> Op {
        let (h, w) = b.spatialSize(x)
        return .conv2dGradInput(stride: q.int("stride"), padding: q.int("padding"), height: h, width: w)
    }

    /// conv2d_grad_weight producing a kernel of the spatial size of `w`.
    private static func gradWeight(_ q: VJPQuery, like w: NodeID, in b: GradBuilder) -> Op {
        let (r, s) = b.spatialSize(w)
        return .conv2dGradWeight(stride: q.int("stride"), padding: q.int("padding"), height: r, width: s)
    }

    /// A gradient operation's claimed shapes must be those of the convolution it differentiates.
    private static func expectConvolution(_ q: TypeQuery, of x: TensorType, with k: TensorType, gives g: TensorType) throws(ShapeError) {
        let y = try conv2dShape(x, k, stride: q.int("stride"), padding: q.int("padding"))
        guard y == g.shape else {
            throw ShapeError("\(q.name): conv2d of \(x) with \(k) gives \(q.result(y)), not \(g)")
        }
    }
}

/// x [N,C,H,W], w [K,C,R,S] → [N,K,(H+2p−R)/s+1,(W+2p−S)/s+1]. Only N may be a symbol.
func conv2dShape(_ x: TensorType, _ w: TensorType, stride: Int, padding: Int) throws(ShapeError) -> Shape {
    guard x.shape.rank == 4, w.shape.rank == 4 else {
        throw ShapeError("conv2d needs x [N, C, H, W] and w [K, C, R, S], got \(x) and \(w)")
    }
    guard stride >= 1, padding >= 0 else {
        throw ShapeError("conv2d needs stride >= 1 and padding >= 0, got stride \(stride), padding \(padding)")
    }
    guard x.shape[1] == w.shape[1] else {
        throw ShapeError("conv2d channel mismatch: x \(x) has \(x.shape[1]) channels but w \(w) has \(w.shape[1])")
    }
    guard let h = x.shape[2].value, let wd = x.shape[3].value,
          let r = w.shape[2].value, let s = w.shape[3].value else {
        throw ShapeError("conv2d needs concrete H, W, R and S, got \(x) and \(w)")
    }
    guard let hs = checkedSum([h, padding, padding]), let ws = checkedSum([wd, padding, padding]) else {
        throw ShapeError("conv2d of \(x) is too large")
    }
    guard hs >= r, ws >= s else {
        throw ShapeError("conv2d output would be empty: \(x) with kernel \(w), stride \(stride), padding \(padding)")
    }
    return Shape([x.shape[0], w.shape[0], .known(windowCount(h, window: r, stride: stride, padding: padding)),
                  .known(windowCount(wd, window: s, stride: stride, padding: padding))])
}

extension GradBuilder {
    /// The last two dimensions of a node (1 where not concrete: the type rules refuse those).
    func spatialSize(_ n: NodeID) -> (Int, Int) {
        let s = shape(n)
        return (s[s.rank - 2].value ?? 1, s[s.rank - 1].value ?? 1)
    }
}
