import CBLAS
import Foundation
import NNGCore

/// OpenBLAS's threads: one, unless `OPENBLAS_NUM_THREADS` says otherwise. The matrices of
/// the networks nngc trains are small, and on a loaded machine OpenBLAS's default threading
/// makes them 2–3× slower; one thread is also what makes timings repeatable.
public func configureBLASThreads() {
    if getenv("OPENBLAS_NUM_THREADS") == nil { openblas_set_num_threads(1) }
}

/// Matrix products through OpenBLAS, generic over the element type.
enum BLAS {
    /// Row-major C[m,n] = op(A)·op(B) where op(A) is [m,k] and op(B) is [k,n].
    /// A is stored [m,k] (or [k,m] when `transA`), B is stored [k,n] (or [n,k] when `transB`).
    /// Zero-sized operands give zeros without calling BLAS.
    static func gemm<T: NNGFloat>(m: Int, n: Int, k: Int, _ a: [T], _ b: [T],
                                  transA: Bool = false, transB: Bool = false) -> [T] {
        var c = [T](repeating: 0, count: m * n)
        if m == 0 || n == 0 || k == 0 { return c }
        let ta = transA ? CblasTrans : CblasNoTrans
        let tb = transB ? CblasTrans : CblasNoTrans
        let lda = Int32(transA ? m : k), ldb = Int32(transB ? k : n)
        if T.self == Float.self {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        let fa = UnsafeRawPointer(pa.baseAddress!).assumingMemoryBound(to: Float.self)
                        let fb = UnsafeRawPointer(pb.baseAddress!).assumingMemoryBound(to: Float.self)
                        let fc = UnsafeMutableRawPointer(pc.baseAddress!).assumingMemoryBound(to: Float.self)
                        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                                    1, fa, lda, fb, ldb, 0, fc, Int32(n))
                    }
                }
            }
        } else {
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    c.withUnsafeMutableBufferPointer { pc in
                        let da = UnsafeRawPointer(pa.baseAddress!).assumingMemoryBound(to: Double.self)
                        let db = UnsafeRawPointer(pb.baseAddress!).assumingMemoryBound(to: Double.self)
                        let dc = UnsafeMutableRawPointer(pc.baseAddress!).assumingMemoryBound(to: Double.self)
                        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k),
                                    1, da, lda, db, ldb, 0, dc, Int32(n))
                    }
                }
            }
        }
        return c
    }
}
