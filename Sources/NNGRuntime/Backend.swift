import NNGCore
import NNGIR

/// Where a graph runs: the Swift interpreter (the reference) or generated C compiled
/// in-process by TinyCC (the default).
public enum BackendKind: String, CaseIterable, Sendable {
    case interp, c

    public static let `default`: BackendKind = .c

    /// The graph's outputs, in order, computed on this backend.
    public func outputs(of graph: Graph, inputs: [String: Tensor], params: [String: Tensor],
                        options: RunOptions) throws(DiagnosticsError) -> [(name: String, value: Tensor)] {
        switch self {
        case .interp:
            return try Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)
        case .c:
            return try CompiledGraph(graph: graph, sizes: options.symbolSizes)
                .outputs(inputs: inputs, params: params, options: options)
        }
    }
}
