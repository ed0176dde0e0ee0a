import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct ElementwiseTests {
    static let xs: [Double] = [-2.5, -1, 0, 0.5, 3]

    // Expected numbers from NumPy (math.erf for gelu).
    static let unaryCases: [(UnaryOp, [Double], [Double])] = [
        (.negate, xs, [2.5, 1, 0, -0.5, -3]),
        (.exp, xs, [0.0820849986238988, 0.36787944117144233, 1.0, 1.6487212707001282, 20.085536923187668]),
        (.log, [0.25, 1, 2, 9], [-1.3862943611198906, 0.0, 0.6931471805599453, 2.1972245773362196]),
        (.sqrt, [0.25, 1, 2, 9], [0.5, 1.0, 1.4142135623730951, 3.0]),
        (.abs, xs, [2.5, 1, 0, 0.5, 3]),
        (.sin, xs, [-0.5984721441039565, -0.8414709848078965, 0.0, 0.479425538604203, 0.1411200080598672]),
        (.cos, xs, [-0.8011436155469337, 0.5403023058681398, 1.0, 0.8775825618903728, -0.9899924966004454]),
        (.tanh, xs, [-0.9866142981514303, -0.7615941559557649, 0.0, 0.46211715726000974, 0.9950547536867305]),
        (.sigmoid, xs, [0.07585818002124355, 0.2689414213699951, 0.5, 0.6224593312018546, 0.9525741268224334]),
        (.relu, xs, [0, 0, 0, 0.5, 3]),
        (.gelu, xs, [-0.015524163314440398, -0.15865525393145707, 0.0, 0.34573123063700656, 2.99595030590511]),
        (.softplus, xs, [0.07888973429254963, 0.31326168751822286, 0.6931471805599453, 0.9740769841801067, 3.048587351573742]),
        (.step, xs, [0, 0, 0, 1, 1]),
        (.sign, xs, [-1, -1, 0, 1, 1]),
        (.leakyRelu(alpha: 0.1), xs, [-0.25, -0.1, 0, 0.5, 3]),
    ]

    @Test(arguments: DType.allCases)
    func unaryOps(dtype: DType) throws {
        for (op, x, expected) in Self.unaryCases {
            let y = try apply(.unary(op), [Arg([x.count], x)], shape: [x.count], dtype: dtype)
            expectClose(y, [x.count], expected, dtype: dtype)
        }
    }

    @Test(arguments: DType.allCases)
    func unaryStableAtLargeMagnitude(dtype: DType) throws {
        let x: [Double] = [-1000, -100, 100, 1000]
        let sig = try apply(.unary(.sigmoid), [Arg([4], x)], shape: [4], dtype: dtype)
        expectClose(sig, [4], [0, 3.720075976020836e-44, 1, 1], dtype: dtype)
        let sp = try apply(.unary(.softplus), [Arg([4], x)], shape: [4], dtype: dtype)
        expectClose(sp, [4], [0, 3.720075976020836e-44, 100, 1000], dtype: dtype)
        let gelu = try apply(.unary(.gelu), [Arg([4], x)], shape: [4], dtype: dtype)
        expectClose(gelu, [4], [0, 0, 100, 1000], dtype: dtype)
        #expect(sig.doubles.allSatisfy(\.isFinite) && sp.doubles.allSatisfy(\.isFinite))
    }

    @Test(arguments: DType.allCases)
    func binaryOps(dtype: DType) throws {
        let a = Arg([4], [-2, 1.5, 3, 4]), b = Arg([4], [2, -0.5, 3, 0.5])
        let cases: [(BinaryOp, [Double])] = [
            (.add, [0, 1, 6, 4.5]), (.subtract, [-4, 2, 0, 3.5]), (.multiply, [-4, -0.75, 9, 2]),
            (.divide, [-1, -3, 1, 8]), (.power, [4, 0.816496580927726, 27, 2]),
            (.maximum, [2, 1.5, 3, 4]), (.minimum, [-2, -0.5, 3, 0.5]),
        ]
        for (op, expected) in cases {
            let y = try apply(.binary(op), [a, b], shape: [4], dtype: dtype)
            expectClose(y, [4], expected, dtype: dtype)
        }
    }

    @Test(arguments: DType.allCases)
    func powerOfNegativeBaseWithWholeExponent(dtype: DType) throws {
        let y = try apply(.binary(.power), [Arg([3], [-3, -2, 2]), Arg([], [2])], shape: [3], dtype: dtype)
        expectClose(y, [3], [9, 4, 4], dtype: dtype)
        let z = try apply(.binary(.power), [Arg([], [2]), Arg([2], [-1, 0.5])], shape: [2], dtype: dtype)
        expectClose(z, [2], [0.5, 1.4142135623730951], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func broadcastColumnPlusRow(dtype: DType) throws {
        // [3,1] + [1,4]
        let y = try apply(.binary(.add), [Arg([3, 1], [0, 10, 20]), Arg([1, 4], [1, 2, 3, 4])], shape: [3, 4], dtype: dtype)
        expectClose(y, [3, 4], [1, 2, 3, 4, 11, 12, 13, 14, 21, 22, 23, 24], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func broadcastVectorAndMatrixBothOrders(dtype: DType) throws {
        let v = Arg([4], [1, 2, 3, 4]), m = Arg.iota([3, 4], scale: 10)
        let expected = (0..<12).map { Double($0) * 10 - Double($0 % 4 + 1) }
        // [3,4] - [4]
        expectClose(try apply(.binary(.subtract), [m, v], shape: [3, 4], dtype: dtype), [3, 4], expected, dtype: dtype)
        // [4] - [3,4]
        expectClose(try apply(.binary(.subtract), [v, m], shape: [3, 4], dtype: dtype), [3, 4], expected.map { -$0 }, dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func broadcastScalar(dtype: DType) throws {
        let s = Arg([], [2]), m = Arg.iota([2, 3])
        expectClose(try apply(.binary(.divide), [s, m], shape: [2, 3], dtype: dtype), [2, 3],
                    [.infinity, 2, 1, 2.0 / 3, 0.5, 0.4], dtype: dtype)
        expectClose(try apply(.binary(.power), [m, s], shape: [2, 3], dtype: dtype), [2, 3],
                    [0, 1, 4, 9, 16, 25], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func broadcastRank3WithRank2(dtype: DType) throws {
        // [2,1,3] * [4,1] → [2,4,3]; numbers from NumPy.
        let a = Arg([2, 1, 3], [1, 2, 3, 4, 5, 6]), b = Arg([4, 1], [1, 2, 3, 4])
        let y = try apply(.binary(.multiply), [a, b], shape: [2, 4, 3], dtype: dtype)
        expectClose(y, [2, 4, 3], [1, 2, 3, 2, 4, 6, 3, 6, 9, 4, 8, 12, 4, 5, 6, 8, 10, 12, 12, 15, 18, 16, 20, 24], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func whereBroadcastsAllThree(dtype: DType) throws {
        // c [2,1], a [3], b [] → [2,3]
        let y = try apply(.select, [Arg([2, 1], [1, 0]), Arg([3], [1, 2, 3]), Arg([], [-7])], shape: [2, 3], dtype: dtype)
        expectClose(y, [2, 3], [1, 2, 3, -7, -7, -7], dtype: dtype)
        // c [3] (nonzero incl. negative), a [2,1], b [1,3]
        let z = try apply(.select, [Arg([3], [-0.5, 0, 2]), Arg([2, 1], [10, 20]), Arg([1, 3], [1, 2, 3])], shape: [2, 3], dtype: dtype)
        expectClose(z, [2, 3], [10, 2, 10, 20, 2, 20], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func maximumAndMinimumTiesAndNaN(dtype: DType) throws {
        let a = Arg([3], [1, .nan, 2]), b = Arg([3], [1, 3, .nan])
        let mx = try apply(.binary(.maximum), [a, b], shape: [3], dtype: dtype).doubles
        #expect(mx[0] == 1 && mx[1].isNaN && mx[2].isNaN)
        let mn = try apply(.binary(.minimum), [a, b], shape: [3], dtype: dtype).doubles
        #expect(mn[0] == 1 && mn[1].isNaN && mn[2].isNaN)
    }

    @Test(arguments: DType.allCases)
    func incompatibleBroadcastIsADiagnostic(dtype: DType) throws {
        var b = GraphBuilder(dtype)
        let x = b.input("x", ["B"]), y = b.input("y", ["C"])
        b.op(.binary(.add), [x, y], ["B"], range: SourceRange(start: 3, end: 8))
        let msg = errorMessage {
            _ = try b.run(inputs: ["x": .zeros([3], dtype: dtype), "y": .zeros([4], dtype: dtype)])
        }
        #expect(msg == "cannot broadcast [3] and [4] in add")
    }
}
