import Foundation
import NNGCore
import NNGIR
import SwiftProtobuf

/// Reads an ONNX model back into an IR graph (docs/interop.md): graph inputs become inputs
/// (named dimensions become symbols), float initializers params, each node one or a few
/// operations named after the node's output. An operator outside the supported subset is
/// refused with its name and its node.
public enum ONNXImporter {
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The graph and its params' values.
    public static func importModel(_ data: Data, name: String) throws -> (graph: Graph, params: [String: Tensor]) {
        let model: Onnx_ModelProto
        do { model = try Onnx_ModelProto(serializedBytes: data) }
        catch { throw Failure(description: "not an ONNX model: \(error)") }
        var reader = ONNXGraphReader(model.graph, name: name)
        try reader.read()
        return (reader.graph, reader.params)
    }
}
