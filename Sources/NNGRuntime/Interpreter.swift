import NNGCore
import NNGIR

/// Options of one run of a graph.
public struct RunOptions: Sendable {
    /// Seed of the random operations (dropout, bernoulli).
    public var seed: UInt64 = 0
    /// Training step: random operations draw different samples at every step.
    public var step: UInt64 = 0
    /// Dropout is active only when true.
    public var training: Bool = false
    /// Sizes for symbols that no fed input binds (`--size`). A symbol that an input binds
    /// takes the input's size; an entry here for it is ignored.
    public var symbolSizes: [String: Int] = [:]
    /// Data-parallel training: random operations number their draws by global sample index
    /// (SampleIndexing); nil in one process.
    public var sampleIndexing: SampleIndexing?

    public init(seed: UInt64 = 0, step: UInt64 = 0, training: Bool = false, symbolSizes: [String: Int] = [:]) {
        self.seed = seed
        self.step = step
        self.training = training
        self.symbolSizes = symbolSizes
    }
}

/// The reference interpreter: evaluates every node of a graph in order, computing in the
/// graph's element type (f32 in Float, f64 in Double). Fed tensors of the other element
/// type are converted. Every failure is a `DiagnosticsError`; no input makes it trap.
public struct Interpreter: Sendable {
    public let graph: Graph

    public init(graph: Graph) {
        self.graph = graph
    }

    /// Values of every node (index = NodeID). `inputs` by input name, `params` by param name.
    /// Entries that name no input or param are ignored.
    public func run(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions) throws(DiagnosticsError) -> [Tensor] {
        try run(inputs: inputs, params: params, options: options, only: nil)
    }

    /// `live`: the nodes to evaluate (nil: all); the others get empty placeholder values.
    private func run(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions, only live: [Bool]?) throws(DiagnosticsError) -> [Tensor] {
        let sizes = try graph.symbolBindings(inputs: inputs, params: params, options: options)
        switch graph.dtype {
        case .f32: return try evaluate(Float.self, inputs: inputs, params: params, sizes: sizes, options: options, live: live)
        case .f64: return try evaluate(Double.self, inputs: inputs, params: params, sizes: sizes, options: options, live: live)
        }
    }

    /// Just the graph's outputs, by name, in order. Only the nodes the outputs need are
    /// evaluated, exactly as the C backend does: a value no output uses cannot fail the run
    /// (a one_hot of a bad label) on one backend and not on the other.
    public func outputs(inputs: [String: Tensor], params: [String: Tensor], options: RunOptions) throws(DiagnosticsError) -> [(name: String, value: Tensor)] {
        let values = try run(inputs: inputs, params: params, options: options, only: neededNodes())
        return graph.outputs.map { (name: $0.name, value: values[$0.node]) }
    }

    /// The nodes some output depends on.
    func neededNodes() -> [Bool] {
        var live = [Bool](repeating: false, count: graph.nodes.count)
        var stack = graph.outputs.map(\.node)
        while let i = stack.popLast() {
            if live[i] { continue }
            live[i] = true
            stack += graph.nodes[i].inputs
        }
        return live
    }

    /// The first node (in graph order) whose value has a NaN or an infinity, for reports such as
    /// "the loss became NaN; first produced by …". `values` is the result of `run`.
    public static func firstNonFinite(_ values: [Tensor]) -> NodeID? {
        values.firstIndex { t in
            switch t.storage {
            case .f32(let a): return a.contains { !$0.isFinite }
            case .f64(let a): return a.contains { !$0.isFinite }
            }
        }
    }

    private func evaluate<T: NNGFloat>(_: T.Type, inputs: [String: Tensor], params: [String: Tensor],
                                       sizes: [String: Int], options: RunOptions, live: [Bool]?) throws(DiagnosticsError) -> [Tensor] {
        try evaluateBuffers(T.self, inputs: inputs, params: params, sizes: sizes, options: options, live: live).map(\.tensor)
    }

    /// The value of every node (placeholders for those not in `live`).
    func evaluateBuffers<T: NNGFloat>(_: T.Type, inputs: [String: Tensor], params: [String: Tensor],
                                      sizes: [String: Int], options: RunOptions, live: [Bool]?) throws(DiagnosticsError) -> [Buf<T>] {
        var values: [Buf<T>] = []
        /// Every result of each scan node, for its `scanResult` nodes.
        var loopResults: [NodeID: [Buf<T>]] = [:]
        values.reserveCapacity(graph.nodes.count)
        for (i, node) in graph.nodes.enumerated() {
            if let live, !live[i] {
                values.append(Buf(shape: [0], data: []))
                continue
            }
            func fail(_ message: String) -> DiagnosticsError { DiagnosticsError(Diagnostic(message, at: node.range)) }
            guard let shape = node.type.shape.resolved(sizes).concrete else {
                throw fail("internal error: the shape \(node.type.shape) of node \(i) has an unbound symbol")
            }
            guard ShapeMath.checkedCount(shape) != nil else {
                throw fail("a value of shape \(ShapeMath.describe(shape)) is too large")
            }
            guard node.inputs.allSatisfy({ $0 >= 0 && $0 < i }) else {
                throw fail("internal error: node \(i) uses a value that is not computed before it")
            }
            let args = node.inputs.map { values[$0] }
            let value: Buf<T>
            do throws(KernelError) {
                switch node.op {
                case .scan(let spec):
                    let results = try ScanLoop.run(spec, args, sizes: sizes, options: options)
                    loopResults[i] = results
                    value = results[0]
                case .scanResult(let k):
                    guard let results = loopResults[node.inputs[0]], k < results.count else {
                        throw KernelError("internal error: scan result \(k) of node \(node.inputs[0]) is not computed")
                    }
                    value = results[k]
                default:
                    value = try compute(node, args, shape: shape, sizes: sizes, inputs: inputs, params: params, options: options)
                }
            } catch {
                throw error.located.map { DiagnosticsError($0) } ?? fail(error.message)
            }
            guard value.shape == shape, value.count == ShapeMath.count(shape) else {
                throw fail("internal error: \(node.op.sourceName) produced shape \(ShapeMath.describe(value.shape)), but its type is \(node.type)")
            }
            values.append(value)
        }
        return values
    }

    /// The index of a random node's element 0: 0 in one process, this rank's place in the
    /// global batch under data parallelism.
    private func firstRandomIndex(_ node: Node, _ shape: [Int], _ options: RunOptions) -> UInt64 {
        options.sampleIndexing?.firstIndex(of: node.type, shape: shape) ?? 0
    }

    private func compute<T: NNGFloat>(_ node: Node, _ a: [Buf<T>], shape: [Int], sizes: [String: Int],
                                      inputs: [String: Tensor], params: [String: Tensor],
                                      options: RunOptions) throws(KernelError) -> Buf<T> {
        func arity(_ n: Int) throws(KernelError) {
            guard a.count == n else { throw KernelError("internal error: \(node.op.sourceName) needs \(n) operands, got \(a.count)") }
        }
        func dims(_ ds: [Dim]) throws(KernelError) -> [Int] {
            guard let c = Shape(ds).resolved(sizes).concrete else {
                throw KernelError("internal error: \(Shape(ds)) has an unbound symbol")
            }
            return c
        }
        switch node.op {
        case .input(let name):
            guard let t = inputs[name] else { throw KernelError("internal error: input '\(name)' is not fed") }
            return Buf(shape: t.shape, data: t.elements(as: T.self))
        case .param(let name, _):
            guard let t = params[name] else { throw KernelError("internal error: param '\(name)' has no value") }
            return Buf(shape: t.shape, data: t.elements(as: T.self))
        case .constant(let vs):
            let n = ShapeMath.count(shape)
            if vs.count == n { return Buf(shape: shape, data: vs.map { T($0) }) }
            if vs.count == 1 { return Buf(shape: shape, data: [T](repeating: T(vs[0]), count: n)) }
            throw KernelError("internal error: constant has \(vs.count) values for shape \(ShapeMath.describe(shape))")
        case .unary(let op):
            try arity(1)
            return Elementwise.unary(op, a[0])
        case .binary(let op):
            try arity(2)
            return try Elementwise.binary(op, a[0], a[1])
        case .select:
            try arity(3)
            return try Elementwise.select(a[0], a[1], a[2])
        case .matmul:
            try arity(2)
            return try MatMul.matmul(a[0], a[1])
        case .transpose(let perm):
            try arity(1)
            return try ShapeOps.transpose(a[0], perm: perm)
        case .reshape(let target):
            try arity(1)
            return try ShapeOps.reshape(a[0], to: dims(target))
        case .broadcast(let target):
            try arity(1)
            return try ShapeOps.broadcast(a[0], to: dims(target))
        case .reduce(let op, let axes, let keepdims):
            try arity(1)
            return try Reductions.reduce(op, a[0], axes: axes, keepdims: keepdims)
        case .softmax(let axis):
            try arity(1)
            return try Softmax.apply(a[0], axis: axis, log: false)
        case .logSoftmax(let axis):
            try arity(1)
            return try Softmax.apply(a[0], axis: axis, log: true)
        case .concat(let axis):
            return try ShapeOps.concat(a, axis: axis)
        case .slice(let axis, let start, let end):
            try arity(1)
            return try ShapeOps.slice(a[0], axis: axis, start: start, end: end)
        case .pad(let axis, let before, let after):
            try arity(1)
            return try ShapeOps.pad(a[0], axis: axis, before: before, after: after)
        case .oneHot(let classes):
            try arity(1)
            return try ShapeOps.oneHot(a[0], classes: classes)
        case .loss(let op):
            try arity(2)
            return try Losses.loss(op, a[0], a[1])
        case .accuracy:
            try arity(2)
            return try Losses.accuracy(a[0], a[1])
        case .conv2d(let stride, let padding):
            try arity(2)
            return try Convolution.conv2d(a[0], a[1], stride: stride, padding: padding)
        case .pool(let kind, let size, let stride):
            try arity(1)
            return try Pooling.pool(kind, a[0], size: size, stride: stride)
        case .dropout(let p, let stream):
            try arity(1)
            return RandomOps.dropout(a[0], p: p, stream: stream, seed: options.seed, step: options.step, training: options.training,
                                     first: firstRandomIndex(node, shape, options))
        case .bernoulli(let stream):
            try arity(1)
            return RandomOps.bernoulli(a[0], stream: stream, seed: options.seed, step: options.step,
                                       first: firstRandomIndex(node, shape, options))
        case .stopGradient:
            try arity(1)
            return a[0]
        case .argmaxMask(let axes):
            try arity(1)
            return Reductions.argmaxMask(a[0], axes: axes)
        case .conv2dGradInput(let s, let p, _, _):
            try arity(2)
            return try Convolution.conv2dGradInput(a[0], a[1], stride: s, padding: p, shape: shape)
        case .conv2dGradWeight(let s, let p, _, _):
            try arity(2)
            return try Convolution.conv2dGradWeight(a[0], a[1], stride: s, padding: p, shape: shape)
        case .maxPoolGrad(let size, let s):
            try arity(2)
            return try Pooling.maxPool(a[0], a[1], size: size, stride: s, scatter: true, shape: shape)
        case .maxPoolSelect(let size, let s):
            try arity(2)
            return try Pooling.maxPool(a[0], a[1], size: size, stride: s, scatter: false, shape: shape)
        case .avgPoolGrad(let size, let s, _, _):
            try arity(1)
            return try Pooling.avgPoolGrad(a[0], size: size, stride: s, shape: shape)
        case .scan, .scanResult:
            // Several results: `evaluateBuffers` runs loops (ScanLoop) and keeps their results.
            throw KernelError("internal error: \(node.op.sourceName) is evaluated with its results")
        }
    }
}
