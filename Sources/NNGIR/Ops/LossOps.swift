import NNGCore

/// Losses and metrics: a prediction and a target of one shape → a scalar.
enum LossOps {
    static func loss(_ l: LossOp) -> OpDefinition { losses[l]! }

    private static let losses: [LossOp: OpDefinition] = {
        var t: [LossOp: OpDefinition] = [:]
        for l in LossOp.allCases { t[l] = OpDefinition(l.rawValue, [.tensor("p"), .tensor("t")]) { _ in .loss(l) } }
        return t
    }()

    static let accuracy = OpDefinition("accuracy", [.tensor("p"), .tensor("t")]) { _ in .accuracy }

    static var all: [OpDefinition] { LossOp.allCases.map(loss) + [accuracy] }
}
