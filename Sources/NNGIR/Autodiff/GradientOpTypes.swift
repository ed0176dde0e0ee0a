import NNGCore

// Type rules of the gradient operations (docs/gradient-ops.md), called by `inferType` with the
// operands' count already checked.

/// conv2d_grad_input: g [N,K,OH,OW], w [K,C,R,S] → [N,C,height,width].
func conv2dGradInputType(_ g: TensorType, _ k: TensorType, stride: Int, padding: Int, height h: Int, width w: Int,
                         dtype: DType) throws(ShapeError) -> TensorType {
    let name = "conv2d_grad_input"
    guard g.shape.rank == 4, k.shape.rank == 4, h >= 1, w >= 1 else {
        throw ShapeError("\(name) needs g [N, K, OH, OW], w [K, C, R, S] and size >= 1, got \(g) and \(k)")
    }
    let x = TensorType(dtype, Shape([g.shape[0], k.shape[1], .known(h), .known(w)]))
    let y = try conv2dShape(x, k, stride: stride, padding: padding)
    guard y == g.shape else {
        throw ShapeError("\(name): conv2d of \(x) with \(k) gives \(TensorType(dtype, y)), not \(g)")
    }
    return x
}

/// conv2d_grad_weight: x [N,C,H,W], g [N,K,OH,OW] → [K,C,height,width].
func conv2dGradWeightType(_ x: TensorType, _ g: TensorType, stride: Int, padding: Int, height r: Int, width s: Int,
                          dtype: DType) throws(ShapeError) -> TensorType {
    let name = "conv2d_grad_weight"
    guard x.shape.rank == 4, g.shape.rank == 4, r >= 1, s >= 1 else {
        throw ShapeError("\(name) needs x [N, C, H, W], g [N, K, OH, OW] and size >= 1, got \(x) and \(g)")
    }
    let k = TensorType(dtype, Shape([g.shape[1], x.shape[1], .known(r), .known(s)]))
    let y = try conv2dShape(x, k, stride: stride, padding: padding)
    guard y == g.shape else {
        throw ShapeError("\(name): conv2d of \(x) with \(k) gives \(TensorType(dtype, y)), not \(g)")
    }
    return k
}

/// maxpool2d_grad (x, g of the pooled shape → x's shape) and maxpool2d_select (x, u of x's
/// shape → the pooled shape).
func maxPoolGradientType(_ x: TensorType, _ other: TensorType, size: Int, stride: Int, scatter: Bool,
                         dtype: DType) throws(ShapeError) -> TensorType {
    let pooled = try inferType(of: .pool(.max, size: size, stride: stride), inputs: [x], dtype: dtype)
    if scatter {
        guard pooled == other else {
            throw ShapeError("maxpool2d_grad needs g of the pooled shape \(pooled), got \(other)")
        }
        return x
    }
    guard x == other else {
        throw ShapeError("maxpool2d_select needs x and u of the same shape, got \(x) and \(other)")
    }
    return pooled
}

/// avgpool2d_grad: g (pooled) → g's shape with the last two axes height × width.
func avgPoolGradType(_ g: TensorType, size: Int, stride: Int, height h: Int, width w: Int,
                     dtype: DType) throws(ShapeError) -> TensorType {
    let name = "avgpool2d_grad"
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
}
