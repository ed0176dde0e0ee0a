import NNGCore

/// Matrix products: `a @ b` of operands of rank 1 or 2.
enum MatmulOps {
    static let matmul = OpDefinition("matmul", .infix("@"), [.tensor("a"), .tensor("b")]) { _ in .matmul }

    static let all = [matmul]
}
