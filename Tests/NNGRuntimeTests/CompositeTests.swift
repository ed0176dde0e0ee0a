import Foundation
import NNGCore
@testable import NNGIR
@testable import NNGRuntime
import Testing

/// Composite operations (docs/architecture.md, "Composites"): `mean`, `softmax`, `log_softmax`
/// and the losses keep their fused kernels and print as their names, but their VJPs are derived
/// from their decompositions into primitives.
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

    /// Every decomposition computes its fused kernel's value (up to rounding): the derived VJP is
    /// the derivative of the function the kernel computes, not of another one.
    @Test(arguments: [
        ("mean", [[2, 3]]), ("softmax", [[2, 3]]), ("log_softmax", [[2, 3]]),
        ("mse", [[2, 3], [2, 3]]), ("bce", [[2, 3], [2, 3]]), ("bce_logits", [[2, 3], [2, 3]]),
        ("cross_entropy", [[2, 3], [2, 3]]), ("cross_entropy", [[4], [4]]),
    ])
    func decompositionComputesTheKernelsValue(_ name: String, _ shapes: [[Int]]) throws {
        let types = shapes.map { TensorType(.f64, Shape($0.map { .known($0) })) }
        var b = GradBuilder(graph: Graph(name: "g", dtype: .f64))
        let xs = types.enumerated().map { j, t in b.graph.append(Node(op: .input("x\(j)"), inputs: [], type: t)) }
        let attributes: Attributes, op: Op, decomposition: Decomposition
        switch name {
        case "mean": (op, decomposition) = (.reduce(.mean, axes: [1], keepdims: false), ReductionOps.meanDecomposition)
        case "softmax": (op, decomposition) = (.softmax(axis: 1), ReductionOps.softmaxDecomposition)
        case "log_softmax": (op, decomposition) = (.logSoftmax(axis: 1), ReductionOps.logSoftmaxDecomposition)
        default:
            let l = try #require(LossOp(rawValue: name))
            (op, decomposition) = (.loss(l), LossOps.decomposition(l))
        }
        let form = op.form
        attributes = Attributes(form.definition, form.attributes)
        let fused = try b.op(op, xs)
        let composed = try decomposition(&b, xs, attributes)
        b.graph.outputs = [("fused", fused), ("composed", composed)]
        var inputs: [String: Tensor] = [:]
        for (j, s) in shapes.enumerated() { inputs["x\(j)"] = randomT(s, seed: "x\(j)", lo: 0.05, hi: 0.95) }
        let out = try Interpreter(graph: b.graph).outputs(inputs: inputs, params: [:], options: RunOptions())
        for (f, c) in zip(out[0].value.doubles, out[1].value.doubles) {
            #expect(abs(f - c) <= 1e-14 * max(1, abs(f)), "\(name): fused \(f), composed \(c)")
        }
    }

    /// The derived VJP of softmax is y·(g − Σ g·y), of cross_entropy (softmax(z) − t) / rows.
    @Test func softmaxAndCrossEntropyGradientsAreTheClosedForms() throws {
        let source = """
            graph g {
              input z: f64[2, 3]
              input t: f64[2, 3]
              input w: f64[2, 3]
              loss = sum(softmax(z) * w) + cross_entropy(z, t)
              output loss
            }
            """
        let gg = try gradientGraph(try lowered(source), of: "loss", wrt: ["z"])
        let z = randomT([2, 3], seed: "z", lo: -2, hi: 2), w = randomT([2, 3], seed: "w", lo: -2, hi: 2)
        let t = tensorT([2, 3], [0, 1, 0, 0.25, 0.25, 0.5])
        let out = try Interpreter(graph: gg).outputs(inputs: ["z": z, "t": t, "w": w], params: [:], options: RunOptions())
        let dz = try #require(out.first { $0.name == "dloss_dz" }).value.doubles
        for r in 0..<2 {
            let row = (0..<3).map { z.doubles[3 * r + $0] }
            let e = row.map { Foundation.exp($0 - row.max()!) }
            let y = e.map { $0 / e.reduce(0, +) }
            let gy = (0..<3).map { w.doubles[3 * r + $0] * y[$0] }.reduce(0, +)
            for j in 0..<3 {
                let expected = y[j] * (w.doubles[3 * r + j] - gy) + (y[j] - t.doubles[3 * r + j]) / 2
                #expect(abs(dz[3 * r + j] - expected) < 1e-15)
            }
        }
    }

    @Test func compositesAreDifferentiableTwice() throws {
        try expectGradCheck(weighted("  input a: f64[2, 3]", "grad(sum(softmax(a) * a) + sum(log_softmax(a, axis = 0) * a * a), a)", shape: "[2, 3]"), lo: -2, hi: 2)
        try expectGradCheck(weighted("  input a: f64[2, 3]\n  input t: f64[2, 3]", "grad(cross_entropy(a * a, softmax(t)) + mse(a * t, t) + bce_logits(a * t, sigmoid(t)) + bce(sigmoid(a), sigmoid(t)), a)", shape: "[2, 3]"), lo: -2, hi: 2)
    }

    /// Fusion patterns (Rewrites/FusionPatterns.swift): softmax and log_softmax written out with
    /// logsumexp run as the fused kernels once simplified, with the same values.
    @Test func writtenOutSoftmaxRunsTheFusedKernel() throws {
        let source = """
            graph g {
              input x: f64[B, 4]
              s = exp(x - logsumexp(x, axes = [1], keepdims = true))
              l = x - logsumexp(x, axes = [1], keepdims = true)
              fs = softmax(x)
              fl = log_softmax(x)
              output s, l, fs, fl
            }
            """
        let g = simplify(try lowered(source))
        #expect(!g.nodes.contains { if case .reduce(.logsumexp, _, _) = $0.op { true } else { false } })
        #expect(g.outputs[0].node == g.outputs[2].node && g.outputs[1].node == g.outputs[3].node)
        let x = randomT([3, 4], seed: "x", lo: -3, hi: 3)
        let plain = try Interpreter(graph: try lowered(source)).outputs(inputs: ["x": x], params: [:], options: RunOptions(symbolSizes: ["B": 3]))
        for k in 0..<2 {
            for (a, b) in zip(plain[k].value.doubles, plain[k + 2].value.doubles) { #expect(abs(a - b) < 1e-15) }
        }
    }

    /// The derived gradient of cross_entropy prints as the hand derivation
    /// `softmax(z)·Σ_j t_j/B − t/B`, once simplified (no explicit broadcasts, no negations).
    @Test func derivedCrossEntropyGradientReadsAsTheHandDerivation() throws {
        let source = """
            graph g {
              input x: f32[B, 784]
              input y: f32[B, 10]
              param W: f32[784, 10] = xavier
              z = x @ W
              loss = cross_entropy(z, y)
              output loss
            }
            """
        let gg = try gradientGraph(try lowered(source, dtype: nil), of: "loss", wrt: ["W"])
        let text = printGraph(gg)
        #expect(text.contains("sum(t4, axes = [1], keepdims = true)"), "\(text)")
        #expect(text.contains("softmax(z, axis = 1)"))
        #expect(text.contains("dloss_dz: f32[B, 10] = t7 - t4"))
        #expect(!text.contains("= -") && text.components(separatedBy: "broadcast(").count == 2)
        #expect(gg.nodes.count <= 16)
    }

    /// The rewrites that tidy derived gradients (negation pulled outwards, explicit broadcasts
    /// into binary operations dropped, reshaped reductions kept with keepdims) change no bit.
    @Test func tidyingRewritesKeepEveryBit() throws {
        let source = """
            graph g {
              input a: f64[3, 4]
              input b: f64[3, 4]
              input c: f64[3]
              n = -a
              u = n * b + reshape(sum(n / b, axes = [1]), [3, 1]) * broadcast(reshape(sum(-c), [1, 1]), [3, 4])
              v = broadcast(reshape(c, [3, 1]), [3, 4]) - sum(-(a * b), axes = [0])
              output u, v
            }
            """
        let g = try lowered(source)
        let s = simplify(g)
        func broadcasts(_ g: Graph) -> Int { g.nodes.filter { if case .broadcast = $0.op { true } else { false } }.count }
        #expect(broadcasts(s) < broadcasts(g))
        #expect(s.nodes.contains { $0.op == .reduce(.sum, axes: [1], keepdims: true) })
        let feeds = ["a": randomT([3, 4], seed: "a"), "b": randomT([3, 4], seed: "b", lo: 0.5, hi: 2), "c": randomT([3], seed: "c")]
        let before = try Interpreter(graph: g).outputs(inputs: feeds, params: [:], options: RunOptions())
        let after = try Interpreter(graph: s).outputs(inputs: feeds, params: [:], options: RunOptions())
        for k in 0..<2 { #expect(before[k].value.doubles == after[k].value.doubles) }
        #expect(s.nodes.count < g.nodes.count)
    }
}
