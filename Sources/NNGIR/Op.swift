import NNGCore

public enum ReduceOp: String, Hashable, Sendable, CaseIterable {
    case sum, mean, max, logsumexp
}

public enum LossOp: String, Hashable, Sendable, CaseIterable {
    case mse, bce, bceLogits = "bce_logits", crossEntropy = "cross_entropy"
}

public enum PoolKind: String, Hashable, Sendable { case max, average }

/// How a parameter gets its initial value (contract 5.2).
public enum ParamInit: Hashable, Sendable {
    case fill(Double)
    /// Row-major values of a nested list literal of the parameter's exact shape.
    case literal([Double])
    case zeros, ones
    case normal(std: Double)
    case uniform(low: Double, high: Double)
    case he, xavier
}

/// One operation of the IR. Attributes are resolved: axes are non-negative and
/// sorted, reshape targets contain no `-1`. The inputs of a node are listed in
/// the order the comment of each case gives.
public enum Op: Hashable, Sendable {
    /// A tensor fed at run time.
    case input(String)
    /// A trainable tensor with its initialiser.
    case param(String, ParamInit)
    /// A constant: row-major values of the node's (concrete) shape; a scalar has one value.
    case constant([Double])

    case unary(UnaryOp)                  // x
    case binary(BinaryOp)                // a, b (broadcasting)
    case select                          // where(c, a, b)
    case matmul                          // a, b
    case transpose([Int])                // x; result axis i is input axis perm[i]
    case reshape([Dim])                  // x
    case broadcast([Dim])                // x
    case reduce(ReduceOp, axes: [Int], keepdims: Bool)  // x
    case softmax(axis: Int)              // x
    case logSoftmax(axis: Int)           // x
    case concat(axis: Int)               // x1, x2, ...
    case slice(axis: Int, start: Int, end: Int)        // x
    case pad(axis: Int, before: Int, after: Int)       // x
    case oneHot(classes: Int)            // labels
    case loss(LossOp)                    // prediction, target
    case accuracy                        // prediction, target
    case conv2d(stride: Int, padding: Int)             // x [N,C,H,W], w [K,C,R,S]
    case pool(PoolKind, size: Int, stride: Int)        // x [..., H, W]
    /// In training: zero with probability p, scale by 1/(1-p); else identity.
    /// `stream` keys the random numbers (stable across rewrites and backends).
    case dropout(p: Double, stream: UInt64)            // x
    case bernoulli(stream: UInt64)       // p
    case stopGradient                    // x

    // Gradient operations (docs/gradient-ops.md). Each is printable, parseable,
    // interpretable and differentiable, so gradient graphs can be differentiated again.

    /// 1 at the first maximal element over `axes` (row-major order), 0 elsewhere; x's shape.
    case argmaxMask(axes: [Int])                       // x
    /// ∂conv2d/∂x applied to g: g [N,K,OH,OW], w [K,C,R,S] → [N,C,height,width].
    case conv2dGradInput(stride: Int, padding: Int, height: Int, width: Int)   // g, w
    /// ∂conv2d/∂w applied to g: x [N,C,H,W], g [N,K,OH,OW] → [K,C,height,width].
    case conv2dGradWeight(stride: Int, padding: Int, height: Int, width: Int)  // x, g
    /// maxpool2d's gradient: g (pooled shape) routed to the first maximal element of each
    /// window of x; overlapping windows add. Result: x's shape.
    case maxPoolGrad(size: Int, stride: Int)           // x, g
    /// The adjoint of maxPoolGrad: for each window of x, u at its first maximal element.
    /// Result: the pooled shape.
    case maxPoolSelect(size: Int, stride: Int)         // x, u
    /// avgpool2d's gradient: g (pooled shape) spread evenly over each window, into a tensor
    /// whose last two axes are height × width.
    case avgPoolGrad(size: Int, stride: Int, height: Int, width: Int)          // g

    /// A loop applying a body graph along an axis (Ops/LoopOps.swift). Its value is its first
    /// result; the others are read through `scanResult` nodes.
    case scan(ScanSpec)                  // initial carries, sequences, captures
    /// Result `k` (k >= 1) of a scan node.
    case scanResult(Int)                 // the scan node

    /// The operation's definition (Ops/) and its attribute values, in the order of the
    /// definition's attribute parameters. The one switch that ties `Op` to the registry.
    public var form: (definition: OpDefinition, attributes: [AttributeValue]) {
        switch self {
        case .input: return (LeafOps.input, [])
        case .param: return (LeafOps.param, [])
        case .constant: return (LeafOps.constant, [])
        case .unary(.leakyRelu(let alpha)): return (ElementwiseOps.unary(.leakyRelu(alpha: alpha)), [.number(alpha)])
        case .unary(let u): return (ElementwiseOps.unary(u), [])
        case .binary(let b): return (ElementwiseOps.binary(b), [])
        case .select: return (ElementwiseOps.select, [])
        case .matmul: return (MatmulOps.matmul, [])
        case .transpose(let perm): return (MovementOps.transpose, [.ints(perm)])
        case .reshape(let dims): return (MovementOps.reshape, [.dims(dims)])
        case .broadcast(let dims): return (MovementOps.broadcast, [.dims(dims)])
        case .reduce(let r, let axes, let keepdims): return (ReductionOps.reduce(r), [.ints(axes), .bool(keepdims)])
        case .softmax(let axis): return (ReductionOps.softmax, [.int(axis)])
        case .logSoftmax(let axis): return (ReductionOps.logSoftmax, [.int(axis)])
        case .concat(let axis): return (MovementOps.concat, [.int(axis)])
        case .slice(let axis, let start, let end): return (MovementOps.slice, [.int(axis), .int(start), .int(end)])
        case .pad(let axis, let before, let after): return (MovementOps.pad, [.int(axis), .int(before), .int(after)])
        case .oneHot(let classes): return (MovementOps.oneHot, [.int(classes)])
        case .loss(let l): return (LossOps.loss(l), [])
        case .accuracy: return (LossOps.accuracy, [])
        case .conv2d(let stride, let padding): return (ConvolutionOps.conv2d, [.int(stride), .int(padding)])
        case .pool(let kind, let size, let stride): return (PoolingOps.pool(kind), [.int(size), .int(stride)])
        case .dropout(let p, let stream): return (RandomOps.dropout, [.number(p), .int(Int(truncatingIfNeeded: stream))])
        case .bernoulli(let stream): return (RandomOps.bernoulli, [.int(Int(truncatingIfNeeded: stream))])
        case .stopGradient: return (MovementOps.stopGradient, [])
        case .argmaxMask(let axes): return (ReductionOps.argmaxMask, [.ints(axes)])
        case .conv2dGradInput(let s, let p, let h, let w): return (ConvolutionOps.gradInput, [.int(s), .int(p), .ints([h, w])])
        case .conv2dGradWeight(let s, let p, let h, let w): return (ConvolutionOps.gradWeight, [.int(s), .int(p), .ints([h, w])])
        case .maxPoolGrad(let size, let stride): return (PoolingOps.maxpoolGrad, [.int(size), .int(stride)])
        case .maxPoolSelect(let size, let stride): return (PoolingOps.maxpoolSelect, [.int(size), .int(stride)])
        case .avgPoolGrad(let size, let stride, let h, let w): return (PoolingOps.avgpoolGrad, [.int(size), .int(stride), .ints([h, w])])
        case .scan(let s): return (LoopOps.scan, [.int(s.carries), .int(s.sequences), .int(s.axis), .bool(s.reverse)])
        case .scanResult(let k): return (LoopOps.scanResult, [.int(k)])
        }
    }
}
