import NNGCore

/// Reductions over axes, and the operations normalised along one axis.
enum ReductionOps {
    static func reduce(_ r: ReduceOp) -> OpDefinition { reductions[r]! }

    private static let reductions: [ReduceOp: OpDefinition] = {
        var t: [ReduceOp: OpDefinition] = [:]
        for r in ReduceOp.allCases {
            t[r] = OpDefinition(r.rawValue, [.tensor("x"), OpParameter("axes", .axes, .allAxes),
                                             OpParameter("keepdims", .bool, .bool(false), printing: .unlessDefault)]) { a in
                .reduce(r, axes: a.ints("axes"), keepdims: a.bool("keepdims"))
            }
        }
        return t
    }()

    static let softmax = OpDefinition("softmax", [.tensor("x"), OpParameter("axis", .axis, .int(-1))]) { a in
        .softmax(axis: a.int("axis"))
    }
    static let logSoftmax = OpDefinition("log_softmax", [.tensor("x"), OpParameter("axis", .axis, .int(-1))]) { a in
        .logSoftmax(axis: a.int("axis"))
    }
    /// 1 at the first maximal element over `axes` (row-major order), 0 elsewhere (max's gradient).
    static let argmaxMask = OpDefinition("argmax_mask", [.tensor("x"), OpParameter("axes", .axes, .allAxes)],
                                         gradientInputs: .none) { a in
        .argmaxMask(axes: a.ints("axes"))
    }

    static var all: [OpDefinition] { ReduceOp.allCases.map(reduce) + [softmax, logSoftmax, argmaxMask] }
}
