import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// softsign(x) = x / (1 + |x|), the worked example of adding an operation
/// (docs/architecture.md): one row of the scalar-op table, and this file.
@Suite struct SoftsignTests {
    static let source = """
        graph g {
          input x: f64[5]
          y = softsign(x)
          output y
        }
        """
    static let xs: [Double] = [-3, -0.5, 0, 1, 1e30]  // 1 + 1e30 rounds to 1e30 in f32 and f64

    @Test(arguments: DType.allCases)
    func valuesAreTheClosedForm(dtype: DType) throws {
        let y = try apply(.unary(.softsign), [Arg([5], Self.xs)], shape: [5], dtype: dtype)
        expectClose(y, [5], [-0.75, -1.0 / 3, 0, 0.5, 1], dtype: dtype)
    }

    @Test(arguments: DType.allCases)
    func cIsBitIdenticalToTheInterpreter(dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [64], low: -8, high: 8)
        g.output(g.op(.unary(.softsign), [x], [64]))
        try expectBackendsAgree(g, exact: true)
    }

    @Test func gradientMatchesFiniteDifferences() throws {
        // d/dx softsign = 1 / (1 + |x|)²; sampled away from the kink of |x| at 0.
        try expectGradCheck(weighted("  input a: f64[2, 3]", "softsign(a)", shape: "[2, 3]"), lo: 0.1, hi: 3)
        try expectGradCheck(weighted("  input a: f64[2, 3]", "softsign(a)", shape: "[2, 3]"), lo: -3, hi: -0.1)
    }

    @Test func gradientIsTheClosedForm() throws {
        var g = try lowered(Self.source)
        let y = g.outputs[0].node
        let total = try g.add(.reduce(.sum, axes: [0], keepdims: false), [y])
        let dx = try differentiate(&g, output: total, wrt: [g.inputs[0].node])[0]
        g.outputs = [("dx", dx)]
        let x = Tensor(shape: [5], values: Self.xs, dtype: .f64)
        let out = try Interpreter(graph: g).outputs(inputs: ["x": x], params: [:], options: RunOptions())
        #expect(out[0].value.doubles == [1.0 / 16, 1.0 / 2.25, 1, 0.25, 1 / (1e30 * 1e30)])
    }

    @Test func printsAndReparsesAndFolds() throws {
        let g = try lowered(Self.source)
        #expect(printGraph(g).contains("y: f64[5] = softsign(x)"))
        #expect(try lowered(printGraph(g)).nodes.map(\.op) == g.nodes.map(\.op))
        // Constants fold: softsign is correctly rounded IEEE arithmetic.
        let folded = simplify(try lowered("graph c {\n  y = softsign(-3)\n  output y\n}"))
        #expect(folded.nodes.map(\.op) == [.constant([-0.75])])
    }
}
