import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

@Suite struct GradientGraphRoundTripTests {
    func values(_ g: Graph, _ inputs: [String: Tensor], _ params: [String: Tensor]) throws -> [String: [Double]] {
        var r: [String: [Double]] = [:]
        for (n, v) in try Interpreter(graph: g).outputs(inputs: inputs, params: params, options: RunOptions()) { r[n] = v.doubles }
        return r
    }

    /// Unsimplified forward + backward graph, for comparison with the simplified one.
    func rawGradientGraph(_ graph: Graph, of output: String) throws -> Graph {
        var g = graph
        let ids = graph.params.map(\.node)
        let grads = try differentiate(&g, output: graph.output(named: output)!, wrt: ids)
        for (p, id) in zip(graph.params, grads) { g.outputs.append(("d\(output)_d\(p.name)", id)) }
        return g
    }

    /// Every composite whose VJP is derived from its decomposition (docs/architecture.md).
    static let composites = """
        graph composites {
          input x: f64[4, 3]
          input t: f64[4, 3]
          param W: f64[3, 3] = 0.3
          z = x @ W
          loss = cross_entropy(z, softmax(t)) + mse(z, t) + bce_logits(z, sigmoid(t)) + bce(sigmoid(z), sigmoid(t)) + sum(log_softmax(z, axis = 0) * t) + mean(softmax(z) * t)
          output loss
        }
        """

    @Test(arguments: [DType.f64, DType.f32])
    func printedGradientGraphsReparseAndAgree(_ dtype: DType) throws {
        for (source, feeds) in [
            (chainSource, ["x": scalarT(2), "y": scalarT(3)]),
            (xorGraphSource, ["x": tensorT([4, 2], [0, 0, 0, 1, 1, 0, 1, 1]), "y": tensorT([4, 1], [0, 1, 1, 0])]),
            (Self.composites, ["x": randomT([4, 3], seed: "x", lo: -2, hi: 2), "t": randomT([4, 3], seed: "t", lo: -2, hi: 2)]),
        ] {
            let g = try lowered(source, dtype: dtype)
            let params = ParameterInitializer.initialValues(of: g, seed: 3)
            let inputs = feeds.mapValues { $0.converted(to: dtype) }
            let gg = try gradientGraph(g, of: "loss", wrt: nil)
            let text = printGraph(gg)
            let reparsed = try lowered(text, dtype: nil)
            #expect(printGraph(reparsed) == text)
            let a = try values(gg, inputs, params)
            let b = try values(reparsed, inputs, params)
            #expect(a == b)
            // Simplification does not change values (exactly, for these graphs).
            let raw = try values(rawGradientGraph(g, of: "loss"), inputs, params)
            for (name, v) in raw {
                let s = a[name]!
                #expect(zip(s, v).allSatisfy { abs($0 - $1) <= 1e-15 * max(1, abs($1)) }, "\(name): \(s) vs \(v)")
            }
            #expect(a.keys.sorted() == raw.keys.sorted())
        }
    }

    @Test func chainGradientsAtTheContractPoint() throws {
        let gg = try gradientGraph(try lowered(chainSource), of: "loss", wrt: nil)
        let v = try values(gg, ["x": scalarT(2), "y": scalarT(3)], ["w1": scalarT(0.5), "w2": scalarT(1.5)])
        #expect(v["loss"] == [2.25] && v["dloss_dw1"] == [-9] && v["dloss_dw2"] == [-3])
        // With respect to inputs and named values too.
        let gi = try gradientGraph(try lowered(chainSource), of: "loss", wrt: ["x", "h"])
        let vi = try values(gi, ["x": scalarT(2), "y": scalarT(3)], ["w1": scalarT(0.5), "w2": scalarT(1.5)])
        #expect(vi["dloss_dx"] == [-2.25] && vi["dloss_dh"] == [-4.5])
    }

    @Test func gradientNamesAreMadeUnique() throws {
        let g = try lowered("graph g {\n input x: f64[]\n param w: f64[] = 2\n dloss_dw = w * x\n loss = dloss_dw * w\n output loss, dloss_dw\n}")
        let gg = try gradientGraph(g, of: "loss", wrt: nil)
        #expect(gg.outputs.map(\.name) == ["loss", "dloss_dw", "dloss_dw_2"])
        let v = try values(gg, ["x": scalarT(3)], ["w": scalarT(2)])
        #expect(v["dloss_dw_2"] == [12])
        #expect(try printGraph(lowered(printGraph(gg), dtype: nil)) == printGraph(gg))
    }

    @Test func simplificationPreservesValuesOfARichGraph() throws {
        let g = try lowered("""
        graph g {
          input x: f64[2, 1, 5, 5]
          param k: f64[2, 1, 3, 3] = 0.2
          param W: f64[8, 3] = 0.1
          c = maxpool2d(relu(conv2d(x, k, padding = 1)), size = 2)
          f = reshape(c, [2, 8])
          z = f @ W
          loss = cross_entropy(z, softmax(z * 0 + 1)) + mean(max(z, axes = [1]))
          output loss
        }
        """)
        let inputs = ["x": randomT([2, 1, 5, 5], seed: "x")]
        let params = ["k": randomT([2, 1, 3, 3], seed: "k"), "W": randomT([8, 3], seed: "W")]
        let simplified = try values(gradientGraph(g, of: "loss", wrt: nil), inputs, params)
        let raw = try values(rawGradientGraph(g, of: "loss"), inputs, params)
        for (name, v) in raw {
            #expect(zip(simplified[name]!, v).allSatisfy { abs($0 - $1) <= 1e-14 * max(1, abs($1)) }, "\(name)")
        }
    }
}
