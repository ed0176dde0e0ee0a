import NNGCore

/// The elementwise operations: the unary and binary rows of the scalar-op table (ScalarOps.swift)
/// as operations of the language, and `where`.
enum ElementwiseOps {
    static func unary(_ u: UnaryOp) -> OpDefinition {
        if case .leakyRelu = u { return unaryByOp[.leakyRelu(alpha: 0.01)]! }  // one definition for every alpha
        return unaryByOp[u]!
    }
    static func binary(_ b: BinaryOp) -> OpDefinition { binaryByOp[b]! }

    static let select = OpDefinition("where", [.tensor("c"), .tensor("a"), .tensor("b")], flags: .elementwise,
                                     gradientInputs: .only([1, 2])) { _ in .select }

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
                                word: b.rawValue, flags: .elementwise) { _ in .binary(b) }
        }
        return t
    }()

    private static func definition(of u: UnaryOp) -> OpDefinition {
        let rule = u.rule()
        let gradient: OpDefinition.GradientInputs = rule.vjp == nil ? .none : .all
        switch u {
        case .negate:
            return OpDefinition("-", .prefix("-"), [.tensor("x")], word: "negate", flags: .elementwise) { _ in .unary(.negate) }
        case .leakyRelu:
            return OpDefinition(rule.name, [.tensor("x"), OpParameter("alpha", .number, .number(0.01))], flags: .elementwise) { a in
                .unary(.leakyRelu(alpha: a.number("alpha")))
            }
        default:
            return OpDefinition(rule.name, [.tensor("x")], flags: .elementwise, gradientInputs: gradient) { _ in .unary(u) }
        }
    }

    static var all: [OpDefinition] {
        UnaryOp.all.map(unary) + BinaryOp.allCases.map(binary) + [select]
    }
}
