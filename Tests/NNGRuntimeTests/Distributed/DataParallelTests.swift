@testable import NNGRuntime
import Testing

/// The parts of data-parallel training that need no MPI job (the rest runs under a real
/// `mpirun` in nngcTests/DistributedTrainingTests).
@Suite struct DataParallelTests {
    /// Shards are contiguous, cover the batch exactly once, and differ in size by at most one.
    @Test(arguments: [(64, 3), (8, 3), (4, 4), (10, 1), (7, 2), (1000, 7)])
    func shardsCoverTheBatch(_ count: Int, _ ranks: Int) {
        let ranges = (0..<ranks).map { DataParallel.shardRange(count: count, rank: $0, size: ranks) }
        #expect(ranges.first?.lowerBound == 0 && ranges.last?.upperBound == count)
        for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
        let sizes = ranges.map(\.count)
        #expect(sizes.max()! - sizes.min()! <= 1)
        #expect(sizes == sizes.sorted(by: >), "the larger shards come first")
    }

    @Test func sixtyFourOverThree() {
        #expect((0..<3).map { DataParallel.shardRange(count: 64, rank: $0, size: 3) } == [0..<22, 22..<43, 43..<64])
    }

    /// The launcher is recognised by Open MPI's or PMI's environment; without either, nngc is
    /// one process and MPI is never initialised.
    @Test func launcherFromTheEnvironment() {
        #expect(DataParallel.launcherSize([:]) == nil)
        #expect(DataParallel.launcherSize(["OMPI_COMM_WORLD_SIZE": "3"]) == 3)
        #expect(DataParallel.launcherSize(["PMI_SIZE": "2"]) == 2)
        #expect(DataParallel.launcherSize(["PMI_SIZE": "zero"]) == nil)
        #expect(DataParallel.launcherSize(["PATH": "/usr/bin"]) == nil)
    }
}
