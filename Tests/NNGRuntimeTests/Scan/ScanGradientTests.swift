import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Backpropagation through time: the VJP of a scan is a reverse scan, checked against finite
/// differences, printed and read back, and differentiated again.
@Suite struct ScanGradientTests {
    static let rnn = """
    fn cell(h, x) { return tanh(x @ Wx + h @ Wh + b) }
    graph rnn {
      input xs: f64[2, 4, 3]
      input h0: f64[2, 5]
      param Wx: f64[3, 5] = xavier
      param Wh: f64[5, 5] = xavier
      param b: f64[5] = 0.1
      hs = scan(cell, h0, xs, axis = 1)
      last = scan(cell, h0, xs, axis = 1, final = true)
      loss = sum(hs * hs) / 3 + sum(sin(last))
      output loss
    }
    """

    static let lstm = """
    fn lstm(h, c, x) {
      z = x @ Wx + h @ Wh + b
      f = sigmoid(slice(z, axis = 1, start = 0, end = 3))
      i = sigmoid(slice(z, axis = 1, start = 3, end = 6))
      o = sigmoid(slice(z, axis = 1, start = 6, end = 9))
      g = tanh(slice(z, axis = 1, start = 9, end = 12))
      c2 = f * c + i * g
      return [o * tanh(c2), c2]
    }
    graph lstm_graph {
      input xs: f64[5, 2, 2]
      param Wx: f64[2, 12] = xavier
      param Wh: f64[3, 12] = xavier
      param b: f64[12] = 0.2
      param c0: f64[2, 3] = 0.3
      h0 = broadcast(0, [2, 3])
      hs = scan(lstm, h0, c0, xs)
      cT = scan(lstm, h0, c0, xs, final = true, result = 1)
      loss = mean(hs * hs) + sum(cT)
      output loss
    }
    """

    static let perStep = """
    fn acc(s, x) { return [s * w + x, s * x * v] }
    graph g {
      input xs: f64[3, 4]
      param w: f64[4] = 0.9
      param v: f64[] = 1.5
      param s0: f64[4] = 0.5
      total = scan(acc, s0, xs, carries = 1, reverse = true)
      ys = scan(acc, s0, xs, carries = 1, reverse = true, result = 1)
      loss = sum(total * total) + sum(ys * xs)
      output loss
    }
    """

    /// An autoregressive decoder: a loop without sequences, its stacked carry the predictions.
    static let decoder = """
    fn predict(h, y) {
      h2 = tanh(y @ W + h @ U)
      return [h2, y + h2 @ V]
    }
    graph g {
      input h0: f64[2, 3]
      input y0: f64[2, 2]
      input target: f64[2, 6, 2]
      param W: f64[2, 3] = xavier
      param U: f64[3, 3] = xavier
      param V: f64[3, 2] = xavier
      ys = scan(predict, h0, y0, axis = 1, length = 6, result = 1)
      loss = mse(ys, target)
      output loss
    }
    """

    @Test(arguments: [rnn, lstm, perStep, decoder])
    func gradientsAgreeWithFiniteDifferences(_ source: String) throws {
        // Every param and input: captured values, initial carries and the sequences.
        try expectGradCheck(source)
    }

    @Test func capturedValuesThatAreComputedGetGradients() throws {
        try expectGradCheck("""
        fn cell(h, x) { return tanh(h @ W2 + x) }
        graph g {
          input xs: f64[3, 2, 4]
          param W: f64[4, 4] = xavier
          W2 = W * W
          h0 = broadcast(0, [2, 4])
          hs = scan(cell, h0, xs)
          loss = sum(hs)
          output loss
        }
        """)
    }

    /// grad of a gradient: the reverse loop's own VJP (a forward loop over its saved carries).
    static let secondOrder = """
    fn cell(h, x) { return tanh(x @ Wx + h @ Wh) }
    graph g {
      input xs: f64[2, 3, 2]
      param Wx: f64[2, 3] = xavier
      param Wh: f64[3, 3] = xavier
      h0 = broadcast(0, [2, 3])
      hs = scan(cell, h0, xs, axis = 1)
      inner = sum(hs * hs)
      gWh = grad(inner, Wh)
      loss = sum(gWh * gWh) + inner
      output loss
    }
    """

    @Test func secondOrderThroughTheLoop() throws {
        try expectGradCheck(Self.secondOrder)
    }

    @Test(arguments: [rnn, lstm, perStep, decoder, secondOrder])
    func printedGradientGraphReadsBackToTheSameValues(_ source: String) throws {
        let g = try lowered(source)
        let gg = try gradientGraph(g, of: "loss", wrt: nil)
        let text = printGraph(gg)
        let again = try lowered(text, dtype: nil)
        #expect(printGraph(again) == text)
        var inputs: [String: Tensor] = [:]
        for (name, id) in g.inputs { inputs[name] = randomT(g.nodes[id].type.shape.concrete!, seed: name) }
        let params = ParameterInitializer.initialValues(of: g, seed: 2)
        let a = try Interpreter(graph: gg).outputs(inputs: inputs, params: params, options: RunOptions())
        let b = try Interpreter(graph: again).outputs(inputs: inputs, params: params, options: RunOptions())
        #expect(a.map(\.name) == b.map(\.name))
        #expect(a.map(\.value.doubles) == b.map(\.value.doubles))
        // The loops stay loops: one reverse scan per forward scan, no unrolled copies.
        let loops = gg.nodes.filter { if case .scan = $0.op { return true } else { return false } }
        let forward = g.nodes.filter { if case .scan = $0.op { return true } else { return false } }
        #expect(loops.count == 2 * forward.count)
        #expect(!gg.nodes.contains { $0.op == .matmul })
    }

    @Test func theForwardLoopSavesItsCarriesOnce() throws {
        // Differentiating twice reuses the saved carries instead of saving them again.
        let spec = try loopSpec(Self.rnn)
        let (saving, first) = spec.savingCarries()
        let (again, second) = saving.savingCarries()
        #expect(again === saving && first == second && saving.stepOutputs == spec.stepOutputs + 1)
    }

    func loopSpec(_ source: String) throws -> ScanSpec {
        for n in try lowered(source).nodes { if case .scan(let s) = n.op { return s } }
        throw DiagnosticsError(Diagnostic("no scan"))
    }
}
