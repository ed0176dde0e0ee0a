import CBLASDispatch
import NNGCore
@testable import NNGRuntime
import Testing

/// nngc's gemm entry points (the OpenBLAS kernels chosen for this CPU) against a naive
/// product in double precision: odd shapes that cross the kernels' block sizes, every
/// transpose, alpha and beta, padded leading dimensions, f32 and f64, one and two threads.
@Suite struct GEMMTests {
    struct Case: CustomTestStringConvertible, Sendable {
        var m: Int, n: Int, k: Int
        var transA: Bool, transB: Bool
        var testDescription: String { "\(m)x\(n)x\(k)\(transA ? " Aᵀ" : "")\(transB ? " Bᵀ" : "")" }
    }

    static let shapes = [(1, 1, 1), (3, 5, 7), (17, 33, 65), (129, 67, 257), (5, 300, 1), (64, 100, 784)]
    static let cases: [Case] = shapes.flatMap { s in
        [(false, false), (true, false), (false, true), (true, true)].map { Case(m: s.0, n: s.1, k: s.2, transA: $0.0, transB: $0.1) }
    }

    /// Stored operands with leading dimensions padded by 3 (the padding holds NaN, which must
    /// not be read) and the reference αAB + βC.
    struct Problem {
        var a: [Double], b: [Double], c: [Double], lda: Int, ldb: Int, ldc: Int
        var expected: [Double], bound: [Double]

        init(_ t: Case, alpha: Double, beta: Double) {
            let (aRows, aCols) = t.transA ? (t.k, t.m) : (t.m, t.k)
            let (bRows, bCols) = t.transB ? (t.n, t.k) : (t.k, t.n)
            lda = aCols + 3; ldb = bCols + 3; ldc = t.n + 3
            func matrix(_ rows: Int, _ cols: Int, _ ld: Int, seed: UInt64) -> [Double] {
                let values = pseudoRandom(rows * cols, seed: seed)
                var out = [Double](repeating: .nan, count: rows * ld)
                for r in 0..<rows { for c in 0..<cols { out[r * ld + c] = values[r * cols + c] } }
                return out
            }
            a = matrix(aRows, aCols, lda, seed: 1)
            b = matrix(bRows, bCols, ldb, seed: 2)
            c = matrix(t.m, t.n, ldc, seed: 3)
            expected = c; bound = c.map { abs($0 * beta) }
            for i in 0..<t.m {
                for j in 0..<t.n {
                    var sum = 0.0, magnitude = 0.0
                    for l in 0..<t.k {
                        let x = t.transA ? a[l * lda + i] : a[i * lda + l]
                        let y = t.transB ? b[j * ldb + l] : b[l * ldb + j]
                        sum += x * y; magnitude += abs(x * y)
                    }
                    expected[i * ldc + j] = alpha * sum + beta * c[i * ldc + j]
                    bound[i * ldc + j] = abs(alpha) * magnitude + abs(beta * c[i * ldc + j])
                }
            }
        }
    }

    @Test(arguments: cases)
    func singleAgainstNaive(_ t: Case) {
        let p = Problem(t, alpha: 0.75, beta: -0.5)
        let a = p.a.map(Float.init), b = p.b.map(Float.init)
        var c = p.c.map(Float.init)
        _ = BLASLibrary.shared
        nngc_sgemm(BLAS.rowMajor, t.transA ? BLAS.trans : BLAS.noTrans, t.transB ? BLAS.trans : BLAS.noTrans,
                   Int32(t.m), Int32(t.n), Int32(t.k), 0.75, a, Int32(p.lda), b, Int32(p.ldb), -0.5, &c, Int32(p.ldc))
        check(c.map(Double.init), p, t, eps: Double(Float.ulpOfOne))
    }

    @Test(arguments: cases)
    func doubleAgainstNaive(_ t: Case) {
        let p = Problem(t, alpha: 0.75, beta: -0.5)
        var c = p.c
        _ = BLASLibrary.shared
        nngc_dgemm(BLAS.rowMajor, t.transA ? BLAS.trans : BLAS.noTrans, t.transB ? BLAS.trans : BLAS.noTrans,
                   Int32(t.m), Int32(t.n), Int32(t.k), 0.75, p.a, Int32(p.lda), p.b, Int32(p.ldb), -0.5, &c, Int32(p.ldc))
        check(c, p, t, eps: Double.ulpOfOne)
    }

    /// A product large enough for every thread (2²⁴ multiply-adds and more), through the
    /// interpreter's entry point: the threaded kernels give the naive product too.
    @Test(arguments: DType.allCases)
    func threadedProductAgainstNaive(dtype: DType) {
        let t = Case(m: 259, n: 251, k: 263, transA: false, transB: true)
        #expect(t.m * t.n * t.k >= BLASThreadPolicy.defaultParallelMinWork)
        let p = Problem(t, alpha: 1, beta: 0)
        let a = (0..<t.m).flatMap { r in p.a[(r * p.lda)..<(r * p.lda + t.k)] }
        let b = (0..<t.n).flatMap { r in p.b[(r * p.ldb)..<(r * p.ldb + t.k)] }
        let expected = (0..<t.m).flatMap { r in p.expected[(r * p.ldc)..<(r * p.ldc + t.n)] }
        let bound = (0..<t.m).flatMap { r in p.bound[(r * p.ldc)..<(r * p.ldc + t.n)] }
        let got: [Double] = dtype == .f32
            ? BLAS.gemm(m: t.m, n: t.n, k: t.k, a.map(Float.init), b.map(Float.init), transB: true).map(Double.init)
            : BLAS.gemm(m: t.m, n: t.n, k: t.k, a, b, transB: true)
        let eps = dtype == .f32 ? Double(Float.ulpOfOne) : Double.ulpOfOne
        var worst = 0.0
        for i in expected.indices { worst = max(worst, abs(got[i] - expected[i]) / (bound[i] * eps * Double(t.k + 2))) }
        #expect(worst <= 1, "worst error \(worst) of the bound")
    }

    /// Every element within the rounding bound (k+2)·ε·(|α|Σ|aᵢₗbₗⱼ| + |βcᵢⱼ|); the padding untouched.
    func check(_ got: [Double], _ p: Problem, _ t: Case, eps: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        var worst = 0.0
        for i in 0..<t.m {
            for j in 0..<t.n {
                let at = i * p.ldc + j
                let error = abs(got[at] - p.expected[at])
                worst = max(worst, error / max(p.bound[at] * eps * Double(t.k + 2), .leastNormalMagnitude))
            }
            for j in t.n..<p.ldc { #expect(got[i * p.ldc + j].isNaN, "padding written", sourceLocation: sourceLocation) }
        }
        #expect(worst <= 1, "worst error \(worst) of the bound", sourceLocation: sourceLocation)
    }
}
