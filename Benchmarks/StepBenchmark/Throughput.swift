import NNGCore
import NNGIR
import NNGTrain
import NNGRuntime

struct Throughput {
    var cSteps = 0.0, interpSteps = 0.0, cEval = 0.0, interpEval = 0.0
    var firstLoss = 0.0, lastLoss = 0.0
}

/// Steps per second of the C training step and of the interpreter + Swift optimizer, and
/// evaluations per second of the forward graph on both backends.
func throughput(forward: Graph, gradGraph differentiated: DifferentiatedGraph, optimizer: OptimizerConfig, batch: Int, steps: Int, interpSteps: Int) throws -> Throughput {
    var result = Throughput()
    let batches = makeBatches(forward, batch: batch)
    let gradGraph = differentiated.graph
    let trainer = try CompiledTrainingStep(differentiated, loss: "loss", optimizer: optimizer)
    let module = try trainer.compile(sizes: ["B": batch])
    if TierOptions.processDefault.policy != .tinycc { module.waitForOptimized() }
    let initial = ParameterInitializer.initialValues(of: gradGraph, seed: 0)
    trainer.setParams(initial)
    var t0 = now()
    for s in 0..<steps {
        let r = try trainer.step(inputs: batches[s % batches.count], lr: optimizer.lr, seed: 0, step: UInt64(s))
        if s == 0 { result.firstLoss = r.loss }
        result.lastLoss = r.loss
    }
    result.cSteps = Double(steps) / (Double(now() - t0) / 1e9)

    let interpreter = Interpreter(graph: gradGraph)
    var params = initial
    var state = OptimizerState.initial(optimizer, params: params)
    t0 = now()
    for s in 0..<interpSteps {
        let values = try interpreter.outputs(inputs: batches[s % batches.count], params: params,
                                             options: RunOptions(seed: 0, step: UInt64(s), training: true))
        var grads: [String: Tensor] = [:]
        let byName = Dictionary(values.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first })
        for (param, output) in differentiated.gradients { grads[param] = byName[output] }
        update(params: &params, grads: grads, state: &state, lr: optimizer.lr)
    }
    result.interpSteps = Double(interpSteps) / (Double(now() - t0) / 1e9)

    let compiledForward = CompiledGraph(graph: forward)
    _ = try compiledForward.run(inputs: batches[0], params: initial)
    if TierOptions.processDefault.policy != .tinycc { try compiledForward.module(sizes: ["B": batch]).waitForOptimized() }
    let evalSteps = max(1, steps / 2)
    t0 = now()
    for s in 0..<evalSteps { _ = try compiledForward.run(inputs: batches[s % batches.count], params: initial) }
    result.cEval = Double(evalSteps) / (Double(now() - t0) / 1e9)
    let forwardInterpreter = Interpreter(graph: forward)
    t0 = now()
    for s in 0..<interpSteps {
        _ = try forwardInterpreter.outputs(inputs: batches[s % batches.count], params: initial, options: RunOptions())
    }
    result.interpEval = Double(interpSteps) / (Double(now() - t0) / 1e9)
    return result
}
