import NNGCore

/// Vector-Jacobian products of conv2d, pooling and the gradient operations themselves
/// (all linear in their differentiable operands, so their VJPs are each other).
extension ReverseMode {
    mutating func convolutionVJP(_ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let ins = node.inputs
        func spatial(_ n: NodeID) -> (Int, Int) {
            let s = graph.nodes[n].type.shape
            return (s[s.rank - 2].value ?? 1, s[s.rank - 1].value ?? 1)
        }
        switch node.op {
        case .conv2d(let stride, let padding):                             // y = conv2d(x, w)
            let (x, w) = (ins[0], ins[1])
            if k == 0 {
                let (h, wd) = spatial(x)
                return try b.op(.conv2dGradInput(stride: stride, padding: padding, height: h, width: wd), g, w)
            }
            let (r, s) = spatial(w)
            return try b.op(.conv2dGradWeight(stride: stride, padding: padding, height: r, width: s), x, g)
        case .conv2dGradInput(let stride, let padding, _, _):              // y = gi(d, w)
            let (d, w) = (ins[0], ins[1])
            if k == 0 { return try b.op(.conv2d(stride: stride, padding: padding), g, w) }
            let (r, s) = spatial(w)
            return try b.op(.conv2dGradWeight(stride: stride, padding: padding, height: r, width: s), g, d)
        case .conv2dGradWeight(let stride, let padding, _, _):             // y = gw(x, d)
            let (x, d) = (ins[0], ins[1])
            if k == 0 {
                let (h, wd) = spatial(x)
                return try b.op(.conv2dGradInput(stride: stride, padding: padding, height: h, width: wd), d, g)
            }
            return try b.op(.conv2d(stride: stride, padding: padding), x, g)
        case .pool(.max, let size, let stride):
            return try b.op(.maxPoolGrad(size: size, stride: stride), ins[0], g)
        case .pool(.average, let size, let stride):
            let (h, w) = spatial(ins[0])
            return try b.op(.avgPoolGrad(size: size, stride: stride, height: h, width: w), g)
        case .maxPoolGrad(let size, let stride):                            // linear in its g
            return try b.op(.maxPoolSelect(size: size, stride: stride), ins[0], g)
        case .maxPoolSelect(let size, let stride):                          // linear in its u
            return try b.op(.maxPoolGrad(size: size, stride: stride), ins[0], g)
        case .avgPoolGrad(let size, let stride, _, _):
            return try b.op(.pool(.average, size: size, stride: stride), g)
        default:
            return nil
        }
    }
}
