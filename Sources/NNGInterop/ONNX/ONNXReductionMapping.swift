import NNGCore
import NNGIR

// Reductions. Opset 17: ReduceSum takes its axes as an input, the others as an attribute.

extension ONNXNodeContext {
    func reduce(_ op: ReduceOp, axes: [Int], keepdims: Bool, _ b: inout ONNXGraphBuilder) -> String {
        let keep = ONNXAttribute.int("keepdims", keepdims ? 1 : 0)
        if axes.isEmpty { return b.node("Identity", operands, output: hint) }  // a scalar reduced over nothing
        switch op {
        case .sum:
            return b.node("ReduceSum", [operands[0], b.int64s(axes)], [keep], output: hint)
        case .mean, .max, .logsumexp:
            let opType = op == .mean ? "ReduceMean" : op == .max ? "ReduceMax" : "ReduceLogSumExp"
            return b.node(opType, operands, [ONNXAttribute.ints("axes", axes), keep], output: hint)
        }
    }
}
