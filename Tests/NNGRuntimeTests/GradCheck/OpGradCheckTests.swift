import Foundation
import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

/// A graph `g` whose scalar `loss` is `sum(EXPR * w)` (w random, so no symmetry hides an error).
func weighted(_ decls: String, _ expr: String, shape: String) -> String {
    """
    graph g {
    \(decls)
      input w: f64\(shape)
      v = \(expr)
      loss = sum(v * w)
      output loss
    }
    """
}

@Suite struct OpGradCheckTests {
    static let unary = ["exp", "sin", "cos", "tanh", "sigmoid", "relu", "gelu", "softplus", "erf", "abs",
                        "leaky_relu(a, alpha = 0.2)", "-"]

    @Test(arguments: unary)
    func unaryOps(_ f: String) throws {
        let expr = f.contains("(") ? f : (f == "-" ? "-a" : "\(f)(a)")
        try expectGradCheck(weighted("  input a: f64[2, 3]", expr, shape: "[2, 3]"), lo: -2, hi: 2)
    }

    @Test(arguments: ["log(a)", "sqrt(a)", "a ^ b", "a ^ 3", "2 ^ a", "a / b"])
    func positiveDomainOps(_ expr: String) throws {
        try expectGradCheck(weighted("  input a: f64[2, 3]\n  input b: f64[3]", expr, shape: "[2, 3]"), lo: 0.3, hi: 1.7)
    }

    /// Binary operations with broadcasting in every position.
    @Test(arguments: ["a + b", "a - b", "a * b", "b - a", "c * a", "a * c", "c - b", "s * a", "a / s", "maximum(a, b)",
                      "minimum(c, a)", "maximum(s, a)", "b * c + a - s", "where(step(a), a * b, c)", "where(step(c), s, b)"])
    func broadcastingBinary(_ expr: String) throws {
        let decls = "  input a: f64[2, 3]\n  input b: f64[3]\n  input c: f64[2, 1]\n  input s: f64[]"
        try expectGradCheck(weighted(decls, expr, shape: "[2, 3]"), lo: 0.2, hi: 2)
    }

    @Test(arguments: [
        ("  input a: f64[2, 3]\n  input b: f64[3, 4]", "a @ b", "[2, 4]"),
        ("  input a: f64[3]\n  input b: f64[3, 4]", "a @ b", "[4]"),
        ("  input a: f64[2, 3]\n  input b: f64[3]", "a @ b", "[2]"),
        ("  input a: f64[3]\n  input b: f64[3]", "a @ b", "[]"),
        ("  input a: f64[B, 3]\n  input b: f64[3, 2]", "tanh(a @ b) @ transpose(b)", "[B, 3]"),
    ])
    func matmulRanks(_ decls: String, _ expr: String, _ shape: String) throws {
        try expectGradCheck(weighted(decls, expr, shape: shape))
    }

    @Test(arguments: [
        ("transpose(a)", "[4, 3, 2]"), ("transpose(a, [1, 0, 2])", "[3, 2, 4]"),
        ("reshape(a, [6, -1])", "[6, 4]"), ("broadcast(c, [2, 3, 4])", "[2, 3, 4]"),
        ("a * broadcast(s, [3, 4])", "[2, 3, 4]"),
        ("sum(a, axes = [1])", "[2, 4]"), ("sum(a, axes = [0, 2], keepdims = true)", "[1, 3, 1]"), ("sum(a)", "[]"),
        ("mean(a, axes = [-1])", "[2, 3]"), ("mean(a)", "[]"), ("mean(a, axes = [0, 1], keepdims = true)", "[1, 1, 4]"),
        ("max(a, axes = [1])", "[2, 4]"), ("max(a)", "[]"), ("max(a, axes = [0, 2], keepdims = true)", "[1, 3, 1]"),
        ("logsumexp(a, axes = [2])", "[2, 3]"), ("logsumexp(a)", "[]"), ("logsumexp(a, axes = [0, 1], keepdims = true)", "[1, 1, 4]"),
        ("softmax(a)", "[2, 3, 4]"), ("softmax(a, axis = 0)", "[2, 3, 4]"),
        ("log_softmax(a)", "[2, 3, 4]"), ("log_softmax(a, axis = 1)", "[2, 3, 4]"),
        ("concat([a, a * a, exp(a)], axis = 1)", "[2, 9, 4]"), ("concat([a, c], axis = 2)", "[2, 3, 5]"),
        ("slice(a, axis = 2, start = 1, end = 3)", "[2, 3, 2]"), ("pad(a, axis = 1, before = 2, after = 1)", "[2, 6, 4]"),
    ])
    func shapesAndReductions(_ expr: String, _ shape: String) throws {
        let decls = "  input a: f64[2, 3, 4]\n  input c: f64[2, 3, 1]\n  input s: f64[4]"
        try expectGradCheck(weighted(decls, expr, shape: shape))
    }

    @Test(arguments: [
        "mse(p, t)", "bce(sigmoid(p), sigmoid(t))", "bce_logits(p, sigmoid(t))", "cross_entropy(p, softmax(t))",
        "cross_entropy(p, t)",
    ])
    func losses(_ expr: String) throws {
        try expectGradCheck("""
        graph g {
          input p: f64[3, 4]
          input t: f64[3, 4]
          loss = \(expr)
          output loss
        }
        """, lo: -2, hi: 2)
    }

    @Test(arguments: [(1, 0), (1, 1), (2, 0), (2, 1), (3, 2)])
    func conv2d(_ stride: Int, _ padding: Int) throws {
        try expectGradCheck(weighted("  input x: f64[2, 2, 6, 5]\n  input k: f64[3, 2, 3, 2]",
                                     "conv2d(x, k, stride = \(stride), padding = \(padding))",
                                     shape: "[2, 3, \((6 + 2 * padding - 3) / stride + 1), \((5 + 2 * padding - 2) / stride + 1)]"))
    }

    @Test(arguments: [(2, 2), (3, 1), (2, 1), (3, 2)])
    func pooling(_ size: Int, _ stride: Int) throws {
        let o = "[2, 2, \((6 - size) / stride + 1), \((5 - size) / stride + 1)]"
        let decls = "  input x: f64[2, 2, 6, 5]"
        try expectGradCheck(weighted(decls, "maxpool2d(x, size = \(size), stride = \(stride))", shape: o))
        try expectGradCheck(weighted(decls, "avgpool2d(x, size = \(size), stride = \(stride))", shape: o))
    }

    @Test func dropoutInTrainingUsesTheSameMask() throws {
        try expectGradCheck(weighted("  input a: f64[4, 5]", "dropout(a * a, p = 0.3)", shape: "[4, 5]"), training: true)
        try expectGradCheck(weighted("  input a: f64[4, 5]", "dropout(a * a, p = 0.3)", shape: "[4, 5]"), training: false)
    }

    /// Second-order gradient ops: every gradient op is itself checked (grad of a grad).
    @Test func gradientOpsAreDifferentiable() throws {
        try expectGradCheck("""
        graph g {
          input x: f64[2, 2, 5, 5]
          input k: f64[3, 2, 3, 3]
          input w: f64[2, 3, 3, 3]
          y = conv2d(tanh(x), k, stride = 2, padding = 1)
          inner = sum(y * y * w)
          dx = grad(inner, x)
          dk = grad(inner, k)
          loss = sum(dx * x) + sum(dk * dk)
          output loss
        }
        """)
        try expectGradCheck("""
        graph g {
          input x: f64[2, 6, 5]
          input w: f64[2, 2, 2]
          p = maxpool2d(x * x, size = 3, stride = 2)
          q = avgpool2d(x, size = 2, stride = 2)
          m = max(x, axes = [1])
          inner = sum(p * p * w) + sum(q * q * q) + sum(m * m)
          dx = grad(inner, x)
          loss = sum(dx * dx * x)
          output loss
        }
        """)
    }

    @Test func composedNetwork() throws {
        try expectGradCheck("""
        fn dense(x, w, b) { return x @ w + b }
        graph g {
          input x: f64[B, 1, 6, 6]
          input labels: f64[B, 3]
          param k: f64[2, 1, 3, 3] = 0.1
          param W: f64[8, 3] = 0.1
          param b: f64[3] = 0.0
          c = relu(conv2d(x, k, padding = 1))
          p = maxpool2d(c, size = 3)
          f = reshape(p, [B, 8])
          z = dense(gelu(f), W, b)
          loss = cross_entropy(z, softmax(labels)) + 0.1 * mean(leaky_relu(z) ^ 2)
          output loss
        }
        """)
    }
}

@Suite struct ExtremeInputTests {
    func gradients(_ source: String, _ inputs: [String: Tensor], wrt: [String]) throws -> [String: [Double]] {
        let g = try lowered(source)
        let gg = try gradientGraph(g, of: "loss", wrt: wrt)
        let out = try Interpreter(graph: gg).outputs(inputs: inputs, params: [:], options: RunOptions())
        var r: [String: [Double]] = [:]
        for (n, v) in out { r[n] = v.doubles }
        return r
    }

    @Test func crossEntropyAtHugeLogits() throws {
        let r = try gradients("graph g {\n input z: f64[2, 3]\n input t: f64[2, 3]\n loss = cross_entropy(z, t)\n output loss\n}",
                              ["z": tensorT([2, 3], [1000, -1000, 0, -1000, 1000, 1000]), "t": tensorT([2, 3], [0, 1, 0, 1, 0, 0])],
                              wrt: ["z"])
        #expect(r["loss"]![0].isFinite)
        #expect(r["dloss_dz"]! == [0.5, -0.5, 0, -0.5, 0.25, 0.25])
    }

    @Test func bceLogitsAtHugeLogits() throws {
        let r = try gradients("graph g {\n input z: f64[4]\n input t: f64[4]\n loss = bce_logits(z, t)\n output loss\n}",
                              ["z": tensorT([4], [1000, -1000, 1000, -1000]), "t": tensorT([4], [0, 1, 1, 0])], wrt: ["z", "t"])
        #expect(r["loss"]![0] == 500)
        #expect(r["dloss_dz"]! == [0.25, -0.25, 0, 0])
        #expect(r["dloss_dt"]! == [-250, 250, -250, 250])
    }

    @Test func softmaxAndLogsumexpAtHugeLogits() throws {
        let z = tensorT([3], [1000, -1000, 999])
        let e = 1 / (1 + exp(-1.0))
        let r = try gradients("graph g {\n input z: f64[3]\n loss = logsumexp(z)\n output loss\n}", ["z": z], wrt: ["z"])
        #expect(abs(r["dloss_dz"]![0] - e) < 1e-13 && r["dloss_dz"]![1] == 0 && abs(r["dloss_dz"]![2] - (1 - e)) < 1e-13)
        let s = try gradients("graph g {\n input z: f64[3]\n input w: f64[3]\n loss = sum(log_softmax(z) * w) + sum(softmax(z) * w)\n output loss\n}",
                              ["z": z, "w": tensorT([3], [1, 2, 3])], wrt: ["z"])
        #expect(s["dloss_dz"]!.allSatisfy { $0.isFinite })
        try expectGradCheck("graph g {\n input z: f64[3]\n input w: f64[3]\n loss = sum(log_softmax(z) * w) + sum(softmax(z) * w) + logsumexp(z)\n output loss\n}",
                            feeds: ["z": z, "w": tensorT([3], [1, 2, 3])])
    }

    @Test func sigmoidAndSoftplusSaturate() throws {
        let r = try gradients("graph g {\n input z: f64[2]\n loss = sum(sigmoid(z)) + sum(softplus(z))\n output loss\n}",
                              ["z": tensorT([2], [1000, -1000])], wrt: ["z"])
        #expect(r["dloss_dz"]! == [1, 0])
    }
}
