import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Interpreter vs generated C for the gradient operations autodiff emits.
@Suite struct CGradientOpTests {
    @Test(arguments: DType.allCases)
    func argmaxMaskAndErf(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [3, 4, 2], values: (0..<24).map { Double(($0 * 7) % 5) })
        g.output(g.op(.argmaxMask(axes: [1]), [x], [3, 4, 2]))
        g.output(g.op(.argmaxMask(axes: [0, 2]), [x], [3, 4, 2]))
        g.output(g.op(.argmaxMask(axes: [0, 1, 2]), [x], [3, 4, 2]))
        g.output(g.op(.unary(.erf), [x], [3, 4, 2]))
        try expectBackendsAgree(g, exact: dtype == .f64)
    }

    @Test(arguments: DType.allCases, [(1, 0), (2, 1), (1, 2), (3, 1), (2, 0)])
    func convolutionGradients(_ dtype: DType, _ sp: (Int, Int)) throws {
        let (s, p) = sp
        var g = CGraph(dtype)
        let (n, c, h, w, k, r) = (2, 3, 6, 5, 4, 3)
        let oh = (h + 2 * p - r) / s + 1, ow = (w + 2 * p - r) / s + 1
        let x = g.input("x", [.known(n), .known(c), .known(h), .known(w)])
        let kw = g.input("w", [.known(k), .known(c), .known(r), .known(r)])
        let gy = g.input("g", [.known(n), .known(k), .known(oh), .known(ow)])
        g.output(g.op(.conv2dGradInput(stride: s, padding: p, height: h, width: w), [gy, kw], Shape([n, c, h, w])))
        g.output(g.op(.conv2dGradWeight(stride: s, padding: p, height: r, width: r), [x, gy], Shape([k, c, r, r])))
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases)
    func poolingGradients(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 5, 4], values: (0..<120).map { Double(($0 * 11) % 7) })
        let gp = g.input("gp", [2, 3, 2, 2])
        let gq = g.input("gq", [2, 3, 4, 3])
        let u = g.input("u", [2, 3, 5, 4])
        g.output(g.op(.maxPoolGrad(size: 2, stride: 2), [x, gp], [2, 3, 5, 4]))
        g.output(g.op(.maxPoolGrad(size: 2, stride: 1), [x, gq], [2, 3, 5, 4]))
        g.output(g.op(.maxPoolSelect(size: 2, stride: 1), [x, u], [2, 3, 4, 3]))
        g.output(g.op(.avgPoolGrad(size: 2, stride: 2, height: 5, width: 4), [gp], [2, 3, 5, 4]))
        g.output(g.op(.avgPoolGrad(size: 2, stride: 1, height: 5, width: 4), [gq], [2, 3, 5, 4]))
        try expectBackendsAgree(g, exact: true)
    }
}
