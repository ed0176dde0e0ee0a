import NNGCore

/// An operation's type rule: its result type from what `TypeQuery` holds.
typealias TypeRule = @Sendable (TypeQuery) throws(ShapeError) -> TensorType

/// An operation's vector-Jacobian product: the contribution of the adjoint `g` of its result to
/// its operand `k`, of that operand's type, built with IR operations (so it can be differentiated
/// again); nil when it is structurally zero.
typealias VJPRule = @Sendable (inout GradBuilder, VJPQuery) throws(DiagnosticsError) -> NodeID?

/// What a type rule reads: the operation, its operands' types and its attribute values.
struct TypeQuery {
    let op: Op
    let inputs: [TensorType]
    let dtype: DType
    let attributes: Attributes

    /// The name in diagnostics.
    var name: String { op.sourceName }
    var shapes: [Shape] { inputs.map(\.shape) }
    func result(_ shape: Shape) -> TensorType { TensorType(dtype, shape) }

    func int(_ n: String) -> Int { attributes.int(n) }
    func ints(_ n: String) -> [Int] { attributes.ints(n) }
    func dims(_ n: String) -> [Dim] { attributes.dims(n) }
    func number(_ n: String) -> Double { attributes.number(n) }
    func bool(_ n: String) -> Bool { attributes.bool(n) }
}

/// What a VJP reads: the node (its operands, attributes and range), its id `y`, the adjoint `g`
/// of its result and the operand `k` asked for.
struct VJPQuery {
    let node: Node
    let y: NodeID
    let g: NodeID
    let k: Int
    let attributes: Attributes

    var inputs: [NodeID] { node.inputs }
    func int(_ n: String) -> Int { attributes.int(n) }
    func ints(_ n: String) -> [Int] { attributes.ints(n) }
    func bool(_ n: String) -> Bool { attributes.bool(n) }
}

/// The type of `op` applied to tensors of the types `inputs`, in a graph of element type `dtype`:
/// the element types and the operand count are checked here, the rest by the operation's rule.
///
/// Leaf operations have no inputs: a one-value `constant` is a scalar; inputs, params and
/// larger constants carry their declared type (add them with `Graph.append`), and asking for
/// their type is an error. Attributes must already be resolved (non-negative axes, no `-1`).
public func inferType(of op: Op, inputs: [TensorType], dtype: DType) throws(ShapeError) -> TensorType {
    for t in inputs where t.dtype != dtype {
        throw ShapeError("'\(op.sourceName)' mixes element types: \(t.dtype) in a \(dtype) graph")
    }
    let (definition, values) = op.form
    if let n = definition.arity, inputs.count != n {
        throw ShapeError("'\(definition.name)' takes \(n) input\(n == 1 ? "" : "s"), got \(inputs.count)")
    }
    return try definition.type(TypeQuery(op: op, inputs: inputs, dtype: dtype, attributes: Attributes(definition, values)))
}
