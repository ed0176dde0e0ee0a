import Testing
import NNGCore
import NNGIR
import NNGLang

/// `linspace(start, end, count)` in a graph: a constant f[count] (Lowering+Linspace.swift).
@Suite struct LinspaceTests {
    @Test func isAConstantOfEvenlySpacedPoints() throws {
        let src = """
        graph g {
          input x: f64[]
          a = linspace(0, 1, 5)
          b = linspace(-2, 2 * 3, 1)
          c = linspace(start = 1, end = -1, count = 3) * x
          output a, b, c
        }
        """
        let (graph, ds, _) = lowerSource(src)
        #expect(ds.isEmpty, "\(ds)")
        let g = try #require(graph)
        #expect(g[g.output(named: "a")!].op == .constant([0, 0.25, 0.5, 0.75, 1]))
        #expect(g[g.output(named: "a")!].type == TensorType(.f64, Shape([.known(5)])))
        #expect(g[g.output(named: "b")!].op == .constant([-2]))
        let c = g[g.output(named: "c")!]
        #expect(g[c.inputs[0]].op == .constant([1, 0, -1]))
    }

    /// The points are those of a data source's linspace, the last one exactly `end`.
    @Test func pointsMatchTheDataSourcesLinspace() throws {
        let (graph, _, _) = lowerSource("graph g {\n  a = linspace(0.1, 0.7, 7)\n  output a\n}")
        let g = try #require(graph)
        #expect(g[g.output(named: "a")!].op == .constant(Linspace(0.1, 0.7, 7).values))
        #expect(Linspace(0.1, 0.7, 7).values.last == 0.7)
    }

    /// The count may be a size bound before checking (`--size M=4`).
    @Test func countMayBeABoundSize() throws {
        let file = SourceFile(path: "t.nng", text: "graph g {\n  a = linspace(0, 3, M)\n  output a\n}")
        let (module, _) = parse(file)
        let (graph, ds) = lowerGraph(module, options: LoweringOptions(sizes: ["M": 4]))
        #expect(ds.isEmpty, "\(ds)")
        let g = try #require(graph)
        #expect(g[g.output(named: "a")!].op == .constant([0, 1, 2, 3]))
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        var call: String
        var expected: Located
        var testDescription: String { call }
    }

    static let bad: [Bad] = [
        Bad(call: "linspace(0, 1, 0)", expected: Located("'count' of 'linspace' must be a positive integer, got 0", 3, 22)),
        Bad(call: "linspace(0, 1)", expected: Located("missing argument 'count' for 'linspace'", 3, 7)),
        Bad(call: "linspace(0, x, 3)", expected: Located("'end' of 'linspace' must be a number literal", 3, 19)),
        Bad(call: "linspace(0, 1/0, 3)", expected: Located("'end' of 'linspace' must be finite, got inf", 3, 19)),
        Bad(call: "linspace(0, 1, M)", expected: Located("'count' of 'linspace' must be an integer or a bound size (--size M=N), got M", 3, 22)),
        Bad(call: "linspace(0, 1, 100000000)", expected: Located("'count' of 'linspace' is 100000000, more than the 16777216 elements a constant may have", 3, 22)),
    ]

    @Test(arguments: bad) func refused(_ c: Bad) {
        #expect(errors("graph g {\n  input x: f64[]\n  a = \(c.call)\n  output a\n}") == [c.expected])
    }

    /// A fn may not be called linspace (it is an operation's name).
    @Test func isAnOperationName() {
        #expect(operationNames.contains("linspace"))
    }
}
