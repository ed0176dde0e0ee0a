// Measurements of the BLAS layer (docs/blas.md), each a subcommand of nngc-bench:
//
//   nngc-bench sgemm N [--library PATH]   N³ sgemm at the current thread setting, GFLOP/s:
//                                         through nngc's entry point (the kernels chosen at
//                                         start-up), or through PATH's cblas_sgemm (e.g. BLIS)
//   nngc-bench steps mlp|wide [--steps N] ms per CompiledTrainingStep step: the MNIST-shaped
//                                         MLP 784-100-10 at batch 64, or the wide MLP
//                                         784-1024-1024-10 at batch 256 (f32, sgd + momentum)
//
// Benchmarks/sgemm-vs-numpy.sh and Benchmarks/blas-threads.sh run them side by side.
import CBLASDispatch
import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGRuntime

/// Runs the subcommand `arguments` names; false when it names none of these.
func runBLASBenchmark(_ arguments: [String]) -> Bool {
    func value(after flag: String) -> String? {
        arguments.firstIndex(of: flag).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
    }
    switch arguments.first {
    case "sgemm":
        let n = arguments.count > 1 ? Int(arguments[1]) ?? 1024 : 1024
        sgemmThroughput(n: n, library: value(after: "--library"))
    case "steps":
        let model = arguments.count > 1 ? arguments[1] : "mlp"
        do {
            try stepTimes(model: model, steps: value(after: "--steps").flatMap { Int($0) } ?? 50)
        } catch {
            FileHandle.standardError.write("nngc-bench steps: \(error)\n".data(using: .utf8)!)
            exit(1)
        }
    default:
        return false
    }
    return true
}

/// Milliseconds of each of `repetitions` runs of `body`, sorted.
private func sortedTimes(_ repetitions: Int, _ body: () throws -> Void) rethrows -> [Double] {
    var times: [Double] = []
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
    }
    return times.sorted()
}

private func sgemmThroughput(n: Int, library: String?) {
    typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                      UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    let sgemm: SGEMM
    if let library {
        guard let handle = dlopen(library, RTLD_NOW | RTLD_LOCAL), let f = dlsym(handle, "cblas_sgemm") else {
            FileHandle.standardError.write("nngc-bench sgemm: cannot load cblas_sgemm from \(library)\n".data(using: .utf8)!)
            exit(1)
        }
        sgemm = unsafeBitCast(f, to: SGEMM.self)
        print("BLAS: \(library)")
    } else {
        print(BLASLibrary.shared.description)
        sgemm = unsafeBitCast(nngc_sgemm_address(), to: SGEMM.self)
    }
    // 64-byte aligned, like the arenas of compiled graphs and steps.
    func matrix(_ value: (Int) -> Float) -> UnsafeMutablePointer<Float> {
        let p = UnsafeMutableRawPointer.allocate(byteCount: n * n * 4, alignment: 64).bindMemory(to: Float.self, capacity: n * n)
        for i in 0..<(n * n) { p[i] = value(i) }
        return p
    }
    let a = matrix { Float($0 % 7) * 0.1 }, b = matrix { Float($0 % 5) * 0.2 }, c = matrix { _ in 0 }
    let product = { sgemm(101, 111, 111, Int32(n), Int32(n), Int32(n), 1, a, Int32(n), b, Int32(n), 0, c, Int32(n)) }
    product()
    // Each timing covers about 0.2 s of products (6 GFLOP at 30 GFLOP/s), so that the clock's
    // resolution and one-off stalls do not count.
    let perTiming = max(1, Int((6e9 / (2 * Double(n) * Double(n) * Double(n))).rounded(.up)))
    let times = sortedTimes(7) { for _ in 0..<perTiming { product() } }
    let gflop = 2 * Double(n) * Double(n) * Double(n) * Double(perTiming) / 1e9
    print(String(format: "sgemm %d³: median %.1f GFLOP/s, best %.1f GFLOP/s (7 timings of %d products)",
                 n, gflop / (times[3] / 1e3), gflop / (times[0] / 1e3), perTiming))
}

private func stepTimes(model: String, steps: Int) throws {
    let (hidden, batch): ([Int], Int)
    switch model {
    case "mlp": (hidden, batch) = ([100], 64)
    case "wide": (hidden, batch) = ([1024, 1024], 256)
    default: throw CBackendError("unknown model '\(model)' (mlp or wide)")
    }
    let widths = [784] + hidden + [10]
    var lines = ["graph m {", "  input x: f32[B, 784]", "  input y: f32[B, 10]"]
    for l in 1..<widths.count {
        lines.append("  param W\(l): f32[\(widths[l - 1]), \(widths[l])] = he")
        lines.append("  param b\(l): f32[\(widths[l])] = zeros")
    }
    var h = "x"
    for l in 1..<widths.count - 1 {
        lines.append("  h\(l) = relu(\(h) @ W\(l) + b\(l))")
        h = "h\(l)"
    }
    lines += ["  z = \(h) @ W\(widths.count - 1) + b\(widths.count - 1)", "  loss = cross_entropy(z, y)", "  output loss", "}"]
    let forward = try Frontend(file: SourceFile(path: "\(model).nng", text: lines.joined(separator: "\n"))).graph(dtype: .f32)
    let gradient = try differentiatedGraph(forward, of: "loss", wrt: nil)
    let step = try CompiledTrainingStep(gradient, loss: "loss", optimizer: .sgd(lr: 0.01, momentum: 0.9))
    let x = Tensor(shape: [batch, 784], values: (0..<(batch * 784)).map { Double($0 % 255) / 255 }, dtype: .f32)
    var y = [Double](repeating: 0, count: batch * 10)
    for r in 0..<batch { y[r * 10 + r % 10] = 1 }
    let inputs = ["x": x, "y": Tensor(shape: [batch, 10], values: y, dtype: .f32)]
    var counter: UInt64 = 0
    func run(_ n: Int) throws {
        for _ in 0..<n {
            _ = try step.step(inputs: inputs, lr: 0.01, seed: 0, step: counter)
            counter += 1
        }
    }
    try run(3)
    // Seven timings of steps/7 steps each: the median is robust to a busy moment.
    let per = max(1, steps / 7)
    let times = try sortedTimes(7) { try run(per) }.map { $0 / Double(per) }
    print(BLASLibrary.shared.description)
    print(String(format: "%@ (%@, batch %d): median %.3f ms per step, best %.3f ms",
                 model, widths.map(String.init).joined(separator: "-"), batch, times[3], times[0]))
}
