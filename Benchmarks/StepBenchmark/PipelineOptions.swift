import Foundation
import NNGCore
import NNGRuntime

/// The options of the pipeline report (`nngc-bench [--steps N] …`).
struct PipelineOptions {
    var steps = 200
    var interpSteps = 10
    var repetitions = 25
    var dtype = DType.f32
    var batch = 64
    var emitC = false
    var emitCNNC = false
    /// Which compiled code the timed steps run (`--tier`, default `NNGC_TIER` or auto); the
    /// optimised tier is compiled (or loaded) before timing starts. Sets the process default, so
    /// `workload` mode follows `NNGC_TIER` alone.
    var tier = TierOptions.processDefault.policy

    static let usage = "usage: nngc-bench [--steps N] [--interp-steps N] [--batch B] [--dtype f32|f64] [--quick] [--emit-c] [--emit-cnn-c] [--tier auto|tinycc|optimized]\n"
        + "       nngc-bench workload MODEL.nng --data FILE.safetensors --batch B [options] (see WorkloadOptions.swift)\n"

    init(_ args: [String]) {
        var i = 0
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
            case "--tier": tier = TierPolicy(rawValue: value()) ?? tier
            default:
                FileHandle.standardError.write(PipelineOptions.usage.data(using: .utf8)!)
                exit(2)
            }
            i += 1
        }
        TierOptions.processDefault.policy = tier
    }
}
