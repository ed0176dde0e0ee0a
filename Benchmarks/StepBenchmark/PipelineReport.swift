import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
import NNGRuntime

/// The report of docs/benchmarks.md: the time of each phase from .nng text to a callable
/// training step (the 784-100-10 MLP trained by SGD with momentum), then steps per second of
/// the generated C and of the interpreter on the MLP, the XOR model and the Ising CNN.
func runPipelineReport(_ options: PipelineOptions) throws {
    let file = SourceFile(path: "mlp.nng", text: mlpSource)
    let reps = options.repetitions
    let parsed = measure(reps) { parse(file) }
    if !parsed.result.diagnostics.isEmpty { fail("parse: \(parsed.result.diagnostics)") }
    let checked = measure(reps) { lowerGraph(parsed.result.module, dtype: options.dtype) }
    guard let forward = checked.result.graph else { fail("check: \(checked.result.diagnostics)") }
    let differentiated = try measure(reps) { () throws -> Graph in
        var g = forward
        let wrt = g.params.map(\.node)
        let grads = try differentiate(&g, output: g.output(named: "loss")!, wrt: wrt)
        for (p, id) in zip(g.params.map(\.name), grads) { g.outputs.append(("dloss_d\(p)", id)) }
        return g
    }
    let optimised = measure(reps) { simplify(differentiated.result) }
    // The graph used from here on: gradientGraph = differentiate + name the gradients + simplify.
    let differentiatedMLP = try differentiatedGraph(forward, of: "loss", wrt: nil)
    let gradGraph = differentiatedMLP.graph
    let sizes = ["B": options.batch]
    let optimizer = OptimizerConfig.sgd(lr: 0.05, momentum: 0.9)
    let trainer = try CompiledTrainingStep(differentiatedMLP, loss: "loss", optimizer: optimizer)
    let generated = try measure(reps) { try trainer.cSource(sizes: sizes) }
    let compiled = try measure(reps) { try TinyCCModule(source: generated.result, symbols: TinyCCModule.runtimeSymbols) }
    try trainer.compile(sizes: sizes)
    if options.emitC {
        print(generated.result)
        return
    }
    let forwardGenerated = try measure(reps) { try CompiledGraph.cSource(for: forward, sizes: sizes) }
    let forwardCompiled = try measure(reps) { try TinyCCModule(source: forwardGenerated.result, symbols: TinyCCModule.runtimeSymbols) }

    let mlpRun = try throughput(forward: forward, gradGraph: differentiatedMLP, optimizer: optimizer, batch: options.batch,
                                steps: options.steps, interpSteps: options.interpSteps)
    let cnnForward = try Frontend(file: SourceFile(path: "ising_cnn.nng", text: cnnSource)).graph(dtype: options.dtype)
    let cnnGradGraph = try differentiatedGraph(cnnForward, of: "loss", wrt: nil)
    if options.emitCNNC {
        print(try CompiledTrainingStep(cnnGradGraph, loss: "loss", optimizer: .adam(lr: 0.001)).cSource(sizes: ["B": 64]))
        return
    }
    let cnnRun = try throughput(forward: cnnForward, gradGraph: cnnGradGraph, optimizer: .adam(lr: 0.001), batch: 64,
                                steps: max(3, options.steps / 2), interpSteps: options.interpSteps)
    let xorForward = try Frontend(file: SourceFile(path: "xor.nng", text: xorSource)).graph(dtype: options.dtype)
    let xorRun = try throughput(forward: xorForward, gradGraph: try differentiatedGraph(xorForward, of: "loss", wrt: nil),
                                optimizer: .adam(lr: 0.01), batch: 4, steps: options.steps * 10, interpSteps: options.interpSteps * 10)

    #if DEBUG
    let build = "debug"
    #else
    let build = "release"
    #endif
    print("nngc-bench: 784-100-10 MLP, ReLU, softmax cross-entropy, batch \(options.batch), \(options.dtype), \(optimizer) (\(build) build)")
    print("forward graph \(forward.nodes.count) nodes, forward+backward \(gradGraph.nodes.count) nodes, \(forward.parameterCount) parameters")
    print("")
    print("| phase (.nng text → callable training step) | median ms | min ms |")
    print("|---|---:|---:|")
    let phases: [(String, Double, Double)] = [
        ("parse", parsed.median, parsed.min),
        ("check (lower + type inference)", checked.median, checked.min),
        ("differentiate", differentiated.median, differentiated.min),
        ("optimise (simplify)", optimised.median, optimised.min),
        ("generate C (training step)", generated.median, generated.min),
        ("TinyCC compile (training step)", compiled.median, compiled.min),
    ]
    for (name, median, minimum) in phases { print("| \(name) | \(number(median, 3)) | \(number(minimum, 3)) |") }
    print("| **total** | **\(number(phases.reduce(0) { $0 + $1.1 }, 3))** | **\(number(phases.reduce(0) { $0 + $1.2 }, 3))** |")
    print("")
    print("generated C: \(generated.result.utf8.count) bytes; forward only: generate \(number(forwardGenerated.median, 3)) ms, compile \(number(forwardCompiled.median, 3)) ms")
    print("")
    print("| run | per second | ms each | vs interpreter |")
    print("|---|---:|---:|---:|")
    printRows("MLP 784-100-10, batch \(options.batch)", mlpRun)
    printRows("XOR 2-8-1, batch 4, adam", xorRun)
    printRows("ising_cnn (conv 8×3×3, maxpool, 512-32-1), batch 64, adam", cnnRun)
    print("")
    print("MLP loss: \(number(mlpRun.firstLoss, 4)) at step 1, \(number(mlpRun.lastLoss, 4)) at step \(options.steps) (C training step)")
}

private func printRows(_ label: String, _ r: Throughput) {
    print("| \(label): training step, generated C | \(number(r.cSteps, 1)) | \(number(1000 / r.cSteps, 3)) | \(number(r.cSteps / r.interpSteps, 1))× |")
    print("| \(label): training step, interpreter + Swift optimizer | \(number(r.interpSteps, 1)) | \(number(1000 / r.interpSteps, 3)) | 1× |")
    print("| \(label): forward (eval), generated C | \(number(r.cEval, 1)) | \(number(1000 / r.cEval, 3)) | \(number(r.cEval / r.interpEval, 1))× |")
    print("| \(label): forward (eval), interpreter | \(number(r.interpEval, 1)) | \(number(1000 / r.interpEval, 3)) | 1× |")
}
