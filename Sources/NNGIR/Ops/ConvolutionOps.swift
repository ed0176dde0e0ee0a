import NNGCore

/// 2-D convolution (x [N,C,H,W], w [K,C,R,S]) and its gradients (docs/gradient-ops.md).
enum ConvolutionOps {
    static let conv2d = OpDefinition("conv2d", [.tensor("x"), .tensor("w"), OpParameter("stride", .int, .int(1)),
                                                OpParameter("padding", .int, .int(0))]) { a in
        .conv2d(stride: a.int("stride"), padding: a.int("padding"))
    }
    /// ∂conv2d/∂x applied to g: g [N,K,OH,OW], w [K,C,R,S] → [N,C,height,width].
    static let gradInput = OpDefinition("conv2d_grad_input", [.tensor("g"), .tensor("w"), OpParameter("stride", .int),
                                                              OpParameter("padding", .int), OpParameter("size", .pair)]) { a in
        let hw = a.ints("size")
        return .conv2dGradInput(stride: a.int("stride"), padding: a.int("padding"), height: hw[0], width: hw[1])
    }
    /// ∂conv2d/∂w applied to g: x [N,C,H,W], g [N,K,OH,OW] → [K,C,height,width].
    static let gradWeight = OpDefinition("conv2d_grad_weight", [.tensor("x"), .tensor("g"), OpParameter("stride", .int),
                                                                OpParameter("padding", .int), OpParameter("size", .pair)]) { a in
        let hw = a.ints("size")
        return .conv2dGradWeight(stride: a.int("stride"), padding: a.int("padding"), height: hw[0], width: hw[1])
    }

    static let all = [conv2d, gradInput, gradWeight]
}
