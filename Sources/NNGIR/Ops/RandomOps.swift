import NNGCore

/// Operations that draw counter-based random numbers (docs/language.md, "Random operations").
enum RandomOps {
    static let stream = OpParameter("stream", .stream, .position)

    /// In training: zero with probability p, scale by 1/(1-p); else identity.
    static let dropout = OpDefinition("dropout", [.tensor("x"), OpParameter("p", .number, .number(0.5)), stream],
                                      flags: [.elementwise, .random]) { a in
        .dropout(p: a.number("p"), stream: a.stream())
    }
    static let bernoulli = OpDefinition("bernoulli", [.tensor("p"), stream], flags: [.elementwise, .random],
                                        gradientInputs: .none) { a in
        .bernoulli(stream: a.stream())
    }

    static let all = [dropout, bernoulli]
}
