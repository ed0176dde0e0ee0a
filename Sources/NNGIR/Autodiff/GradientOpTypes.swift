import NNGCore

/// Type inference of the gradient operations (docs/gradient-ops.md).
func inferGradientOpType(_ op: Op, inputs: [TensorType], dtype: DType) throws(ShapeError) -> TensorType {
    let name = op.sourceName
    func arity(_ n: Int) throws(ShapeError) {
        guard inputs.count == n else {
            throw ShapeError("'\(name)' takes \(n) input\(n == 1 ? "" : "s"), got \(inputs.count)")
        }
    }
    func result(_ shape: Shape) -> TensorType { TensorType(dtype, shape) }

    switch op {
    case .argmaxMask(let axes):
        try arity(1)
        try checkAxes(axes, of: inputs[0], op: name)
        return inputs[0]

    case .conv2dGradInput(let stride, let padding, let h, let w):
        try arity(2)
        let g = inputs[0], k = inputs[1]
        guard g.shape.rank == 4, k.shape.rank == 4, h >= 1, w >= 1 else {
            throw ShapeError("\(name) needs g [N, K, OH, OW], w [K, C, R, S] and size >= 1, got \(g) and \(k)")
        }
        let x = TensorType(dtype, Shape([g.shape[0], k.shape[1], .known(h), .known(w)]))
        let y = try conv2dShape(x, k, stride: stride, padding: padding)
        guard y == g.shape else {
            throw ShapeError("\(name): conv2d of \(x) with \(k) gives \(TensorType(dtype, y)), not \(g)")
        }
        return x

    case .conv2dGradWeight(let stride, let padding, let r, let s):
        try arity(2)
        let x = inputs[0], g = inputs[1]
        guard x.shape.rank == 4, g.shape.rank == 4, r >= 1, s >= 1 else {
            throw ShapeError("\(name) needs x [N, C, H, W], g [N, K, OH, OW] and size >= 1, got \(x) and \(g)")
        }
        let k = TensorType(dtype, Shape([g.shape[1], x.shape[1], .known(r), .known(s)]))
        let y = try conv2dShape(x, k, stride: stride, padding: padding)
        guard y == g.shape else {
            throw ShapeError("\(name): conv2d of \(x) with \(k) gives \(TensorType(dtype, y)), not \(g)")
        }
        return k

    case .maxPoolGrad(let size, let stride), .maxPoolSelect(let size, let stride):
        try arity(2)
        let x = inputs[0], other = inputs[1]
        let pooled = try inferType(of: .pool(.max, size: size, stride: stride), inputs: [x], dtype: dtype)
        if case .maxPoolGrad = op {
            guard pooled == other else {
                throw ShapeError("\(name) needs g of the pooled shape \(pooled), got \(other)")
            }
            return x
        }
        guard x == other else {
            throw ShapeError("\(name) needs x and u of the same shape, got \(x) and \(other)")
        }
        return pooled

    case .avgPoolGrad(let size, let stride, let h, let w):
        try arity(1)
        let g = inputs[0]
        guard g.shape.rank >= 2, h >= size, w >= size, size >= 1, stride >= 1 else {
            throw ShapeError("\(name) needs g of rank 2 or more and a shape of at least size × size, got \(g)")
        }
        var s = g.shape
        s[s.rank - 2] = .known(h)
        s[s.rank - 1] = .known(w)
        let pooled = try inferType(of: .pool(.average, size: size, stride: stride), inputs: [TensorType(dtype, s)], dtype: dtype)
        guard pooled == g else {
            throw ShapeError("\(name): avgpool2d of \(TensorType(dtype, s)) gives \(pooled), not \(g)")
        }
        return TensorType(dtype, s)

    default:
        throw ShapeError("internal error: '\(name)' is not a gradient operation")
    }
}
