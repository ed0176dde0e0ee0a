import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// One training step in generated C: forward, backward and the optimizer's in-place update of
/// every trained parameter, in one call of `int nngc_train_step(T* arena, uint64_t seed,
/// uint64_t step, double lr)` over one flat arena.
///
/// The arena persists across steps: parameters, the optimizer's state (velocity, or first and
/// second moments) and its update counter stay in it (see `TrainingArenaLayout`); only the
/// inputs of each batch are copied in, and only the loss and reported outputs are copied out.
/// Each binding of the graph's symbols (batch size) is generated and compiled once; batches of
/// different sizes share the persistent region, whose offsets do not depend on the binding.
///
/// The gradient graph is forward + backward as one graph (`differentiatedGraph(_:of:wrt:)`),
/// with the map from each trained parameter to the output holding its gradient. The other
/// outputs (the loss and what the graph reports) are returned by `step`.
///
/// When the loss of a step is not finite, nothing is updated (parameters, state and counter stay
/// as they were) and `step` returns the non-finite loss, so the caller can find its cause.
public final class CompiledTrainingStep: @unchecked Sendable {
    public let graph: Graph
    public let loss: String
    /// Trained parameters, in the graph's declaration order.
    public let trainedParams: [String]
    /// Trained parameter → the output that holds its gradient.
    public let gradientOutputs: [String: String]
    /// The outputs `step` returns: every output that is not a gradient, in graph order.
    public let reportedOutputs: [String]
    public let optimizer: OptimizerConfig
    /// Sizes of symbols that no input binds.
    public let sizes: [String: Int]
    public let persistentLayout: TrainingArenaLayout

    private let generator: TrainingStepGenerator
    /// Steps of a data-parallel job (DataParallel.current): sums over the ranks, draws random
    /// numbers by global sample index.
    private let dataParallel: Bool
    private let lock = NSLock()
    private var modules: [[String: Int]: (module: CompiledModule, program: TrainingProgram)] = [:]
    /// The compiled program of each (batch columns, batch size), with where each column goes.
    private var batchEntries: [BatchKey: BatchEntry] = [:]
    /// Which compiled code runs: TinyCC, the optimised tier, or TinyCC until the optimised code
    /// is ready. Read at each step, so changing it swaps tiers at the next step boundary.
    public var tier: TierOptions = .processDefault
    /// The tier the last step ran on.
    public private(set) var lastTier: CodeTier?
    private var memory: ArenaMemory
    private var arena: UnsafeMutableRawPointer { memory.base }
    private var capacity: Int
    private let elementSize: Int

    typealias StepF32 = @convention(c) (UnsafeMutablePointer<Float>?, UInt64, UInt64, Double) -> Int32
    typealias StepF64 = @convention(c) (UnsafeMutablePointer<Double>?, UInt64, UInt64, Double) -> Int32

    /// - Parameters:
    ///   - gradientGraph: forward + backward graph; its outputs include `loss` and the gradients.
    ///   - loss: the scalar output minimised.
    ///   - params: the parameters to train (default: every parameter of the graph).
    ///   - optimizer: the update rule and its hyper-parameters (the rate is given per step).
    ///   - sizes: sizes of symbols no input binds.
    ///   - gradients: parameter → the output holding its gradient (every trained parameter).
    ///   - initialValues: the parameters' starting values; by default their initial values
    ///     (`ParameterInitializer`, seed 0). Either way, `setParams` changes them.
    ///   - dataParallel: each step sums the loss, the scalar outputs and the gradients over the
    ///     MPI ranks (weighted by `DataParallel.weight`) before the update (DataParallel.swift).
    public init(gradientGraph: Graph, loss: String, params: [String]? = nil, optimizer: OptimizerConfig,
                sizes: [String: Int] = [:], gradients: [String: String],
                initialValues: [String: Tensor]? = nil, dataParallel: Bool = false) throws(DiagnosticsError) {
        let graph = gradientGraph
        self.graph = graph
        self.loss = loss
        self.optimizer = optimizer
        self.sizes = sizes
        var diagnostics: [Diagnostic] = optimizer.problems.map { Diagnostic("optimizer: \($0)") }
        guard let lossNode = graph.output(named: loss) else {
            throw DiagnosticsError(Diagnostic("the gradient graph has no output '\(loss)' to minimise"))
        }
        if !graph.nodes[lossNode].type.shape.isScalar {
            diagnostics.append(Diagnostic("'\(loss)' must be a scalar to be minimised, got \(graph.nodes[lossNode].type)",
                                          at: graph.nodes[lossNode].range))
        }
        for (name, id) in graph.params where graph.nodes[id].type.shape.concrete == nil {
            diagnostics.append(Diagnostic("parameter '\(name)' of type \(graph.nodes[id].type) cannot be trained: its shape must be fixed",
                                          at: graph.nodes[id].range))
        }
        let all = graph.params.map(\.name)
        let wanted = params ?? all
        for p in wanted where !all.contains(p) { diagnostics.append(Diagnostic("'\(p)' is not a parameter of the graph")) }
        let trained = all.filter { wanted.contains($0) }
        var gradOutputs: [String: String] = [:]
        for p in trained {
            guard let name = gradients[p] else {
                diagnostics.append(Diagnostic("no gradient output is given for the trained parameter '\(p)'"))
                continue
            }
            guard let id = graph.output(named: name) else {
                diagnostics.append(Diagnostic("the gradient graph has no output '\(name)' (the gradient of '\(loss)' with respect to '\(p)')"))
                continue
            }
            let pid = graph.params.first { $0.name == p }!.node
            if graph.nodes[id].type.shape != graph.nodes[pid].type.shape {
                diagnostics.append(Diagnostic("gradient '\(name)' has type \(graph.nodes[id].type), but '\(p)' is \(graph.nodes[pid].type)"))
            }
            gradOutputs[p] = name
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        trainedParams = trained
        gradientOutputs = gradOutputs
        let gradNames = Set(gradOutputs.values)
        reportedOutputs = graph.outputs.map(\.name).filter { !gradNames.contains($0) }
        generator = TrainingStepGenerator(graph: graph, loss: loss, gradients: trained.map { ($0, gradOutputs[$0]!) },
                                          optimizer: optimizer, allreduce: dataParallel,
                                          batchSymbol: dataParallel ? SampleIndexing.batchSymbol(of: graph) : nil)
        self.dataParallel = dataParallel
        persistentLayout = TrainingArenaLayout(graph: graph, trained: trained, optimizer: optimizer)
        elementSize = graph.dtype.byteSize
        capacity = persistentLayout.persistentElements
        memory = ArenaMemory(byteCount: capacity * elementSize)  // zero: the optimizer's state starts at 0
        setParams(initialValues ?? ParameterInitializer.initialValues(of: graph, seed: 0))
    }

    /// A step for a graph made by `differentiatedGraph`, whose map says where each gradient is.
    public convenience init(_ differentiated: DifferentiatedGraph, loss: String, params: [String]? = nil,
                            optimizer: OptimizerConfig, sizes: [String: Int] = [:],
                            initialValues: [String: Tensor]? = nil, dataParallel: Bool = false) throws(DiagnosticsError) {
        try self.init(gradientGraph: differentiated.graph, loss: loss, params: params, optimizer: optimizer, sizes: sizes,
                      gradients: differentiated.gradientOutputs, initialValues: initialValues, dataParallel: dataParallel)
    }

    deinit { memory.release() }

    // MARK: Persistent state

    private func write(_ t: Tensor, at offset: Int, count: Int) {
        switch graph.dtype {
        case .f32:
            let e = t.elements(as: Float.self)
            let p = arena.assumingMemoryBound(to: Float.self) + offset
            e.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: min(count, e.count)) } }
        case .f64:
            let e = t.elements(as: Double.self)
            let p = arena.assumingMemoryBound(to: Double.self) + offset
            e.withUnsafeBufferPointer { if let b = $0.baseAddress { p.update(from: b, count: min(count, e.count)) } }
        }
    }

    private func read(at offset: Int, shape: [Int]) -> Tensor {
        let n = shape.reduce(1, *)
        switch graph.dtype {
        case .f32:
            let p = arena.assumingMemoryBound(to: Float.self) + offset
            return Tensor(shape: shape, storage: .f32(Array(UnsafeBufferPointer(start: p, count: n))))
        case .f64:
            let p = arena.assumingMemoryBound(to: Double.self) + offset
            return Tensor(shape: shape, storage: .f64(Array(UnsafeBufferPointer(start: p, count: n))))
        }
    }

    private var counter: UInt64 {
        get { (arena + persistentLayout.counterOffset * elementSize).load(as: UInt64.self) }
        set { (arena + persistentLayout.counterOffset * elementSize).storeBytes(of: newValue, as: UInt64.self) }
    }

    /// Sets parameters by name (others keep their values). A tensor of the wrong shape is
    /// ignored; use `checkedSetParams` for diagnostics.
    public func setParams(_ values: [String: Tensor]) {
        lock.lock()
        defer { lock.unlock() }
        for p in persistentLayout.params {
            if let t = values[p.name], t.shape == p.shape { write(t, at: p.offset, count: p.count) }
        }
    }

    /// Sets parameters by name; a name that is no parameter or a tensor of the wrong shape is an error.
    public func checkedSetParams(_ values: [String: Tensor]) throws(DiagnosticsError) {
        var diagnostics: [Diagnostic] = []
        for (name, t) in values {
            guard let p = persistentLayout.params.first(where: { $0.name == name }) else {
                diagnostics.append(Diagnostic("'\(name)' is not a parameter of the graph"))
                continue
            }
            if t.shape != p.shape {
                diagnostics.append(Diagnostic("param '\(name)' expects shape \(ShapeMath.describe(p.shape)), got \(ShapeMath.describe(t.shape))"))
            }
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        setParams(values)
    }

    /// Every parameter's current value.
    public func params() -> [String: Tensor] {
        lock.lock()
        defer { lock.unlock() }
        var out: [String: Tensor] = [:]
        for p in persistentLayout.params { out[p.name] = read(at: p.offset, shape: p.shape) }
        return out
    }

    /// The optimizer's state: update count and every state tensor.
    public func state() -> OptimizerState {
        lock.lock()
        defer { lock.unlock() }
        var s = OptimizerState(config: optimizer, step: counter)
        for slot in persistentLayout.state { s.slots[slot.name] = read(at: slot.offset, shape: slot.shape) }
        return s
    }

    /// Restores the optimizer's state (missing slots become zeros).
    public func setState(_ state: OptimizerState) {
        lock.lock()
        defer { lock.unlock() }
        counter = state.step
        for slot in persistentLayout.state {
            if let t = state.slots[slot.name], t.shape == slot.shape {
                write(t, at: slot.offset, count: slot.count)
            } else {
                write(.zeros(slot.shape, dtype: graph.dtype), at: slot.offset, count: slot.count)
            }
        }
    }

    // MARK: Compilation

    /// The generated program of one binding (for `--emit c` and reports): the compiled one's
    /// when this binding is compiled already, else generated without compiling it.
    public func cSource(sizes binding: [String: Int]) throws(CBackendError) -> String {
        let binding = relevant(binding)
        lock.lock()
        let compiled = modules[binding]
        lock.unlock()
        if let compiled { return compiled.program.program.source }
        return try generator.generate(sizes: binding).program.source
    }

    private func relevant(_ binding: [String: Int]) -> [String: Int] {
        let symbols = graph.symbols
        return sizes.merging(binding) { _, b in b }.filter { symbols.contains($0.key) }
    }

    /// The compiled module of a binding (compiled on first use), e.g. to compile ahead of training.
    @discardableResult
    public func compile(sizes binding: [String: Int]) throws(CBackendError) -> CompiledModule {
        try entry(relevant(binding)).module
    }

    private func entry(_ binding: [String: Int]) throws(CBackendError)
        -> (module: CompiledModule, program: TrainingProgram)
    {
        lock.lock()
        if let e = modules[binding] { lock.unlock(); return e }
        lock.unlock()
        let program = try generator.generate(sizes: binding)
        let module = try CModuleCache.module(for: program.program)
        guard module.module.symbol("nngc_train_step") != nil else { throw CBackendError("nngc_train_step not found") }
        lock.lock()
        defer { lock.unlock() }
        modules[binding] = (module, program)
        return (module, program)
    }

    private func reserve(_ elements: Int) {
        guard elements > capacity else { return }
        memory.grow(to: elements * elementSize)
        capacity = elements
    }

    // MARK: Stepping

    private var lastBinding: (shapes: [String: [Int]], binding: [String: Int])?

    private struct BatchKey: Hashable {
        var columns: ObjectIdentifier
        var rows: Int
    }

    /// What a step on a batch of given columns and size needs, found once.
    private struct BatchEntry {
        /// Held so that its ObjectIdentifier (the key) is not reused while the entry lives.
        var columns: BatchColumns
        var module: CompiledModule
        var totalElements: Int
        var errorSlot: Int
        /// (column index, arena offset) of every input.
        var feeds: [(column: Int, offset: Int)]
        /// Where each scalar output (the loss, what is reported) is read after a step: its
        /// snapshot when the step updated the parameters, else its slot.
        var scalarOffsets: [String: (updated: Int, slot: Int)]
    }

    /// One training step on a batch: copies `inputs` in, runs forward (dropout active, random
    /// numbers from `seed` and `step`), backward and the update with learning rate `lr`, and
    /// returns the loss and the reported outputs (their values before the update).
    public func step(inputs: [String: Tensor], lr: Double, seed: UInt64 = 0, step: UInt64 = 0)
        throws(DiagnosticsError) -> (loss: Double, outputs: [String: Tensor])
    {
        let bound = try binding(of: inputs, seed: seed, step: step)
        let e: (module: CompiledModule, program: TrainingProgram)
        do {
            e = try entry(relevant(bound))
        } catch {
            throw DiagnosticsError(Diagnostic(error.description))
        }
        lock.lock()
        defer { lock.unlock() }
        let layout = e.program.program.layout
        if let refusal = MemoryBudget.refusal("the arena of the training step", elements: layout.totalElements, elementSize: elementSize) {
            throw DiagnosticsError(Diagnostic(refusal))
        }
        reserve(layout.totalElements)
        for s in layout.inputs { write(inputs[s.name]!, at: s.offset, count: s.count) }
        let rc = try run(e.module, errorSlot: layout.errorSlot, seed: seed, step: step, lr: lr)
        var outputs: [String: Tensor] = [:]
        for s in layout.outputs where reportedOutputs.contains(s.name) {
            // Before the update (rc == 0), outputs in a parameter's slot were snapshotted.
            let offset = rc == 0 ? e.program.readOffsets[s.name]! : s.offset
            outputs[s.name] = read(at: offset, shape: s.shape)
        }
        let lossValue = outputs[loss]?.scalarValue ?? .nan
        return (lossValue, outputs)
    }

    /// The symbol sizes of a step's inputs, checked like the interpreter checks them; the check
    /// (which builds its messages' strings) runs again only when the input shapes change.
    private func binding(of inputs: [String: Tensor], seed: UInt64, step: UInt64) throws(DiagnosticsError) -> [String: Int] {
        let shapes = inputs.mapValues(\.shape)
        lock.lock()
        let known = lastBinding
        lock.unlock()
        if let known, known.shapes == shapes { return known.binding }
        let options = RunOptions(seed: seed, step: step, training: true, symbolSizes: sizes)
        let binding = try graph.symbolBindings(inputs: inputs, params: nil, options: options)
        lock.lock()
        lastBinding = (shapes, binding)
        lock.unlock()
        return binding
    }

    /// Calls the compiled step on the arena; a runtime error (rc > 0) becomes a diagnostic.
    /// Returns 0, or -1 when the loss was not finite and nothing was updated.
    /// The tier is chosen per step: the arena holds all state, so any step boundary is a valid
    /// point to swap (both tiers compute the same bits).
    private func run(_ module: CompiledModule, errorSlot: Int, seed: UInt64, step: UInt64, lr: Double)
        throws(DiagnosticsError) -> Int32
    {
        let (entry, tierNow) = module.entry("nngc_train_step", tier)!
        lastTier = tierNow
        if dataParallel {
            let first = UInt64(DataParallel.current?.firstSample ?? 0)
            (arena + TrainingArenaLayout.firstSampleByte).storeBytes(of: first, as: UInt64.self)
            (arena + TrainingArenaLayout.rankWeightByte).storeBytes(of: DataParallel.current?.weight ?? 1, as: Double.self)
            let after: UInt64 = DataParallel.current?.weightAfterSum == true ? 1 : 0
            (arena + TrainingArenaLayout.weightAfterSumByte).storeBytes(of: after, as: UInt64.self)
        }
        let rc: Int32
        switch graph.dtype {
        case .f32:
            rc = unsafeBitCast(entry, to: StepF32.self)(arena.assumingMemoryBound(to: Float.self), seed, step, lr)
        case .f64:
            rc = unsafeBitCast(entry, to: StepF64.self)(arena.assumingMemoryBound(to: Double.self), seed, step, lr)
        }
        if rc > 0 {
            throw CompiledGraph.runtimeError(graph: graph, code: Int(rc), value: scalar(at: errorSlot))
        }
        return rc
    }

    private func scalar(at offset: Int) -> Double {
        switch graph.dtype {
        case .f32: Double(arena.assumingMemoryBound(to: Float.self)[offset])
        case .f64: arena.assumingMemoryBound(to: Double.self)[offset]
        }
    }

    /// One training step on the samples at `rows` of `columns`, copied straight into the arena:
    /// after the first batch of each size, a step allocates nothing. Adds the reported scalar
    /// outputs (their values before the update) to `reports` and returns the loss; when the
    /// loss is not finite, nothing is updated.
    public func step(rows: [Int], of columns: BatchColumns, lr: Double, seed: UInt64 = 0, step: UInt64 = 0,
                     reports: inout ReportSums) throws(DiagnosticsError) -> Double
    {
        let b = try batchEntry(rows: rows, of: columns, seed: seed, step: step)
        lock.lock()
        defer { lock.unlock() }
        reserve(b.totalElements)
        // Index loops: unspecialised generic iteration allocates in debug builds.
        var i = 0
        while i < b.feeds.count {
            columns.gather(column: b.feeds[i].column, rows: rows, into: arena + b.feeds[i].offset * elementSize)
            i += 1
        }
        let rc = try run(b.module, errorSlot: b.errorSlot, seed: seed, step: step, lr: lr)
        let loss = b.scalarOffsets[self.loss].map { scalar(at: rc == 0 ? $0.updated : $0.slot) } ?? .nan
        i = 0
        while rc == 0, i < reports.names.count {
            if let offset = b.scalarOffsets[reports.names[i]] { reports.add(scalar(at: offset.updated), at: i, weight: rows.count) }
            i += 1
        }
        return loss
    }

    /// The program for batches of `rows.count` samples of `columns` (compiled, and the inputs
    /// checked like the interpreter checks them, on the first such batch).
    private func batchEntry(rows: [Int], of columns: BatchColumns, seed: UInt64, step: UInt64)
        throws(DiagnosticsError) -> BatchEntry
    {
        let key = BatchKey(columns: ObjectIdentifier(columns), rows: rows.count)
        lock.lock()
        let known = batchEntries[key]
        lock.unlock()
        if let known { return known }
        let options = RunOptions(seed: seed, step: step, training: true, symbolSizes: sizes)
        let binding = try graph.symbolBindings(inputs: columns.tensors(rows: rows), params: nil, options: options)
        let e: (module: CompiledModule, program: TrainingProgram)
        do {
            e = try entry(relevant(binding))
        } catch {
            throw DiagnosticsError(Diagnostic(error.description))
        }
        let layout = e.program.program.layout
        let index = Dictionary(uniqueKeysWithValues: columns.columns.enumerated().map { ($1.name, $0) })
        var scalars: [String: (updated: Int, slot: Int)] = [:]
        for s in layout.outputs where s.shape.isEmpty && reportedOutputs.contains(s.name) {
            scalars[s.name] = (e.program.readOffsets[s.name]!, s.offset)
        }
        let b = BatchEntry(columns: columns, module: e.module, totalElements: layout.totalElements, errorSlot: layout.errorSlot,
                           feeds: layout.inputs.compactMap { s in index[s.name].map { ($0, s.offset) } },
                           scalarOffsets: scalars)
        lock.lock()
        defer { lock.unlock() }
        batchEntries[key] = b
        return b
    }
}
