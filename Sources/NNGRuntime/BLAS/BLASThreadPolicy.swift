import Foundation

/// How many threads a matrix product runs on.
///
/// A product of m·n·k multiply-adds at or above `parallelMinWork` runs on `maxThreads` threads,
/// a smaller one on one thread: below that size, waking a second thread costs more than it
/// saves, and on a busy machine a second thread only competes for the cores (see
/// docs/benchmarks.md for the measurements behind the default). An explicit thread count in
/// the environment (`OPENBLAS_NUM_THREADS`, `GOTO_NUM_THREADS`, `OMP_NUM_THREADS`, as OpenBLAS
/// reads them) is the user's choice: then nngc leaves the count to OpenBLAS.
public struct BLASThreadPolicy: Sendable, Equatable {
    /// The user's thread count from the environment, or nil when nngc chooses per product.
    public var userThreads: Int?
    /// Threads for large products: the processors this process may run on.
    public var maxThreads: Int
    /// The smallest product (m·n·k) that runs on `maxThreads` threads.
    public var parallelMinWork: Int

    /// 2²⁴ multiply-adds: about half a millisecond at one core's sgemm speed.
    public static let defaultParallelMinWork = 1 << 24

    /// The policy the environment asks for; `NNGC_BLAS_PARALLEL_MIN` overrides the threshold.
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment,
                                       processors: Int = ProcessInfo.processInfo.activeProcessorCount) -> BLASThreadPolicy {
        let user = ["OPENBLAS_NUM_THREADS", "GOTO_NUM_THREADS", "OMP_NUM_THREADS"]
            .lazy.compactMap { env[$0].flatMap { Int($0.trimmingCharacters(in: .whitespaces)) } }
            .first { $0 > 0 }
        let threshold = env["NNGC_BLAS_PARALLEL_MIN"].flatMap { Int($0) } ?? defaultParallelMinWork
        return BLASThreadPolicy(userThreads: user, maxThreads: max(1, processors), parallelMinWork: max(0, threshold))
    }

    public var description: String {
        if let userThreads { return "\(userThreads) (set in the environment)" }
        if maxThreads == 1 { return "1 (one processor available)" }
        return "\(maxThreads) for products of at least \(parallelMinWork) multiply-adds (m·n·k), 1 for smaller ones"
    }
}
