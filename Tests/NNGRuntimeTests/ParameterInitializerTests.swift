import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

@Suite struct ParameterInitializerTests {
    static func stats(_ v: [Double]) -> (mean: Double, std: Double) {
        let m = v.reduce(0, +) / Double(v.count)
        let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
        return (m, s)
    }

    @Test(arguments: DType.allCases)
    func fixedInitialisers(dtype: DType) {
        var b = GraphBuilder(dtype)
        b.param("a", [2, 2], .fill(0.25))
        b.param("b", [2, 2], .literal([1, 2, 3, 4]))
        b.param("c", [3], .zeros)
        b.param("d", [], .ones)
        let v = ParameterInitializer.initialValues(of: b.graph, seed: 0)
        #expect(v["a"] == Tensor(shape: [2, 2], values: [0.25, 0.25, 0.25, 0.25], dtype: dtype))
        #expect(v["b"] == Tensor(shape: [2, 2], values: [1, 2, 3, 4], dtype: dtype))
        #expect(v["c"] == Tensor(shape: [3], values: [0, 0, 0], dtype: dtype))
        #expect(v["d"] == Tensor(shape: [], values: [1], dtype: dtype))
    }

    @Test(arguments: DType.allCases)
    func randomInitialisersFollowTheFormula(dtype: DType) {
        var b = GraphBuilder(dtype)
        b.param("n", [3, 4], .normal(std: 0.5))
        b.param("u", [5], .uniform(low: -2, high: 1))
        let v = ParameterInitializer.initialValues(of: b.graph, seed: 11)
        let nk = CounterRandom.key("n"), uk = CounterRandom.key("u")
        #expect(v["n"] == Tensor(shape: [3, 4], values: (0..<12).map {
            0.5 * CounterRandom.normal(seed: 11, step: 0, stream: nk, index: UInt64($0))
        }, dtype: dtype))
        #expect(v["u"] == Tensor(shape: [5], values: (0..<5).map {
            -2 + 3 * CounterRandom.uniform(seed: 11, step: 0, stream: uk, index: UInt64($0))
        }, dtype: dtype))
        #expect(v["u"]!.doubles.allSatisfy { $0 >= -2 && $0 <= 1 })
    }

    /// A large normal parameter is drawn in chunks on several threads: the same values as drawn
    /// one after another (with a partial last chunk).
    @Test func largeParametersAreTheSerialFormula() {
        var b = GraphBuilder(.f64)
        b.param("w", [3, 40_001], .normal(std: 0.25))
        let v = ParameterInitializer.initialValues(of: b.graph, seed: 3)
        let k = CounterRandom.key("w")
        #expect(v["w"]!.doubles == (0..<120_003).map { 0.25 * CounterRandom.normal(seed: 3, step: 0, stream: k, index: UInt64($0)) })
    }

    @Test(arguments: DType.allCases)
    func deterministicAndIndependentOfOtherParams(dtype: DType) {
        var b1 = GraphBuilder(dtype)
        b1.param("W1", [4, 3], .xavier)
        b1.param("W2", [3, 2], .he)
        var b2 = GraphBuilder(dtype)
        b2.param("extra", [7], .normal(std: 1))
        b2.param("W2", [3, 2], .he)
        b2.param("W1", [4, 3], .xavier)
        let v1 = ParameterInitializer.initialValues(of: b1.graph, seed: 3)
        let again = ParameterInitializer.initialValues(of: b1.graph, seed: 3)
        let v2 = ParameterInitializer.initialValues(of: b2.graph, seed: 3)
        #expect(v1 == again)
        #expect(v1["W1"] == v2["W1"] && v1["W2"] == v2["W2"])
        let other = ParameterInitializer.initialValues(of: b1.graph, seed: 4)
        #expect(other["W1"] != v1["W1"])
    }

    @Test(arguments: DType.allCases)
    func heAndXavierStandardDeviations(dtype: DType) {
        var b = GraphBuilder(dtype)
        b.param("he", [200, 300], .he)
        b.param("xavier", [200, 300], .xavier)
        b.param("conv", [16, 8, 5, 5], .he)
        b.param("convx", [16, 8, 5, 5], .xavier)
        b.param("n", [50000], .normal(std: 0.1))
        b.param("u", [50000], .uniform(low: 1, high: 3))
        let v = ParameterInitializer.initialValues(of: b.graph, seed: 0)
        func check(_ name: String, std: Double, mean: Double = 0, sourceLocation: SourceLocation = #_sourceLocation) {
            let s = Self.stats(v[name]!.doubles)
            #expect(abs(s.std / std - 1) < 0.03, "\(name) std \(s.std) vs \(std)", sourceLocation: sourceLocation)
            #expect(abs(s.mean - mean) < 0.03 * max(std, 1e-9) * 3 + 1e-12, "\(name) mean \(s.mean)", sourceLocation: sourceLocation)
        }
        check("he", std: (2.0 / 200).squareRoot())
        check("xavier", std: (2.0 / 500).squareRoot())
        check("conv", std: (2.0 / (8 * 25)).squareRoot())
        check("convx", std: (2.0 / (8 * 25 + 16 * 25)).squareRoot())
        check("n", std: 0.1)
        check("u", std: 2 / 12.0.squareRoot(), mean: 2)
    }

    @Test func fans() {
        #expect(ParameterInitializer.fans(of: []) == (1, 1))
        #expect(ParameterInitializer.fans(of: [7]) == (7, 7))
        #expect(ParameterInitializer.fans(of: [3, 5]) == (3, 5))
        #expect(ParameterInitializer.fans(of: [16, 8, 3, 3]) == (72, 144))
        #expect(ParameterInitializer.fans(of: [2, 3, 4]) == (6, 4))
    }
}
