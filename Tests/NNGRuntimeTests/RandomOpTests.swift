import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct RandomOpTests {
    static func dropoutGraph(_ dtype: DType, n: Int, p: Double) -> (GraphBuilder, NodeID) {
        var b = GraphBuilder(dtype)
        let x = b.input("x", [Dim.known(n)])
        let d = b.op(.dropout(p: p, stream: 42), [x], [Dim.known(n)])
        return (b, d)
    }

    @Test(arguments: DType.allCases)
    func dropoutIsIdentityWhenNotTraining(dtype: DType) throws {
        let (b, d) = Self.dropoutGraph(dtype, n: 100, p: 0.5)
        let x = Tensor(shape: [100], values: pseudoRandom(100, seed: 1), dtype: dtype)
        let v = try b.run(inputs: ["x": x], options: RunOptions(seed: 3, step: 7, training: false))
        #expect(v[d] == x)
    }

    @Test(arguments: DType.allCases, [0.1, 0.5, 0.8])
    func dropoutKeepsAboutOneMinusPAndScales(dtype: DType, p: Double) throws {
        let n = 20000
        let (b, d) = Self.dropoutGraph(dtype, n: n, p: p)
        let x = Tensor(shape: [n], values: [Double](repeating: 2, count: n), dtype: dtype)
        let y = try b.run(inputs: ["x": x], options: RunOptions(seed: 1, step: 0, training: true))[d].doubles
        let kept = y.filter { $0 != 0 }
        let fraction = Double(kept.count) / Double(n)
        #expect(abs(fraction - (1 - p)) < 0.02)
        let scaled = Double(dtype == .f32 ? Double(Float(2) * (Float(1) / (Float(1) - Float(p)))) : 2 / (1 - p))
        #expect(kept.allSatisfy { $0 == scaled })
        // exactly the documented formula
        let mismatches = (0..<n).filter { i in
            (y[i] != 0) != (CounterRandom.uniform(seed: 1, step: 0, stream: 42, index: UInt64(i)) >= p)
        }
        #expect(mismatches.isEmpty)
    }

    @Test(arguments: DType.allCases)
    func dropoutSameSeedSameMaskDifferentStepDifferentMask(dtype: DType) throws {
        let (b, d) = Self.dropoutGraph(dtype, n: 1000, p: 0.5)
        let x = Tensor(shape: [1000], values: [Double](repeating: 1, count: 1000), dtype: dtype)
        func mask(seed: UInt64, step: UInt64) throws -> [Double] {
            try b.run(inputs: ["x": x], options: RunOptions(seed: seed, step: step, training: true))[d].doubles
        }
        #expect(try mask(seed: 5, step: 2) == mask(seed: 5, step: 2))
        #expect(try mask(seed: 5, step: 2) != mask(seed: 5, step: 3))
        #expect(try mask(seed: 5, step: 2) != mask(seed: 6, step: 2))
    }

    @Test(arguments: DType.allCases)
    func bernoulliMeanIsNearP(dtype: DType) throws {
        let n = 20000
        var b = GraphBuilder(dtype)
        let p = b.input("p", [Dim.known(n)])
        let s = b.op(.bernoulli(stream: 9), [p], [Dim.known(n)])
        // first half p = 0.3, second half p = 0.9
        let probs = (0..<n).map { $0 < n / 2 ? 0.3 : 0.9 }
        let feed = ["p": Tensor(shape: [n], values: probs, dtype: dtype)]
        let y = try b.run(inputs: feed, options: RunOptions(seed: 2, step: 0))[s].doubles
        #expect(y.allSatisfy { $0 == 0 || $0 == 1 })
        let m1 = y[..<(n / 2)].reduce(0, +) / Double(n / 2), m2 = y[(n / 2)...].reduce(0, +) / Double(n / 2)
        #expect(abs(m1 - 0.3) < 0.02 && abs(m2 - 0.9) < 0.02)
        // sampling does not depend on `training`, and follows the documented formula
        let again = try b.run(inputs: feed, options: RunOptions(seed: 2, step: 0, training: true))[s].doubles
        #expect(again == y)
        let mismatches = (0..<n).filter { i in
            let u = CounterRandom.uniform(seed: 2, step: 0, stream: 9, index: UInt64(i))
            return y[i] != (u < probs[i].asType(dtype) ? 1 : 0)
        }
        #expect(mismatches.isEmpty)
        let other = try b.run(inputs: feed, options: RunOptions(seed: 2, step: 1))[s].doubles
        #expect(other != y)
    }
}

extension Double {
    /// The value rounded to the dtype's precision.
    func asType(_ dtype: DType) -> Double { dtype == .f32 ? Double(Float(self)) : self }
}
