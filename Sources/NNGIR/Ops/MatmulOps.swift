import NNGCore

/// Matrix products: `a @ b` of operands of rank 1 or 2.
enum MatmulOps {
    static let matmul = OpDefinition("matmul", .infix("@"), [.tensor("a"), .tensor("b")], type: { q throws(ShapeError) in
        q.result(try matmulShape(q.inputs[0], q.inputs[1]))
    }, vjp: { b, q throws(DiagnosticsError) in
        let (x, w) = (q.inputs[0], q.inputs[1])
        let sa = b.shape(x), sc = b.shape(w)
        let g = q.g
        switch (sa.rank, sc.rank, q.k) {
        case (2, 2, 0): return try b.op(.matmul, g, b.op(.transpose([1, 0]), w))       // g @ bᵀ
        case (2, 2, _): return try b.op(.matmul, b.op(.transpose([1, 0]), x), g)       // aᵀ @ g
        case (1, 2, 0): return try b.op(.matmul, w, g)                                 // [k,n] @ [n]
        case (1, 2, _):                                                                // outer(a, g)
            return try b.op(.matmul, b.reshape(x, Shape([sa[0], 1])), b.reshape(g, Shape([1, sc[1]])))
        case (2, 1, 0):                                                                // outer(g, b)
            return try b.op(.matmul, b.reshape(g, Shape([sa[0], 1])), b.reshape(w, Shape([1, sc[0]])))
        case (2, 1, _): return try b.op(.matmul, g, x)                                 // [m] @ [m,k]
        case (1, 1, 0): return try b.mul(g, w)
        case (1, 1, _): return try b.mul(g, x)
        default:
            throw DiagnosticsError(Diagnostic("internal error: matmul of rank \(sa.rank) and \(sc.rank)", at: q.node.range))
        }
    }) { _ in .matmul }

    static let all = [matmul]
}

/// `[m,k]@[k,n]→[m,n]`, `[k]@[k,n]→[n]`, `[m,k]@[k]→[m]`, `[k]@[k]→[]`.
func matmulShape(_ a: TensorType, _ b: TensorType) throws(ShapeError) -> Shape {
    let ra = a.shape.rank, rb = b.shape.rank
    guard (1...2).contains(ra), (1...2).contains(rb) else {
        throw ShapeError("matmul needs operands of rank 1 or 2, got \(a) @ \(b)")
    }
    let ka = ra - 1
    guard a.shape[ka] == b.shape[0] else {
        throw ShapeError("matmul needs a[\(ka)] == b[0], got \(a) @ \(b)")
    }
    var dims: [Dim] = []
    if ra == 2 { dims.append(a.shape[0]) }
    if rb == 2 { dims.append(b.shape[1]) }
    return Shape(dims)
}
