import CBLASDispatch
import NNGCore

/// Matrix products of the interpreter, generic over the element type, through the same entry
/// points as the generated C (`nngc_sgemm`/`nngc_dgemm`, see `BLASLibrary`).
enum BLAS {
    // CBLAS's enum values.
    static let rowMajor: Int32 = 101, noTrans: Int32 = 111, trans: Int32 = 112

    /// Row-major C[m,n] = op(A)·op(B) where op(A) is [m,k] and op(B) is [k,n].
    /// A is stored [m,k] (or [k,m] when `transA`), B is stored [k,n] (or [n,k] when `transB`).
    /// Zero-sized operands give zeros without calling BLAS.
    static func gemm<T: NNGFloat>(m: Int, n: Int, k: Int, _ a: [T], _ b: [T],
                                  transA: Bool = false, transB: Bool = false) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        if m == 0 || n == 0 || k == 0 { return c }
        _ = BLASLibrary.shared
        let ta = transA ? trans : noTrans, tb = transB ? trans : noTrans
        let lda = Int32(transA ? m : k), ldb = Int32(transB ? k : n)
        a.withUnsafeBytes { pa in
            b.withUnsafeBytes { pb in
                c.withUnsafeMutableBytes { pc in
                    if T.self == Float.self {
                        nngc_sgemm(rowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                                   pa.baseAddress!.assumingMemoryBound(to: Float.self), lda,
                                   pb.baseAddress!.assumingMemoryBound(to: Float.self), ldb, 0,
                                   pc.baseAddress!.assumingMemoryBound(to: Float.self), Int32(n))
                    } else {
                        nngc_dgemm(rowMajor, ta, tb, Int32(m), Int32(n), Int32(k), 1,
                                   pa.baseAddress!.assumingMemoryBound(to: Double.self), lda,
                                   pb.baseAddress!.assumingMemoryBound(to: Double.self), ldb, 0,
                                   pc.baseAddress!.assumingMemoryBound(to: Double.self), Int32(n))
                    }
                }
            }
        }
        return c
    }
}
