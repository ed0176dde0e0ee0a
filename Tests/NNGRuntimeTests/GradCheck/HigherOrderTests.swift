import Foundation
import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

@Suite struct HigherOrderTests {
    /// d²/dx² of f in the language, at several points, against a closed form.
    @Test(arguments: [
        ("x ^ 3", { @Sendable (x: Double) in 6 * x }),
        ("sin(x)", { @Sendable (x: Double) in -sin(x) }),
        ("tanh(x)", { @Sendable (x: Double) in let t = tanh(x); return -2 * t * (1 - t * t) }),
        ("exp(2 * x)", { @Sendable (x: Double) in 4 * exp(2 * x) }),
        ("gelu(x)", { @Sendable (x: Double) in (2 - x * x) * exp(-x * x / 2) / (2 * Double.pi).squareRoot() }),
        ("sigmoid(x)", { @Sendable (x: Double) in let s = 1 / (1 + exp(-x)); return s * (1 - s) * (1 - 2 * s) }),
    ] as [(String, @Sendable (Double) -> Double)])
    func secondDerivativeClosedForm(_ f: String, _ expected: @Sendable (Double) -> Double) throws {
        let g = try lowered("""
        graph g {
          input x: f64[]
          y = \(f)
          d1 = grad(y, x)
          d2 = grad(d1, x)
          output d2
        }
        """)
        for x in [-1.3, -0.2, 0.4, 1.7] {
            let v = try Interpreter(graph: g).outputs(inputs: ["x": scalarT(x)], params: [:], options: RunOptions())[0].value.doubles[0]
            let e = expected(x)
            #expect(abs(v - e) <= 1e-12 * max(1, abs(e)), "\(f) at \(x): \(v) vs \(e)")
        }
    }

    @Test func thirdAndFourthDerivatives() throws {
        let g = try lowered("""
        graph g {
          input x: f64[]
          d4 = grad(grad(grad(grad(x ^ 5, x), x), x), x)
          output d4
        }
        """)
        let v = try Interpreter(graph: g).outputs(inputs: ["x": scalarT(0.7)], params: [:], options: RunOptions())[0].value.doubles[0]
        #expect(abs(v - 120 * 0.7) < 1e-12)
    }

    /// Second derivatives of MLPs w.r.t. the input: the gradient checker compares the symbolic
    /// derivative of `sum(grad(out, x)²)` (second order) with finite differences of it (first order).
    @Test(arguments: ["tanh", "gelu", "softplus", "sigmoid"])
    func mlpSecondDerivatives(_ act: String) throws {
        try expectGradCheck("""
        fn dense(x, w, b) { return x @ w + b }
        graph pinn {
          input x: f64[B, 2]
          param W1: f64[2, 5] = 0.3
          param b1: f64[5] = 0.1
          param W2: f64[5, 1] = 0.3
          param b2: f64[1] = 0.0
          psi = sum(dense(\(act)(dense(x, W1, b1)), W2, b2))
          dpsi = grad(psi, x)
          lap = sum(grad(sum(dpsi), x))
          loss = sum(dpsi * dpsi) + lap ^ 2
          output loss
        }
        """)
    }
}

@Suite struct CheckerCatchesWrongRulesTests {
    @Test(arguments: ["tanh", "*", "matmul", "sum", "conv2d"])
    func wrongRuleIsReported(_ op: String) throws {
        // A graph name of its own: the hook applies to this test only (tests run in parallel).
        let graphName = "wrongrule_" + (op == "*" ? "multiply" : op)
        let source = """
        graph \(graphName) {
          input x: f64[2, 1, 4, 4]
          input k: f64[2, 1, 2, 2]
          input m: f64[2, 3]
          c = reshape(conv2d(x, k), [2, 18])
          h = tanh(sum(c, axes = [1], keepdims = true) * m)
          loss = sum(h @ transpose(m))
          output loss
        }
        """
        try expectGradCheck(source)
        AutodiffTestHooks.setRuleScale(1.001, op: op, graph: graphName)
        defer { AutodiffTestHooks.setRuleScale(nil, op: op, graph: graphName) }
        let g = try lowered(source)
        var inputs: [String: Tensor] = [:]
        for (name, id) in g.inputs { inputs[name] = randomT(g.nodes[id].type.shape.concrete!, seed: name) }
        let report = try gradientCheck(graph: g, of: "loss", wrt: ["x", "k", "m"], inputs: inputs, params: [:], options: RunOptions())
        #expect(!report.pass)
        let failing = report.results.filter { !$0.pass }
        #expect(!failing.isEmpty)
        for r in failing { #expect(r.maxRel > 1e-5) }
    }

    @Test func reportFields() throws {
        let g = try lowered("graph g {\n input x: f64[2, 3]\n param w: f64[3] = 0.5\n loss = sum(x * w)\n output loss\n}")
        let report = try gradientCheck(graph: g, of: "loss", wrt: nil, inputs: ["x": randomT([2, 3], seed: "x")], params: ["w": randomT([3], seed: "w")], options: RunOptions())
        #expect(report.pass && report.results.map(\.name) == ["w"])
        #expect(report.results[0].worst.count == 1 && report.results[0].maxAbs < 1e-9)
    }

    @Test func feedsHelperFillsInputsAndSymbols() throws {
        let g = try lowered(xorGraphSource)
        let (ins, ps, opts) = gradientCheckFeeds(graph: g, inputs: [:], params: [:], seed: 1)
        #expect(ins["x"]?.shape == [3, 2] && ins["y"]?.shape == [3, 1])
        #expect(ps.keys.sorted() == ["W1", "W2", "b1", "b2"])
        #expect(opts.symbolSizes["B"] == 3)
        #expect(ins["x"]!.doubles.allSatisfy { $0 >= 0.1 && $0 <= 0.9 })
        let report = try gradientCheck(graph: g, of: "loss", wrt: nil, inputs: ins, params: ps, options: opts)
        #expect(report.pass)
    }
}
