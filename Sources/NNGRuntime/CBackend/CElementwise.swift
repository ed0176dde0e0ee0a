import NNGCore
import NNGIR

/// Fused elementwise kernels: unary, binary (NumPy broadcasting), where, broadcast, dropout and
/// bernoulli. One loop over the group's shape; each leaf operand is read with its broadcast
/// strides, each member is a local `vN`, only the group's last node is stored.
extension CCodeGenerator {
    func emitElementwise(_ rootID: Int, _ w: inout CWriter) {
        let members = groups[rootID]!
        let memberSet = Set(members)
        let shape = shapes[rootID]
        let n = CShape.count(shape)
        var leaves: [Int] = []
        for m in members {
            for x in graph.nodes[m].inputs where !memberSet.contains(x) && !leaves.contains(x) && isScalarConstant(x) == nil {
                leaves.append(x)
            }
        }
        let flat = leaves.allSatisfy { shapes[$0] == shape || CShape.count(shapes[$0]) == 1 }
        var closes = 0
        if flat {
            closes = openLoops(&w, [("o", n)])
        } else {
            w.line("int64_t o = 0;")
            closes = openLoops(&w, shape.enumerated().map { ("i\($0.offset)", $0.element) })
        }
        for x in leaves {
            let index: String
            if CShape.count(shapes[x]) == 1 {
                index = "0"
            } else if flat || shapes[x] == shape {
                index = "o"
            } else {
                index = CShape.indexExpr(CShape.broadcastStrides(from: shapes[x], to: shape))
            }
            w.line("const T l\(x) = \(elem(x, index));")
        }
        func operand(_ x: Int) -> String {
            if memberSet.contains(x) { return "v\(x)" }
            if let c = isScalarConstant(x) { return lit(c) }
            return "l\(x)"
        }
        for m in members {
            let args = graph.nodes[m].inputs.map(operand)
            w.line("const T v\(m) = \(expression(graph.nodes[m].op, args));")
        }
        w.line("\(elem(rootID, "o")) = v\(rootID);")
        if !flat { w.line("o++;") }
        closeLoops(&w, closes)
    }

    /// The C expression of one elementwise op on operand expressions (identifiers or literals,
    /// so repeating them is free).
    func expression(_ op: Op, _ a: [String]) -> String {
        switch op {
        case .unary(let u):
            let x = a[0]
            switch u {
            case .negate: return "-\(x)"
            case .exp: return "\(fn("exp"))(\(x))"
            case .log: return "\(fn("log"))(\(x))"
            case .sqrt: return "\(fn("sqrt"))(\(x))"
            case .abs: return "\(fn("fabs"))(\(x))"
            case .sin: return "\(fn("sin"))(\(x))"
            case .cos: return "\(fn("cos"))(\(x))"
            case .tanh: return "\(fn("tanh"))(\(x))"
            case .sigmoid: return "nngc_sigmoid(\(x))"
            case .relu: return "(\(x) < 0 ? 0 : \(x))"
            case .gelu: return "\(lit(0.5)) * \(x) * (1 + \(fn("erf"))(\(x) * \(lit(0.70710678118654752440))))"
            case .softplus: return "nngc_softplus(\(x))"
            case .step: return "(\(x) > 0 ? 1 : 0)"
            case .sign: return "(\(x) > 0 ? 1 : (\(x) < 0 ? -1 : \(x)))"
            case .leakyRelu(let alpha): return "(\(x) > 0 ? \(x) : \(lit(alpha)) * \(x))"
            case .erf: return "\(fn("erf"))(\(x))"
            }
        case .binary(let b):
            let (x, y) = (a[0], a[1])
            switch b {
            case .add: return "\(x) + \(y)"
            case .subtract: return "\(x) - \(y)"
            case .multiply: return "\(x) * \(y)"
            case .divide: return "\(x) / \(y)"
            case .power: return "\(fn("pow"))(\(x), \(y))"
            case .maximum: return "((\(x) >= \(y) || \(x) != \(x)) ? \(x) : \(y))"
            case .minimum: return "((\(x) <= \(y) || \(x) != \(x)) ? \(x) : \(y))"
            }
        case .select:
            return "(\(a[0]) != 0 ? \(a[1]) : \(a[2]))"
        case .broadcast:
            return a[0]
        case .dropout(let p, let stream):
            // scale = T(1) / (T(1) - T(p)) in the element type, as the interpreter computes it.
            let scale: Double = dtype == .f32 ? Double(Float(1) / (Float(1) - Float(p))) : 1 / (1 - p)
            return "(training ? (nngc_uniform(seed, step, \(stream)ULL, (uint64_t)o) >= \(CText.double(p)) ? \(a[0]) * \(lit(scale)) : 0) : \(a[0]))"
        case .bernoulli(let stream):
            return "(nngc_uniform(seed, step, \(stream)ULL, (uint64_t)o) < (double)\(a[0]) ? 1 : 0)"
        default:
            return "0 /* not elementwise */"
        }
    }
}
