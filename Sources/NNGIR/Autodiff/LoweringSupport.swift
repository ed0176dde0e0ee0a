import NNGCore
import NNGLang

extension Lowerer {
    /// `grad(y, x)` through the autodiff pass: ∂y/∂x appended to the graph built so far.
    mutating func differentiateInLowering(y: NodeID, x: NodeID) throws(DiagnosticsError) -> NodeID {
        try differentiate(&graph, output: y, wrt: [x])[0]
    }

    /// The gradient operations (docs/gradient-ops.md) written as calls.
    mutating func lowerGradientOperation(_ callee: Identifier, _ a: [String: Expr], range: SourceRange, in scope: Scope) throws(LoweringFailure) -> NodeID {
        let name = callee.name
        func tensor(_ p: String) throws(LoweringFailure) -> NodeID { try lowerExpr(a[p]!, in: scope) }
        func make(_ op: Op, _ inputs: [NodeID]) throws(LoweringFailure) -> NodeID {
            try add(op, inputs, range: range, errorRange: callee.range)
        }
        func pair(_ p: String) throws(LoweringFailure) -> (Int, Int) {
            let items = try intList(a[p]!, p, of: name)
            guard items.count == 2 else { throw fail("'\(p)' of '\(name)' must be a list of two integers", at: a[p]!.range) }
            return (items[0].value, items[1].value)
        }
        switch name {
        case "argmax_mask":
            let x = try tensor("x")
            let rank = graph.nodes[x].type.shape.rank
            let axes = try a["axes"].map { e throws(LoweringFailure) in try axesAttribute(e, rank: rank, of: name) } ?? Array(0..<rank)
            return try make(.argmaxMask(axes: axes), [x])
        case "conv2d_grad_input", "conv2d_grad_weight":
            let first = try tensor(name == "conv2d_grad_input" ? "g" : "x")
            let second = try tensor(name == "conv2d_grad_input" ? "w" : "g")
            let stride = try intAttribute(a["stride"], default: 1, "stride", of: name)
            let padding = try intAttribute(a["padding"], default: 0, "padding", of: name)
            let (h, w) = try pair("size")
            let op: Op = name == "conv2d_grad_input"
                ? .conv2dGradInput(stride: stride, padding: padding, height: h, width: w)
                : .conv2dGradWeight(stride: stride, padding: padding, height: h, width: w)
            return try make(op, [first, second])
        case "maxpool2d_grad", "maxpool2d_select":
            let x = try tensor("x")
            let other = try tensor(name == "maxpool2d_grad" ? "g" : "u")
            let size = try intAttribute(a["size"], default: 2, "size", of: name)
            let stride = try intAttribute(a["stride"], default: size, "stride", of: name)
            let op: Op = name == "maxpool2d_grad" ? .maxPoolGrad(size: size, stride: stride) : .maxPoolSelect(size: size, stride: stride)
            return try make(op, [x, other])
        default: // avgpool2d_grad
            let g = try tensor("g")
            let size = try intAttribute(a["size"], default: 2, "size", of: name)
            let stride = try intAttribute(a["stride"], default: size, "stride", of: name)
            let (h, w) = try pair("shape")
            return try make(.avgPoolGrad(size: size, stride: stride, height: h, width: w), [g])
        }
    }
}
