import Foundation
import NNGCore
import NNGIR
import SwiftProtobuf

/// Writes a graph's forward computation as an ONNX model (docs/interop.md): the inputs as graph
/// inputs with symbolic sizes as named dimensions, the params as initializers, every operation
/// through its mapping (ONNXOpMapping), the chosen outputs as graph outputs.
public enum ONNXExporter {
    /// The operator set the mappings are written against.
    public static let opsetVersion = 17

    /// The graph's outputs an export writes by default: those that are not losses or accuracies.
    public static func defaultOutputs(of graph: Graph) -> [String] {
        graph.outputs.filter { output in
            switch graph[output.node].op {
            case .loss, .accuracy: return false
            default: return true
            }
        }.map(\.name)
    }

    /// The serialized model. `params` holds every param's value; `outputs` names graph outputs.
    public static func export(_ graph: Graph, params: [String: Tensor], outputs: [String]) throws(DiagnosticsError) -> Data {
        let model = try model(of: graph, params: params, outputs: outputs)
        do { return try model.serializedData() }
        catch { throw DiagnosticsError(Diagnostic("cannot serialize the ONNX model: \(error)")) }
    }

    static func model(of graph: Graph, params: [String: Tensor], outputs: [String]) throws(DiagnosticsError) -> Onnx_ModelProto {
        let chosen = try outputs.map { name throws(DiagnosticsError) -> (name: String, node: NodeID) in
            guard let node = graph.output(named: name) else {
                let known = graph.outputs.map(\.name).joined(separator: ", ")
                throw DiagnosticsError(Diagnostic("graph '\(graph.name)' has no output '\(name)' (its outputs: \(known))"))
            }
            return (name, node)
        }
        let needed = reachable(from: chosen.map(\.node), in: graph)
        let inputNames = graph.inputs.filter { needed.contains($0.node) }.map(\.name)
        var builder = ONNXGraphBuilder(dtype: graph.dtype, reservedNames: Set(inputNames + chosen.map(\.name)))
        var values: [NodeID: String] = [:]
        var onnxGraph = Onnx_GraphProto()
        onnxGraph.name = graph.name
        let sizes = graph.sizes
        try checkExportable(graph, needed.sorted())
        for id in graph.nodes.indices where needed.contains(id) {
            let node = graph[id]
            switch node.op {
            case .input(let name):
                values[id] = name
                onnxGraph.input.append(valueInfo(name, node.type, sizes: sizes))
            case .param(let name, _):
                guard let value = params[name] else {
                    throw DiagnosticsError(Diagnostic("no value for param '\(name)'", at: node.range))
                }
                let initializerName = builder.freshName(name)
                builder.initializer(name: initializerName, tensor: value)
                values[id] = initializerName
            default:
                continue
            }
        }
        try exportNodes(of: graph, needed.contains, values: &values, scope: ONNXScope(graph), into: &builder)
        for (name, id) in chosen {
            builder.node("Identity", [values[id]!], exactName: name)  // reserved for it
            onnxGraph.output.append(valueInfo(name, graph[id].type, sizes: sizes))
        }
        onnxGraph.node = builder.nodes
        onnxGraph.initializer = builder.initializers
        var model = Onnx_ModelProto()
        model.irVersion = 8
        model.producerName = "nngc"
        model.graph = onnxGraph
        var opset = Onnx_OperatorSetIdProto()
        opset.domain = ""
        opset.version = Int64(opsetVersion)
        model.opsetImport = [opset]
        return model
    }

    /// Refuses, before anything is written, the first operation without an ONNX form (loop
    /// bodies included), at its source line.
    static func checkExportable(_ graph: Graph, _ ids: [NodeID]) throws(DiagnosticsError) {
        for id in ids {
            if let why = ONNXNodeContext.reasonWithoutONNXForm(graph[id].op) {
                throw ONNXNodeContext(graph: graph, id: id, operands: [], scope: ONNXScope(graph)).noONNXForm(why)
            }
            if case .scan(let spec) = graph[id].op { try checkExportable(spec.body, Array(spec.body.nodes.indices)) }
        }
    }

    /// Appends the ONNX form of every node of `graph` that `include` selects and `values` does
    /// not name yet (inputs, params and a body's inputs are named by the caller), in order. A
    /// scan makes all its results at once; its `scan_result` nodes name one each.
    static func exportNodes(of graph: Graph, _ include: (NodeID) -> Bool, values: inout [NodeID: String], scope: ONNXScope,
                            into builder: inout ONNXGraphBuilder) throws(DiagnosticsError) {
        var loopResults: [NodeID: [String]] = [:]
        for id in graph.nodes.indices where include(id) && values[id] == nil {
            let node = graph[id]
            let context = ONNXNodeContext(graph: graph, id: id, operands: node.inputs.map { values[$0]! }, scope: scope)
            switch node.op {
            case .scan(let spec):
                let results = try context.scan(spec, into: &builder)
                loopResults[id] = results
                values[id] = results[0]
            case .scanResult(let k):
                values[id] = loopResults[node.inputs[0]]![k]
            default:
                values[id] = try context.export(into: &builder)
            }
        }
    }

    /// The nodes the chosen outputs depend on (so an export of `p` leaves out the loss and its target).
    static func reachable(from roots: [NodeID], in graph: Graph) -> Set<NodeID> {
        var seen = Set<NodeID>(), stack = roots
        while let id = stack.popLast() {
            guard seen.insert(id).inserted else { continue }
            stack.append(contentsOf: graph[id].inputs)
        }
        return seen
    }

    /// A typed value: symbolic dimensions become named dimensions (`B`, `L*L`).
    static func valueInfo(_ name: String, _ type: TensorType, sizes: [String: Int]) -> Onnx_ValueInfoProto {
        var shape = Onnx_TensorShapeProto()
        shape.dim = type.shape.resolved(sizes).dims.map { d in
            var dim = Onnx_TensorShapeProto.Dimension()
            if let n = d.value { dim.dimValue = Int64(n) } else { dim.dimParam = d.description }
            return dim
        }
        var tensor = Onnx_TypeProto.Tensor()
        tensor.elemType = Int32((type.dtype == .f32 ? Onnx_TensorProto.DataType.float : .double).rawValue)
        tensor.shape = shape
        var t = Onnx_TypeProto()
        t.tensorType = tensor
        var info = Onnx_ValueInfoProto()
        info.name = name
        info.type = t
        return info
    }
}
