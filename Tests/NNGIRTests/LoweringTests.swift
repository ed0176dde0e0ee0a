import Testing
import NNGCore
import NNGIR
import NNGLang

private func type(_ dtype: DType, _ dims: Dim...) -> TensorType { TensorType(dtype, Shape(dims)) }

@Test func lowersChainExample() throws {
    let g = try #require(lowerSource(chainSource).graph)
    #expect(g.name == "chain")
    #expect(g.dtype == .f64)
    #expect(g.inputs.map(\.name) == ["x", "y"])
    #expect(g.params.map(\.name) == ["w1", "w2"])
    #expect(g[g.params[0].node].op == .param("w1", .fill(0.5)))
    let loss = try #require(g.output(named: "loss"))
    #expect(g[loss].op == .binary(.power))
    #expect(g[loss].type == type(.f64))
    #expect(g[loss].name == "loss")
    #expect(g[g[loss].inputs[1]].op == .constant([2]))
    let z = try #require(g.node(named: "z"))
    #expect(g[z].op == .binary(.multiply))
    #expect(g[z].inputs == [g.params[0].node, g.inputs[0].node])
}

@Test func lowersXorWithInlinedFn() throws {
    let (graph, ds, file) = lowerSource(xorSource)
    #expect(ds.isEmpty)
    let g = try #require(graph)
    #expect(g.dtype == .f32)
    #expect(g.outputs.map(\.name) == ["loss", "acc"])
    let h = try #require(g.node(named: "h"))
    #expect(g[h].type == type(.f32, "B", 8))
    #expect(g[h].op == .unary(.tanh))
    let dense = g[g[h].inputs[0]]
    #expect(dense.op == .binary(.add))
    #expect(dense.name == nil)
    #expect(g[dense.inputs[0]].op == .matmul)
    #expect(g[g.output(named: "loss")!].op == .loss(.bce))
    #expect(g[g.output(named: "acc")!].op == .accuracy)
    // Ranges: a param's range is its identifier; a value's range its expression.
    let w1 = g[g.params[0].node]
    #expect(file.lineColumn(of: w1.range.start) == (6, 9))
    #expect(file.lineColumn(of: g[h].range.start) == (11, 10))
    #expect(g.parameterCount == 2 * 8 + 8 + 8 + 1)
}

@Test func dtypeOverrideRetypesTheGraph() throws {
    let g = try #require(lowerSource(xorSource, dtype: .f64).graph)
    #expect(g.dtype == .f64)
    #expect(g.nodes.allSatisfy { $0.type.dtype == .f64 })
    let mixed = "graph g {\n input x: f32[2]\n input y: f64[2]\n z: f32[2] = x + y\n output z\n}\n"
    #expect(lowerSource(mixed).graph == nil)
    let g2 = try #require(lowerSource(mixed, dtype: .f32).graph)
    #expect(g2.nodes.allSatisfy { $0.type.dtype == .f32 })
}

@Test func nestedFnsDefinedAfterUse() throws {
    let src = """
    graph g {
      input x: f32[B, 3]
      param W: f32[3, 3] = ones
      y = block(block(x, W), W)
      output y
    }
    fn block(x, w) {
      h: f32[B, 3] = affine(x, w)
      return relu(h) + x
    }
    fn affine(a, b) { return a @ b }
    """
    let (graph, ds, _) = lowerSource(src)
    #expect(ds.isEmpty, "\(ds)")
    let g = try #require(graph)
    #expect(g.nodes.filter { $0.op == .matmul }.count == 2)
    #expect(g.nodes.filter { $0.op == .unary(.relu) }.count == 2)
    #expect(g[g.output(named: "y")!].name == "y")
    #expect(g.nodes.compactMap(\.name) == ["x", "W", "y"])
}

@Test func annotationsAreChecked() throws {
    let ok = "graph g {\n input x: f32[B, 4]\n h: f32[B, 4] = relu(x)\n s: f32[] = sum(h)\n output s\n}\n"
    #expect(lowerSource(ok).diagnostics.isEmpty)
    let inFn = "fn f(x) { h: f32[B] = x\n return h }\ngraph g {\n input x: f32[B, 4]\n y = f(x)\n output y\n}\n"
    #expect(errors(inFn) == [Located("'h' is declared f32[B] but is f32[B, 4]", 1, 14)])
}

@Test func aliasesShareTheNode() throws {
    let src = "graph g {\n input x: f32[2]\n h = x\n k = h * 2\n output h, k\n}\n"
    let g = try #require(lowerSource(src).graph)
    #expect(g.outputs.map(\.name) == ["h", "k"])
    #expect(g.output(named: "h") == g.inputs[0].node)
    #expect(g[g.output(named: "k")!].inputs[0] == g.inputs[0].node)
}

@Test func reshapeInfersMinusOne() throws {
    let src = """
    graph g {
      input x: f32[B, 28, 28]
      a = reshape(x, [-1, 784])
      b = reshape(x, [B, -1])
      c = reshape(x, [B, 14, -1, 2])
      output a, b, c
    }
    """
    let g = try #require(lowerSource(src).graph)
    #expect(g[g.output(named: "a")!].op == .reshape(["B", 784]))
    #expect(g[g.output(named: "b")!].type == type(.f32, "B", 784))
    #expect(g[g.output(named: "c")!].type == type(.f32, "B", 14, 28, 2))
}

@Test func attributesAreResolved() throws {
    let src = """
    graph g {
      input x: f32[B, 3, 4]
      a = sum(x)
      b = mean(x, axes = [-1, 0], keepdims = true)
      c = max(x, 1)
      d = transpose(x)
      e = softmax(x)
      f = maxpool2d(x, size = 2)
      h = concat([x, x], axis = -2)
      i = slice(x, axis = -1, start = 1, end = 3)
      j = pad(x, axis = 1, after = 2)
      k = leaky_relu(x)
      l = dropout(x)
      m = -3
      n = [[1, 2], [3, 4]]
      output a, b, c, d, e, f, h, i, j, k, l, m, n
    }
    """
    let (graph, ds, _) = lowerSource(src)
    #expect(ds.isEmpty, "\(ds)")
    let g = try #require(graph)
    func op(_ n: String) -> Op { g[g.output(named: n)!].op }
    func ty(_ n: String) -> TensorType { g[g.output(named: n)!].type }
    #expect(op("a") == .reduce(.sum, axes: [0, 1, 2], keepdims: false))
    #expect(op("b") == .reduce(.mean, axes: [0, 2], keepdims: true))
    #expect(ty("b") == type(.f32, 1, 3, 1))
    #expect(op("c") == .reduce(.max, axes: [1], keepdims: false))
    #expect(op("d") == .transpose([2, 1, 0]))
    #expect(op("e") == .softmax(axis: 2))
    #expect(op("f") == .pool(.max, size: 2, stride: 2))
    #expect(ty("f") == type(.f32, "B", 1, 2))
    #expect(op("h") == .concat(axis: 1))
    #expect(ty("h") == type(.f32, "B", 6, 4))
    #expect(op("i") == .slice(axis: 2, start: 1, end: 3))
    #expect(op("j") == .pad(axis: 1, before: 0, after: 2))
    #expect(op("k") == .unary(.leakyRelu(alpha: 0.01)))
    #expect(op("l") == .dropout(p: 0.5, stream: CounterRandom.key("g/0")))
    #expect(op("m") == .constant([-3]))
    #expect(op("n") == .constant([1, 2, 3, 4]))
    #expect(ty("n") == type(.f32, 2, 2))
}

@Test func paramInitialisers() throws {
    let src = """
    graph g {
      param a: f64[2] = 0.5
      param b: f64[2, 2] = [[1, 2], [3, -4]]
      param c: f64[2] = zeros
      param d: f64[2] = ones
      param e: f64[2] = he
      param f: f64[2] = xavier
      param h: f64[2] = normal(std = 0.1)
      param i: f64[2] = uniform(low = -1, high = 2)
      output a
    }
    """
    let g = try #require(lowerSource(src).graph)
    #expect(g.params.map { g[$0.node].op } == [
        .param("a", .fill(0.5)), .param("b", .literal([1, 2, 3, -4])), .param("c", .zeros), .param("d", .ones),
        .param("e", .he), .param("f", .xavier), .param("h", .normal(std: 0.1)), .param("i", .uniform(low: -1, high: 2)),
    ])
}

@Test func valuesMayBeNamedLikeOperations() throws {
    let src = "graph g {\n input x: f32[2]\n relu = x * 2\n y = relu(relu)\n output y\n}\n"
    let g = try #require(lowerSource(src).graph)
    #expect(g[g.output(named: "y")!].op == .unary(.relu))
}

@Test func outputMayPrecedeDefinition() throws {
    let src = "graph g {\n output y\n input x: f32[2]\n y = exp(x)\n}\n"
    #expect(lowerSource(src).graph?.outputs.map(\.name) == ["y"])
}

@Test func trainBlocksAreIgnored() {
    #expect(lowerSource(xorSource).diagnostics.isEmpty)
    let file = SourceFile(path: "t.nng", text: xorSource)
    #expect(checkModule(parse(file).module).isEmpty)
}

@Test func gradHookIsUsed() throws {
    let src = "graph g {\n input x: f32[]\n y = grad(x * x, x)\n output y\n}\n"
    let file = SourceFile(path: "t.nng", text: src)
    let module = parse(file).module
    let options = LoweringOptions(differentiate: { (g: inout Graph, y: NodeID, x: NodeID) throws(ShapeError) -> NodeID in
        try g.add(.stopGradient, [x])
    })
    let (graph, ds) = lowerGraph(module, options: options)
    #expect(ds.isEmpty)
    #expect(graph.map { $0[$0.output(named: "y")!].op } == .stopGradient)
}

@Test func checkModuleReportsEveryGraph() {
    let src = """
    graph a {
      input x: f32[2]
      output q
    }
    graph b {
      input x: f32[2]
      y = rleu(x)
      output y
    }
    graph a {
      input x: f32[2]
      output x
    }
    """
    #expect(errors(src, check: true) == [
        Located("unknown name 'q' in output; did you mean 'x'?", 3, 10),
        Located("unknown operation 'rleu'; did you mean 'relu'?", 7, 7),
        Located("graph 'a' is already defined", 10, 7),
    ])
}
