import NNGCore

/// Vector-Jacobian products of the elementwise operations.
extension ReverseMode {
    mutating func unaryVJP(_ u: UnaryOp, _ y: NodeID, _ node: Node, _ g: NodeID) throws(DiagnosticsError) -> NodeID? {
        let x = node.inputs[0]
        switch u {
        case .negate: return try b.neg(g)
        case .exp: return try b.mul(g, y)
        case .log: return try b.div(g, x)
        case .sqrt: return try b.div(g, b.scale(y, 2))                       // g / (2y)
        case .abs: return try b.mul(g, b.unary(.sign, x))
        case .sin: return try b.mul(g, b.unary(.cos, x))
        case .cos: return try b.neg(b.mul(g, b.unary(.sin, x)))
        case .tanh:                                                         // g (1 - y²)
            return try b.mul(g, b.sub(b.scalar(1), b.mul(y, y)))
        case .sigmoid:                                                      // g y (1 - y)
            return try b.mul(g, b.mul(y, b.sub(b.scalar(1), y)))
        case .relu: return try b.mul(g, b.unary(.step, x))
        case .leakyRelu(let alpha):                                         // g (alpha + (1-alpha) step(x))
            let slope = try b.add(b.scalar(alpha), b.scale(b.unary(.step, x), 1 - alpha))
            return try b.mul(g, slope)
        case .gelu:                                                         // g (Φ(x) + x φ(x))
            let cdf = try b.scale(b.add(b.scalar(1), b.unary(.erf, b.scale(x, 0.70710678118654752440))), 0.5)
            let pdf = try b.scale(b.unary(.exp, b.scale(b.mul(x, x), -0.5)), 0.39894228040143267794)
            return try b.mul(g, b.add(cdf, b.mul(x, pdf)))
        case .softplus: return try b.mul(g, b.unary(.sigmoid, x))
        case .erf:                                                          // g 2/√π e^(-x²)
            let e = try b.unary(.exp, b.neg(b.mul(x, x)))
            return try b.mul(g, b.scale(e, 1.12837916709551257390))
        case .step, .sign: return nil
        }
    }

    mutating func binaryVJP(_ op: BinaryOp, _ y: NodeID, _ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let a = node.inputs[0], c = node.inputs[1]
        let target = graph.nodes[node.inputs[k]].type.shape
        let full: NodeID
        switch (op, k) {
        case (.add, _): full = g
        case (.subtract, 0): full = g
        case (.subtract, _): full = try b.neg(g)
        case (.multiply, 0): full = try b.mul(g, c)
        case (.multiply, _): full = try b.mul(g, a)
        case (.divide, 0): full = try b.div(g, c)
        case (.divide, _): full = try b.neg(b.div(b.mul(g, y), c))        // -g·y/b
        case (.power, 0):                                                  // g·b·a^(b-1)
            full = try b.mul(g, b.mul(c, b.op(.binary(.power), a, b.sub(c, b.scalar(1)))))
        case (.power, _):                                                  // g·a^b·log(a)
            full = try b.mul(g, b.mul(y, b.unary(.log, a)))
        case (.maximum, _), (.minimum, _):
            // The chosen side: for maximum a wins when a ≥ b, i.e. step(b - a) = 0; for
            // minimum when a ≤ b, i.e. step(a - b) = 0. Ties go to a.
            let other = op == .maximum ? try b.sub(c, a) : try b.sub(a, c)
            let toB = try b.unary(.step, other)
            let mask = k == 0 ? try b.sub(b.scalar(1), toB) : toB
            full = try b.mul(g, mask)
        }
        return try b.sumTo(full, target)
    }

    mutating func selectVJP(_ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let cond = node.inputs[0]
        let target = graph.nodes[node.inputs[k]].type.shape
        let zero = b.scalar(0)
        let masked = k == 1 ? try b.op(.select, cond, g, zero) : try b.op(.select, cond, zero, g)
        return try b.sumTo(masked, target)
    }
}
