import Testing
import NNGCore
import NNGIR
import NNGLang

// Sizes are parameters: dimension arithmetic in types and shapes, sizes fixed before checking
// (`--size`, `ising(L = N)`), product dimensions for what stays symbolic.

private func lowered(_ source: String, sizes: [String: Int] = [:]) -> (graph: Graph?, errors: [Located]) {
    let file = SourceFile(path: "test.nng", text: source)
    let (module, parseDiagnostics) = parse(file)
    if !parseDiagnostics.isEmpty {
        return (nil, parseDiagnostics.map { Located($0.message, $0.position(in: file)?.line ?? 0, $0.position(in: file)?.column ?? 0) })
    }
    let (g, ds) = lowerGraph(module, options: LoweringOptions(sizes: sizes))
    return (g, ds.map { Located($0.message, $0.position(in: file)?.line ?? 0, $0.position(in: file)?.column ?? 0) })
}

private func types(_ g: Graph) -> [String: String] {
    Dictionary(uniqueKeysWithValues: g.nodes.compactMap { n in n.name.map { ($0, n.type.description) } })
}

private let lattice = """
graph g {
  input spins: f32[B, L*L]
  param W1: f32[L*L, 8] = he
  param W2: f32[8*(L/2)*(L/2), 3] = xavier
  param c: f32[L^2 - L + 1] = zeros
  x = reshape(spins, [-1, 1, L, L])
  h = spins @ W1
  a = reshape(maxpool2d(broadcast(x, [B, 8, L, L])), [-1, 8*(L/2)*(L/2)]) @ W2
  output h, a, c
}
"""

@Test func boundSizesMakeEveryShapeConcrete() throws {
    let (g, errors) = lowered(lattice, sizes: ["L": 4])
    #expect(errors.isEmpty, "\(errors)")
    let graph = try #require(g)
    let t = types(graph)
    #expect(t["spins"] == "f32[B, 16]")
    #expect(t["W1"] == "f32[16, 8]")
    #expect(t["W2"] == "f32[32, 3]")
    #expect(t["c"] == "f32[13]")
    #expect(t["x"] == "f32[B, 1, 4, 4]")
    #expect(t["h"] == "f32[B, 8]")
    #expect(t["a"] == "f32[B, 3]")
    #expect(graph.sizes == ["L": 4])
    #expect(graph.declaredInputTypes == ["spins": "f32[B, L*L]"])
    #expect(graph.parameterCount == 16 * 8 + 32 * 3 + 13)
}

@Test func unboundSymbolsStayProducts() throws {
    let (g, errors) = lowered("""
    graph g {
      input x: f64[B, 2]
      input s: f64[K, 3*K]
      y = reshape(x, [-1])
      z: f64[2*B] = y * 2
      q = reshape(s, [-1])
      r = reshape(q, [K, -1])
      output z, q, r
    }
    """)
    #expect(errors.isEmpty, "\(errors)")
    let t = types(try #require(g))
    #expect(t["y"] == "f64[2*B]")
    #expect(t["z"] == "f64[2*B]")
    #expect(t["q"] == "f64[3*K*K]")
    #expect(t["r"] == "f64[K, 3*K]")
}

@Test func sizeErrorsPointAtTheDimension() {
    #expect(lowered(lattice).errors == [
        Located("parameter 'W1' is f32[L*L, 8]: the size of 'L' is not bound; give --size L=N, or a data source that binds it", 3, 17),
        Located("dimension 8*(L/2)*(L/2) needs the size of 'L': give --size L=N, or a data source that binds it (only products such as 2*L can stay symbolic)", 4, 17),
        Located("dimension L^2-L+1 needs the size of 'L': give --size L=N, or a data source that binds it (only products such as 2*L can stay symbolic)", 5, 16),
        Located("maxpool2d needs concrete sizes on the last two axes, got f32[B, 8, L, L]", 8, 15),
    ])
    #expect(lowered(lattice, sizes: ["L": 5]).errors == [
        Located("dimension L/2 is 5/2, not a whole number", 4, 21),
        Located("dimension L/2 is 5/2, not a whole number", 8, 63),
    ])
    #expect(lowered("graph g {\n  input x: f32[B - 3]\n  output x\n}", sizes: ["B": 2]).errors
            == [Located("a dimension must be a positive integer, got -1", 2, 16)])
    #expect(lowered("graph g {\n  input x: f32[relu(B)]\n  output x\n}").errors
            == [Located("a dimension must be built from whole numbers, symbols and + - * / ^, found a call of 'relu'", 2, 16)])
    #expect(lowered("graph g {\n  input x: f32[2, 3]\n  y = reshape(x, [L + 1])\n  output y\n}").errors
            == [Located("dimension L+1 needs the size of 'L': give --size L=N, or a data source that binds it (only products such as 2*L can stay symbolic)", 3, 19)])
}

@Test func printedGraphsWithProductsReadBack() throws {
    let (g, errors) = lowered("""
    graph g {
      input x: f64[B, 2]
      y = reshape(x, [-1])
      z = broadcast(reshape(y, [2*B, 1]), [2*B, 3])
      output z
    }
    """)
    #expect(errors.isEmpty)
    let text = printGraph(try #require(g))
    #expect(text == """
    graph g {
      input x: f64[B, 2]
      y: f64[2*B] = reshape(x, [2*B])
      t1: f64[2*B, 1] = reshape(y, [2*B, 1])
      z: f64[2*B, 3] = broadcast(t1, [2*B, 3])
      output z
    }

    """)
    let (g2, errors2) = lowered(text)
    #expect(errors2.isEmpty, "\(errors2)")
    #expect(printGraph(try #require(g2)) == text)
}

private func module(_ text: String) -> Module { parse(SourceFile(path: "test.nng", text: text)).module }

@Test func isingSourcesBindL() {
    let graph = "graph g {\n  input spins: f32[B, L*L]\n  output spins\n}\n"
    let one = module(graph + "train {\n  data = ising(L = 8, samples = 2)\n  test = [ising(8)]\n  epochs = 1\n}\n")
    #expect(graphSizes(one, graphName: nil, overrides: [:]).sizes == ["L": 8])
    #expect(graphSizes(one, graphName: nil, overrides: ["L": 32]).sizes == ["L": 32])
    let defaulted = module(graph + "train {\n  data = ising(samples = 2)\n  epochs = 1\n}\n")
    #expect(graphSizes(defaulted, graphName: nil, overrides: [:]).sizes == ["L": 16])
    let conflict = module(graph + "train {\n  data = ising(L = 8)\n  test = ising(L = 4)\n  epochs = 1\n}\n")
    let (_, ds) = graphSizes(conflict, graphName: nil, overrides: [:])
    #expect(ds.map(\.message) == ["size 'L' is 4 here but 8 at line 6: a graph has one L (give --size L=N to choose)"])
    #expect(ds.first?.position(in: conflict.file)?.line == 7)
    #expect(graphSizes(conflict, graphName: nil, overrides: ["L": 4]).diagnostics.isEmpty)
    #expect(checkModule(one).isEmpty)
    #expect(checkModule(conflict).map(\.message) == ds.map(\.message))
}
