import Foundation
import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

// A graph whose shapes come from a size (L*L) and one with a product dimension (2*B) run on
// both backends, with params initialised from the bound size.

private func lowered(_ source: String, sizes: [String: Int]) throws -> Graph {
    let (module, pd) = parse(SourceFile(path: "test.nng", text: source))
    if !pd.isEmpty { throw DiagnosticsError(pd) }
    let (g, ds) = lowerGraph(module, options: LoweringOptions(sizes: sizes))
    guard let g else { throw DiagnosticsError(ds) }
    return g
}

private let lattice = """
graph g {
  input spins: f64[B, L*L]
  param W: f64[L*L, 2] = he
  param V: f64[2, L] = xavier
  y = spins @ W
  flat = reshape(y, [-1])
  output flat, V
}
"""

@Suite struct SizeRunTests {
    @Test func heAndXavierUseTheBoundSize() throws {
        let g = try lowered(lattice, sizes: ["L": 3])
        let v = ParameterInitializer.initialValues(of: g, seed: 5)
        let wk = CounterRandom.key("W"), vk = CounterRandom.key("V")
        // he: variance 2 / fan_in with fan_in = L·L = 9; xavier: 2 / (fan_in + fan_out) = 2 / (2 + 3).
        #expect(v["W"] == Tensor(shape: [9, 2], values: (0..<18).map {
            (2.0 / 9).squareRoot() * CounterRandom.normal(seed: 5, step: 0, stream: wk, index: UInt64($0))
        }, dtype: .f64))
        #expect(v["V"] == Tensor(shape: [2, 3], values: (0..<6).map {
            (2.0 / 5).squareRoot() * CounterRandom.normal(seed: 5, step: 0, stream: vk, index: UInt64($0))
        }, dtype: .f64))
    }

    @Test(arguments: BackendKind.allCases)
    func latticeGraphRunsWithTheBoundSize(backend: BackendKind) throws {
        let g = try lowered(lattice, sizes: ["L": 3])
        #expect(g[g.output(named: "flat")!].type.description == "f64[2*B]")
        let params = ParameterInitializer.initialValues(of: g, seed: 5)
        let w = params["W"]!.doubles
        // Alternating signs, magnitudes 1…5.
        let spins: [Double] = (0..<18).map { (i: Int) -> Double in
            let magnitude = Double(i % 5 + 1)
            return i % 2 == 0 ? magnitude : -magnitude
        }
        var expected: [Double] = []
        for row in 0..<2 {
            for col in 0..<2 {
                var sum = 0.0
                for k in 0..<9 { sum += spins[row * 9 + k] * w[k * 2 + col] }
                expected.append(sum)
            }
        }
        let out = try backend.outputs(of: g, inputs: ["spins": Tensor(shape: [2, 9], values: spins, dtype: .f64)],
                                      params: params, options: RunOptions())
        #expect(out[0].value.shape == [4])
        for (a, b) in zip(out[0].value.doubles, expected) {
            let tolerance: Double = 1e-12 * Swift.max(1.0, Swift.abs(b))
            #expect(Swift.abs(a - b) <= tolerance)
        }
        #expect(out[1].value.shape == [2, 3])
    }

    @Test(arguments: BackendKind.allCases)
    func productDimensionsAreCheckedWhenFed(backend: BackendKind) throws {
        let g = try lowered("""
        graph g {
          input x: f64[B, 2]
          input z: f64[2*B]
          y = reshape(x, [-1]) + z
          output y
        }
        """, sizes: [:])
        let x = Tensor(shape: [2, 2], values: [1, 2, 3, 4], dtype: .f64)
        let ok = try backend.outputs(of: g, inputs: ["x": x, "z": Tensor(shape: [4], values: [10, 20, 30, 40], dtype: .f64)],
                                     params: [:], options: RunOptions())
        #expect(ok[0].value == Tensor(shape: [4], values: [11, 22, 33, 44], dtype: .f64))
        #expect(throws: DiagnosticsError.self) {
            _ = try backend.outputs(of: g, inputs: ["x": x, "z": Tensor(shape: [3], values: [1, 2, 3], dtype: .f64)],
                                    params: [:], options: RunOptions())
        }
        do {
            _ = try g.symbolBindings(inputs: ["x": x, "z": Tensor(shape: [3], values: [1, 2, 3], dtype: .f64)],
                                     params: [:], options: RunOptions())
            Issue.record("a fed size that contradicts 2*B was accepted")
        } catch {
            #expect(error.diagnostics.map(\.message) == ["input 'z' expects f64[2*B] = f64[4] (B = 2), got shape [3]"])
        }
    }
}
