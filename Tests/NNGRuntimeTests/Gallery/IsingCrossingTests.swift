import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

/// The level crossings `nngc eval --by T --crossing p=0.5` reports (the T_c estimate of the
/// Ising classifiers), and grouped evaluation on both backends.
@Suite struct IsingCrossingTests {
    @Test func crossingsInterpolateLinearly() {
        let falling = [(x: 2.2, y: 0.7), (x: 2.3, y: 0.3)]
        #expect(abs(levelCrossings(falling, level: 0.5)[0] - 2.25) < 1e-12)
        #expect(levelCrossings(falling, level: 0.9).isEmpty)
        // A point exactly at the level counts once, not again from the neighbouring segments.
        #expect(levelCrossings([(0, 1), (1, 0.5), (2, 0)], level: 0.5) == [1])
        // Several crossings, in order.
        #expect(levelCrossings([(0, 0), (1, 1), (2, 0)], level: 0.5) == [0.5, 1.5])
        #expect(levelCrossings([], level: 0).isEmpty)
    }

    @Test(arguments: [BackendKind.c, .interp])
    func groupsAreSortedAndSummarised(_ backend: BackendKind) throws {
        let (module, _) = NNGLang.parse(SourceFile(path: "g.nng", text: """
        graph g {
          input x: f64[B, 1]
          y = 2 * x
          n = sum(x * 0 + 1)
          output y, n
        }
        """))
        let (graph, diagnostics) = lowerGraph(module, graphName: "g")
        let g = try #require(graph, "\(diagnostics)")
        let data = Dataset(columns: ["x": Tensor(shape: [5, 1], values: [3, 1, 3, 1, 2], dtype: .f64),
                                     "k": Tensor(shape: [5], values: [30, 10, 30, 10, 20], dtype: .f64)], count: 5)
        let e = try GroupedEvaluation.run(graph: g, data: data, by: "k", params: [:], backend: backend, options: RunOptions())
        #expect(e.groups.map(\.key) == [10, 20, 30])
        #expect(e.groups.map(\.count) == [2, 1, 2])
        #expect(e.groups.map { $0.value("y") } == [2, 4, 6])
        #expect(e.groups.map { $0.value("n") } == [2, 1, 2])
        #expect(e.groups[2].samples["y"] == [6, 6])
        #expect(e.crossings(of: "y", level: 5) == [25])
    }
}
