import NNGCore

/// Appends the operations of gradient rules to a graph. Every helper builds ordinary IR
/// nodes, so whatever it builds can be differentiated again.
struct GradBuilder {
    var graph: Graph
    /// Source range given to new nodes (the forward operation being differentiated).
    var range: SourceRange = .none

    init(graph: Graph) { self.graph = graph }

    func type(_ n: NodeID) -> TensorType { graph.nodes[n].type }
    func shape(_ n: NodeID) -> Shape { graph.nodes[n].type.shape }

    /// Adds an operation; a shape error here is a bug in a rule.
    mutating func op(_ op: Op, _ inputs: NodeID...) throws(DiagnosticsError) -> NodeID {
        try self.op(op, inputs)
    }

    mutating func op(_ op: Op, _ inputs: [NodeID]) throws(DiagnosticsError) -> NodeID {
        do {
            return try graph.add(op, inputs, range: range)
        } catch {
            throw DiagnosticsError(Diagnostic("internal error in the gradient of '\(op.sourceName)': \(error.message)", at: range))
        }
    }

    mutating func scalar(_ v: Double) -> NodeID { graph.addConstant([v], shape: .scalar, range: range) }

    mutating func add(_ a: NodeID, _ b: NodeID) throws(DiagnosticsError) -> NodeID { try op(.binary(.add), a, b) }
    mutating func sub(_ a: NodeID, _ b: NodeID) throws(DiagnosticsError) -> NodeID { try op(.binary(.subtract), a, b) }
    mutating func mul(_ a: NodeID, _ b: NodeID) throws(DiagnosticsError) -> NodeID { try op(.binary(.multiply), a, b) }
    mutating func div(_ a: NodeID, _ b: NodeID) throws(DiagnosticsError) -> NodeID { try op(.binary(.divide), a, b) }
    mutating func neg(_ a: NodeID) throws(DiagnosticsError) -> NodeID { try op(.unary(.negate), a) }
    mutating func unary(_ u: UnaryOp, _ a: NodeID) throws(DiagnosticsError) -> NodeID { try op(.unary(u), a) }
    /// a · v for a number v.
    mutating func scale(_ a: NodeID, _ v: Double) throws(DiagnosticsError) -> NodeID { try mul(a, scalar(v)) }

    /// Zeros of `shape`: `broadcast(0, shape)` (a plain 0 for a scalar).
    mutating func zeros(_ shape: Shape) throws(DiagnosticsError) -> NodeID {
        let z = scalar(0)
        return shape.isScalar ? z : try op(.broadcast(shape.dims), z)
    }

    mutating func ones(_ shape: Shape) throws(DiagnosticsError) -> NodeID {
        let o = scalar(1)
        return shape.isScalar ? o : try op(.broadcast(shape.dims), o)
    }

    mutating func reshape(_ x: NodeID, _ s: Shape) throws(DiagnosticsError) -> NodeID {
        shape(x) == s ? x : try op(.reshape(s.dims), x)
    }

    mutating func broadcast(_ x: NodeID, _ s: Shape) throws(DiagnosticsError) -> NodeID {
        shape(x) == s ? x : try op(.broadcast(s.dims), x)
    }

    /// Sums `g` (of a broadcast result shape) down to `target`, an operand's shape that
    /// broadcast to it: over the leading axes `target` lacks and the axes it stretched.
    mutating func sumTo(_ g: NodeID, _ target: Shape) throws(DiagnosticsError) -> NodeID {
        let gs = shape(g)
        if gs == target { return g }
        let lead = gs.rank - target.rank
        var axes = Array(0..<max(0, lead))
        for (i, d) in target.dims.enumerated() where d == .known(1) && gs[i + lead] != .known(1) {
            axes.append(i + lead)
        }
        if axes.isEmpty { return try reshape(g, target) }
        let s = try op(.reduce(.sum, axes: axes, keepdims: false), g)
        return try reshape(s, target)
    }

    /// The shape `x` has after reducing `axes` with keepdims.
    func keptShape(_ s: Shape, _ axes: [Int]) -> Shape {
        var d = s.dims
        for a in axes { d[a] = .known(1) }
        return Shape(d)
    }

    /// A reduced value (or its adjoint) brought back to the shape of the reduced operand.
    mutating func unreduce(_ g: NodeID, from s: Shape, axes: [Int]) throws(DiagnosticsError) -> NodeID {
        try broadcast(reshape(g, keptShape(s, axes)), s)
    }

    /// The number of elements over `axes` of `s` as a scalar node: a constant when concrete,
    /// else `sum(broadcast(1, [those dims]))`.
    mutating func count(_ s: Shape, axes: [Int]) throws(DiagnosticsError) -> NodeID {
        let dims = Shape(axes.map { s[$0] })
        if let c = dims.elementCount { return scalar(Double(c)) }
        let ones = try ones(dims)
        return try op(.reduce(.sum, axes: Array(0..<dims.rank), keepdims: false), ones)
    }
}
