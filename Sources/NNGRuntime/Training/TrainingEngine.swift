import NNGCore
import NNGIR
import NNGTrain

/// What the training loop needs from a backend: one step (forward, backward, update) on a
/// batch, and access to the parameters and the optimizer's state (for checkpoints, resume and
/// early stopping). When a step's loss is not finite, nothing is updated.
public protocol TrainingEngine: AnyObject {
    func setParams(_ values: [String: Tensor])
    func params() -> [String: Tensor]
    func state() -> OptimizerState
    func setState(_ state: OptimizerState)
    func step(inputs: [String: Tensor], lr: Double, seed: UInt64, step: UInt64)
        throws(DiagnosticsError) -> (loss: Double, outputs: [String: Tensor])
    /// One step on the samples at `rows` of `columns`; adds the scalar outputs named by
    /// `reports` (weighted by the batch's size) and returns the loss.
    func step(rows: [Int], of columns: BatchColumns, lr: Double, seed: UInt64, step: UInt64,
              reports: inout ReportSums) throws(DiagnosticsError) -> Double
}

extension TrainingEngine {
    /// Through tensors: gathers the batch, then `step(inputs:…)`.
    public func step(rows: [Int], of columns: BatchColumns, lr: Double, seed: UInt64, step: UInt64,
                     reports: inout ReportSums) throws(DiagnosticsError) -> Double {
        let result = try self.step(inputs: columns.tensors(rows: rows), lr: lr, seed: seed, step: step)
        for (i, name) in reports.names.enumerated() {
            if let v = result.outputs[name]?.scalarValue { reports.add(v, at: i, weight: rows.count) }
        }
        return result.loss
    }
}

extension CompiledTrainingStep: TrainingEngine {}

/// The reference engine: the gradient graph on the interpreter, then the Swift optimizer.
public final class InterpreterTrainingStep: TrainingEngine {
    public let graph: Graph
    public let loss: String
    /// Trained parameter → the output holding its gradient.
    public let gradientOutputs: [String: String]
    private var values: [String: Tensor]
    private var optimizerState: OptimizerState
    private let sizes: [String: Int]
    /// Data-parallel training: the loss, the scalar outputs and the gradients are summed over
    /// the ranks (weighted by the job's `weight`) before the update, as the C step does.
    private let job: DataParallel?
    /// With `job`: the batch dimension by which random operations number their draws.
    private let batchSymbol: String?

    public init(_ differentiated: DifferentiatedGraph, loss: String, params: [String], optimizer: OptimizerConfig,
                initial: [String: Tensor], sizes: [String: Int] = [:], dataParallel: DataParallel? = nil) {
        self.job = dataParallel
        self.batchSymbol = SampleIndexing.batchSymbol(of: differentiated.graph)
        self.graph = differentiated.graph
        self.loss = loss
        let all = differentiated.gradientOutputs
        self.gradientOutputs = all.filter { params.contains($0.key) }
        self.values = initial
        self.optimizerState = .initial(optimizer, params: initial.filter { params.contains($0.key) })
        self.sizes = sizes
    }

    public func setParams(_ values: [String: Tensor]) { self.values.merge(values) { $1 } }
    public func params() -> [String: Tensor] { values }
    public func state() -> OptimizerState { optimizerState }
    public func setState(_ state: OptimizerState) { optimizerState = state }

    public func step(inputs: [String: Tensor], lr: Double, seed: UInt64, step: UInt64)
        throws(DiagnosticsError) -> (loss: Double, outputs: [String: Tensor])
    {
        var options = RunOptions(seed: seed, step: step, training: true, symbolSizes: sizes)
        if let job, let batch = batchSymbol { options.sampleIndexing = SampleIndexing(batchSymbol: batch, firstSample: job.firstSample) }
        let results = try Interpreter(graph: graph).outputs(inputs: inputs, params: values, options: options)
        var outputs: [String: Tensor] = [:]
        for (name, value) in results where outputs[name] == nil { outputs[name] = value }
        if let job { sumOverRanks(&outputs, job) }
        let lossValue = outputs[loss]?.scalarValue ?? .nan
        guard lossValue.isFinite else { return (lossValue, outputs) }
        var grads: [String: Tensor] = [:]
        for (param, output) in gradientOutputs { grads[param] = outputs[output] }
        update(params: &values, grads: grads, state: &optimizerState, lr: lr)
        let gradientNames = Set(gradientOutputs.values)
        return (lossValue, outputs.filter { !gradientNames.contains($0.key) })
    }

    /// The loss, the other scalar outputs and the gradients, weighted and summed over the ranks
    /// in one allreduce of one buffer, in the order of the C step's region (loss, scalars in
    /// graph order, gradients in parameter order), then put back.
    private func sumOverRanks(_ outputs: inout [String: Tensor], _ job: DataParallel) {
        let names = DataParallel.summedOutputs(of: graph, loss: loss, gradients: graph.params.compactMap { gradientOutputs[$0.name] })
        var buffer: [Double] = []
        for n in names { buffer += outputs[n]?.doubles ?? [] }
        switch graph.dtype {
        case .f64:
            buffer.withUnsafeMutableBufferPointer { job.allreduce($0.baseAddress!, count: $0.count) }
        case .f32:
            // Sum in f32, as the C step does.
            var floats = buffer.map { Float($0) }
            floats.withUnsafeMutableBufferPointer { job.allreduce($0.baseAddress!, count: $0.count) }
            buffer = floats.map { Double($0) }
        }
        var at = 0
        for n in names {
            guard let t = outputs[n] else { continue }
            outputs[n] = Tensor(shape: t.shape, values: Array(buffer[at..<(at + t.count)]), dtype: graph.dtype)
            at += t.count
        }
    }
}
