// nngc-bench: from .nng text to a callable training step, and steps per second.
//
//   swift run -c release nngc-bench [--steps N] [--interp-steps N] [--quick] [--dtype f32|f64] [--batch B] [--emit-c]
//
// The model is a 784-100-10 MLP (ReLU, softmax cross-entropy) trained by SGD with momentum on
// random batches. `--quick` runs a handful of steps and repetitions (used under valgrind).
import Foundation
import NNGCore
import NNGIR
import NNGLang
import NNGRuntime

struct Options {
    var steps = 200
    var interpSteps = 10
    var repetitions = 25
    var dtype = DType.f32
    var batch = 64
    var emitC = false
    var emitCNNC = false

    init(_ args: [String]) {
        var i = 1
        func value() -> String { i += 1; return i < args.count ? args[i] : "" }
        while i < args.count {
            switch args[i] {
            case "--steps": steps = Int(value()) ?? steps
            case "--interp-steps": interpSteps = Int(value()) ?? interpSteps
            case "--batch": batch = Int(value()) ?? batch
            case "--dtype": dtype = DType(rawValue: value()) ?? dtype
            case "--quick": steps = 3; interpSteps = 1; repetitions = 1
            case "--emit-c": emitC = true
            case "--emit-cnn-c": emitCNNC = true
            default:
                FileHandle.standardError.write("usage: nngc-bench [--steps N] [--interp-steps N] [--batch B] [--dtype f32|f64] [--quick] [--emit-c] [--emit-cnn-c]\n".data(using: .utf8)!)
                exit(2)
            }
            i += 1
        }
    }
}

let options = Options(CommandLine.arguments)
let source = """
graph mlp {
  input x: f32[B, 784]
  input y: f32[B, 10]
  param W1: f32[784, 100] = he
  param b1: f32[100] = zeros
  param W2: f32[100, 10] = xavier
  param b2: f32[10] = zeros
  h = relu(x @ W1 + b1)
  z = h @ W2 + b2
  loss = cross_entropy(z, y)
  acc = accuracy(z, y)
  output loss, acc
}
"""

func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

/// Median and minimum over `repetitions` runs of `body`, in milliseconds.
func measure<R>(_ repetitions: Int, _ body: () throws -> R) rethrows -> (median: Double, min: Double, result: R) {
    var times: [Double] = []
    var last: R?
    for _ in 0..<max(1, repetitions) {
        let t = now()
        last = try body()
        times.append(Double(now() - t) / 1e6)
    }
    times.sort()
    return (times[times.count / 2], times[0], last!)
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write("nngc-bench: \(message)\n".data(using: .utf8)!)
    exit(1)
}

func column(_ s: String, _ width: Int) -> String { s.count >= width ? s : s + String(repeating: " ", count: width - s.count) }
func number(_ x: Double, _ digits: Int = 2) -> String { String(format: "%.\(digits)f", x) }

// MARK: Phases

let file = SourceFile(path: "mlp.nng", text: source)
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
let gradGraph = try gradientGraph(forward, of: "loss", wrt: nil)
let sizes = ["B": options.batch]
let optimizer = OptimizerConfig.sgd(lr: 0.05, momentum: 0.9)
let trainer = try CompiledTrainingStep(gradientGraph: gradGraph, loss: "loss", optimizer: optimizer)
let generated = try measure(reps) { try trainer.cSource(sizes: sizes) }
let compiled = try measure(reps) { try TinyCCModule(source: generated.result, symbols: TinyCCModule.runtimeSymbols) }
try trainer.compile(sizes: sizes)
if options.emitC {
    print(generated.result)
    exit(0)
}

let forwardGenerated = try measure(reps) { try CompiledGraph.cSource(for: forward, sizes: sizes) }
let forwardCompiled = try measure(reps) { try TinyCCModule(source: forwardGenerated.result, symbols: TinyCCModule.runtimeSymbols) }

// MARK: Steps per second

/// Random batches for a graph's inputs: `y` is one-hot (or 0/1 for one column), others uniform.
func makeBatches(_ graph: Graph, batch: Int) -> [[String: Tensor]] {
    (0..<8).map { k in
        var out: [String: Tensor] = [:]
        for (name, id) in graph.inputs {
            let shape = graph.nodes[id].type.shape.resolved(["B": batch]).concrete!
            let n = shape.reduce(1, *)
            let u = (0..<n).map { i in CounterRandom.uniform(seed: 1, step: UInt64(k), stream: CounterRandom.key(name), index: UInt64(i)) }
            var values = u
            if name == "y" {
                let c = shape.last ?? 1
                values = [Double](repeating: 0, count: n)
                for r in 0..<(n / c) {
                    if c == 1 { values[r] = u[r] < 0.5 ? 0 : 1 } else { values[r * c + Int(u[r * c] * Double(c))] = 1 }
                }
            }
            out[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
        }
        return out
    }
}

struct Throughput {
    var cSteps = 0.0, interpSteps = 0.0, cEval = 0.0, interpEval = 0.0
    var firstLoss = 0.0, lastLoss = 0.0
}

/// Steps per second of the C training step and of the interpreter + Swift optimizer, and
/// evaluations per second of the forward graph on both backends.
func throughput(forward: Graph, gradGraph: Graph, optimizer: OptimizerConfig, batch: Int, steps: Int, interpSteps: Int) throws -> Throughput {
    var result = Throughput()
    let batches = makeBatches(forward, batch: batch)
    let trainer = try CompiledTrainingStep(gradientGraph: gradGraph, loss: "loss", optimizer: optimizer)
    try trainer.compile(sizes: ["B": batch])
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
        for (name, value) in values where name.hasPrefix("dloss_d") { grads[String(name.dropFirst(7))] = value }
        update(params: &params, grads: grads, state: &state, lr: optimizer.lr)
    }
    result.interpSteps = Double(interpSteps) / (Double(now() - t0) / 1e9)

    let compiledForward = CompiledGraph(graph: forward)
    _ = try compiledForward.run(inputs: batches[0], params: initial)
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

let mlpRun = try throughput(forward: forward, gradGraph: gradGraph, optimizer: optimizer, batch: options.batch,
                            steps: options.steps, interpSteps: options.interpSteps)

let xorSource = """
fn dense(x, w, b) { return x @ w + b }
graph xor {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W1: f32[2, 8] = xavier
  param b1: f32[8] = zeros
  param W2: f32[8, 1] = xavier
  param b2: f32[1] = zeros
  h = tanh(dense(x, W1, b1))
  p = sigmoid(dense(h, W2, b2))
  loss = bce(p, y)
  output loss
}
"""
// The convolutional model of Graphs/ising_cnn.nng (conv2d 3×3 + ReLU + maxpool, dense head,
// bce_logits, adam) on random batches: the conv2d forward and gradient kernels dominate.
let cnnSource = """
fn dense(x, w, b) { return x @ w + b }
graph ising_cnn {
  input spins:   f32[B, 256]
  input y:       f32[B, 1]
  param K1: f32[8, 1, 3, 3] = he
  param c1: f32[8, 1, 1]    = zeros
  param W1: f32[512, 32]    = he
  param b1: f32[32]         = zeros
  param W2: f32[32, 1]      = xavier
  param b2: f32[1]          = zeros
  x    = reshape(spins, [-1, 1, 16, 16])
  a    = maxpool2d(relu(conv2d(x, K1, padding = 1) + c1))
  h    = relu(dense(reshape(a, [-1, 512]), W1, b1))
  z    = dense(h, W2, b2)
  loss = bce_logits(z, y)
  output loss
}
"""
let cnnForward = try Frontend(file: SourceFile(path: "ising_cnn.nng", text: cnnSource)).graph(dtype: options.dtype)
let cnnGradGraph = try gradientGraph(cnnForward, of: "loss", wrt: nil)
if options.emitCNNC {
    print(try CompiledTrainingStep(gradientGraph: cnnGradGraph, loss: "loss", optimizer: .adam(lr: 0.001)).cSource(sizes: ["B": 64]))
    exit(0)
}
let cnnRun = try throughput(forward: cnnForward, gradGraph: cnnGradGraph, optimizer: .adam(lr: 0.001), batch: 64,
                            steps: max(3, options.steps / 2), interpSteps: options.interpSteps)

let xorForward = try Frontend(file: SourceFile(path: "xor.nng", text: xorSource)).graph(dtype: options.dtype)
let xorRun = try throughput(forward: xorForward, gradGraph: try gradientGraph(xorForward, of: "loss", wrt: nil),
                            optimizer: .adam(lr: 0.01), batch: 4, steps: options.steps * 10, interpSteps: options.interpSteps * 10)

// MARK: Report

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
func rows(_ label: String, _ r: Throughput) {
    print("| \(label): training step, generated C | \(number(r.cSteps, 1)) | \(number(1000 / r.cSteps, 3)) | \(number(r.cSteps / r.interpSteps, 1))× |")
    print("| \(label): training step, interpreter + Swift optimizer | \(number(r.interpSteps, 1)) | \(number(1000 / r.interpSteps, 3)) | 1× |")
    print("| \(label): forward (eval), generated C | \(number(r.cEval, 1)) | \(number(1000 / r.cEval, 3)) | \(number(r.cEval / r.interpEval, 1))× |")
    print("| \(label): forward (eval), interpreter | \(number(r.interpEval, 1)) | \(number(1000 / r.interpEval, 3)) | 1× |")
}
rows("MLP 784-100-10, batch \(options.batch)", mlpRun)
rows("XOR 2-8-1, batch 4, adam", xorRun)
rows("ising_cnn (conv 8×3×3, maxpool, 512-32-1), batch 64, adam", cnnRun)
print("")
print("MLP loss: \(number(mlpRun.firstLoss, 4)) at step 1, \(number(mlpRun.lastLoss, 4)) at step \(options.steps) (C training step)")
