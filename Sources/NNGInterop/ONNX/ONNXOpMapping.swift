import NNGCore
import NNGIR

// The one switch from the IR's operations to ONNX. It is exhaustive: a new operation does not
// compile until it has a mapping here or an explicit "no ONNX form" entry.

extension ONNXNodeContext {
    /// Appends the node's ONNX form and returns the name of the value it computes.
    func export(into b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        switch node.op {
        case .input, .param:
            preconditionFailure("inputs and params are graph inputs and initializers (ONNXExporter)")
        case .constant(let values):
            return b.floats(values, shape: shape.concrete ?? [], name: node.name ?? "const")
        case .unary(let op): return try unary(op, &b)
        case .binary(let op): return binary(op, &b)
        case .select: return select(&b)
        case .matmul: return b.node("MatMul", operands, output: hint)
        case .transpose(let perm): return b.node("Transpose", operands, [ONNXAttribute.ints("perm", perm)], output: hint)
        case .reshape(let dims): return try reshape(dims, &b)
        case .broadcast(let dims): return try broadcast(dims, &b)
        case .reduce(let op, let axes, let keepdims): return reduce(op, axes: axes, keepdims: keepdims, &b)
        case .softmax(let axis): return b.node("Softmax", operands, [ONNXAttribute.int("axis", axis)], output: hint)
        case .logSoftmax(let axis): return b.node("LogSoftmax", operands, [ONNXAttribute.int("axis", axis)], output: hint)
        case .concat(let axis): return b.node("Concat", operands, [ONNXAttribute.int("axis", axis)], output: hint)
        case .slice(let axis, let start, let end): return slice(axis: axis, start: start, end: end, &b)
        case .pad(let axis, let before, let after): return pad(axis: axis, before: before, after: after, &b)
        case .oneHot(let classes): return oneHot(classes: classes, &b)
        case .loss(let op): return loss(op, &b)
        case .accuracy: return accuracy(&b)
        case .conv2d(let stride, let padding): return conv2d(stride: stride, padding: padding, &b)
        case .pool(let kind, let size, let stride): return try pool(kind, size: size, stride: stride, &b)
        case .dropout, .stopGradient:
            // Inference: dropout is the identity; stop_gradient only matters to differentiation.
            return b.node("Identity", operands, output: hint)
        case .scan, .scanResult:
            preconditionFailure("a loop makes all its results at once (ONNXExporter.exportNodes)")
        case .bernoulli, .argmaxMask, .conv2dGradInput, .conv2dGradWeight, .maxPoolGrad, .maxPoolSelect, .avgPoolGrad:
            throw noONNXForm(Self.reasonWithoutONNXForm(node.op)!)
        }
    }

    /// Why an operation has no ONNX form, or nil when it has one. The exporter asks before it
    /// writes anything, so the first such operation of the graph is the one reported.
    static func reasonWithoutONNXForm(_ op: Op) -> String? {
        switch op {
        case .bernoulli: return "random sampling"
        case .argmaxMask, .conv2dGradInput, .conv2dGradWeight, .maxPoolGrad, .maxPoolSelect, .avgPoolGrad:
            return "a gradient operation"
        case .input, .scan, .scanResult, .param, .constant, .unary, .binary, .select, .matmul, .transpose, .reshape, .broadcast, .reduce,
             .softmax, .logSoftmax, .concat, .slice, .pad, .oneHot, .loss, .accuracy, .conv2d, .pool, .dropout, .stopGradient:
            return nil
        }
    }
}
