import NNGCore

/// Operations that move, select or relabel elements without arithmetic.
enum MovementOps {
    static let transpose = OpDefinition("transpose", [.tensor("x"), OpParameter("perm", .permutation, .reversedAxes, printing: .positional)]) { a in
        .transpose(a.ints("perm"))
    }
    static let reshape = OpDefinition("reshape", [.tensor("x"), OpParameter("dims", .reshapeTarget, printing: .positional)],
                                      flags: .alias) { a in
        .reshape(a.dims("dims"))
    }
    static let broadcast = OpDefinition("broadcast", [.tensor("x"), OpParameter("dims", .shape, printing: .positional)],
                                        flags: .elementwise) { a in
        .broadcast(a.dims("dims"))
    }
    static let concat = OpDefinition("concat", [OpParameter("xs", .tensors), OpParameter("axis", .axis, .int(0))]) { a in
        .concat(axis: a.int("axis"))
    }
    static let slice = OpDefinition("slice", [.tensor("x"), OpParameter("axis", .axis), OpParameter("start", .int),
                                              OpParameter("end", .int)]) { a in
        .slice(axis: a.int("axis"), start: a.int("start"), end: a.int("end"))
    }
    static let pad = OpDefinition("pad", [.tensor("x"), OpParameter("axis", .axis), OpParameter("before", .int, .int(0)),
                                          OpParameter("after", .int, .int(0))]) { a in
        .pad(axis: a.int("axis"), before: a.int("before"), after: a.int("after"))
    }
    static let oneHot = OpDefinition("one_hot", [.tensor("labels"), OpParameter("classes", .int)], gradientInputs: .none) { a in
        .oneHot(classes: a.int("classes"))
    }
    static let stopGradient = OpDefinition("stop_gradient", [.tensor("x")], flags: .alias, gradientInputs: .none) { _ in
        .stopGradient
    }

    static let all = [transpose, reshape, broadcast, concat, slice, pad, oneHot, stopGradient]
}
