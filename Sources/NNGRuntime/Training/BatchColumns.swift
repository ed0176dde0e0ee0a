import NNGCore

/// The columns of a data set that feed a graph's inputs, converted once to the graph's element
/// type, from which a batch's rows are copied straight to where a step reads them (a compiled
/// step's arena) — no tensor per batch.
public final class BatchColumns: @unchecked Sendable {
    public struct Column: Sendable {
        public var name: String
        /// All samples, axis 0 first, in the graph's element type.
        public var tensor: Tensor
        /// Elements per sample.
        public var rowLength: Int
    }

    public let dtype: DType
    public let columns: [Column]
    public let count: Int

    /// The columns of `dataset` named in `inputs` (in that order), in `dtype`.
    public init(_ dataset: Dataset, inputs: [String], dtype: DType) {
        self.dtype = dtype
        count = dataset.count
        columns = inputs.compactMap { name in
            guard let t = dataset.columns[name] else { return nil }
            return Column(name: name, tensor: t.converted(to: dtype), rowLength: t.shape[0] == 0 ? 0 : t.count / t.shape[0])
        }
    }

    /// The batch at `rows` as tensors (for the interpreter, and to diagnose a failed step).
    public func tensors(rows: [Int]) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for c in columns { out[c.name] = datasetGatherRows(c.tensor, rows) }
        return out
    }

    /// Copies the samples at `rows` of column `index`, one after another, to `destination`
    /// (room for rows.count · rowLength elements of `dtype`). Plain index loops over raw
    /// bytes: unspecialised generic iteration allocates in debug builds, and the step loop
    /// must not allocate (BatchFeedTests).
    func gather(column index: Int, rows: [Int], into destination: UnsafeMutableRawPointer) {
        let c = columns[index]
        let rowBytes = c.rowLength * dtype.byteSize
        switch c.tensor.storage {
        case .f32(let a): a.withUnsafeBytes { Self.copy($0, rows: rows, rowBytes: rowBytes, into: destination) }
        case .f64(let a): a.withUnsafeBytes { Self.copy($0, rows: rows, rowBytes: rowBytes, into: destination) }
        }
    }

    private static func copy(_ source: UnsafeRawBufferPointer, rows: [Int], rowBytes: Int, into destination: UnsafeMutableRawPointer) {
        guard let base = source.baseAddress else { return }
        var j = 0
        while j < rows.count {
            (destination + j * rowBytes).copyMemory(from: base + rows[j] * rowBytes, byteCount: rowBytes)
            j += 1
        }
    }
}

/// An epoch's sums of the scalar outputs a train block reports, each weighted by its batch's
/// size; averaged only when the epoch's record is made.
public struct ReportSums: Sendable {
    public let names: [String]
    public private(set) var sums: [Double]
    /// Whether a step produced the output (as a scalar).
    public private(set) var seen: [Bool]

    public init(names: [String]) {
        self.names = names
        sums = [Double](repeating: 0, count: names.count)
        seen = [Bool](repeating: false, count: names.count)
    }

    public mutating func add(_ value: Double, at index: Int, weight: Int) {
        sums[index] += value * Double(weight)
        seen[index] = true
    }

    /// Each seen output's sum divided by `samples`.
    public func averages(samples: Int) -> [String: Double] {
        var out: [String: Double] = [:]
        for (i, name) in names.enumerated() where seen[i] { out[name] = sums[i] / Double(max(1, samples)) }
        return out
    }
}
