import NNGCore
import NNGIR

/// What the values of a graph being exported may refer to: the sizes the model binds, and the
/// model's inputs (by ONNX name) from which a free size is read at run time. A scan's body is
/// exported in the scope of the graph around it.
struct ONNXScope {
    let sizes: [String: Int]
    let sizeSources: [(name: String, type: TensorType)]

    /// The scope of a whole graph: its sizes and its inputs (whose ONNX names are their own).
    init(_ graph: Graph) {
        sizes = graph.sizes
        sizeSources = graph.inputs.map { ($0.name, graph[$0.node].type) }
    }
}

/// One IR node being exported: its operands' ONNX names and what the mappings ask about it.
struct ONNXNodeContext {
    let graph: Graph
    let id: NodeID
    /// The ONNX names of the node's inputs, in the IR's order.
    let operands: [String]
    let scope: ONNXScope

    var node: Node { graph[id] }
    /// The node's shape with the sizes the graph binds filled in.
    var shape: Shape { node.type.shape.resolved(scope.sizes) }
    func operandShape(_ k: Int) -> Shape { graph[node.inputs[k]].type.shape.resolved(scope.sizes) }
    /// A readable name for the values this node makes: its own name, else its operation.
    var hint: String { node.name ?? node.op.sourceName }

    /// The error of an operation without an ONNX form, at the operation's source line.
    func noONNXForm(_ why: String) -> DiagnosticsError {
        DiagnosticsError(Diagnostic("'\(node.op.sourceName)' has no ONNX form (\(why)); export outputs that do not depend on it (--outputs)",
                                    at: node.range))
    }

    /// A 1-D int64 tensor holding `dims`: a constant when every size is known, else computed
    /// at run time from the shapes of the graph's inputs (`Shape` slices multiplied together).
    func shapeTensor(_ dims: [Dim], _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        if let known = Shape(dims).concrete { return b.int64s(known) }
        var parts: [String] = []
        for dim in dims {
            if let n = dim.value { parts.append(b.int64s([n])); continue }
            let m = dim.monomial
            var factor: String? = m.coefficient == 1 ? nil : b.int64s([m.coefficient])
            for (symbol, exponent) in m.symbols.sorted(by: { $0.key < $1.key }) {
                let size = try symbolSize(symbol, &b)
                for _ in 0..<exponent { factor = factor.map { b.node("Mul", [$0, size], output: "size") } ?? size }
            }
            parts.append(factor!)
        }
        return parts.count == 1 ? parts[0] : b.node("Concat", parts, [ONNXAttribute.int("axis", 0)], output: "shape")
    }

    /// A 1-element int64 tensor: the run-time value of `symbol`, read from an input that has it as a dimension.
    private func symbolSize(_ symbol: String, _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        for (name, type) in scope.sizeSources {
            if let axis = type.shape.dims.firstIndex(of: .symbol(symbol)) {
                return b.node("Shape", [name], [ONNXAttribute.int("start", axis), ONNXAttribute.int("end", axis + 1)],
                              output: "size_\(symbol)")
            }
        }
        throw DiagnosticsError(Diagnostic("'\(node.op.sourceName)' needs the size \(symbol), which is not a dimension of any input: fix it with --size \(symbol)=N", at: node.range))
    }
}
