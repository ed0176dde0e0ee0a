import NNGCore

/// The loop of a `scan` node: a body graph applied once per step along `axis` of the sequence
/// operands, carrying state from step to step. The loop stays one node (it is never unrolled),
/// so compile time and generated code do not grow with the sequence length.
///
/// The body's inputs, in order: `carries` carried values, `sequences` per-step slices, then
/// the captured values (whole tensors, the same at every step). Its outputs: the new carries
/// (each of its carry's type), then the per-step outputs.
///
/// The node's operands follow the body's inputs: the initial carries, the sequences (each with
/// the step axis), the captures. Its results: the final carries, then each per-step output
/// stacked along `axis` (result 0 is the node's own value, the others are `scanResult(k)`
/// nodes). With `reverse` the steps run from the last index to the first; stacked outputs stay
/// at the index of their step. A loop without sequences (an autoregressive decoder) runs
/// `length` steps.
///
/// A class, compared by identity: two loops are the same operation only when they are the same
/// object (comparing body graphs structurally would cost a walk of the body at every hash).
public final class ScanSpec: Hashable, Sendable {
    public let body: Graph
    public let carries: Int
    public let sequences: Int
    public let axis: Int
    public let reverse: Bool
    /// The number of steps of a loop without sequences (nil when it has some: their length).
    public let length: Int?

    public init(body: Graph, carries: Int, sequences: Int, axis: Int, reverse: Bool, length: Int? = nil) {
        self.body = body
        self.carries = carries
        self.sequences = sequences
        self.axis = axis
        self.reverse = reverse
        self.length = length
    }

    /// Captured values: the body inputs after the carries and the sequences.
    public var captures: Int { body.inputs.count - carries - sequences }
    /// Per-step outputs: the body outputs after the new carries.
    public var stepOutputs: Int { body.outputs.count - carries }
    public var resultCount: Int { body.outputs.count }

    public static func == (a: ScanSpec, b: ScanSpec) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }

    /// The type of every result, for operands of `types`: the final carries as the body gives
    /// them, the per-step outputs with the step axis inserted at `axis`.
    public func resultTypes(_ types: [TensorType]) throws(ShapeError) -> [TensorType] {
        let bodyInputs = body.inputs.map { body.nodes[$0.node].type }
        guard types.count == bodyInputs.count else {
            throw ShapeError("'scan' takes \(bodyInputs.count) operands, got \(types.count)")
        }
        let length = try stepCount(types)
        for (k, (given, expected)) in zip(types, bodyInputs).enumerated() {
            let isSequence = k >= carries && k < carries + sequences
            let sliced = isSequence ? TensorType(given.dtype, given.shape.removing(axis: axis)) : given
            guard sliced == expected else {
                throw ShapeError("operand \(k + 1) of 'scan' is \(given), but the body takes \(expected)\(isSequence ? " per step" : "")")
            }
        }
        return try body.outputs.enumerated().map { (k, o) throws(ShapeError) in
            let t = body.nodes[o.node].type
            guard k >= carries else { return t }
            guard axis <= t.shape.rank else {
                throw ShapeError("per-step output \(k - carries + 1) of 'scan' is \(t): cannot stack it along axis \(axis)")
            }
            return TensorType(t.dtype, t.shape.inserting(length, at: axis))
        }
    }

    /// The number of steps: the size of `axis` of the sequences (all equal).
    public func stepCount(_ types: [TensorType]) throws(ShapeError) -> Dim {
        guard sequences > 0 else {
            guard let length, length > 0 else { throw ShapeError("a 'scan' without sequences needs a positive length") }
            return .known(length)
        }
        let seqs = types[carries..<(carries + sequences)]
        for t in seqs where axis >= t.shape.rank {
            throw ShapeError("axis \(axis) of 'scan' is out of range for the sequence \(t)")
        }
        let length = seqs.first!.shape[axis]
        for t in seqs where t.shape[axis] != length {
            throw ShapeError("the sequences of 'scan' differ in length along axis \(axis): \(seqs.first!) and \(t)")
        }
        return length
    }
}

extension Shape {
    public func removing(axis: Int) -> Shape {
        var d = dims
        d.remove(at: axis)
        return Shape(d)
    }

    public func inserting(_ dim: Dim, at axis: Int) -> Shape {
        var d = dims
        d.insert(dim, at: axis)
        return Shape(d)
    }
}

/// Loops: `scan` and the projections of its extra results. Neither is lowered through the
/// registry's argument matching (a scan takes a fn and any number of operands: Lowering+Scan)
/// nor printed by the generic printer (its body is printed as a fn: Printer+Scan); the
/// definitions give their names, attributes (summaries, C comments) and gradient flags.
enum LoopOps {
    /// Its value is its first result. Its gradient is a reverse scan of the body's VJP, made
    /// for all its results at once by the autodiff pass (Autodiff/ScanRule.swift).
    static let scan = OpDefinition("scan", .leaf, [
        OpParameter("carries", .int), OpParameter("sequences", .int),
        OpParameter("axis", .int), OpParameter("reverse", .bool, .bool(false)),
    ], variadic: true, type: { q throws(ShapeError) in
        guard case .scan(let spec) = q.op else { preconditionFailure("\(q.op) is not a scan") }
        guard let first = try spec.resultTypes(q.inputs).first else { throw ShapeError("a scan body has no output") }
        return first
    }) { _ in preconditionFailure("a scan is lowered from its fn (Lowering+Scan)") }

    static let scanResult = OpDefinition("scan_result", .leaf, [OpParameter("result", .int)], variadic: true,
                                         type: { _ throws(ShapeError) in
        throw ShapeError("the type of a scan result is its scan's, not inferred (Graph.addScanResult)")
    }) { _ in
        preconditionFailure("scan results are made with their scan")
    }

    static let all = [scan, scanResult]
}
