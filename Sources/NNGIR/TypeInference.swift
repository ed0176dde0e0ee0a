import NNGCore

/// A type or shape error found while inferring the result type of an operation.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The type of `op` applied to tensors of the types `inputs`, in a graph of element type `dtype`.
///
/// Leaf operations have no inputs: a one-value `constant` is a scalar; inputs, params and
/// larger constants carry their declared type (add them with `Graph.append`), and asking for
/// their type is an error. Attributes must already be resolved (non-negative axes, no `-1`).
public func inferType(of op: Op, inputs: [TensorType], dtype: DType) throws(ShapeError) -> TensorType {
    for t in inputs where t.dtype != dtype {
        throw ShapeError("'\(op.sourceName)' mixes element types: \(t.dtype) in a \(dtype) graph")
    }
    func arity(_ n: Int) throws(ShapeError) {
        guard inputs.count == n else {
            throw ShapeError("'\(op.sourceName)' takes \(n) input\(n == 1 ? "" : "s"), got \(inputs.count)")
        }
    }
    func result(_ shape: Shape) -> TensorType { TensorType(dtype, shape) }
    let shapes = inputs.map(\.shape)

    switch op {
    case .input(let name):
        throw ShapeError("the type of input '\(name)' is declared, not inferred")
    case .param(let name, _):
        throw ShapeError("the type of parameter '\(name)' is declared, not inferred")
    case .constant(let values):
        try arity(0)
        guard values.count == 1 else {
            throw ShapeError("the shape of a constant of \(values.count) values is declared, not inferred")
        }
        return result(.scalar)

    case .unary, .stopGradient, .dropout, .bernoulli:
        try arity(1)
        if case .dropout(let p, _) = op, !(p >= 0 && p < 1) {
            throw ShapeError("dropout needs 0 <= p < 1, got \(formatNumber(p))")
        }
        return inputs[0]

    case .binary(let b):
        try arity(2)
        guard let s = broadcastShapes(shapes) else {
            throw ShapeError("cannot broadcast \(inputs[0]) and \(inputs[1]) in '\(b.sourceName)'")
        }
        return result(s)

    case .select:
        try arity(3)
        guard let s = broadcastShapes(shapes) else {
            throw ShapeError("cannot broadcast \(inputs[0]), \(inputs[1]) and \(inputs[2]) in 'where'")
        }
        return result(s)

    case .matmul:
        try arity(2)
        return result(try matmulShape(inputs[0], inputs[1]))

    case .transpose(let perm):
        try arity(1)
        let rank = shapes[0].rank
        guard perm.count == rank, Set(perm) == Set(0..<rank) else {
            throw ShapeError("transpose of \(inputs[0]) needs a permutation of \(rankList(rank)), got \(intList(perm))")
        }
        return result(Shape(perm.map { shapes[0][$0] }))

    case .reshape(let dims):
        try arity(1)
        let target = Shape(dims)
        for d in dims { if let v = d.value, v <= 0 { throw ShapeError("reshape to \(target) has a non-positive dimension") } }
        guard let a = Monomial(shapes[0].dims), let b = Monomial(dims) else {
            throw ShapeError("reshape of \(inputs[0]) to \(target): element count too large")
        }
        guard a == b else {
            throw ShapeError("cannot reshape \(inputs[0]) to \(target): \(a) elements vs \(b)")
        }
        return result(target)

    case .broadcast(let dims):
        try arity(1)
        let target = Shape(dims)
        for d in dims { if let v = d.value, v <= 0 { throw ShapeError("broadcast to \(target) has a non-positive dimension") } }
        guard broadcasts(shapes[0], to: target) else {
            throw ShapeError("cannot broadcast \(inputs[0]) to \(target)")
        }
        return result(target)

    case .reduce(let r, let axes, let keepdims):
        try arity(1)
        try checkAxes(axes, of: inputs[0], op: r.rawValue)
        var dims: [Dim] = []
        for (i, d) in shapes[0].dims.enumerated() {
            if axes.contains(i) { if keepdims { dims.append(1) } } else { dims.append(d) }
        }
        return result(Shape(dims))

    case .softmax(let axis), .logSoftmax(let axis):
        try arity(1)
        try checkAxis(axis, of: inputs[0], op: op.sourceName)
        return inputs[0]

    case .concat(let axis):
        guard !inputs.isEmpty else { throw ShapeError("concat needs at least one tensor") }
        let first = inputs[0]
        try checkAxis(axis, of: first, op: "concat")
        var total = 0
        var concrete = true
        for t in inputs {
            var ok = t.shape.rank == first.shape.rank
            if ok {
                for i in 0..<t.shape.rank where i != axis && t.shape[i] != first.shape[i] { ok = false }
            }
            guard ok else {
                throw ShapeError("concat along axis \(axis) needs equal shapes except on that axis, got \(first) and \(t)")
            }
            if let v = t.shape[axis].value {
                guard let n = checkedSum([total, v]) else { throw ShapeError("concat along axis \(axis) is too large") }
                total = n
            } else {
                concrete = false
            }
        }
        if inputs.count == 1 { return first }
        guard concrete else {
            throw ShapeError("concat along axis \(axis) needs concrete sizes on that axis, got \(inputs.map(\.description).joined(separator: ", "))")
        }
        var s = first.shape
        s[axis] = .known(total)
        return result(s)

    case .slice(let axis, let start, let end):
        try arity(1)
        try checkAxis(axis, of: inputs[0], op: "slice")
        guard let size = shapes[0][axis].value else {
            throw ShapeError("slice needs a concrete size on axis \(axis), got \(inputs[0])")
        }
        guard 0 <= start, start < end, end <= size else {
            throw ShapeError("slice \(start)..<\(end) is out of bounds for axis \(axis) of \(inputs[0])")
        }
        var s = shapes[0]
        s[axis] = .known(end - start)
        return result(s)

    case .pad(let axis, let before, let after):
        try arity(1)
        try checkAxis(axis, of: inputs[0], op: "pad")
        guard before >= 0, after >= 0 else {
            throw ShapeError("pad needs before >= 0 and after >= 0, got \(before) and \(after)")
        }
        if before == 0 && after == 0 { return inputs[0] }
        guard let size = shapes[0][axis].value else {
            throw ShapeError("pad needs a concrete size on axis \(axis), got \(inputs[0])")
        }
        guard let n = checkedSum([size, before, after]) else { throw ShapeError("pad of \(inputs[0]) is too large") }
        var s = shapes[0]
        s[axis] = .known(n)
        return result(s)

    case .oneHot(let classes):
        try arity(1)
        guard classes > 0 else { throw ShapeError("one_hot needs classes > 0, got \(classes)") }
        return result(Shape(shapes[0].dims + [.known(classes)]))

    case .loss(let l):
        try arity(2)
        guard shapes[0] == shapes[1] else {
            throw ShapeError("\(l.rawValue) needs prediction and target of the same shape, got \(inputs[0]) and \(inputs[1])")
        }
        if l == .crossEntropy, shapes[0].rank == 0 {
            throw ShapeError("cross_entropy needs tensors of rank 1 or more, got \(inputs[0])")
        }
        return result(.scalar)

    case .accuracy:
        try arity(2)
        guard shapes[0] == shapes[1] else {
            throw ShapeError("accuracy needs prediction and target of the same shape, got \(inputs[0]) and \(inputs[1])")
        }
        return result(.scalar)

    case .conv2d(let stride, let padding):
        try arity(2)
        return result(try conv2dShape(inputs[0], inputs[1], stride: stride, padding: padding))

    case .pool(let kind, let size, let stride):
        try arity(1)
        let name = kind == .max ? "maxpool2d" : "avgpool2d"
        guard size >= 1, stride >= 1 else {
            throw ShapeError("\(name) needs size >= 1 and stride >= 1, got size \(size), stride \(stride)")
        }
        let x = inputs[0]
        guard x.shape.rank >= 2 else { throw ShapeError("\(name) needs a tensor of rank 2 or more, got \(x)") }
        let r = x.shape.rank
        guard let h = x.shape[r - 2].value, let w = x.shape[r - 1].value else {
            throw ShapeError("\(name) needs concrete sizes on the last two axes, got \(x)")
        }
        guard h >= size, w >= size else {
            throw ShapeError("\(name) output would be empty: \(x) with size \(size), stride \(stride)")
        }
        var s = x.shape
        s[r - 2] = .known(windowCount(h, window: size, stride: stride))
        s[r - 1] = .known(windowCount(w, window: size, stride: stride))
        return result(s)

    case .argmaxMask(let axes):
        try arity(1)
        try checkAxes(axes, of: inputs[0], op: op.sourceName)
        return inputs[0]
    case .conv2dGradInput(let stride, let padding, let h, let w):
        try arity(2)
        return try conv2dGradInputType(inputs[0], inputs[1], stride: stride, padding: padding, height: h, width: w, dtype: dtype)
    case .conv2dGradWeight(let stride, let padding, let r, let s):
        try arity(2)
        return try conv2dGradWeightType(inputs[0], inputs[1], stride: stride, padding: padding, height: r, width: s, dtype: dtype)
    case .maxPoolGrad(let size, let stride), .maxPoolSelect(let size, let stride):
        try arity(2)
        let scatter = if case .maxPoolGrad = op { true } else { false }
        return try maxPoolGradientType(inputs[0], inputs[1], size: size, stride: stride, scatter: scatter, dtype: dtype)
    case .scan(let spec):
        let results = try spec.resultTypes(inputs)
        guard let first = results.first else { throw ShapeError("a scan body has no output") }
        return first
    case .scanResult:
        throw ShapeError("the type of a scan result is its scan's, not inferred (Graph.addScanResult)")
    case .avgPoolGrad(let size, let stride, let h, let w):
        try arity(1)
        return try avgPoolGradType(inputs[0], size: size, stride: stride, height: h, width: w, dtype: dtype)
    }
}

/// `[m,k]@[k,n]→[m,n]`, `[k]@[k,n]→[n]`, `[m,k]@[k]→[m]`, `[k]@[k]→[]`.
func matmulShape(_ a: TensorType, _ b: TensorType) throws(ShapeError) -> Shape {
    let ra = a.shape.rank, rb = b.shape.rank
    guard (1...2).contains(ra), (1...2).contains(rb) else {
        throw ShapeError("matmul needs operands of rank 1 or 2, got \(a) @ \(b)")
    }
    let ka = ra - 1
    guard a.shape[ka] == b.shape[0] else {
        throw ShapeError("matmul needs a[\(ka)] == b[0], got \(a) @ \(b)")
    }
    var dims: [Dim] = []
    if ra == 2 { dims.append(a.shape[0]) }
    if rb == 2 { dims.append(b.shape[1]) }
    return Shape(dims)
}

/// x [N,C,H,W], w [K,C,R,S] → [N,K,(H+2p−R)/s+1,(W+2p−S)/s+1]. Only N may be a symbol.
func conv2dShape(_ x: TensorType, _ w: TensorType, stride: Int, padding: Int) throws(ShapeError) -> Shape {
    guard x.shape.rank == 4, w.shape.rank == 4 else {
        throw ShapeError("conv2d needs x [N, C, H, W] and w [K, C, R, S], got \(x) and \(w)")
    }
    guard stride >= 1, padding >= 0 else {
        throw ShapeError("conv2d needs stride >= 1 and padding >= 0, got stride \(stride), padding \(padding)")
    }
    guard x.shape[1] == w.shape[1] else {
        throw ShapeError("conv2d channel mismatch: x \(x) has \(x.shape[1]) channels but w \(w) has \(w.shape[1])")
    }
    guard let h = x.shape[2].value, let wd = x.shape[3].value,
          let r = w.shape[2].value, let s = w.shape[3].value else {
        throw ShapeError("conv2d needs concrete H, W, R and S, got \(x) and \(w)")
    }
    guard let hs = checkedSum([h, padding, padding]), let ws = checkedSum([wd, padding, padding]) else {
        throw ShapeError("conv2d of \(x) is too large")
    }
    guard hs >= r, ws >= s else {
        throw ShapeError("conv2d output would be empty: \(x) with kernel \(w), stride \(stride), padding \(padding)")
    }
    return Shape([x.shape[0], w.shape[0], .known(windowCount(h, window: r, stride: stride, padding: padding)),
                  .known(windowCount(wd, window: s, stride: stride, padding: padding))])
}

func checkAxis(_ axis: Int, of t: TensorType, op: String) throws(ShapeError) {
    guard axis >= 0, axis < t.shape.rank else {
        throw ShapeError("axis \(axis) is out of range for \(t) in '\(op)'")
    }
}

func checkAxes(_ axes: [Int], of t: TensorType, op: String) throws(ShapeError) {
    for a in axes { try checkAxis(a, of: t, op: op) }
    guard axes == axes.sorted(), Set(axes).count == axes.count else {
        throw ShapeError("axes of '\(op)' must be sorted and distinct, got \(intList(axes))")
    }
}

/// The sum, or nil on overflow.
func checkedSum(_ xs: [Int]) -> Int? {
    var total = 0
    for x in xs {
        let (s, o) = total.addingReportingOverflow(x)
        if o { return nil }
        total = s
    }
    return total
}

func intList(_ xs: [Int]) -> String { "[" + xs.map(String.init).joined(separator: ", ") + "]" }
func rankList(_ rank: Int) -> String { intList(Array(0..<rank)) }

extension Graph {
    /// Appends `op` applied to `inputs`, with its inferred type, and returns its id.
    @discardableResult
    public mutating func add(_ op: Op, _ inputs: [NodeID], name: String? = nil, range: SourceRange = .none) throws(ShapeError) -> NodeID {
        for i in inputs where i < 0 || i >= nodes.count {
            throw ShapeError("node \(i) does not exist")
        }
        let type = try inferType(of: op, inputs: inputs.map { nodes[$0].type }, dtype: dtype)
        return append(Node(op: op, inputs: inputs, type: type, name: name, range: range))
    }

    /// Appends a constant of `shape` (row-major `values`), and returns its id.
    @discardableResult
    public mutating func addConstant(_ values: [Double], shape: Shape = .scalar, name: String? = nil, range: SourceRange = .none) -> NodeID {
        append(Node(op: .constant(values), inputs: [], type: TensorType(dtype, shape), name: name, range: range))
    }
}
