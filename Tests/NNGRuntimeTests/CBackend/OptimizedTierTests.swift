import Foundation
import NNGCore
import NNGIR
import NNGTrain
@testable import NNGRuntime
import Testing

/// The optimised tier (the generated C compiled by the system C compiler, see docs/c-backend.md)
/// computes the same bits as TinyCC's code: a tier swap in the middle of training changes no
/// parameter, state or loss bit; the optimised tier agrees with the interpreter like TinyCC's
/// code does; without a compiler, TinyCC's code runs.
@Suite(.serialized) struct OptimizedTierTests {
    /// A cache of this test process: the tests prove compilation, not a cache left by a run before.
    static let cacheDirectory = FileManager.default.temporaryDirectory
        .appendingPathComponent("nngc-tier-tests-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    static let compiler = OptimizingCompiler(compilerName: "cc", cacheDirectory: cacheDirectory)

    static func tier(_ policy: TierPolicy, tierUpCalls: Int = 3) -> TierOptions {
        TierOptions(policy: policy, compiler: compiler, tierUpCalls: tierUpCalls)
    }

    /// The bits of every element (f32 elements widened without change).
    static func bits(_ t: Tensor) -> [UInt64] {
        switch t.storage {
        case .f32(let x): return x.map { UInt64($0.bitPattern) }
        case .f64(let x): return x.map(\.bitPattern)
        }
    }

    /// `CTrainingStepTests.mlp` (dropout, tanh, relu, softmax cross-entropy, an L2 term) with a
    /// coefficient of its own, so that each test compiles modules no other test has swapped.
    static func model(l2: String, dtype: DType) throws -> DifferentiatedGraph {
        try CTrainingStepTests.gradientGraphOf(CTrainingStepTests.mlp.replacingOccurrences(of: "0.01 * sum", with: "\(l2) * sum"),
                                               dtype: dtype)
    }

    static let batchSizes = [5, 5, 3, 5, 5, 3, 5, 5, 5, 3, 5, 5]

    /// Trains `steps` steps (batches of 5 and a short one of 3: two modules); `before(s)` runs
    /// before step `s`. Returns the bits of every loss.
    static func train(_ t: CompiledTrainingStep, steps: Int, from first: Int = 0, dtype: DType,
                      before: (Int) -> Void = { _ in }) throws -> [UInt64] {
        var losses: [UInt64] = []
        for s in first..<(first + steps) {
            before(s)
            let b = batchSizes[s % batchSizes.count]
            let r = try t.step(inputs: CTrainingStepTests.batch(b, step: s, dtype: dtype), lr: t.optimizer.lr,
                               seed: 11, step: UInt64(s))
            losses.append(r.loss.bitPattern)
        }
        return losses
    }

    static func expectSameBits(_ a: CompiledTrainingStep, _ b: CompiledTrainingStep, _ what: String,
                               sourceLocation: SourceLocation = #_sourceLocation) {
        let pa = a.params(), pb = b.params()
        for name in pa.keys.sorted() {
            #expect(bits(pa[name]!) == bits(pb[name]!), "\(what): parameter \(name)", sourceLocation: sourceLocation)
        }
        let sa = a.state(), sb = b.state()
        #expect(sa.step == sb.step, "\(what): update count", sourceLocation: sourceLocation)
        for name in sa.slots.keys.sorted() {
            #expect(bits(sa.slots[name]!) == bits(sb.slots[name]!), "\(what): state \(name)", sourceLocation: sourceLocation)
        }
    }

    static let optimizers: [(String, OptimizerConfig)] = [
        ("nesterov", .sgd(lr: 0.1, momentum: 0.8, nesterov: true, weightDecay: 0.01)),
        ("adam", .adam(lr: 0.01)),
        ("adamw", .adamw(lr: 0.01, weightDecay: 0.1)),
    ]

    @Test(arguments: DType.allCases, 0..<optimizers.count)
    func swappingTiersAtARandomStepChangesNoBit(_ dtype: DType, _ k: Int) throws {
        let (name, optimizer) = Self.optimizers[k]
        let g = try Self.model(l2: "0.0101", dtype: dtype)
        let steps = 12
        let swapAt = Int.random(in: 1..<steps)
        let what = "\(name) \(dtype), swapped before step \(swapAt)"

        let reference = try CompiledTrainingStep(g, loss: "loss", optimizer: optimizer)
        reference.tier = Self.tier(.tinycc)
        let referenceLosses = try Self.train(reference, steps: steps, dtype: dtype)
        #expect(reference.lastTier == .tinycc)

        let tiered = try CompiledTrainingStep(g, loss: "loss", optimizer: optimizer)
        tiered.tier = Self.tier(.tinycc)
        var tiers: [CodeTier] = []
        let losses = try Self.train(tiered, steps: steps, dtype: dtype) { s in
            if s == swapAt { tiered.tier = Self.tier(.optimized) }
            if s > 0 { tiers.append(tiered.lastTier!) }
        }
        tiers.append(tiered.lastTier!)
        #expect(tiers == Array(repeating: .tinycc, count: swapAt) + Array(repeating: .optimized, count: steps - swapAt), "\(what)")
        #expect(losses == referenceLosses, "\(what): losses")
        Self.expectSameBits(tiered, reference, what)
    }

    /// The real thing: under `auto` the optimised code is compiled in the background while
    /// training goes on, and swapped in at whatever step it is ready.
    @Test func backgroundSwapDuringTrainingChangesNoBit() throws {
        let g = try Self.model(l2: "0.0102", dtype: .f32)
        let optimizer = OptimizerConfig.adam(lr: 0.01)
        let tiered = try CompiledTrainingStep(g, loss: "loss", optimizer: optimizer)
        tiered.tier = Self.tier(.auto, tierUpCalls: 1)
        var steps = 0
        var firstOptimized: Int?
        while steps < 3000 && firstOptimized == nil {
            _ = try Self.train(tiered, steps: 1, from: steps, dtype: .f32)
            steps += 1
            if tiered.lastTier == .optimized { firstOptimized = steps }
        }
        // On a very slow machine: wait, then go on for a few steps.
        if firstOptimized == nil {
            try tiered.compile(sizes: ["B": 5]).waitForOptimized(Self.compiler)
            _ = try Self.train(tiered, steps: 2, from: steps, dtype: .f32)
            steps += 2
        }
        #expect(tiered.lastTier == .optimized)
        let reference = try CompiledTrainingStep(g, loss: "loss", optimizer: optimizer)
        reference.tier = Self.tier(.tinycc)
        _ = try Self.train(reference, steps: steps, dtype: .f32)
        Self.expectSameBits(tiered, reference, "swapped after step \(firstOptimized.map(String.init) ?? "?") of \(steps)")
    }

    /// The CNN of the gallery (conv2d, pooling and their gradients, adam), swapped mid-run.
    @Test func convolutionalModelSwapChangesNoBit() throws {
        let source = """
        graph cnn {
          input spins: f32[B, 64]
          input y: f32[B, 1]
          param K1: f32[4, 1, 3, 3] = he
          param c1: f32[4, 1, 1] = 0.01
          param W1: f32[64, 8] = he
          param b1: f32[8] = zeros
          param W2: f32[8, 1] = xavier
          x = reshape(spins, [-1, 1, 8, 8])
          a = maxpool2d(relu(conv2d(x, K1, padding = 1) + c1))
          h = relu(reshape(a, [-1, 64]) @ W1 + b1)
          loss = bce_logits(h @ W2, y)
          output loss
        }
        """
        let forward = try Frontend(file: SourceFile(path: "cnn.nng", text: source)).graph(dtype: .f32)
        let g = try differentiatedGraph(forward, of: "loss", wrt: nil)
        func batch(_ s: Int) -> [String: Tensor] {
            let x = (0..<(6 * 64)).map { i in CounterRandom.uniform(seed: 5, step: UInt64(s), stream: 1, index: UInt64(i)) < 0.5 ? -1.0 : 1.0 }
            let y = (0..<6).map { i in Double((i + s) % 2) }
            return ["spins": Tensor(shape: [6, 64], values: x, dtype: .f32), "y": Tensor(shape: [6, 1], values: y, dtype: .f32)]
        }
        let steps = 10, swapAt = Int.random(in: 1..<10)
        let reference = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        reference.tier = Self.tier(.tinycc)
        let tiered = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        tiered.tier = Self.tier(.tinycc)
        for s in 0..<steps {
            if s == swapAt { tiered.tier = Self.tier(.optimized) }
            let a = try reference.step(inputs: batch(s), lr: 0.01, seed: 1, step: UInt64(s))
            let b = try tiered.step(inputs: batch(s), lr: 0.01, seed: 1, step: UInt64(s))
            #expect(a.loss.bitPattern == b.loss.bitPattern, "step \(s), swapped at \(swapAt)")
        }
        #expect(tiered.lastTier == .optimized)
        Self.expectSameBits(tiered, reference, "cnn swapped before step \(swapAt)")
    }

    /// Without a compiler (`NNGC_CC` naming a missing one), TinyCC's code runs, and says why.
    @Test func withoutACompilerTinyCCRuns() throws {
        let missing = OptimizingCompiler(compilerName: "/nonexistent/nngc-cc", cacheDirectory: Self.cacheDirectory)
        #expect(missing.compiler == nil)
        let g = try Self.model(l2: "0.0103", dtype: .f64)
        let t = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        t.tier = TierOptions(policy: .optimized, compiler: missing)
        let losses = try Self.train(t, steps: 6, dtype: .f64)
        #expect(t.lastTier == .tinycc)
        let summary = try t.compile(sizes: ["B": 5]).tierSummary(t.tier)
        #expect(summary == "tinycc (optimised tier: unavailable: no C compiler '/nonexistent/nngc-cc')")
        let reference = try CompiledTrainingStep(g, loss: "loss", optimizer: .adam(lr: 0.01))
        reference.tier = Self.tier(.tinycc)
        #expect(try Self.train(reference, steps: 6, dtype: .f64) == losses)
        #expect(losses.allSatisfy { Double(bitPattern: $0).isFinite })
    }

    /// The cache: a shared object and the exact text it was compiled from, renamed into place
    /// (no temporary files left); a new module of the same code loads it at its first call;
    /// concurrent compilations of one source both succeed.
    @Test func compiledCodeIsCachedOnDisk() throws {
        let dir = Self.cacheDirectory.appendingPathComponent("cache-test")
        let compiler = OptimizingCompiler(compilerName: "cc", cacheDirectory: dir)
        let source = try CompiledGraph.cSource(for: try Self.model(l2: "0.0104", dtype: .f32).graph, sizes: ["B": 2])
        #expect(compiler.cachedSharedObject(source) == nil)
        let group = DispatchGroup()
        let results = Results()
        for _ in 0..<2 {
            DispatchQueue.global().async(group: group) {
                do { results.add(try compiler.compileToCache(source).path) } catch { results.add("error: \(error)") }
            }
        }
        group.wait()
        let paths = results.values
        #expect(paths.count == 2 && Set(paths).count == 1 && paths[0].hasSuffix(".so"), "\(paths)")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(files.count == 2 && files.filter { $0.hasSuffix(".so") }.count == 1 && files.filter { $0.hasSuffix(".c") }.count == 1,
                "\(files)")
        let text = try String(contentsOf: dir.appendingPathComponent(files.first { $0.hasSuffix(".c") }!), encoding: .utf8)
        #expect(text.hasSuffix(source))
        #expect(compiler.cachedSharedObject(source)?.path == paths.first)

        let fresh = OptimizedCode(source: source)
        fresh.noteCall(TierOptions(policy: .auto, compiler: compiler, tierUpCalls: 100))
        #expect(fresh.isReady)
        #expect(fresh.summary == "loaded from the cache")
        #expect(fresh.entry("nngc_forward") != nil)
        // Another compiler (here: other flags) is another key.
        var other = compiler
        other.flags.append("-DNNGC_OTHER")
        #expect(other.cachedSharedObject(source) == nil)
    }

    /// Every external of the prelude goes through the pointer table, except those the optimiser
    /// may expand; both lists come from the one table TinyCC uses.
    @Test func externalsComeFromTheOneTable() {
        let all = Set(CExternals.prototypes.map(\.name))
        #expect(Set(SharedObjectModule.indirectExternals).union(SharedObjectModule.builtinExternals.intersection(all)) == all)
        #expect(SharedObjectModule.indirectExternals.contains("cblas_sgemm"))
        #expect(SharedObjectModule.indirectExternals.contains("expf"))
        #expect(!SharedObjectModule.indirectExternals.contains("sqrtf"))
    }

    // MARK: Differential: optimised tier vs TinyCC (bits) and the interpreter (contract section 10)

    static func expectTiersAgree(_ graph: Graph, inputs: [String: Tensor], params: [String: Tensor], options: RunOptions,
                                 _ what: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let tinycc = CompiledGraph(graph: graph)
        tinycc.tier = tier(.tinycc)
        let optimized = CompiledGraph(graph: graph)
        optimized.tier = tier(.optimized)
        let reference = try Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)
        let a = try tinycc.outputs(inputs: inputs, params: params, options: options)
        let b = try optimized.outputs(inputs: inputs, params: params, options: options)
        let binding = try graph.symbolBindings(inputs: inputs, params: params, options: options)
        #expect(try optimized.module(sizes: binding).tierSummary(optimized.tier).hasPrefix("optimized"), "\(what)",
                sourceLocation: sourceLocation)
        for ((r, x), y) in zip(zip(reference, a), b) {
            #expect(bits(x.value) == bits(y.value), "\(what) \(r.name): TinyCC vs optimised", sourceLocation: sourceLocation)
            let e = r.value.doubles, o = y.value.doubles
            let tol = backendTolerance(graph.dtype) * max(1, e.filter(\.isFinite).map(abs).max() ?? 1)
            let worst = zip(e, o).map { $0 == $1 || ($0.isNaN && $1.isNaN) ? 0 : abs($0 - $1) }.max() ?? 0
            #expect(worst <= tol, "\(what) \(r.name): interpreter vs optimised, \(worst) > \(tol)", sourceLocation: sourceLocation)
        }
    }

    /// Random graphs of `RandomGraphTests` (every kind of operation, both dtypes, dropout on).
    @Test func randomGraphs() throws {
        for seed in UInt64(0)..<40 {
            let b = try RandomGraphBuilder.make(seed: seed)
            let options = RunOptions(seed: seed, step: 3, training: true)
            try Self.expectTiersAgree(b.g, inputs: b.feeds, params: [:], options: options, "seed \(seed) (\(b.g.dtype))")
        }
    }

    /// Every gallery graph with its gradients, f32 and f64.
    @Test(arguments: GalleryDifferentialTests.files)
    func galleryGraphs(_ name: String) throws {
        let frontend = try Frontend.load(path: GalleryDifferentialTests.graphsFolder.appendingPathComponent(name).path)
        for decl in frontend.module.graphs {
            for dtype in DType.allCases {
                let forward = try frontend.graph(named: decl.name.name, dtype: dtype)
                let sizes = Dictionary(uniqueKeysWithValues: forward.symbols.map { ($0, 3) })
                var graph = forward
                if let loss = try? frontend.differentiatedOutput(of: forward),
                   let withGradients = try? gradientGraph(forward, of: loss, wrt: nil) {
                    graph = withGradients
                }
                var (inputs, params, options) = gradientCheckFeeds(graph: graph, inputs: [:], params: [:], seed: 7,
                                                                   options: RunOptions(symbolSizes: sizes))
                (options.step, options.training) = (3, true)
                if (try? Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)) == nil { continue }
                try Self.expectTiersAgree(graph, inputs: inputs, params: params, options: options, "\(name)/\(decl.name.name) \(dtype)")
            }
        }
    }
}

/// Strings collected from several threads.
private final class Results: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [String] = []
    func add(_ s: String) { lock.lock(); list.append(s); lock.unlock() }
    var values: [String] { lock.lock(); defer { lock.unlock() }; return list }
}
