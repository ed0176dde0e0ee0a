import NNGCore
import NNGIR

// conv2d and the pooling operations: ONNX's Conv, MaxPool and AveragePool over NCHW.

extension ONNXNodeContext {
    func conv2d(stride: Int, padding: Int, _ b: inout ONNXGraphBuilder) -> String {
        b.node("Conv", operands, [ONNXAttribute.ints("strides", [stride, stride]),
                                  ONNXAttribute.ints("pads", [padding, padding, padding, padding])], output: hint)
    }

    /// Pooling over the last two axes: rank 4 directly, rank 3 with a batch axis added and removed.
    func pool(_ kind: PoolKind, size: Int, stride: Int, _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        let opType = kind == .max ? "MaxPool" : "AveragePool"
        let attributes = [ONNXAttribute.ints("kernel_shape", [size, size]), ONNXAttribute.ints("strides", [stride, stride])]
        switch operandShape(0).rank {
        case 4:
            return b.node(opType, operands, attributes, output: hint)
        case 3:
            let batched = b.node("Unsqueeze", [operands[0], b.int64s([0])])
            return b.node("Squeeze", [b.node(opType, [batched], attributes), b.int64s([0])], output: hint)
        default:
            throw noONNXForm("pooling of a rank-\(operandShape(0).rank) tensor; ONNX pools [N, C, H, W]")
        }
    }
}
