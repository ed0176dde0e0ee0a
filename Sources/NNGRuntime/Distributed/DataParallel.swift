import CMPI
import Foundation
import NNGCore
import NNGIR

/// Data-parallel training over MPI (docs/distributed.md): every rank runs the same training
/// step on its shard of each global batch; the gradients (and the loss and reported values) are
/// summed across ranks with one allreduce per step, each rank's contribution weighted by its
/// share of the global batch, so that every rank applies the update of the single-process run
/// on the whole batch, and the parameters stay identical on all ranks.
///
/// MPI is initialised only when nngc was started by an MPI launcher (`mpirun`, `srun`), which
/// it recognises by the environment the launcher sets; otherwise nothing here runs and nngc
/// behaves as a single process.
public final class DataParallel: @unchecked Sendable {
    public let rank: Int
    public let size: Int

    /// The rank's share of the current global batch (its shard's samples / the batch's), by
    /// which it scales its values before the sum. Set by the trainer before each step.
    public var weight = 1.0
    /// Whether every rank has the same weight and it is a power of two (equal shards at P = 2,
    /// 4, 8, …): then the generated step sums the unweighted gradients and its update applies
    /// the weight to the sums, the same bits without a pass over the gradients. Set with `weight`.
    public var weightAfterSum = false
    /// The index in the current global batch of the rank's first sample: random operations draw
    /// by global sample index (SampleIndexing). Set by the trainer before each step.
    public var firstSample = 0

    /// Seconds this rank spent in the allreduce calls (the sum itself, and waiting for slower
    /// ranks), for the run's summary.
    public private(set) var allreduceSeconds = 0.0

    /// The job this process belongs to, once `startIfLaunched` has found one: the generated
    /// code's `nngc_allreduce_f32/f64` (plain C functions, without a context) reach it here.
    nonisolated(unsafe) public private(set) static var current: DataParallel?

    private init(rank: Int, size: Int) {
        self.rank = rank
        self.size = size
    }

    /// The number of processes an MPI launcher started, from the environment it sets: Open MPI's
    /// `mpirun` (OMPI_COMM_WORLD_SIZE) or a PMI launcher such as Slurm's `srun` or MPICH's
    /// (PMI_SIZE). nil when no launcher started this process.
    public static func launcherSize(_ environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        for key in ["OMPI_COMM_WORLD_SIZE", "PMI_SIZE"] {
            if let v = environment[key], let n = Int(v), n >= 1 { return n }
        }
        return nil
    }

    /// Initialises MPI and returns the job when a launcher started this process; nil (and MPI
    /// untouched) otherwise. Idempotent.
    public static func startIfLaunched() throws(DiagnosticsError) -> DataParallel? {
        if let current { return current }
        guard launcherSize() != nil else { return nil }
        guard nngc_mpi_init() == 0 else { throw DiagnosticsError(Diagnostic("MPI could not be initialised (MPI_Init_thread failed)")) }
        let job = DataParallel(rank: Int(nngc_mpi_rank()), size: Int(nngc_mpi_size()))
        current = job
        return job
    }

    /// The outputs a step sums over the ranks, in the order of the one buffer both backends sum:
    /// the loss, the other scalar outputs in graph order, then the gradients (`gradients`, the
    /// outputs holding them, in parameter order).
    static func summedOutputs(of graph: Graph, loss: String, gradients: [String]) -> [String] {
        let gradientNames = Set(gradients)
        var names = [loss]
        for o in graph.outputs where !names.contains(o.name) && !gradientNames.contains(o.name)
            && graph.nodes[o.node].type.shape.isScalar { names.append(o.name) }
        return names + gradients
    }

    /// Whether this process writes files and prints progress: rank 0 only.
    public var isLeader: Bool { rank == 0 }

    /// The rows of a global batch this rank trains on: the batch cut into `size` contiguous
    /// shards whose sizes differ by at most one (the first `count % size` shards one larger).
    public func shard(of rows: [Int]) -> ArraySlice<Int> {
        let range = Self.shardRange(count: rows.count, rank: rank, size: size)
        return rows[range]
    }

    static func shardRange(count: Int, rank: Int, size: Int) -> Range<Int> {
        let base = count / size, extra = count % size
        let start = rank * base + min(rank, extra)
        return start..<(start + base + (rank < extra ? 1 : 0))
    }

    /// Scales `count` elements by `weight`, then sums them over every rank, in place. Every
    /// rank receives the same sums.
    public func allreduce(_ buffer: UnsafeMutablePointer<Double>, count: Int) {
        if weight != 1 { for i in 0..<count { buffer[i] *= weight } }
        sum(buffer, count: count, nngc_mpi_allreduce_sum_f64)
    }

    public func allreduce(_ buffer: UnsafeMutablePointer<Float>, count: Int) {
        if weight != 1 {
            let w = Float(weight)
            for i in 0..<count { buffer[i] *= w }
        }
        sum(buffer, count: count, nngc_mpi_allreduce_sum_f32)
    }

    /// Sums `count` elements over every rank, in place, timed (counts beyond Int32.max go in
    /// several calls). The generated step calls this directly: it weights while it gathers.
    func sum<T>(_ buffer: UnsafeMutablePointer<T>, count: Int,
                _ reduce: (UnsafeMutablePointer<T>?, Int32) -> Int32) {
        let start = DispatchTime.now().uptimeNanoseconds
        defer { allreduceSeconds += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        var done = 0
        while done < count {
            let n = min(count - done, Int(Int32.max))
            check(reduce(buffer + done, Int32(n)), "MPI_Allreduce")
            done += n
        }
    }

    /// Whether `params` are bit for bit rank 0's (rank 0's values are broadcast and compared):
    /// the allreduce gives every rank the same sums, so the ranks' updates must agree exactly.
    public func matchesLeader(_ params: [String: Tensor]) -> Bool {
        var mine: [UInt64] = []
        for name in params.keys.sorted() { mine += params[name]!.doubles.map(\.bitPattern) }
        var leaders = mine
        let bytes = leaders.count * 8
        var done = 0
        leaders.withUnsafeMutableBytes { raw in
            while done < bytes {
                let n = min(bytes - done, Int(Int32.max))
                check(nngc_mpi_broadcast_bytes(raw.baseAddress! + done, Int32(n)), "MPI_Bcast")
                done += n
            }
        }
        return leaders == mine
    }

    public func barrier() { check(nngc_mpi_barrier(), "MPI_Barrier") }

    /// Ends the whole job (every rank) with `code`, after `message` on standard error naming
    /// this rank: one rank's failure must not leave the others waiting in an allreduce.
    public func abort(_ message: String, code: Int32 = 1) -> Never {
        FileHandle.standardError.write(Data("rank \(rank) of \(size): \(message)\n".utf8))
        nngc_mpi_abort(code)
        exit(code)
    }

    public func finish() {
        _ = nngc_mpi_finalize()
        if Self.current === self { Self.current = nil }
    }

    func check(_ rc: Int32, _ call: String) {
        if rc != 0 { abort("\(call) failed with error \(rc)") }
    }
}

/// The allreduce generated training steps call between the backward pass and the update
/// (registered with the C compilers like BLAS, `CExternals`): sum `count` elements, already
/// weighted by the step, in place over the job's ranks. Returns 0.
let nngcAllreduceF64: @convention(c) (UnsafeMutablePointer<Double>?, Int64) -> Int32 = { buffer, count in
    if let buffer, let job = DataParallel.current { job.sum(buffer, count: Int(count), nngc_mpi_allreduce_sum_f64) }
    return 0
}

let nngcAllreduceF32: @convention(c) (UnsafeMutablePointer<Float>?, Int64) -> Int32 = { buffer, count in
    if let buffer, let job = DataParallel.current { job.sum(buffer, count: Int(count), nngc_mpi_allreduce_sum_f32) }
    return 0
}
