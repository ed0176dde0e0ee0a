// nngc-bench: how fast nngc turns .nng text into a training step, and how fast that step runs.
//
//   nngc-bench [--steps N] [--batch B] [--quick] …    the pipeline report of docs/benchmarks.md
//   nngc-bench workload MODEL.nng --data F --batch B  one model timed for the comparison with
//                                                     PyTorch and JAX (Benchmarks/peers, `make bench`)
//   nngc-bench sgemm N | steps mlp|wide               the BLAS layer (BLASBenchmarks.swift)
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
if runBLASBenchmark(arguments) {
    exit(0)
} else if arguments.first == "workload" {
    try runWorkload(WorkloadOptions(Array(arguments.dropFirst())))
} else {
    try runPipelineReport(PipelineOptions(arguments))
}
