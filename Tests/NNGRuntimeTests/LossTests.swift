import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct LossTests {
    static let p = Arg([2, 2], [0.9, 0.2, 0.4, 0.7])
    static let t = Arg([2, 2], [1, 0, 0, 1])

    // Expected numbers from NumPy.
    @Test(arguments: DType.allCases)
    func mseAndBce(dtype: DType) throws {
        expectClose(try apply(.loss(.mse), [Self.p, Self.t], shape: [], dtype: dtype), [], [0.07500000000000001], dtype: dtype)
        expectClose(try apply(.loss(.bce), [Self.p, Self.t], shape: [], dtype: dtype), [], [0.2990011586691898], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func bceLogitsMatchesBceOfSigmoid(dtype: DType) throws {
        let z = Arg([2, 2], [2, -1, 0.5, 3])
        expectClose(try apply(.loss(.bceLogits), [z, Self.t], shape: [], dtype: dtype), [], [0.36571350857876106], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func bceLogitsIsStable(dtype: DType) throws {
        // z = ±1000: the right answers are 0 (confident and right) and 1000 (confident and wrong).
        let right = try apply(.loss(.bceLogits), [Arg([2], [1000, -1000]), Arg([2], [1, 0])], shape: [], dtype: dtype)
        expectClose(right, [], [0], dtype: dtype)
        let wrong = try apply(.loss(.bceLogits), [Arg([2], [1000, -1000]), Arg([2], [0, 1])], shape: [], dtype: dtype)
        expectClose(wrong, [], [1000], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func bceIsComputedAsWritten(dtype: DType) throws {
        // No clamping: p = 0 with t = 1 gives +inf.
        let y = try apply(.loss(.bce), [Arg([1], [0]), Arg([1], [1])], shape: [], dtype: dtype)
        #expect(y.doubles == [.infinity])
    }

    @Test(arguments: DType.allCases)
    func crossEntropyOverRows(dtype: DType) throws {
        let z = Arg([2, 3], [1, 2, 3, -1, 0, 4]), t = Arg([2, 3], [0, 0, 1, 0.25, 0.25, 0.5])
        expectClose(try apply(.loss(.crossEntropy), [z, t], shape: [], dtype: dtype), [], [1.3411754272916017], dtype: dtype)
        // rank 3: rows are the first two axes
        let z3 = Arg([1, 2, 3], z.values), t3 = Arg([1, 2, 3], t.values)
        expectClose(try apply(.loss(.crossEntropy), [z3, t3], shape: [], dtype: dtype), [], [1.3411754272916017], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func crossEntropyIsStable(dtype: DType) throws {
        let y = try apply(.loss(.crossEntropy), [Arg([2, 2], [1000, -1000, -1000, 1000]), Arg([2, 2], [1, 0, 1, 0])],
                          shape: [], dtype: dtype)
        expectClose(y, [], [1000], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func lossesBroadcastMismatchedShapes(dtype: DType) throws {
        // mean over [2, 2] of (p − t)² with t broadcast from [2]
        let y = try apply(.loss(.mse), [Arg([2, 2], [1, 2, 3, 4]), Arg([2], [1, 1])], shape: [], dtype: dtype)
        expectClose(y, [], [(0 + 1 + 4 + 9) / 4.0], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func accuracyByArgmax(dtype: DType) throws {
        let p = Arg([3, 3], [0.1, 0.7, 0.2, 0.5, 0.3, 0.2, 0.3, 0.3, 0.4])
        let t = Arg([3, 3], [0, 1, 0, 0, 1, 0, 0, 0, 1])
        expectClose(try apply(.accuracy, [p, t], shape: [], dtype: dtype), [], [2.0 / 3], dtype: dtype)
        // ties take the first maximal element
        let tie = try apply(.accuracy, [Arg([1, 2], [0.5, 0.5]), Arg([1, 2], [1, 0])], shape: [], dtype: dtype)
        expectClose(tie, [], [1], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func accuracyByThreshold(dtype: DType) throws {
        let p = Arg([4, 1], [0.9, 0.2, 0.6, 0.5]), t = Arg([4, 1], [1, 0, 0, 1])
        expectClose(try apply(.accuracy, [p, t], shape: [], dtype: dtype), [], [0.5], dtype: dtype)
        expectClose(try apply(.accuracy, [Arg([3], [0.9, 0.1, 0.7]), Arg([3], [1, 0, 1])], shape: [], dtype: dtype), [], [1], dtype: dtype)
    }
}
