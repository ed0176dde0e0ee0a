import NNGCore

/// A problem with a data file or a data value; the loader turns it into a diagnostic at the
/// source in the .nng file. Messages start with the data file's path where there is one
/// (`data.csv:7: expected 3 columns, found 2`).
public struct DataError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public var notes: [String]
    public init(_ message: String, notes: [String] = []) {
        self.message = message
        self.notes = notes
    }
    public var description: String { message }
}

/// Named columns of samples: axis 0 of every tensor is the sample axis, of length `count`.
public struct Dataset: Sendable {
    public var columns: [String: Tensor]
    public var count: Int

    /// Columns that must agree on the number of samples (checked in name order).
    public init(columns: [String: Tensor]) throws(DataError) {
        try self.init(orderedColumns: columns.keys.sorted().map { ($0, columns[$0]!) })
    }

    /// Columns in the order used to report a disagreement ("x has 100, y has 99").
    public init(orderedColumns: [(String, Tensor)]) throws(DataError) {
        var columns: [String: Tensor] = [:]
        var first: (name: String, count: Int)?
        for (name, t) in orderedColumns {
            guard t.rank >= 1 else { throw DataError("'\(name)' has no sample axis (shape [])") }
            if let first, first.count != t.shape[0] {
                throw DataError("sources disagree on the number of samples: \(first.name) has \(first.count), \(name) has \(t.shape[0])")
            }
            if first == nil { first = (name, t.shape[0]) }
            columns[name] = t
        }
        self.columns = columns
        self.count = first?.count ?? 0
    }

    /// Columns known to agree on `count`.
    public init(columns: [String: Tensor], count: Int) {
        precondition(columns.values.allSatisfy { $0.rank >= 1 && $0.shape[0] == count }, "dataset columns disagree on the sample count")
        self.columns = columns
        self.count = count
    }

    public subscript(name: String) -> Tensor? { columns[name] }

    /// The samples at `indices`, in that order (a batch).
    public func gather(_ indices: [Int]) -> Dataset {
        var out: [String: Tensor] = [:]
        for (name, t) in columns { out[name] = datasetGatherRows(t, indices) }
        return Dataset(columns: out, count: indices.count)
    }

    /// The same data with every column in `dtype`.
    public func converted(to dtype: DType) -> Dataset {
        Dataset(columns: columns.mapValues { $0.converted(to: dtype) }, count: count)
    }

    /// A seeded random permutation of 0..<count (Fisher–Yates driven by CounterRandom,
    /// so it is the same on every machine): `step` is usually the epoch.
    public static func permutation(count: Int, seed: UInt64, step: UInt64, stream: UInt64 = CounterRandom.key("shuffle")) -> [Int] {
        var p = Array(0..<count)
        if count < 2 { return p }
        for i in stride(from: count - 1, to: 0, by: -1) {
            let bits = CounterRandom.bits(seed: seed, step: step, stream: stream, index: UInt64(i))
            // Multiply-shift: an unbiased-enough index in 0...i for any count this side of 2^32.
            let j = Int(((bits >> 32) &* UInt64(i + 1)) >> 32)
            p.swapAt(i, j)
        }
        return p
    }

    /// The index lists of one epoch's batches: `size` nil = one batch of everything; the
    /// last batch may be smaller. With `shuffle`, the order is a permutation seeded by
    /// (seed, epoch).
    public func batches(size: Int?, shuffle: Bool, seed: UInt64, epoch: Int) -> [[Int]] {
        let order = shuffle ? Dataset.permutation(count: count, seed: seed, step: UInt64(epoch)) : Array(0..<count)
        let b = max(1, min(size ?? count, count))
        if count == 0 { return [] }
        return stride(from: 0, to: count, by: b).map { Array(order[$0..<min($0 + b, count)]) }
    }

    /// Holds out fractions of the samples after one seeded shuffle: first `test`, then
    /// `validation`; each part keeps its samples in their original order. A fraction
    /// holds out round(F · N) samples, at least 1, and leaves at least one to train on.
    public func split(validation: Double?, test: Double?, seed: UInt64) throws(DataError) -> (train: Dataset, validation: Dataset?, test: Dataset?) {
        let order = Dataset.permutation(count: count, seed: seed, step: 0, stream: CounterRandom.key("split"))
        func size(_ f: Double) -> Int { max(1, Int((f * Double(count)).rounded())) }
        let nTest = test.map(size) ?? 0
        let nVal = validation.map(size) ?? 0
        guard nTest + nVal < count else {
            throw DataError("cannot hold out \(nVal + nTest) of \(count) samples for validation and test: no data would be left to train on")
        }
        let testIdx = Array(order[0..<nTest]).sorted()
        let valIdx = Array(order[nTest..<(nTest + nVal)]).sorted()
        let trainIdx = Array(order[(nTest + nVal)...]).sorted()
        return (gather(trainIdx), validation == nil ? nil : gather(valIdx), test == nil ? nil : gather(testIdx))
    }
}

/// Rows of a tensor along axis 0.
func datasetGatherRows(_ t: Tensor, _ indices: [Int]) -> Tensor {
    let rows = t.shape[0]
    let row = rows == 0 ? 0 : t.count / rows
    var shape = t.shape
    shape[0] = indices.count
    func pick<T>(_ a: [T]) -> [T] {
        var out: [T] = []
        out.reserveCapacity(indices.count * row)
        for i in indices { out.append(contentsOf: a[(i * row)..<((i + 1) * row)]) }
        return out
    }
    switch t.storage {
    case .f32(let a): return Tensor(shape: shape, storage: .f32(pick(a)))
    case .f64(let a): return Tensor(shape: shape, storage: .f64(pick(a)))
    }
}
