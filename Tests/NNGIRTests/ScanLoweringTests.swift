import NNGCore
import NNGIR
import NNGLang
import Testing

/// `scan` in the language: what the lowering builds, how it prints, and its errors.
@Suite struct ScanLoweringTests {
    static let rnn = """
    fn cell(h, x) { return tanh(x @ Wx + h @ Wh + b) }
    graph rnn {
      input xs: f32[B, 5, 3]
      input h0: f32[B, 4]
      param Wx: f32[3, 4] = xavier
      param Wh: f32[4, 4] = xavier
      param b: f32[4] = zeros
      hs = scan(cell, h0, xs, axis = 1)
      output hs
    }
    """

    func graph(_ source: String) throws -> Graph {
        let (g, ds, _) = lowerSource(source)
        guard let g else { throw DiagnosticsError(ds) }
        return g
    }

    func loops(_ g: Graph) -> [ScanSpec] {
        g.nodes.compactMap { if case .scan(let s) = $0.op { return s } else { return nil } }
    }

    @Test func oneNodeWithABodyGraphCapturingTheParams() throws {
        let g = try graph("""
        fn cell(h, x) { return tanh(x @ Wx + h @ Wh + b) }
        graph rnn {
          input xs: f32[B, 5, 3]
          input h0: f32[B, 4]
          param Wx: f32[3, 4] = xavier
          param Wh: f32[4, 4] = xavier
          param b: f32[4] = zeros
          hs = scan(cell, h0, xs, axis = 1)
          last = scan(cell, h0, xs, axis = 1, final = true)
          output hs, last
        }
        """)
        let specs = loops(g)
        #expect(specs.count == 2)
        let s = specs[0]
        #expect(s.carries == 1 && s.sequences == 1 && s.captures == 3 && s.axis == 1 && !s.reverse)
        #expect(s.body.inputs.map(\.name) == ["h", "x", "Wx", "Wh", "b"])
        // The body is checked once, per step: x is f32[B, 3].
        #expect(s.body.nodes[s.body.inputs[1].node].type == TensorType(.f32, ["B", 3]))
        #expect(g.nodes[g.output(named: "hs")!].type == TensorType(.f32, ["B", 5, 4]))
        #expect(g.nodes[g.output(named: "last")!].type == TensorType(.f32, ["B", 4]))
        // Stacked form: the new carry is also the per-step output; final form: no per-step output.
        #expect(s.stepOutputs == 1 && specs[1].stepOutputs == 0)
        // The loop is not unrolled: the graph has no matmul of its own.
        #expect(!g.nodes.contains { $0.op == .matmul })
    }

    static let lstmLike = """
    fn cell(h, c, x) {
      c2 = c * sigmoid(x @ Wf) + tanh(x @ Wc)
      return [tanh(c2) * sigmoid(h @ Wo), c2]
    }
    graph g {
      input xs: f64[6, 2, 3]
      param Wf: f64[3, 4] = xavier
      param Wc: f64[3, 4] = xavier
      param Wo: f64[4, 4] = xavier
      h0 = broadcast(0, [2, 4])
      hs = scan(cell, h0, h0, xs)
      cs = scan(cell, h0, h0, xs, result = 1)
      hT = scan(cell, h0, h0, xs, final = true)
      cT = scan(cell, h0, h0, xs, final = true, result = 1)
      output hs, cs, hT, cT
    }
    """

    @Test func severalCarriesShareOneLoopPerForm() throws {
        let g = try graph(Self.lstmLike)
        let specs = loops(g)
        #expect(specs.count == 2)
        #expect(specs.allSatisfy { $0.carries == 2 && $0.sequences == 1 && $0.axis == 0 })
        #expect(g.nodes[g.output(named: "cs")!].type == TensorType(.f64, [6, 2, 4]))
        #expect(g.nodes[g.output(named: "cT")!].type == TensorType(.f64, [2, 4]))
        #expect(g.nodes[g.output(named: "cs")!].op == .scanResult(3))
        #expect(g.nodes[g.output(named: "cT")!].op == .scanResult(1))
    }

    @Test func printedLoopsReadBackAsTheSameGraph() throws {
        for source in [Self.rnn, Self.lstmLike, Self.perStep, Self.decoder] {
            let g = try graph(source)
            let text = printGraph(g)
            #expect(text.contains("fn \(g.name)_scan1("))
            let again = try graph(text)
            #expect(printGraph(again) == text)
            #expect(again.nodes.count == g.nodes.count)
            for (a, b) in zip(loops(g), loops(again)) {
                #expect(a.carries == b.carries && a.sequences == b.sequences && a.axis == b.axis && a.reverse == b.reverse)
                #expect(a.body.nodes.map(\.op) == b.body.nodes.map(\.op) && a.body.nodes.map(\.inputs) == b.body.nodes.map(\.inputs))
            }
        }
    }

    static let decoder = """
    fn predict(h, y) {
      h2 = tanh(y @ W + h)
      return [h2, y + h2 @ V]
    }
    graph g {
      input h0: f64[B, 3]
      input y0: f64[B, 2]
      param W: f64[2, 3] = xavier
      param V: f64[3, 2] = xavier
      ys = scan(predict, h0, y0, axis = 1, length = 5, result = 1)
      output ys
    }
    """

    static let perStep = """
    fn acc(s, x) { return [s + x, s * x] }
    graph g {
      input xs: f64[4, 2]
      s0 = broadcast(0, [2])
      total = scan(acc, s0, xs, carries = 1, reverse = true)
      products = scan(acc, s0, xs, carries = 1, reverse = true, result = 1)
      output total, products
    }
    """

    @Test func perStepOutputsFollowTheFinalCarries() throws {
        let g = try graph(Self.perStep)
        #expect(loops(g).count == 1 && loops(g)[0].reverse && loops(g)[0].stepOutputs == 1)
        #expect(g.nodes[g.output(named: "total")!].type == TensorType(.f64, [2]))
        #expect(g.nodes[g.output(named: "products")!].type == TensorType(.f64, [4, 2]))
    }

    @Test func errorsPointIntoTheBodyAndNameTheCall() {
        let e = lowerSource("""
        fn cell(h, x) { return x @ W }
        graph g {
          input xs: f32[7, 3]
          param W: f32[3, 5] = xavier
          h0 = broadcast(0, [4])
          hs = scan(cell, h0, xs)
          output hs
        }
        """)
        let d = e.diagnostics.first { $0.severity == .error }!
        #expect(d.message == "carry 1 of 'cell' is f32[4] on entry but f32[5] after a step")
        #expect(d.position(in: e.file)! == (1, 24))
        #expect(d.notes.contains { $0.contains("in the call of 'scan(cell)' at line 6") })

        let shape = lowerSource("""
        fn cell(h, x) { return h + x @ W }
        graph g {
          input xs: f32[7, 3]
          param W: f32[4, 5] = xavier
          h0 = broadcast(0, [5])
          hs = scan(cell, h0, xs)
          output hs
        }
        """)
        let m = shape.diagnostics.first { $0.severity == .error }!
        #expect(m.message.contains("matmul") && m.position(in: shape.file)!.line == 1)
        #expect(m.notes.contains { $0.contains("in the call of 'scan(cell)' at line 6") })
    }

    @Test(arguments: [
        ("fn f(h, x) { return h + x }\ngraph g {\n input xs: f32[3, 2]\n hs = scan(f, xs)\n output hs\n}",
         "'f' takes 2 arguments, but scan passes it 1 (1 carry, 0 slices, 0 other)"),
        ("fn f(h, x, y) { return h + x }\ngraph g {\n input xs: f32[3, 2]\n hs = scan(f, xs, xs)\n output hs\n}",
         "'f' takes 3 arguments, but scan passes it 2 (1 carry, 1 slice, 0 other)"),
        ("fn f(h, x) { return h + dropout(x) }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs)\n output hs\n}",
         "'dropout' cannot be used in a scan body: every step would draw the same numbers"),
        ("fn f(h, x) { return h + x * V }\ngraph g {\n input xs: f32[3, 2]\n param W: f32[2] = ones\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs)\n output hs\n}",
         "'f' uses 'V', which is not defined where scan is called; did you mean 'W'?"),
        ("fn f(h, x) { return [h + x, x] }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs, carries = 1, final = true)\n output hs\n}",
         "'final' of 'scan' applies when 'f' returns only its carries; its results here are the final carries and the stacked per-step outputs (pick one with result = k)"),
        ("graph g {\n input xs: f32[3, 2]\n hs = scan(relu, xs, xs)\n output hs\n}",
         "the first argument of scan must be the name of a fn: scan(cell, h0, xs)"),
        ("fn f(h, x) { return scan(f, h, x) }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs)\n output hs\n}",
         "recursive call of 'f'"),
        ("fn f(h, x) { return h + x }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs, axis = 2)\n output hs\n}",
         "axis 2 is out of range for the sequence f32[3, 2]"),
        ("fn f(h, x) { return h + x }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs, result = 1)\n output hs\n}",
         "'result' of 'scan' must be in 0..<1, got 1"),
        ("fn f(h) { return h * 2 }\ngraph g {\n input h0: f32[2]\n hs = scan(f, h0)\n output hs\n}",
         "scan of 'f' has no sequence to run along: give its number of steps, length = N"),
        ("fn f(h, x) { return h + x }\ngraph g {\n input xs: f32[3, 2]\n h0 = broadcast(0, [2])\n hs = scan(f, h0, xs, length = 3)\n output hs\n}",
         "'length' is for a scan without sequences; this one has 1"),
        ("fn f(h) { return h * 2 }\ngraph g {\n input h0: f32[2]\n hs = scan(f, h0, length = 0)\n output hs\n}",
         "'length' of 'scan' must be positive, got 0"),
    ] as [(String, String)])
    func callErrors(_ source: String, _ message: String) {
        let ds = lowerSource(source).diagnostics.filter { $0.severity == .error }
        #expect(ds.map(\.message).contains(message), "\(ds.map(\.message))")
    }

    @Test func checkAcceptsCapturedNamesInScanBodies() {
        // `nngc check` checks fn bodies on their own: a scan body's free names are captures.
        #expect(errors(Self.rnn, check: true) == [])
        #expect(errors("fn f(h) { return h + W }\ngraph g {\n input x: f32[2]\n y = f(x)\n output y\n}", check: true)
            .map(\.message).contains { $0.hasPrefix("unknown name 'W'") })
    }
}
