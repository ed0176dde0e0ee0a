import NNGCore
import NNGIR

// Movement operations: reshape, broadcast, slice, pad, one_hot.

extension ONNXNodeContext {
    /// Reshape to the target; a single unknown size is ONNX's -1, several are computed from the inputs' shapes.
    func reshape(_ dims: [Dim], _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        let resolved = Shape(dims).resolved(scope.sizes).dims
        let unknown = resolved.indices.filter { resolved[$0].value == nil }
        let target: String
        if unknown.count == 1 {
            target = b.int64s(resolved.map { $0.value ?? -1 })
        } else {
            target = try shapeTensor(resolved, &b)
        }
        return b.node("Reshape", [operands[0], target], output: hint)
    }

    /// NumPy broadcasting is ONNX's Expand; an axis the operand already has at full size expands by 1.
    func broadcast(_ dims: [Dim], _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        let target = Shape(dims).resolved(scope.sizes).dims
        let source = operandShape(0).dims
        let offset = target.count - source.count
        let expandBy = target.indices.map { i -> Dim in
            i >= offset && source[i - offset] == target[i] ? .known(1) : target[i]
        }
        return b.node("Expand", [operands[0], try shapeTensor(expandBy, &b)], output: hint)
    }

    func slice(axis: Int, start: Int, end: Int, _ b: inout ONNXGraphBuilder) -> String {
        b.node("Slice", [operands[0], b.int64s([start]), b.int64s([end]), b.int64s([axis])], output: hint)
    }

    /// Zeros before and after one axis: ONNX pads list every axis' starts, then every axis' ends.
    func pad(axis: Int, before: Int, after: Int, _ b: inout ONNXGraphBuilder) -> String {
        let rank = operandShape(0).rank
        var pads = [Int](repeating: 0, count: 2 * rank)
        pads[axis] = before
        pads[rank + axis] = after
        return b.node("Pad", [operands[0], b.int64s(pads)], output: hint)
    }

    /// labels[..., None] == [0, 1, …, C-1], as 0/1 of the graph's type (ONNX's OneHot takes
    /// few type combinations in runtimes; a comparison works for every float type).
    func oneHot(classes: Int, _ b: inout ONNXGraphBuilder) -> String {
        let labels = b.node("Unsqueeze", [operands[0], b.int64s([-1])])
        let range = b.floats((0..<classes).map(Double.init), shape: [classes], name: "classes")
        let equal = b.node("Equal", [labels, range])
        return b.node("Cast", [equal], [ONNXAttribute.int("to", Int(b.elementType.rawValue))], output: hint)
    }
}
