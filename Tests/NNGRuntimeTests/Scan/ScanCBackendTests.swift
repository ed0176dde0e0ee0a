import NNGCore
import NNGIR
import NNGTrain
import NNGLang
@testable import NNGRuntime
import Testing

/// The C backend's loop against the interpreter: outputs and gradients, both dtypes, the fused
/// training step, run-time errors in a body, and generated C that does not grow with the length.
@Suite struct ScanCBackendTests {
    static let sources = [ScanGradientTests.rnn, ScanGradientTests.lstm, ScanGradientTests.perStep, ScanGradientTests.decoder,
                          ScanInterpreterTests.sums]

    func feeds(_ g: Graph) -> [String: Tensor] {
        var inputs: [String: Tensor] = [:]
        for (name, id) in g.inputs {
            inputs[name] = randomT(g.nodes[id].type.shape.concrete!, seed: name).converted(to: g.dtype)
        }
        return inputs
    }

    @Test(arguments: DType.allCases, 0..<sources.count)
    func outputsAndGradientsAgreeWithTheInterpreter(_ dtype: DType, _ k: Int) throws {
        let forward = try lowered(Self.sources[k], dtype: dtype)
        let graphs = forward.outputs.contains { $0.name == "loss" } ? [forward, try gradientGraph(forward, of: "loss", wrt: nil)] : [forward]
        for g in graphs {
            var c = CGraph(dtype)
            c.graph = g
            c.feeds = feeds(g)
            c.params = ParameterInitializer.initialValues(of: g, seed: 4)
            try expectBackendsAgree(c)
        }
    }

    @Test func secondOrderGradientGraphRunsInC() throws {
        let g = try lowered("""
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
        """)
        var c = CGraph(.f64)
        c.graph = try gradientGraph(g, of: "loss", wrt: nil)
        c.feeds = feeds(g)
        c.params = ParameterInitializer.initialValues(of: g, seed: 4)
        try expectBackendsAgree(c)
    }

    @Test(arguments: DType.allCases)
    func theFusedTrainingStepIncludesTheLoop(_ dtype: DType) throws {
        let forward = try Frontend(file: SourceFile(path: "t.nng", text: ScanGradientTests.lstm)).graph(dtype: dtype)
        let g = try differentiatedGraph(forward, of: "loss", wrt: nil)
        let config = OptimizerConfig.adam(lr: 0.01)
        let compiled = try CompiledTrainingStep(g, loss: "loss", optimizer: config)
        var params = ParameterInitializer.initialValues(of: g.graph, seed: 5)
        compiled.setParams(params)
        var state = OptimizerState.initial(config, params: params)
        for s in 0..<3 {
            let inputs = ["xs": randomT([5, 2, 2], seed: "xs\(s)").converted(to: dtype)]
            let values = try Interpreter(graph: g.graph).outputs(inputs: inputs, params: params, options: RunOptions(step: UInt64(s), training: true))
            var byName: [String: Tensor] = [:]
            for (n, v) in values { byName[n] = v }
            var grads: [String: Tensor] = [:]
            for p in params.keys { grads[p] = byName["dloss_d\(p)"] }
            update(params: &params, grads: grads, state: &state, lr: config.lr)
            let result = try compiled.step(inputs: inputs, lr: config.lr, seed: 0, step: UInt64(s))
            CTrainingStepTests.expectClose(.scalar(result.loss, dtype: dtype), byName["loss"]!, "step \(s) loss")
            let after = compiled.params()
            for (p, v) in params { CTrainingStepTests.expectClose(after[p]!, v, "\(dtype) step \(s) param \(p)") }
        }
    }

    @Test func aFailureInTheBodyIsReportedInTheBodyByBothBackends() throws {
        let source = """
        fn f(s, k) { return s + one_hot(k, classes = 2) }
        graph g {
          input ks: f64[3]
          s0 = broadcast(0, [2])
          out = scan(f, s0, ks, final = true)
          output out
        }
        """
        let g = try lowered(source)
        let feed = ["ks": tensorT([3], [0, 1, 5])]
        var diagnostics: [Diagnostic] = []
        for backend in [BackendKind.c, .interp] {
            do {
                _ = try backend.outputs(of: g, inputs: feed, params: [:], options: RunOptions())
                Issue.record("\(backend): no error")
            } catch {
                diagnostics.append(error.diagnostics[0])
            }
        }
        // The same message on both backends (the fuzzer's invariant), at the operation in the body.
        #expect(diagnostics.map(\.message) == ["one_hot label 5 is outside [0, 2)", "one_hot label 5 is outside [0, 2)"])
        #expect(diagnostics.allSatisfy { g.file!.lineColumn(of: $0.range.start).line == 1 })
        #expect(diagnostics[0].notes == ["note: in the scan at line 5"])
    }

    /// The C of a scan is the same text for any length but the loop bound.
    @Test func generatedCDoesNotGrowWithTheLength() throws {
        func cSource(_ length: Int) throws -> String {
            let source = ScanGradientTests.rnn.replacingOccurrences(of: "f64[2, 4, 3]", with: "f64[2, \(length), 3]")
            let g = try gradientGraph(try lowered(source), of: "loss", wrt: nil)
            return try CCodeGenerator(graph: g, sizes: [:]).generate().source
        }
        let short = try cSource(20), long = try cSource(2000)
        #expect(short.split(separator: "\n").count == long.split(separator: "\n").count)
        #expect(abs(short.utf8.count - long.utf8.count) < short.utf8.count / 100)
    }
}
