import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Composite operations (docs/architecture.md, "Composites"): `mean` keeps its fused kernel and
/// prints as `mean`, but its VJP is derived from its decomposition sum(x) / n.
@Suite struct CompositeTests {
    static let source = """
        graph g {
          input x: f64[B, 3]
          input c: f64[B]
          y = mean(x, axes = [1])
          loss = sum(y * c)
          output loss
        }
        """

    /// ∂loss/∂x[i, j] = c[i] / 3: the adjoint divided by the count, then broadcast back (the
    /// derivative of sum(x) / n), exactly.
    @Test func meanGradientIsDerivedFromItsDecomposition() throws {
        var g = try lowered(Self.source)
        let loss = g.outputs[0].node
        let dx = try differentiate(&g, output: loss, wrt: [g.inputs[0].node])[0]
        g.outputs = [("dx", dx)]
        #expect(g.nodes.contains { $0.op == .reduce(.mean, axes: [1], keepdims: false) })
        // The derivative of sum(x) / n: the adjoint is divided at the reduced shape [B], then
        // broadcast (a hand-written rule divided the broadcast adjoint instead).
        #expect(g.nodes.contains { $0.op == .binary(.divide) && $0.type.shape == Shape([.symbol("B")]) })
        let x = Tensor(shape: [2, 3], values: [1, 2, 3, 4, 5, 6], dtype: .f64)
        let c = Tensor(shape: [2], values: [0.7, -1.1], dtype: .f64)
        let out = try Interpreter(graph: g).outputs(inputs: ["x": x, "c": c], params: [:], options: RunOptions())
        let third = [0.7 / 3, -1.1 / 3]
        #expect(out[0].value.doubles == [third[0], third[0], third[0], third[1], third[1], third[1]])
    }

    @Test func meanGradientMatchesFiniteDifferences() throws {
        try expectGradCheck(weighted("  input a: f64[2, 3]", "mean(a, axes = [0], keepdims = true) * a", shape: "[2, 3]"), lo: -2, hi: 2)
        try expectGradCheck(weighted("  input a: f64[2, 3]", "mean(a) * a", shape: "[2, 3]"), lo: -2, hi: 2)
    }

    /// The second derivative goes through the derived rule too (grad of grad).
    @Test func meanIsDifferentiableTwice() throws {
        try expectGradCheck(weighted("  input a: f64[2, 3]", "grad(sum(mean(a * a, axes = [1]) * mean(a, axes = [1])), a)", shape: "[2, 3]"), lo: -2, hi: 2)
    }
}
