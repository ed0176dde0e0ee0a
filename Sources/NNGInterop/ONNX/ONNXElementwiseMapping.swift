import NNGCore
import NNGIR

// Elementwise operations: ONNX's operators where the formula is the same, else the formula of
// the scalar-op table (Sources/NNGIR/Ops/ScalarOps.swift) written with ONNX operators.

extension ONNXNodeContext {
    func unary(_ op: UnaryOp, _ b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> String {
        let x = operands[0]
        let direct: String? = switch op {
        case .negate: "Neg"
        case .exp: "Exp"
        case .log: "Log"
        case .sqrt: "Sqrt"
        case .abs: "Abs"
        case .sin: "Sin"
        case .cos: "Cos"
        case .tanh: "Tanh"
        case .sigmoid: "Sigmoid"
        case .relu: "Relu"
        case .softplus: "Softplus"
        case .sign: "Sign"
        case .erf: "Erf"
        case .softsign: "Softsign"
        case .gelu, .step, .leakyRelu, .erfc: nil
        }
        if let direct { return b.node(direct, [x], output: hint) }
        switch op {
        case .gelu:                                                  // x · (1 + erf(x/√2)) / 2
            let scaled = b.node("Mul", [x, b.scalar(0.70710678118654752440)])
            let phi = b.node("Mul", [b.node("Add", [b.scalar(1), b.node("Erf", [scaled])]), b.scalar(0.5)])
            return b.node("Mul", [x, phi], output: hint)
        case .step:                                                  // 1 if x > 0 else 0
            return b.node("Cast", [b.node("Greater", [x, b.scalar(0)])], [ONNXAttribute.int("to", Int(b.elementType.rawValue))], output: hint)
        case .leakyRelu(let alpha):                                  // alpha in the graph's precision
            let negative = b.node("Mul", [x, b.scalar(alpha)])
            return b.node("Where", [b.node("Greater", [x, b.scalar(0)]), x, negative], output: hint)
        case .erfc:
            return b.node("Sub", [b.scalar(1), b.node("Erf", [x])], output: hint)
        default:
            preconditionFailure("\(op) has a direct ONNX operator")
        }
    }

    func binary(_ op: BinaryOp, _ b: inout ONNXGraphBuilder) -> String {
        let opType = switch op {
        case .add: "Add"
        case .subtract: "Sub"
        case .multiply: "Mul"
        case .divide: "Div"
        case .power: "Pow"
        case .maximum: "Max"
        case .minimum: "Min"
        }
        return b.node(opType, operands, output: hint)
    }

    /// where(c, a, b): a where c ≠ 0.
    func select(_ b: inout ONNXGraphBuilder) -> String {
        let condition = b.node("Not", [b.node("Equal", [operands[0], b.scalar(0)])])
        return b.node("Where", [condition, operands[1], operands[2]], output: hint)
    }
}
