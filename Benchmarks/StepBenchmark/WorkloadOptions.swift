import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGRuntime

/// The options of `nngc-bench workload`: one model trained on given data, timed the way
/// Benchmarks/peers times PyTorch and JAX on the same model, data and optimizer.
///
///   nngc-bench workload MODEL.nng --data FILE.safetensors --batch B
///       [--optimizer 'sgd(lr = 0.05, momentum = 0.9)'] [--steps N] [--warmup N]
///       [--export-params FILE.safetensors] [--json]
///
/// `--data` holds one tensor per graph input, samples along axis 0 (the peers read the same
/// file). The optimizer is the model's train block's unless `--optimizer` gives one.
/// `--export-params` writes the initial parameters, so that the peers start from the same point.
struct WorkloadOptions {
    var model = ""
    var data = ""
    var batch = 0
    var optimizer: OptimizerConfig?
    var steps = 50
    var warmup = 5
    var exportParams: String?
    var json = false
    /// Print the generated C of the training step at the batch size and exit.
    var emitC = false
    /// The code the timed steps run (`--tier`, default optimized: the optimised tier, compiled
    /// or loaded during the warm-up). The first step always runs TinyCC's code, as a first run
    /// of `nngc train` does.
    var tier = TierPolicy.optimized

    static let usage = "usage: nngc-bench workload MODEL.nng --data FILE.safetensors --batch B [--optimizer 'sgd(lr = 0.05)'] "
        + "[--steps N] [--warmup N] [--export-params FILE.safetensors] [--json] [--emit-c]\n"
        + "                          [--tier auto|tinycc|optimized]\n"

    init(_ args: [String]) {
        var i = 0
        func value() -> String {
            i += 1
            guard i < args.count else { WorkloadOptions.exitWithUsage("\(args[i - 1]) needs a value") }
            return args[i]
        }
        func count(_ s: String, minimum: Int) -> Int {
            guard let n = Int(s), n >= minimum else { WorkloadOptions.exitWithUsage("expected a whole number ≥ \(minimum), got '\(s)'") }
            return n
        }
        while i < args.count {
            switch args[i] {
            case "--data": data = value()
            case "--batch": batch = count(value(), minimum: 1)
            case "--optimizer": optimizer = WorkloadOptions.parseOptimizer(value())
            case "--steps": steps = count(value(), minimum: 1)
            case "--warmup": warmup = count(value(), minimum: 0)
            case "--export-params": exportParams = value()
            case "--json": json = true
            case "--emit-c": emitC = true
            case "--tier":
                let name = value()
                guard let t = TierPolicy(rawValue: name) else { WorkloadOptions.exitWithUsage("unknown tier '\(name)'") }
                tier = t
            case let a where !a.hasPrefix("-") && model.isEmpty: model = a
            default: WorkloadOptions.exitWithUsage("unknown argument '\(args[i])'")
            }
            i += 1
        }
        if model.isEmpty || data.isEmpty || batch == 0 { WorkloadOptions.exitWithUsage("MODEL.nng, --data and --batch are required") }
    }

    private static func parseOptimizer(_ text: String) -> OptimizerConfig {
        let file = SourceFile(path: "--optimizer", text: text)
        let (config, diagnostics) = readOptimizer(file)
        guard let config else { fail(diagnostics.map { $0.rendered(in: file) }.joined(separator: "\n")) }
        return config
    }

    private static func exitWithUsage(_ problem: String) -> Never {
        FileHandle.standardError.write("nngc-bench workload: \(problem)\n\(usage)".data(using: .utf8)!)
        exit(2)
    }
}
