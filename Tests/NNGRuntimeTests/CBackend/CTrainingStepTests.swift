import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import Testing

/// The fused C training step against the reference: the interpreter on the gradient graph
/// (forward + backward) followed by the Swift optimizer update, step after step.
@Suite struct CTrainingStepTests {
    static let mlp = """
    graph mlp {
      input x: f64[B, 4]
      input y: f64[B, 3]
      param W1: f64[4, 6] = xavier
      param b1: f64[6] = 0.1
      param W2: f64[6, 3] = xavier
      param b2: f64[3] = zeros
      h = dropout(tanh(x @ W1 + b1), p = 0.25)
      z = relu(h) @ W2 + b2
      loss = cross_entropy(z, y) + 0.01 * sum(W1 * W1)
      acc = accuracy(softmax(z), y)
      output loss, acc, z
    }
    """

    static let optimizers: [(String, OptimizerConfig)] = [
        ("sgd", .sgd(lr: 0.1)),
        ("momentum", .sgd(lr: 0.1, momentum: 0.9)),
        ("nesterov", .sgd(lr: 0.1, momentum: 0.8, nesterov: true)),
        ("weightDecay", .sgd(lr: 0.1, momentum: 0.5, weightDecay: 0.05)),
        ("adam", .adam(lr: 0.01)),
        ("adamL2", .adam(lr: 0.01, weightDecay: 0.1)),
        ("adamw", .adamw(lr: 0.01, weightDecay: 0.1)),
    ]

    static func gradientGraphOf(_ source: String, dtype: DType) throws -> DifferentiatedGraph {
        let forward = try Frontend(file: SourceFile(path: "t.nng", text: source)).graph(dtype: dtype)
        return try differentiatedGraph(forward, of: "loss", wrt: nil)
    }

    static func batch(_ b: Int, step: Int, dtype: DType) -> [String: Tensor] {
        let x = (0..<(b * 4)).map { i in CounterRandom.uniform(seed: 3, step: UInt64(step), stream: 1, index: UInt64(i)) * 4 - 2 }
        var y = [Double](repeating: 0, count: b * 3)
        for r in 0..<b { y[r * 3 + (r * 7 + step) % 3] = 1 }
        return ["x": Tensor(shape: [b, 4], values: x, dtype: dtype), "y": Tensor(shape: [b, 3], values: y, dtype: dtype)]
    }

    /// |a − b| ≤ tol · max(1, max |b|), per tensor (contract section 10).
    static func expectClose(_ a: Tensor, _ b: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(a.shape == b.shape, "\(what): shape", sourceLocation: sourceLocation)
        let x = a.doubles, y = b.doubles
        let tol = backendTolerance(b.dtype) * max(1, y.map(abs).max() ?? 0)
        let worst = zip(x, y).map { abs($0 - $1) }.max() ?? 0
        #expect(worst <= tol, "\(what): max difference \(worst) > \(tol)", sourceLocation: sourceLocation)
    }

    @Test(arguments: DType.allCases, 0..<optimizers.count)
    func matchesInterpreterAndSwiftOptimizer(_ dtype: DType, _ k: Int) throws {
        let (name, config) = Self.optimizers[k]
        let g = try Self.gradientGraphOf(Self.mlp, dtype: dtype)
        let compiled = try CompiledTrainingStep(g, loss: "loss", optimizer: config)
        var params = ParameterInitializer.initialValues(of: g.graph, seed: 5)
        compiled.setParams(params)
        var state = OptimizerState.initial(config, params: params)
        let interp = Interpreter(graph: g.graph)
        // Batches of 5, 5, 3 (a short last batch: another module, the same persistent arena), 5.
        for (s, b) in [5, 5, 3, 5].enumerated() {
            let inputs = Self.batch(b, step: s, dtype: dtype)
            let lr = config.lr * (s == 2 ? 0.5 : 1)
            let options = RunOptions(seed: 11, step: UInt64(s), training: true)
            let values = try interp.outputs(inputs: inputs, params: params, options: options)
            var byName: [String: Tensor] = [:]
            for (n, v) in values { byName[n] = v }
            var grads: [String: Tensor] = [:]
            for p in params.keys { grads[p] = byName["dloss_d\(p)"] }
            update(params: &params, grads: grads, state: &state, lr: lr)

            let result = try compiled.step(inputs: inputs, lr: lr, seed: 11, step: UInt64(s))
            #expect(Set(result.outputs.keys) == ["loss", "acc", "z"], "\(name)")
            Self.expectClose(.scalar(result.loss, dtype: dtype), byName["loss"]!, "\(name) \(dtype) step \(s) loss")
            for o in ["acc", "z"] { Self.expectClose(result.outputs[o]!, byName[o]!, "\(name) \(dtype) step \(s) \(o)") }
            let after = compiled.params()
            for (p, v) in params { Self.expectClose(after[p]!, v, "\(name) \(dtype) step \(s) param \(p)") }
            let cState = compiled.state()
            #expect(cState.step == state.step)
            for (slot, v) in state.slots { Self.expectClose(cState.slots[slot]!, v, "\(name) \(dtype) step \(s) state \(slot)") }
        }
    }

    /// Stopping after two steps, saving params and state, and resuming in a fresh step object
    /// gives exactly the parameters of an uninterrupted run.
    @Test func resumeIsExact() throws {
        let g = try Self.gradientGraphOf(Self.mlp, dtype: .f32)
        let a = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        for s in 0..<4 { _ = try a.step(inputs: Self.batch(4, step: s, dtype: .f32), lr: 0.01, seed: 2, step: UInt64(s)) }
        let b = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        for s in 0..<2 { _ = try b.step(inputs: Self.batch(4, step: s, dtype: .f32), lr: 0.01, seed: 2, step: UInt64(s)) }
        let saved = (b.params(), b.state().namedTensors)
        let c = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        c.setParams(saved.0)
        c.setState(OptimizerState(config: .adam(lr: 0.01), namedTensors: saved.1))
        #expect(c.state().step == 2)
        for s in 2..<4 { _ = try c.step(inputs: Self.batch(4, step: s, dtype: .f32), lr: 0.01, seed: 2, step: UInt64(s)) }
        #expect(a.params() == c.params())
        #expect(a.state() == c.state())
    }

    /// A hand-written gradient graph whose gradients are parameters and inputs themselves:
    /// loss = Σ a·b + w·x, ∂/∂a = b, ∂/∂b = a, ∂/∂w = x. The update of `a` must not be seen by
    /// the update of `b`.
    @Test(arguments: DType.allCases)
    func gradientsThatAreParametersOrInputs(_ dtype: DType) throws {
        var g = Graph(name: "alias", dtype: dtype)
        let x = g.append(Node(op: .input("x"), inputs: [], type: TensorType(dtype, []), name: "x"))
        let a = g.append(Node(op: .param("a", .fill(1)), inputs: [], type: TensorType(dtype, [3]), name: "a"))
        let b = g.append(Node(op: .param("b", .fill(2)), inputs: [], type: TensorType(dtype, [3]), name: "b"))
        let w = g.append(Node(op: .param("w", .fill(3)), inputs: [], type: TensorType(dtype, []), name: "w"))
        let ab = try g.add(.binary(.multiply), [a, b])
        let s = try g.add(.reduce(.sum, axes: [0], keepdims: false), [ab])
        let wx = try g.add(.binary(.multiply), [w, x])
        let loss = try g.add(.binary(.add), [s, wx])
        g.outputs = [("loss", loss), ("w_out", w), ("dloss_da", b), ("dloss_db", a), ("dloss_dw", x)]
        let step = try CompiledTrainingStep(gradientGraph: g, loss: "loss", optimizer: .sgd(lr: 0.5),
                                            gradients: ["a": "dloss_da", "b": "dloss_db", "w": "dloss_dw"])
        step.setParams(["a": Tensor(shape: [3], values: [1, 2, 3], dtype: dtype),
                        "b": Tensor(shape: [3], values: [4, 5, 6], dtype: dtype), "w": .scalar(3, dtype: dtype)])
        let r = try step.step(inputs: ["x": .scalar(2, dtype: dtype)], lr: 0.5)
        #expect(r.loss == 32 + 6)
        #expect(r.outputs["w_out"] == .scalar(3, dtype: dtype))   // the value before the update
        let p = step.params()
        #expect(p["a"]!.doubles == [-1, -0.5, 0] as [Double])   // a − 0.5·b
        #expect(p["b"]!.doubles == [3.5, 4, 4.5] as [Double])   // b − 0.5·a (the old a)
        #expect(p["w"]!.doubles == [2] as [Double])
        #expect(step.state().step == 1)
    }

    /// The update rule is written once (UpdateRule) and rendered to C and Swift: fed the same
    /// gradients, the C step and the Swift optimizer give the same bits, step after step. Here
    /// loss = Σ w·x, so the gradient of w is the input x itself, exactly, on both sides.
    @Test(arguments: DType.allCases, 0..<optimizers.count)
    func updateRuleIsBitIdenticalInCAndSwift(_ dtype: DType, _ k: Int) throws {
        let (name, config) = Self.optimizers[k]
        var g = Graph(name: "linear", dtype: dtype)
        let x = g.append(Node(op: .input("x"), inputs: [], type: TensorType(dtype, [7]), name: "x"))
        let w = g.append(Node(op: .param("w", .fill(0.5)), inputs: [], type: TensorType(dtype, [7]), name: "w"))
        let loss = try g.add(.reduce(.sum, axes: [0], keepdims: false), [try g.add(.binary(.multiply), [w, x])])
        g.outputs = [("loss", loss), ("grad_w", x)]
        let step = try CompiledTrainingStep(gradientGraph: g, loss: "loss", optimizer: config, gradients: ["w": "grad_w"])
        var params = ["w": Tensor(shape: [7], values: [0.3, -1.7, 2.5, 0, 1e-3, -4, 0.9], dtype: dtype)]
        step.setParams(params)
        var state = OptimizerState.initial(config, params: params)
        for s in 0..<5 {
            let values = (0..<7).map { i in CounterRandom.uniform(seed: 9, step: UInt64(s), stream: 2, index: UInt64(i)) * 6 - 3 }
            let grad = Tensor(shape: [7], values: values, dtype: dtype)
            let lr = config.lr * (1 + 0.3 * Double(s))
            _ = try step.step(inputs: ["x": grad], lr: lr, step: UInt64(s))
            update(params: &params, grads: ["w": grad], state: &state, lr: lr)
            #expect(step.params()["w"]!.storage == params["w"]!.storage, "\(name) \(dtype) step \(s)")
            for (slot, v) in state.slots { #expect(step.state().slots[slot]!.storage == v.storage, "\(name) \(dtype) \(slot)") }
        }
    }

    /// Hand-built gradient of loss = Σ (x·w − y)²: dloss/dw = 2 xᵀ(xw − y); only `w` is trained.
    @Test func handBuiltLeastSquaresConverges() throws {
        var g = Graph(name: "ls", dtype: .f64)
        let x = g.append(Node(op: .input("x"), inputs: [], type: TensorType(.f64, ["B", 2]), name: "x"))
        let y = g.append(Node(op: .input("y"), inputs: [], type: TensorType(.f64, ["B"]), name: "y"))
        let w = g.append(Node(op: .param("w", .zeros), inputs: [], type: TensorType(.f64, [2]), name: "w"))
        let frozen = g.append(Node(op: .param("frozen", .fill(7)), inputs: [], type: TensorType(.f64, []), name: "frozen"))
        let r = try g.add(.binary(.subtract), [try g.add(.matmul, [x, w]), y])
        let loss = try g.add(.binary(.add), [try g.add(.reduce(.sum, axes: [0], keepdims: false), [try g.add(.binary(.multiply), [r, r])]),
                                             try g.add(.binary(.multiply), [frozen, g.addConstant([0])])])
        let xt = try g.add(.transpose([1, 0]), [x])
        let dw = try g.add(.binary(.multiply), [g.addConstant([2]), try g.add(.matmul, [xt, r])])
        g.outputs = [("loss", loss), ("grad_w", dw)]
        let step = try CompiledTrainingStep(gradientGraph: g, loss: "loss", params: ["w"], optimizer: .sgd(lr: 0.05, momentum: 0.5),
                                            gradients: ["w": "grad_w"])
        #expect(step.reportedOutputs == ["loss"])
        let xs: [Double] = [1, 0, 0, 1, 1, 1, 2, -1]
        let ys: [Double] = [3, -1, 2, 7]   // y = 3·x0 − 1·x1
        var last = Double.infinity
        for s in 0..<200 {
            last = try step.step(inputs: ["x": Tensor(shape: [4, 2], values: xs, dtype: .f64), "y": Tensor(shape: [4], values: ys, dtype: .f64)],
                                 lr: 0.05, step: UInt64(s)).loss
        }
        #expect(last < 1e-12)
        let p = step.params()
        #expect(abs(p["w"]!.doubles[0] - 3) < 1e-6 && abs(p["w"]!.doubles[1] + 1) < 1e-6)
        #expect(p["frozen"]!.doubles == [7])
        #expect(step.state().slots.keys.sorted() == ["w.velocity"])
    }

    @Test func nonFiniteLossSkipsTheUpdate() throws {
        let source = """
        graph g {
          input x: f64[2]
          param w: f64[2] = 1
          loss = sum(log(x * w))
          output loss
        }
        """
        let g = try Self.gradientGraphOf(source, dtype: .f64)
        let step = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.1))
        let r = try step.step(inputs: ["x": Tensor(shape: [2], values: [-1, 2], dtype: .f64)], lr: 0.1)
        #expect(r.loss.isNaN)
        #expect(step.params()["w"]!.doubles == [1, 1])
        #expect(step.state().step == 0)
        _ = try step.step(inputs: ["x": Tensor(shape: [2], values: [1, 2], dtype: .f64)], lr: 0.1)
        #expect(step.state().step == 1)
    }

    @Test func diagnostics() throws {
        let g = try Self.gradientGraphOf(Self.mlp, dtype: .f64)
        #expect(throws: DiagnosticsError.self) { try CompiledTrainingStep(g, loss: "nope", optimizer: .sgd()) }
        #expect(throws: DiagnosticsError.self) { try CompiledTrainingStep(g, loss: "z", optimizer: .sgd()) }
        #expect(throws: DiagnosticsError.self) { try CompiledTrainingStep(g, loss: "loss", params: ["W9"], optimizer: .sgd()) }
        #expect(throws: DiagnosticsError.self) { try CompiledTrainingStep(g, loss: "loss", optimizer: .sgd(lr: -1)) }
        let step = try CompiledTrainingStep(g, loss: "loss", optimizer: .sgd())
        // A fed shape that does not fit is the interpreter's diagnostic, before any C runs.
        #expect(throws: DiagnosticsError.self) {
            try step.step(inputs: ["x": Tensor.zeros([2, 5], dtype: .f64), "y": Tensor.zeros([2, 3], dtype: .f64)], lr: 0.1)
        }
        #expect(throws: DiagnosticsError.self) { try step.checkedSetParams(["W1": Tensor.zeros([1], dtype: .f64)]) }
        let src = try step.cSource(sizes: ["B": 2])
        #expect(src.contains("int nngc_train_step("))
    }
}
