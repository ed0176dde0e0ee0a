import NNGCore
import NNGIR

/// Random numbers by global sample index (docs/distributed.md): under data parallelism a rank
/// holds rows `firstSample ..< firstSample + n` of the global batch, so a random operation on a
/// value whose leading dimension is the batch must number its elements as one process would
/// number the whole batch: element i of the rank's value is element
/// `firstSample · (elements per sample) + i` of the global one. Values without the batch
/// dimension (a mask over a weight) draw the same numbers on every rank, as one process does.
public struct SampleIndexing: Sendable, Hashable {
    /// The batch dimension: the leading dimension of every data input.
    public var batchSymbol: String
    /// The index in the global batch of this rank's first sample.
    public var firstSample: Int

    public init(batchSymbol: String, firstSample: Int = 0) {
        self.batchSymbol = batchSymbol
        self.firstSample = firstSample
    }

    /// How a random node numbers its elements across ranks.
    public enum Numbering: Equatable, Sendable {
        /// Its value does not depend on the batch: the same numbers on every rank.
        case shared
        /// Its leading dimension is the batch and no other dimension is: offset by the rank's
        /// first sample times the elements of one sample.
        case bySample
    }

    /// How node `id` of `graph` numbers its random draws, or nil when no numbering can make them
    /// independent of the number of ranks (the batch in a dimension other than the first).
    public static func numbering(of type: TensorType, batchSymbol: String) -> Numbering? {
        let dims = type.shape.dims
        guard let i = dims.firstIndex(where: { $0.symbols.contains(batchSymbol) }) else { return .shared }
        guard i == 0, case .symbol(batchSymbol) = dims[0],
              !dims.dropFirst().contains(where: { $0.symbols.contains(batchSymbol) }) else { return nil }
        return .bySample
    }

    /// The batch symbol of a graph trained data-parallel: the leading dimension shared by every
    /// input, when they share one.
    public static func batchSymbol(of graph: Graph) -> String? {
        var symbol: String?
        for (_, id) in graph.inputs {
            guard case .symbol(let s)? = graph.nodes[id].type.shape.dims.first, symbol == nil || symbol == s else { return nil }
            symbol = s
        }
        return symbol
    }

    /// The index of element 0 of a random node's value of `shape` (resolved) on this rank.
    func firstIndex(of type: TensorType, shape: [Int]) -> UInt64 {
        guard Self.numbering(of: type, batchSymbol: batchSymbol) == .bySample, let rows = shape.first, rows > 0 else { return 0 }
        return UInt64(firstSample) * UInt64(shape.reduce(1, *) / rows)
    }
}
