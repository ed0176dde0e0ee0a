import NNGCore
import NNGIR

// Matrix products (Ops/MatmulOps.swift): the interpreter's kernel, then the C emitter; both call
// BLAS's GEMM, which the convolutions use too.

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

/// matmul (the four rank cases) through cblas_?gemm. A matmul operand that is a transpose of a
/// matrix is read in place with BLAS's transpose flag.
extension CCodeGenerator {
    /// The GEMM called: CBLAS's, or the library's own loop (`--no-blas`, CLibraryPrelude.swift).
    var gemm: String {
        if style == .library(blas: false) { return "nngc_gemm" }
        return dtype == .f32 ? "cblas_sgemm" : "cblas_dgemm"
    }

    /// CBLAS's enumerators: numbers for TinyCC's prototypes (int parameters), names against the
    /// real <cblas.h> (C++ converts no int to an enum).
    var rowMajor: String { style == .library(blas: true) ? "CblasRowMajor" : "101" }

    func flag(_ transposed: Bool) -> String {
        if style == .library(blas: true) { return transposed ? "CblasTrans" : "CblasNoTrans" }
        return transposed ? "112" : "111"
    }

    func emitMatmul(_ id: Int, _ w: inout CWriter) {
        let (a, b) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let (sa, sb) = (shapes[a], shapes[b])
        let m = sa.count == 2 ? sa[0] : 1
        let k = sa[sa.count - 1]
        let n = sb.count == 2 ? sb[1] : 1
        // Storage and transposition of each operand.
        func source(_ x: Int) -> (ptr: String, trans: Bool) {
            if elided.contains(x) { return (ptr(graph.nodes[x].inputs[0]), true) }
            return (ptr(x), false)
        }
        let (pa, ta) = source(a), (pb, tb) = source(b)
        let lda = ta ? m : k, ldb = tb ? k : n
        w.line("\(gemm)(\(rowMajor), \(flag(ta)), \(flag(tb)), \(m), \(n), \(k), 1, \(pa), \(lda), \(pb), \(ldb), 0, \(ptr(id)), \(n));")
    }

    func gemmCall(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: String, lda: Int, b: String, ldb: Int,
                  beta: Int, c: String, ldc: Int) -> String {
        return "\(gemm)(\(rowMajor), \(flag(transA)), \(flag(transB)), \(m), \(n), \(k), 1, \(a), \(max(1, lda)), \(b), \(max(1, ldb)), \(beta), \(c), \(max(1, ldc)));"
    }
}
