import NNGCore

/// A type or shape error found while inferring the result type of an operation.
public struct ShapeError: Error, Hashable, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public init(message: String) { self.message = message }
    public var description: String { message }
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
