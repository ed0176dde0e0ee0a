import NNGCore
import NNGIR

// The losses and accuracy, written with ONNX operators as the language defines them
// (docs/language.md; Sources/NNGRuntime/Kernels/LossKernels.swift). Each is a scalar mean.

extension ONNXNodeContext {
    func loss(_ op: LossOp, _ b: inout ONNXGraphBuilder) -> String {
        let (p, t) = (operands[0], operands[1])
        let meanAll = ONNXAttribute.int("keepdims", 0)
        switch op {
        case .mse:
            let d = b.node("Sub", [p, t])
            return b.node("ReduceMean", [b.node("Mul", [d, d])], [meanAll], output: hint)
        case .bce:                                                   // −mean(t log p + (1−t) log(1−p))
            let positive = b.node("Mul", [t, b.node("Log", [p])])
            let one = b.scalar(1)
            let negative = b.node("Mul", [b.node("Sub", [one, t]), b.node("Log", [b.node("Sub", [one, p])])])
            return b.node("Neg", [b.node("ReduceMean", [b.node("Add", [positive, negative])], [meanAll])], output: hint)
        case .bceLogits:                                             // mean(max(z,0) − z t + log(1 + e^−|z|))
            let tail = b.node("Softplus", [b.node("Neg", [b.node("Abs", [p])])])
            let terms = b.node("Add", [b.node("Sub", [b.node("Relu", [p]), b.node("Mul", [p, t])]), tail])
            return b.node("ReduceMean", [terms], [meanAll], output: hint)
        case .crossEntropy:                                          // −mean over rows of Σ t log_softmax(z)
            let logProbabilities = b.node("LogSoftmax", [p], [ONNXAttribute.int("axis", -1)])
            let perRow = b.node("ReduceSum", [b.node("Mul", [t, logProbabilities]), b.int64s([-1])], [meanAll])
            return b.node("Neg", [b.node("ReduceMean", [perRow], [meanAll])], output: hint)
        }
    }

    /// Several classes: mean(argmax p = argmax t); one: mean((p > 0.5) = (t > 0.5)).
    func accuracy(_ b: inout ONNXGraphBuilder) -> String {
        let (p, t) = (operands[0], operands[1])
        let classes = operandShape(0).dims.last?.value ?? 2
        let hits: String
        if classes > 1 {
            let argmax = [ONNXAttribute.int("axis", -1), ONNXAttribute.int("keepdims", 0)]
            hits = b.node("Equal", [b.node("ArgMax", [p], argmax), b.node("ArgMax", [t], argmax)])
        } else {
            let half = b.scalar(0.5)
            hits = b.node("Equal", [b.node("Greater", [p, half]), b.node("Greater", [t, half])])
        }
        let asNumbers = b.node("Cast", [hits], [ONNXAttribute.int("to", Int(b.elementType.rawValue))])
        return b.node("ReduceMean", [asNumbers], [ONNXAttribute.int("keepdims", 0)], output: hint)
    }
}
