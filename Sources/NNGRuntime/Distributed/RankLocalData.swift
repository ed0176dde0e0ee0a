import CMPI
import Foundation
import NNGCore

// Loading the data in parallel (docs/distributed.md, "Data"): each rank reads or generates one
// contiguous block of the samples — the rows of an .npy or IDX file by byte offset, the data
// rows of a CSV file, the temperatures of an `ising` source — and the blocks are then gathered,
// in rank order, so that every rank holds the same data set as a single process would load.
// Everything after loading (splits, shuffles, each batch's shards) is unchanged.

extension DataParallel {
    /// This rank's block of `count` samples: the same split as a batch's shards.
    public func block(of count: Int) -> Range<Int> {
        Self.shardRange(count: count, rank: rank, size: size)
    }

    /// Every rank's block of rows (a tensor of the same shape but for the first axis, stored in
    /// f64), concatenated in rank order: the whole column, on every rank.
    public func gatherRows(_ block: Tensor) -> Tensor {
        let rowShape = Array(block.shape.dropFirst())
        let rowElements = rowShape.reduce(1, *)
        var rows = [Int32](repeating: 0, count: size)
        check(rows.withUnsafeMutableBufferPointer { nngc_mpi_allgather_int(Int32(block.shape.first ?? 0), $0.baseAddress) },
              "MPI_Allgather")
        let counts = rows.map { Int($0) * rowElements }
        guard counts.reduce(0, +) <= Int(Int32.max) else {
            abort("the data set has more than \(Int32.max) elements in one column: too large to gather")
        }
        var displacements = [Int32](repeating: 0, count: size)
        for r in 1..<max(size, 1) { displacements[r] = displacements[r - 1] + Int32(counts[r - 1]) }
        let mine = block.doubles
        var all = [Double](repeating: 0, count: counts.reduce(0, +))
        let counts32 = counts.map { Int32($0) }
        let rc = mine.withUnsafeBufferPointer { m in
            all.withUnsafeMutableBufferPointer { a in
                counts32.withUnsafeBufferPointer { c in
                    displacements.withUnsafeBufferPointer { d in
                        nngc_mpi_allgatherv_f64(m.baseAddress, Int32(mine.count), a.baseAddress, c.baseAddress, d.baseAddress)
                    }
                }
            }
        }
        check(rc, "MPI_Allgatherv")
        return Tensor(shape: [Int(rows.reduce(0, +))] + rowShape, values: all, dtype: .f64)
    }
}

/// Reads one block of rows of an .npy or IDX file: its header, then only the bytes of those rows
/// (the file's length is checked against the header as when reading it whole).
struct ArrayBlockReader {
    /// The longest header read before the rows (an .npy header is a few hundred bytes).
    static let headerLimit = 1 << 16

    let path: String
    let fullPath: String

    func read(format layout: ([UInt8], String) throws(DataError) -> ArrayLayout, block: (Int) -> Range<Int>,
              allowNonFinite: Bool) throws(DataError) -> Tensor {
        guard let file = FileHandle(forReadingAtPath: fullPath) else {
            throw DataError("\(path): cannot read the file", notes: ["note: looked for \(fullPath)"])
        }
        defer { try? file.close() }
        do {
            let size = Int(try file.seekToEnd())
            try file.seek(toOffset: 0)
            let prefix = [UInt8](try file.read(upToCount: min(size, Self.headerLimit)) ?? Data())
            let array = try layout(prefix, path)
            try array.checkLength(fileSize: size, path: path)
            let rows = block(array.shape[0])
            let rowBytes = array.rowElements * array.itemSize
            try file.seek(toOffset: UInt64(array.dataStart + rows.lowerBound * rowBytes))
            let bytes = rows.isEmpty ? [] : [UInt8](try file.read(upToCount: rows.count * rowBytes) ?? Data())
            guard bytes.count == rows.count * rowBytes else {
                throw DataError("\(path): the file is truncated: expected \(rows.count * rowBytes) bytes of rows \(rows.lowerBound)..<\(rows.upperBound), found \(bytes.count)")
            }
            return try array.block(rows, from: bytes, path: path, allowNonFinite: allowNonFinite)
        } catch let error as DataError {
            throw error
        } catch {
            throw DataError("\(path): cannot read the file (\(error.localizedDescription))")
        }
    }
}
