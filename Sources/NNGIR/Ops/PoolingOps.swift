import NNGCore

/// Pooling over the last two axes (size × size windows, no padding) and its gradients.
enum PoolingOps {
    static let window = [OpParameter("size", .int, .int(2)), OpParameter("stride", .int, .sameAs("size"))]

    static let maxpool = OpDefinition("maxpool2d", [.tensor("x")] + window) { a in
        .pool(.max, size: a.int("size"), stride: a.int("stride"))
    }
    static let avgpool = OpDefinition("avgpool2d", [.tensor("x")] + window) { a in
        .pool(.average, size: a.int("size"), stride: a.int("stride"))
    }
    /// g (pooled shape) routed to the first maximal element of each window of x.
    static let maxpoolGrad = OpDefinition("maxpool2d_grad", [.tensor("x"), .tensor("g")] + window,
                                          gradientInputs: .only([1])) { a in
        .maxPoolGrad(size: a.int("size"), stride: a.int("stride"))
    }
    /// The adjoint of maxpool2d_grad: for each window of x, u at its first maximal element.
    static let maxpoolSelect = OpDefinition("maxpool2d_select", [.tensor("x"), .tensor("u")] + window,
                                            gradientInputs: .only([1])) { a in
        .maxPoolSelect(size: a.int("size"), stride: a.int("stride"))
    }
    /// g spread evenly over each window, into a tensor whose last two axes are `shape`.
    static let avgpoolGrad = OpDefinition("avgpool2d_grad", [.tensor("g"), OpParameter("size", .int), OpParameter("stride", .int),
                                                             OpParameter("shape", .pair)]) { a in
        let hw = a.ints("shape")
        return .avgPoolGrad(size: a.int("size"), stride: a.int("stride"), height: hw[0], width: hw[1])
    }

    static func pool(_ kind: PoolKind) -> OpDefinition { kind == .max ? maxpool : avgpool }

    static let all = [maxpool, avgpool, maxpoolGrad, maxpoolSelect, avgpoolGrad]
}
