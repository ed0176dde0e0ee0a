import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// Trains a graph as its `train` block says: epochs of (shuffled) batches, each one training
/// step — forward, backward, the optimizer's update — on the chosen backend; the learning rate
/// per epoch from the schedule; validation after every epoch; early stopping that keeps the
/// best parameters; a checkpoint after every epoch from which `run(from:)` continues exactly.
public final class Trainer {
    public let graph: Graph
    public let config: TrainConfig
    public let backend: BackendKind
    /// Forward + backward: the loss's gradient with respect to every parameter.
    public let gradient: Graph
    public let seed: UInt64
    public let totalEpochs: Int
    /// With `steps = N`: training stops after N steps.
    public let maxSteps: UInt64?
    let data: (train: Dataset, validation: Dataset?, test: Dataset?)
    let engine: TrainingEngine
    /// The training set's columns in the graph's element type, converted once.
    let trainColumns: BatchColumns
    /// The compiled code the last step ran (TinyCC's or the optimised tier); nil on the interpreter.
    public var codeTier: CodeTier? { (engine as? CompiledTrainingStep)?.lastTier }
    /// Evaluates validation and test sets on the C backend (its modules are reused between calls).
    let compiledForward: CompiledGraph?
    let sizes: [String: Int]
    let inputNames: Set<String>
    /// Data-parallel training over MPI ranks (DataParallel.swift); nil: one process.
    let job: DataParallel?

    /// - Parameters:
    ///   - epochs: overrides the block's `epochs`/`steps` (`--epochs`).
    ///   - seed: overrides the block's `seed` (`--seed`).
    ///   - dataParallel: the MPI job when nngc runs under a launcher: each rank steps on its
    ///     shard of every batch and the steps sum over the ranks (docs/distributed.md).
    public init(graph: Graph, config: TrainConfig, data: (train: Dataset, validation: Dataset?, test: Dataset?),
                backend: BackendKind, epochs: Int? = nil, seed: UInt64? = nil, sizes: [String: Int] = [:],
                dataParallel: DataParallel? = nil) throws(DiagnosticsError) {
        self.graph = graph
        self.job = dataParallel
        if let job = dataParallel, job.size > 1 {
            try Trainer.checkDataParallel(graph: graph, config: config, samples: data.train.count, ranks: job.size)
        }
        self.config = config
        self.backend = backend
        self.data = data
        self.sizes = sizes
        self.seed = seed ?? config.seed
        self.inputNames = Set(graph.inputs.map(\.name))
        self.trainColumns = BatchColumns(data.train, inputs: graph.inputs.map(\.name), dtype: graph.dtype)
        guard data.train.count > 0 else {
            throw DiagnosticsError(Diagnostic("the training data has no samples", at: config.data.range))
        }
        let stepsPerEpoch = Trainer.batchCount(data.train.count, batch: config.batch)
        switch (epochs, config.length) {
        case (let e?, _): (totalEpochs, maxSteps) = (e, nil)
        case (nil, .epochs(let e)): (totalEpochs, maxSteps) = (e, nil)
        case (nil, .steps(let s)): (totalEpochs, maxSteps) = ((s + stepsPerEpoch - 1) / stepsPerEpoch, UInt64(s))
        }
        let differentiated = try differentiatedGraph(graph, of: config.minimize, wrt: nil)
        gradient = differentiated.graph
        compiledForward = backend == .c ? CompiledGraph(graph: graph, sizes: sizes) : nil
        let params = graph.params.map(\.name)
        let initial = ParameterInitializer.initialValues(of: graph, seed: self.seed)
        switch backend {
        case .c:
            let step = try CompiledTrainingStep(differentiated, loss: config.minimize, params: params,
                                                optimizer: config.optimizer, sizes: sizes, dataParallel: dataParallel != nil)
            step.setParams(initial)
            engine = step
        case .interp:
            engine = InterpreterTrainingStep(differentiated, loss: config.minimize, params: params,
                                             optimizer: config.optimizer, initial: initial, sizes: sizes, dataParallel: dataParallel)
        }
    }

    /// What data-parallel training does not support yet, refused before it starts: random
    /// operations (their samples are drawn per rank-local index, so they would depend on the
    /// number of ranks), and batches with fewer samples than ranks (a rank without samples).
    static func checkDataParallel(graph: Graph, config: TrainConfig, samples: Int, ranks: Int) throws(DiagnosticsError) {
        // Random operations draw by global sample index (SampleIndexing): possible when the
        // inputs share their leading (batch) dimension and a random value has it first or not at all.
        if let random = graph.nodes.first(where: { $0.op.isRandom }) {
            guard let batch = SampleIndexing.batchSymbol(of: graph) else {
                throw DiagnosticsError(Diagnostic("data-parallel training (\(ranks) MPI ranks) numbers the draws of '\(random.op.sourceName)' by sample, but the inputs do not share a leading batch dimension; train it without mpirun",
                                                  at: random.range))
            }
            for node in graph.nodes where node.op.isRandom && SampleIndexing.numbering(of: node.type, batchSymbol: batch) == nil {
                throw DiagnosticsError(Diagnostic("data-parallel training (\(ranks) MPI ranks) cannot number the draws of '\(node.op.sourceName)' on \(node.type) by sample: its batch dimension '\(batch)' must come first; train it without mpirun",
                                                  at: node.range))
            }
        }
        let batch = min(config.batch ?? samples, samples)
        let last = samples % batch == 0 ? batch : samples % batch
        if min(batch, last) < ranks {
            throw DiagnosticsError(Diagnostic("a batch of \(min(batch, last)) samples cannot be split over \(ranks) MPI ranks: every rank needs at least one sample (use a larger batch or fewer ranks)",
                                              at: config.ranges["batch"] ?? config.data.range))
        }
    }

    static func batchCount(_ samples: Int, batch: Int?) -> Int {
        let b = max(1, min(batch ?? samples, samples))
        return (samples + b - 1) / b
    }

    /// The checkpoint of a run that has not started.
    public func initialCheckpoint() -> TrainingCheckpoint {
        TrainingCheckpoint(params: engine.params(), optimizer: engine.state(), epoch: 0, step: 0, seed: seed,
                           bestLoss: .infinity, bestEpoch: 0, bestParams: [:], epochsWithoutImprovement: 0, history: [])
    }

    /// Runs from `checkpoint` (nil: from the start) to the last epoch, calling `save` after
    /// every epoch with whether it is the last one (the caller may skip intermediate saves).
    /// `interrupted` is asked after every epoch: when it answers true the run stops there
    /// (after saving). Returns the summary and the final parameters (the best ones with early
    /// stopping).
    public func run(from checkpoint: TrainingCheckpoint? = nil, observer: TrainingObserver? = nil,
                    interrupted: () -> Bool = { false },
                    save: (TrainingCheckpoint, _ last: Bool) throws(DiagnosticsError) -> Void = { _, _ in }) throws(DiagnosticsError)
        -> (summary: TrainingSummary, params: [String: Tensor])
    {
        var state = checkpoint ?? initialCheckpoint()
        if checkpoint != nil {
            engine.setParams(state.params)
            engine.setState(state.optimizer)
        }
        let clock = Date()
        let secondsBefore = state.history.last?.seconds ?? 0
        let stepBefore = state.step
        observer?.trainingStarted(epochs: totalEpochs, stepsPerEpoch: Trainer.batchCount(data.train.count, batch: config.batch),
                                  startEpoch: state.epoch)
        var stoppedEarly = false, wasInterrupted = false
        while state.epoch < totalEpochs, maxSteps.map({ state.step < $0 }) ?? true {
            let record = try trainEpoch(&state, observer: observer, seconds: { secondsBefore + Date().timeIntervalSince(clock) })
            state.history.append(record)
            stoppedEarly = updateEarlyStopping(&state, record)
            wasInterrupted = interrupted()
            state.params = engine.params()
            state.optimizer = engine.state()
            let last = stoppedEarly || wasInterrupted || state.epoch >= totalEpochs || maxSteps.map { state.step >= $0 } ?? false
            try save(state, last)
            observer?.epochFinished(record)
            if stoppedEarly || wasInterrupted { break }
        }
        var final = engine.params()
        var keptEpoch = state.epoch
        if config.earlyStop != nil, !state.bestParams.isEmpty {
            final = final.merging(state.bestParams) { $1 }
            keptEpoch = state.bestEpoch
        }
        let last = state.history.last
        let summary = TrainingSummary(
            epochs: state.epoch, steps: state.step, finalLoss: last?.trainLoss ?? .nan,
            bestLoss: bestLoss(state), keptEpoch: keptEpoch, stoppedEarly: stoppedEarly, interrupted: wasInterrupted,
            test: try data.test.map { t throws(DiagnosticsError) in try evaluate(t, params: final, step: state.step) },
            reported: last?.reported ?? [:], seconds: secondsBefore + Date().timeIntervalSince(clock),
            stepsThisRun: state.step - stepBefore, secondsThisRun: Date().timeIntervalSince(clock))
        return (summary, final)
    }

    /// One epoch of training steps, then validation.
    private func trainEpoch(_ state: inout TrainingCheckpoint, observer: TrainingObserver?,
                            seconds: () -> Double) throws(DiagnosticsError) -> EpochRecord {
        let epoch = state.epoch
        let lr = config.schedule.lr(base: config.optimizer.lr, epoch: epoch, totalEpochs: totalEpochs)
        var lossSum = 0.0, samples = 0
        var reports = ReportSums(names: config.report)
        for rows in data.train.batches(size: config.batch, shuffle: config.shuffle, seed: seed, epoch: epoch) {
            if let maxSteps, state.step >= maxSteps { break }
            let loss = try step(rows: rows, lr: lr, step: state.step, reports: &reports)
            guard loss.isFinite else {
                throw nonFiniteLoss(loss, inputs: trainColumns.tensors(rows: rows), step: state.step, epoch: epoch + 1)
            }
            lossSum += loss * Double(rows.count)
            samples += rows.count
            state.step += 1
            observer?.stepFinished(epoch: epoch + 1, step: state.step, loss: loss)
        }
        state.epoch += 1
        var record = EpochRecord(epoch: epoch + 1, step: state.step, trainLoss: lossSum / Double(max(1, samples)),
                                 validationLoss: nil, reported: reports.averages(samples: samples),
                                 validationReported: [:], lr: lr, seconds: 0)
        if let validation = data.validation {
            let values = try evaluate(validation, params: engine.params(), step: state.step)
            record.validationLoss = values[config.minimize]
            record.validationReported = values.filter { $0.key != config.minimize }
        }
        record.seconds = seconds()
        return record
    }

    /// One training step on a global batch: on one process the whole batch; in a data-parallel
    /// job this rank's shard, weighted by its share, with the loss and reports summed over the
    /// ranks by the step itself — so the values returned and added are the global batch's.
    private func step(rows: [Int], lr: Double, step: UInt64, reports: inout ReportSums) throws(DiagnosticsError) -> Double {
        guard let job else {
            return try engine.step(rows: rows, of: trainColumns, lr: lr, seed: seed, step: step, reports: &reports)
        }
        let slice = job.shard(of: rows)
        let shard = Array(slice)
        job.weight = Double(shard.count) / Double(rows.count)
        job.weightAfterSum = rows.count % job.size == 0 && job.size & (job.size - 1) == 0
        job.firstSample = slice.startIndex  // a slice keeps the indices of the global batch
        var local = ReportSums(names: reports.names)
        let loss = try engine.step(rows: shard, of: trainColumns, lr: lr, seed: seed, step: step, reports: &local)
        // `local` holds each global value times the shard's size; count it for the global batch.
        let values = local.averages(samples: shard.count)
        for (i, name) in reports.names.enumerated() {
            if let v = values[name] { reports.add(v, at: i, weight: rows.count) }
        }
        return loss
    }

    /// Tracks the best validation loss; true when patience has run out.
    private func updateEarlyStopping(_ state: inout TrainingCheckpoint, _ record: EpochRecord) -> Bool {
        guard let loss = record.validationLoss else { return false }
        if loss < state.bestLoss {
            state.bestLoss = loss
            state.bestEpoch = record.epoch
            state.epochsWithoutImprovement = 0
            if config.earlyStop != nil { state.bestParams = engine.params() }
            return false
        }
        state.epochsWithoutImprovement += 1
        return config.earlyStop.map { state.epochsWithoutImprovement >= $0 } ?? false
    }

    private func bestLoss(_ state: TrainingCheckpoint) -> Double {
        if state.bestLoss.isFinite { return state.bestLoss }
        return state.history.map(\.trainLoss).min() ?? .nan
    }

    /// The loss and reported outputs of `params` on a whole data set (not training: no dropout).
    public func evaluate(_ set: Dataset, params: [String: Tensor], step: UInt64) throws(DiagnosticsError) -> [String: Double] {
        let options = RunOptions(seed: seed, step: step, training: false, symbolSizes: sizes)
        let inputs = batchInputs(set)
        let outputs: [(name: String, value: Tensor)]
        if let compiledForward {
            outputs = try compiledForward.outputs(inputs: inputs, params: params, options: options)
        } else {
            outputs = try Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)
        }
        var values: [String: Double] = [:]
        for (name, value) in outputs where name == config.minimize || config.report.contains(name) {
            if let v = value.scalarValue { values[name] = v }
        }
        return values
    }

    private func batchInputs(_ batch: Dataset) -> [String: Tensor] {
        batch.columns.filter { inputNames.contains($0.key) }.mapValues { $0.converted(to: graph.dtype) }
    }

    /// Finds the first operation that produced a non-finite value (by re-running the step on
    /// the interpreter) and names it with its source line.
    private func nonFiniteLoss(_ loss: Double, inputs: [String: Tensor], step: UInt64, epoch: Int) -> DiagnosticsError {
        let head = "the loss became \(loss.isNaN ? "NaN" : loss > 0 ? "+infinity" : "-infinity") at step \(step + 1) (epoch \(epoch))"
        let options = RunOptions(seed: seed, step: step, training: true, symbolSizes: sizes)
        guard let values = try? Interpreter(graph: gradient).run(inputs: inputs, params: engine.params(), options: options),
              let id = Interpreter.firstNonFinite(values) else {
            return DiagnosticsError(Diagnostic(head, at: config.ranges["minimize"] ?? .none))
        }
        let node = gradient.nodes[id]
        let what: String
        switch node.op {
        case .input(let name): what = "input '\(name)' holds a non-finite value"
        case .param(let name, _): what = "param '\(name)' holds a non-finite value"
        default:
            let named = node.name.map { "'\($0)' = " } ?? ""
            what = "the first non-finite value comes from \(named)\(node.op.sourceName)(…)"
        }
        return DiagnosticsError(Diagnostic("\(head): \(what)", at: node.range))
    }
}
