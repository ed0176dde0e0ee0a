import NNGCore

/// The elementwise operations: the unary and binary rows of the scalar-op table (ScalarOps.swift)
/// as operations of the language, and `where`.
enum ElementwiseOps {
    static func unary(_ u: UnaryOp) -> OpDefinition {
        if case .leakyRelu = u { return unaryByOp[.leakyRelu(alpha: 0.01)]! }  // one definition for every alpha
        return unaryByOp[u]!
    }
    static func binary(_ b: BinaryOp) -> OpDefinition { binaryByOp[b]! }

    /// `where(c, a, b)`: the three operands broadcast together; g flows to a where c, else to b.
    static let select = OpDefinition("where", [.tensor("c"), .tensor("a"), .tensor("b")], flags: .elementwise,
                                     gradientInputs: .only([1, 2]), type: { q throws(ShapeError) in
        guard let s = broadcastShapes(q.shapes) else {
            throw ShapeError("cannot broadcast \(q.inputs[0]), \(q.inputs[1]) and \(q.inputs[2]) in 'where'")
        }
        return q.result(s)
    }, vjp: { b, q throws(DiagnosticsError) in
        let zero = b.scalar(0)
        let masked = q.k == 1 ? try b.op(.select, q.inputs[0], q.g, zero) : try b.op(.select, q.inputs[0], zero, q.g)
        return try b.sumTo(masked, b.shape(q.inputs[q.k]))
    }) { _ in .select }

    /// The scalar-op table's rule of the node's own operation (leaky_relu's alpha is the node's).
    private static let unaryVJP: VJPRule = { b, q throws(DiagnosticsError) in
        guard case .unary(let op) = q.node.op else { preconditionFailure("\(q.node.op) is not unary") }
        let rule: UnaryRule<Double> = op.rule()
        return try rule.vjp?(&b, q.inputs[0], q.y, q.g)
    }

    /// The operand's type.
    static let sameType: TypeRule = { q in q.inputs[0] }

    private static let unaryByOp: [UnaryOp: OpDefinition] = {
        var t: [UnaryOp: OpDefinition] = [:]
        for u in UnaryOp.all { t[u] = definition(of: u) }
        return t
    }()

    private static let binaryByOp: [BinaryOp: OpDefinition] = {
        var t: [BinaryOp: OpDefinition] = [:]
        for b in BinaryOp.allCases {
            let rule = b.rule()
            t[b] = OpDefinition(rule.name, rule.isInfix ? .infix(rule.name) : .call, [.tensor("a"), .tensor("b")],
                                word: b.rawValue, flags: .elementwise, type: { q throws(ShapeError) in
                guard let s = broadcastShapes(q.shapes) else {
                    throw ShapeError("cannot broadcast \(q.inputs[0]) and \(q.inputs[1]) in '\(rule.name)'")
                }
                return q.result(s)
            }, vjp: { builder, q throws(DiagnosticsError) in
                // The table's rule gives the contribution at the result's shape; a broadcast
                // operand gets it summed down to its own.
                let full = try rule.vjp(&builder, q.inputs[0], q.inputs[1], q.y, q.g, q.k)
                return try builder.sumTo(full, builder.shape(q.inputs[q.k]))
            }) { _ in .binary(b) }
        }
        return t
    }()

    private static func definition(of u: UnaryOp) -> OpDefinition {
        let rule = u.rule()
        let gradient: OpDefinition.GradientInputs = rule.vjp == nil ? .none : .all
        let vjp: VJPRule? = rule.vjp == nil ? nil : unaryVJP
        switch u {
        case .negate:
            return OpDefinition("-", .prefix("-"), [.tensor("x")], word: "negate", flags: .elementwise,
                                type: sameType, vjp: vjp) { _ in .unary(.negate) }
        case .leakyRelu:
            return OpDefinition(rule.name, [.tensor("x"), OpParameter("alpha", .number, .number(0.01))], flags: .elementwise,
                                type: sameType, vjp: vjp) { a in
                .unary(.leakyRelu(alpha: a.number("alpha")))
            }
        default:
            return OpDefinition(rule.name, [.tensor("x")], flags: .elementwise, gradientInputs: gradient,
                                type: sameType, vjp: vjp) { _ in .unary(u) }
        }
    }

    static var all: [OpDefinition] {
        UnaryOp.all.map(unary) + BinaryOp.allCases.map(binary) + [select]
    }
}
