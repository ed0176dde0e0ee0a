import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Interpreter vs generated C, for every operation, in both dtypes.
@Suite struct CBackendDifferentialTests {
    static let unaryOps: [UnaryOp] = [.negate, .exp, .log, .sqrt, .abs, .sin, .cos, .tanh, .sigmoid, .relu,
                                      .gelu, .softplus, .step, .sign, .leakyRelu(alpha: 0.2)]

    @Test(arguments: DType.allCases)
    func unary(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [3, 4], low: -30, high: 30)
        let p = g.input("p", [3, 4], low: 0.01, high: 5)
        for op in Self.unaryOps {
            let positive = op == .log || op == .sqrt
            g.output(g.op(.unary(op), [positive ? p : x], [3, 4]))
        }
        try expectBackendsAgree(g)
    }

    /// (a shape, b shape, result shape): broadcasting in every position.
    static let broadcastCases: [([Int], [Int], [Int])] = [
        ([3, 4], [3, 4], [3, 4]), ([3, 4], [4], [3, 4]), ([4], [3, 4], [3, 4]), ([3, 1], [1, 4], [3, 4]),
        ([], [3, 4], [3, 4]), ([3, 4], [], [3, 4]), ([2, 1, 4], [3, 1], [2, 3, 4]), ([3, 1], [2, 1, 4], [2, 3, 4]),
        ([], [], []),
    ]

    @Test(arguments: DType.allCases, 0..<broadcastCases.count)
    func binary(_ dtype: DType, _ k: Int) throws {
        let (sa, sb, so) = Self.broadcastCases[k]
        var g = CGraph(dtype)
        let a = g.input("a", Shape(sa)), b = g.input("b", Shape(sb))
        let pa = g.input("pa", Shape(sa), low: 0.1, high: 3)
        for op in BinaryOp.allCases {
            g.output(g.op(.binary(op), [op == .power ? pa : a, b], Shape(so)))
        }
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases)
    func selectAndBroadcast(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let c = g.input("c", [3, 1], values: [1, 0, 2])
        let a = g.input("a", [4]), b = g.input("b", [])
        g.output(g.op(.select, [c, a, b], [3, 4]))
        let x = g.input("x", [3, 1])
        g.output(g.op(.broadcast([2, 3, 4]), [x], [2, 3, 4]))
        g.output(g.op(.stopGradient, [x], [3, 1]))
        try expectBackendsAgree(g)
    }

    /// Fused loops merge adjacent dimensions and read each broadcast operand in the innermost
    /// loop it depends on; dropout (indexed by the flat position) must see the same elements.
    @Test(arguments: DType.allCases)
    func broadcastLoopsMergeDimensions(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let a = g.input("a", [2, 1, 3, 1, 4])
        let b = g.input("b", [1, 5, 1, 1, 4])
        let c = g.input("c", [3, 1, 1])
        let d = g.input("d", [])
        let e = g.input("e", [2, 5, 1, 1, 1])
        let shape: Shape = [2, 5, 3, 1, 4]
        let s1 = g.op(.binary(.add), [a, b], shape)
        let s2 = g.op(.binary(.multiply), [s1, c], shape)
        let s3 = g.op(.binary(.subtract), [s2, d], shape)
        let s4 = g.op(.binary(.maximum), [s3, e], shape)
        g.output(g.op(.dropout(p: 0.3, stream: 7), [s4], shape))
        g.output(g.op(.binary(.divide), [e, c], [2, 5, 3, 1, 1]))
        try expectBackendsAgree(g, options: RunOptions(seed: 3, step: 1, training: true), exact: true)
    }

    @Test(arguments: DType.allCases)
    func fusedChainsAndConstants(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", ["B", 3], feed: [5, 3])
        let w = g.param("w", [3])
        let k = g.constant([0.5], [])
        let v = g.constant([1, 2, 3], [3])
        let f = g.constant([2.5], [2, 3])
        let m = g.op(.binary(.multiply), [x, w], ["B", 3])
        let s = g.op(.binary(.add), [m, k], ["B", 3])
        let t = g.op(.unary(.tanh), [s], ["B", 3])
        let u = g.op(.binary(.subtract), [t, v], ["B", 3])
        let r = g.op(.unary(.relu), [u], ["B", 3])
        let q = g.op(.binary(.multiply), [r, x], ["B", 3])
        g.output(q, "q")
        g.output(t, "t")   // an output inside a chain keeps its buffer
        g.output(f, "f")   // a constant output
        g.output(g.op(.reshape([3, "B"]), [q], [3, "B"]), "rq")
        try expectBackendsAgree(g)
        let program = try CompiledGraph.program(for: g.graph, sizes: ["B": 5])
        #expect(program.fusedKernelCount >= 1)
    }

    @Test(arguments: DType.allCases)
    func matmul(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let a = g.input("a", [3, 4]), b = g.input("b", [4, 5])
        let u = g.input("u", [4]), v = g.input("v", [4])
        g.output(g.op(.matmul, [a, b], [3, 5]))
        g.output(g.op(.matmul, [u, b], [5]))
        g.output(g.op(.matmul, [a, u], [3]))
        g.output(g.op(.matmul, [u, v], []))
        // Transposed operands read with BLAS flags.
        let bt = g.input("bt", [5, 4]), at = g.input("at", [4, 3])
        let tb = g.op(.transpose([1, 0]), [bt], [4, 5])
        let ta = g.op(.transpose([1, 0]), [at], [3, 4])
        g.output(g.op(.matmul, [a, tb], [3, 5]))
        g.output(g.op(.matmul, [ta, b], [3, 5]))
        g.output(g.op(.matmul, [ta, tb], [3, 5]))
        g.output(g.op(.matmul, [u, tb], [5]))
        try expectBackendsAgree(g)
        let program = try CompiledGraph.program(for: g.graph, sizes: [:])
        #expect(program.source.contains("112"), "a transpose flag is used")
    }

    @Test(arguments: DType.allCases)
    func shapeOps(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 4])
        g.output(g.op(.transpose([2, 0, 1]), [x], [4, 2, 3]))
        g.output(g.op(.transpose([2, 1, 0]), [x], [4, 3, 2]))
        let m = g.input("m", [3, 4])
        g.output(g.op(.transpose([1, 0]), [m], [4, 3]))
        let y = g.input("y", [2, 1, 4]), z = g.input("z", [2, 2, 4])
        g.output(g.op(.concat(axis: 1), [x, y, z], [2, 6, 4]))
        g.output(g.op(.concat(axis: 0), [x, x], [4, 3, 4]))
        g.output(g.op(.concat(axis: 2), [x, x], [2, 3, 8]))
        g.output(g.op(.slice(axis: 1, start: 1, end: 3), [x], [2, 2, 4]))
        g.output(g.op(.slice(axis: 2, start: 0, end: 1), [x], [2, 3, 1]))
        g.output(g.op(.pad(axis: 0, before: 1, after: 2), [x], [5, 3, 4]))
        g.output(g.op(.pad(axis: 2, before: 0, after: 1), [x], [2, 3, 5]))
        g.output(g.op(.reshape([6, 4]), [x], [6, 4]))
        let labels = g.input("labels", [2, 3], values: [0, 4, 2, 1, 3, 0])
        g.output(g.op(.oneHot(classes: 5), [labels], [2, 3, 5]))
        try expectBackendsAgree(g)
    }

    static let axesForms: [[Int]] = [[0], [1], [2], [0, 2], [1, 2], [0, 1, 2]]

    @Test(arguments: DType.allCases, ReduceOp.allCases)
    func reductions(_ dtype: DType, _ op: ReduceOp) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 4], low: -5, high: 5)
        for axes in Self.axesForms {
            for keep in [false, true] {
                let shape = (0..<3).compactMap { d -> Dim? in
                    axes.contains(d) ? (keep ? 1 : nil) : Dim.known([2, 3, 4][d])
                }
                g.output(g.op(.reduce(op, axes: axes, keepdims: keep), [x], Shape(shape)))
            }
        }
        let inf = -Double.infinity
        let e = g.input("e", [2, 3], values: [inf, inf, inf, 1, inf, 2])
        g.output(g.op(.reduce(op, axes: [1], keepdims: false), [e], [2]))
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases)
    func softmax(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 4], low: -50, high: 50)
        for axis in 0..<3 {
            g.output(g.op(.softmax(axis: axis), [x], [2, 3, 4]))
            g.output(g.op(.logSoftmax(axis: axis), [x], [2, 3, 4]))
        }
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases)
    func lossesAndAccuracy(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let z = g.input("z", [4, 3], low: -4, high: 4)
        let p = g.input("p", [4, 3], low: 0.05, high: 0.95)
        let t = g.input("t", [4, 3], low: 0, high: 1)
        let onehot = g.input("onehot", [4, 3], values: [1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1])
        let row = g.input("row", [3], low: 0, high: 1)
        for op in LossOp.allCases {
            g.output(g.op(.loss(op), [op == .bce ? p : z, t], []))
            g.output(g.op(.loss(op), [op == .bce ? p : z, onehot], []))
            g.output(g.op(.loss(op), [op == .bce ? p : z, row], []))   // broadcast target
        }
        g.output(g.op(.accuracy, [z, onehot], []))
        g.output(g.op(.accuracy, [p, t], []))
        let p1 = g.input("p1", [6, 1], low: 0, high: 1), t1 = g.input("t1", [6, 1], values: [0, 1, 1, 0, 1, 0])
        g.output(g.op(.accuracy, [p1, t1], []))
        g.output(g.op(.loss(.bceLogits), [p1, t1], []))
        let s1 = g.input("s1", []), s2 = g.input("s2", [], low: 0, high: 1)
        g.output(g.op(.loss(.crossEntropy), [s1, s2], []))
        g.output(g.op(.loss(.mse), [s1, s2], []))
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases, [(1, 0), (1, 1), (2, 0), (2, 1)])
    func conv2d(_ dtype: DType, _ config: (stride: Int, padding: Int)) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 6, 5])
        let w = g.param("w", [4, 3, 3, 2])
        let oh = (6 + 2 * config.padding - 3) / config.stride + 1
        let ow = (5 + 2 * config.padding - 2) / config.stride + 1
        let y = g.op(.conv2d(stride: config.stride, padding: config.padding), [x, w], [2, 4, Dim.known(oh), Dim.known(ow)])
        g.output(y)
        g.output(g.op(.unary(.relu), [y], [2, 4, Dim.known(oh), Dim.known(ow)]))
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases)
    func pooling(_ dtype: DType) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [2, 3, 6, 7])
        g.output(g.op(.pool(.max, size: 2, stride: 2), [x], [2, 3, 3, 3]))
        g.output(g.op(.pool(.average, size: 2, stride: 2), [x], [2, 3, 3, 3]))
        g.output(g.op(.pool(.max, size: 3, stride: 1), [x], [2, 3, 4, 5]))
        g.output(g.op(.pool(.average, size: 3, stride: 2), [x], [2, 3, 2, 3]))
        let y = g.input("y", [4, 4])
        g.output(g.op(.pool(.max, size: 2, stride: 2), [y], [2, 2]))
        try expectBackendsAgree(g)
    }

    @Test(arguments: DType.allCases, [false, true])
    func randomOpsGiveIdenticalSamples(_ dtype: DType, _ training: Bool) throws {
        var g = CGraph(dtype)
        let x = g.input("x", [5, 7])
        let p = g.input("p", [5, 7], low: 0, high: 1)
        g.output(g.op(.dropout(p: 0.3, stream: 11), [x], [5, 7]))
        let d = g.op(.dropout(p: 0.5, stream: 12), [x], [5, 7])
        g.output(g.op(.unary(.exp), [d], [5, 7]))
        g.output(g.op(.bernoulli(stream: 13), [p], [5, 7]))
        for (seed, step) in [(UInt64(0), UInt64(0)), (42, 3), (UInt64.max, 1 << 40)] {
            try expectBackendsAgree(g, options: RunOptions(seed: seed, step: step, training: training), exact: true)
        }
    }

    @Test(arguments: DType.allCases)
    func mlp(_ dtype: DType) throws {
        let g = Self.mlp(dtype, depth: 4, width: 16)
        try expectBackendsAgree(g)
    }

    /// x [B, width] → depth × (tanh(h @ W + b)) → softmax cross-entropy.
    static func mlp(_ dtype: DType, depth: Int, width: Int, batch: Int = 8) -> CGraph {
        var g = CGraph(dtype, name: "mlp")
        var h = g.input("x", ["B", Dim.known(width)], feed: [batch, width])
        let y = g.input("y", ["B", Dim.known(width)], feed: [batch, width], low: 0, high: 1)
        for l in 0..<depth {
            let w = g.param("W\(l)", [width, width]), b = g.param("b\(l)", [width])
            let m = g.op(.matmul, [h, w], ["B", Dim.known(width)])
            let a = g.op(.binary(.add), [m, b], ["B", Dim.known(width)])
            h = g.op(.unary(.tanh), [a], ["B", Dim.known(width)])
        }
        g.output(g.op(.loss(.crossEntropy), [h, y], []), "loss")
        g.output(g.op(.accuracy, [h, y], []), "acc")
        return g
    }
}
