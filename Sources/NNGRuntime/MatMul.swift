import NNGCore

/// a @ b for the four rank cases of the contract:
/// [m,k]@[k,n]→[m,n], [k]@[k,n]→[n], [m,k]@[k]→[m], [k]@[k]→[]; all through BLAS gemm.
enum MatMul {
    static func matmul<T: NNGFloat>(_ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        guard (1...2).contains(a.rank), (1...2).contains(b.rank) else {
            throw KernelError("matmul needs operands of rank 1 or 2, got \(ShapeMath.describe(a.shape)) @ \(ShapeMath.describe(b.shape))")
        }
        let m = a.rank == 2 ? a.shape[0] : 1
        let k = a.shape[a.rank - 1]
        let kb = b.shape[0]
        let n = b.rank == 2 ? b.shape[1] : 1
        guard k == kb else {
            throw KernelError("matmul needs a[\(a.rank - 1)] == b[0], got \(ShapeMath.describe(a.shape)) @ \(ShapeMath.describe(b.shape))")
        }
        let c = BLAS.gemm(m: m, n: n, k: k, a.data, b.data)
        var shape: [Int] = []
        if a.rank == 2 { shape.append(m) }
        if b.rank == 2 { shape.append(n) }
        return Buf(shape: shape, data: c)
    }
}
