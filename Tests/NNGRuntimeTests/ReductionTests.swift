import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct ReductionTests {
    /// x = arange(24).reshape(2,3,4)·0.5 − 3; expected numbers from NumPy.
    static let x = Arg.iota([2, 3, 4], scale: 0.5, offset: -3)

    static let cases: [(ReduceOp, [Int], [Int], [Double])] = [
        (.sum, [0], [3, 4], [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
        (.sum, [1], [2, 4], [-3, -1.5, 0, 1.5, 15, 16.5, 18, 19.5]),
        (.sum, [2], [2, 3], [-9, -1, 7, 15, 23, 31]),
        (.sum, [0, 2], [3], [6, 22, 38]),
        (.sum, [0, 1, 2], [], [66]),
        (.max, [0], [3, 4], [3, 3.5, 4, 4.5, 5, 5.5, 6, 6.5, 7, 7.5, 8, 8.5]),
        (.max, [1], [2, 4], [1, 1.5, 2, 2.5, 7, 7.5, 8, 8.5]),
        (.max, [2], [2, 3], [-1.5, 0.5, 2.5, 4.5, 6.5, 8.5]),
        (.max, [0, 2], [3], [4.5, 6.5, 8.5]),
        (.max, [0, 1, 2], [], [8.5]),
        (.mean, [0, 2], [3], [0.75, 2.75, 4.75]),
        (.mean, [0, 1, 2], [], [2.75]),
        (.logsumexp, [1], [2, 4], [1.1429316284998996, 1.6429316284998996, 2.1429316284998996, 2.6429316284998996,
                                   7.142931628499899, 7.642931628499899, 8.1429316284999, 8.6429316284999]),
        (.logsumexp, [0, 1, 2], [], [9.43274598533596]),
    ]

    @Test(arguments: DType.allCases)
    func reductionsWithoutKeepdims(dtype: DType) throws {
        for (op, axes, shape, expected) in Self.cases {
            let y = try apply(.reduce(op, axes: axes, keepdims: false), [Self.x], shape: shape, dtype: dtype)
            expectClose(y, shape, expected, dtype: dtype)
        }
    }

    @Test(arguments: DType.allCases)
    func reductionsWithKeepdims(dtype: DType) throws {
        for (op, axes, _, expected) in Self.cases {
            var shape = [2, 3, 4]
            for a in axes { shape[a] = 1 }
            let y = try apply(.reduce(op, axes: axes, keepdims: true), [Self.x], shape: shape, dtype: dtype)
            expectClose(y, shape, expected, dtype: dtype)
        }
    }

    @Test(arguments: DType.allCases)
    func logsumexpIsStable(dtype: DType) throws {
        let x = Arg([3, 2], [1000, 1000, -1000, -1000, -.infinity, -.infinity])
        let y = try apply(.reduce(.logsumexp, axes: [1], keepdims: false), [x], shape: [3], dtype: dtype)
        expectClose(y, [3], [1000.6931471805599453, -999.3068528194400547, -.infinity], dtype: dtype)
        let z = try apply(.reduce(.logsumexp, axes: [0], keepdims: false), [Arg([2], [-1000, 1000])], shape: [], dtype: dtype)
        expectClose(z, [], [1000], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func softmaxAlongEachAxis(dtype: DType) throws {
        let z = Arg([2, 3], [1, 2, 3, -1, 0, 4])
        let s1 = try apply(.softmax(axis: 1), [z], shape: [2, 3], dtype: dtype)
        expectClose(s1, [2, 3], [0.09003057317038046, 0.24472847105479764, 0.6652409557748218,
                                 0.006573263185309083, 0.0178679818703045, 0.9755587549443865], dtype: dtype)
        let l1 = try apply(.logSoftmax(axis: 1), [z], shape: [2, 3], dtype: dtype)
        expectClose(l1, [2, 3], [-2.40760596444438, -1.4076059644443804, -0.40760596444438046,
                                 -5.024744890138822, -4.024744890138823, -0.024744890138822577], dtype: dtype)
        let s0 = try apply(.softmax(axis: 0), [z], shape: [2, 3], dtype: dtype)
        expectClose(s0, [2, 3], [0.8807970779778823, 0.8807970779778823, 0.2689414213699951,
                                 0.11920292202211755, 0.11920292202211755, 0.7310585786300049], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func softmaxIsStable(dtype: DType) throws {
        let z = Arg([2, 2], [1000, 0, -1000, -1000])
        let s = try apply(.softmax(axis: 1), [z], shape: [2, 2], dtype: dtype)
        expectClose(s, [2, 2], [1, 0, 0.5, 0.5], dtype: dtype)
        let l = try apply(.logSoftmax(axis: 1), [z], shape: [2, 2], dtype: dtype)
        expectClose(l, [2, 2], [0, -1000, -0.6931471805599453, -0.6931471805599453], dtype: dtype)
    }
}
