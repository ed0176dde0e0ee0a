import NNGCore

extension ReduceOp {
    public var sourceName: String { rawValue }
}

extension Op {
    /// The name of the operation in the language, as used in diagnostics.
    public var sourceName: String {
        switch self {
        case .input: return "input"
        case .param: return "param"
        case .constant: return "constant"
        case .unary(let u): return u.sourceName
        case .binary(let b): return b.sourceName
        case .select: return "where"
        case .matmul: return "matmul"
        case .transpose: return "transpose"
        case .reshape: return "reshape"
        case .broadcast: return "broadcast"
        case .reduce(let r, _, _): return r.sourceName
        case .softmax: return "softmax"
        case .logSoftmax: return "log_softmax"
        case .concat: return "concat"
        case .slice: return "slice"
        case .pad: return "pad"
        case .oneHot: return "one_hot"
        case .loss(let l): return l.rawValue
        case .accuracy: return "accuracy"
        case .conv2d: return "conv2d"
        case .pool(let k, _, _): return k == .max ? "maxpool2d" : "avgpool2d"
        case .dropout: return "dropout"
        case .bernoulli: return "bernoulli"
        case .stopGradient: return "stop_gradient"
        case .argmaxMask: return "argmax_mask"
        case .conv2dGradInput: return "conv2d_grad_input"
        case .conv2dGradWeight: return "conv2d_grad_weight"
        case .maxPoolGrad: return "maxpool2d_grad"
        case .maxPoolSelect: return "maxpool2d_select"
        case .avgPoolGrad: return "avgpool2d_grad"
        }
    }
}
