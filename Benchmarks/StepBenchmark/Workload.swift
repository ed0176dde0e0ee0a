import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
import NNGRuntime

/// What `nngc-bench workload` measured; `--json` prints it on one line for Benchmarks/peers.
struct WorkloadResult: Encodable {
    var system = "nngc"
    var model: String
    var batch: Int
    var optimizer: String
    var steps: Int
    /// Median and minimum of the per-step times after the warm-up steps.
    var stepMs: Double
    var stepMsMin: Double
    /// From the model's text in memory to the end of the first training step: parse, check,
    /// differentiate, simplify, generate C, compile with TinyCC, set the initial parameters,
    /// one step.
    var firstStepMs: Double
    /// Computing the initial parameters (before `firstStepMs`' clock, like the peers' loading).
    var initialiseMs: Double
    /// The loss of the first step (before its update) and of the last.
    var loss0: Double
    var lossLast: Double
}

/// Trains the model of `options` on its data and times each step (see WorkloadOptions).
func runWorkload(_ options: WorkloadOptions) throws {
    let text: String
    do { text = try String(contentsOfFile: options.model, encoding: .utf8) } catch { fail("cannot read \(options.model): \(error)") }
    // Settled before the clock starts: the optimizer and the data (the peers load theirs untimed too).
    let setup = Frontend(file: SourceFile(path: options.model, text: text))
    let reference = try setup.graph()
    guard let optimizer = options.optimizer ?? loadTrainSetup(setup.module).config?.optimizer else {
        fail("\(options.model) has no usable train block: give --optimizer")
    }
    let data = WorkloadData(path: options.data, graph: reference, batch: options.batch)
    var reports = ReportSums(names: [])

    // The peers load their initial parameters from a file before their clock starts; nngc's are
    // computed before its clock too, and timed on their own.
    let initStart = now()
    let initialValues = ParameterInitializer.initialValues(of: reference, seed: 0)
    let initialiseMs = milliseconds(since: initStart)

    // nngc's one-time start-up, like the peers' imports and CPU client: loading OpenBLAS.
    _ = BLASLibrary.shared

    let start = now()
    let frontend = Frontend(file: SourceFile(path: options.model, text: text))
    var forward = try frontend.graph()
    let loss = try frontend.differentiatedOutput(of: forward)
    // Every system computes the loss, the gradients and the update, and no other report.
    forward.outputs = forward.outputs.filter { $0.name == loss }
    let differentiated = try differentiatedGraph(forward, of: loss, wrt: nil)
    let gradients = differentiated.graph
    let trainer = try CompiledTrainingStep(differentiated, loss: loss, optimizer: optimizer,
                                           initialValues: initialValues)
    if options.emitC {
        let binding = try gradients.symbolBindings(
            inputs: data.columns.tensors(rows: data.batches[0]), params: initialValues, options: RunOptions(training: true))
        print(try trainer.cSource(sizes: binding))
        return
    }
    trainer.tier = TierOptions(policy: .tinycc)
    let loss0 = try trainer.step(rows: data.batches[0], of: data.columns, lr: optimizer.lr, seed: 0, step: 0, reports: &reports)
    let firstStepMs = milliseconds(since: start)

    var lossLast = loss0
    trainer.tier = TierOptions(policy: options.tier)
    var times: [Double] = []
    for s in 1..<(1 + options.warmup + options.steps) {
        let t = now()
        lossLast = try trainer.step(rows: data.batches[s % data.batches.count], of: data.columns, lr: optimizer.lr, seed: 0,
                                    step: UInt64(s), reports: &reports)
        if s > options.warmup { times.append(milliseconds(since: t)) }
    }
    if let path = options.exportParams {
        try Safetensors(tensors: initialValues).write(to: path)
    }
    let result = WorkloadResult(model: options.model, batch: options.batch, optimizer: optimizer.description,
                                steps: options.steps, stepMs: median(times), stepMsMin: times.min() ?? .nan,
                                firstStepMs: firstStepMs, initialiseMs: initialiseMs, loss0: loss0, lossLast: lossLast)
    print(options.json ? jsonLine(result) : humanReadable(result))
}

private func jsonLine(_ result: WorkloadResult) -> String {
    let encoder = JSONEncoder()
    encoder.keyEncodingStrategy = .convertToSnakeCase
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    return String(decoding: (try? encoder.encode(result)) ?? Data(), as: UTF8.self)
}

private func humanReadable(_ r: WorkloadResult) -> String {
    """
    \(r.model), batch \(r.batch), \(r.optimizer)
    text → first finished step: \(number(r.firstStepMs, 1)) ms
    step: median \(number(r.stepMs, 3)) ms, min \(number(r.stepMsMin, 3)) ms over \(r.steps) steps
    loss: \(r.loss0) at the first step, \(r.lossLast) at the last
    """
}
