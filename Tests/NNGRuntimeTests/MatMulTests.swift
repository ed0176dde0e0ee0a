import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct MatMulTests {
    /// Naive triple loop: [m,k]@[k,n].
    static func naive(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m { for j in 0..<n { for l in 0..<k { c[i * n + j] += a[i * k + l] * b[l * n + j] } } }
        return c
    }

    @Test(arguments: DType.allCases)
    func smallByHand(dtype: DType) throws {
        let a = Arg([2, 3], [1, 2, 3, 4, 5, 6]), b = Arg([3, 2], [7, 8, 9, 10, 11, 12])
        expectClose(try apply(.matmul, [a, b], shape: [2, 2], dtype: dtype), [2, 2], [58, 64, 139, 154], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func allFourRankCasesAgainstTripleLoop(dtype: DType) throws {
        let (m, k, n) = (5, 7, 3)
        let a = pseudoRandom(m * k, seed: 1), b = pseudoRandom(k * n, seed: 2)
        let av = Array(a[0..<k]), bv = Array(b[0..<k])
        let tol = dtype == .f32 ? 1e-5 : 1e-13
        // [m,k]@[k,n]
        expectClose(try apply(.matmul, [Arg([m, k], a), Arg([k, n], b)], shape: [m, n], dtype: dtype), [m, n],
                    Self.naive(a, b, m: m, k: k, n: n), dtype: dtype, tol: tol)
        // [k]@[k,n]
        expectClose(try apply(.matmul, [Arg([k], av), Arg([k, n], b)], shape: [n], dtype: dtype), [n],
                    Self.naive(av, b, m: 1, k: k, n: n), dtype: dtype, tol: tol)
        // [m,k]@[k]
        expectClose(try apply(.matmul, [Arg([m, k], a), Arg([k], bv)], shape: [m], dtype: dtype), [m],
                    Self.naive(a, bv, m: m, k: k, n: 1), dtype: dtype, tol: tol)
        // [k]@[k]
        expectClose(try apply(.matmul, [Arg([k], av), Arg([k], bv)], shape: [], dtype: dtype), [],
                    Self.naive(av, bv, m: 1, k: k, n: 1), dtype: dtype, tol: tol)
    }

    @Test(arguments: DType.allCases)
    func largerProduct(dtype: DType) throws {
        let (m, k, n) = (33, 65, 17)
        let a = pseudoRandom(m * k, seed: 3), b = pseudoRandom(k * n, seed: 4)
        expectClose(try apply(.matmul, [Arg([m, k], a), Arg([k, n], b)], shape: [m, n], dtype: dtype), [m, n],
                    Self.naive(a, b, m: m, k: k, n: n), dtype: dtype, tol: dtype == .f32 ? 1e-5 : 1e-12)
    }

    @Test(arguments: DType.allCases)
    func mismatchedInnerDimensionIsADiagnostic(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B", "K"])
        let w = b.param("w", [3, 2])
        b.op(.matmul, [x, w], ["B", 2])
        let msg = errorMessage {
            _ = try b.run(inputs: ["x": .zeros([2, 4], dtype: dtype)], params: ["w": .zeros([3, 2], dtype: dtype)])
        }
        #expect(msg == "matmul needs a[1] == b[0], got [2, 4] @ [3, 2]")
    }
}
