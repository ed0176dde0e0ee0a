import Foundation
import NNGCore

/// A composite operation written with primitives, on its operands `xs` (`Decomposition`); its
/// fused kernel computes the same value, and its VJP is derived from this expression.
typealias Decomposition = @Sendable (inout GradBuilder, _ xs: [NodeID], Attributes) throws(DiagnosticsError) -> NodeID

/// The VJP of a composite operation, derived from its decomposition: the expression is built in a
/// scratch graph on placeholders of the operands' types, differentiated there by the ordinary
/// pass (so only the primitives' rules are ever written), and the nodes of the result are copied
/// into the graph being differentiated, reading the node's own operands and adjoint. Where the
/// derivative needs the expression's value it reads the node itself (the fused kernel's result).
func derivedVJP(_ decomposition: @escaping Decomposition) -> VJPRule {
    { b, q throws(DiagnosticsError) in
        let key = Derivation.Key(op: q.node.op, operands: q.inputs.map { b.type($0) }, k: q.k, dtype: b.graph.dtype)
        let d = try Derivation.cache.derivation(key) { () throws(DiagnosticsError) in try derive(decomposition, key, q.attributes) }
        var map: [NodeID: NodeID] = [d.seed: q.g, d.value: q.y]
        for (j, x) in d.operands.enumerated() { map[x] = q.inputs[j] }
        return try copy(d.result, from: d.graph, into: &b, map: &map)
    }
}

/// The decomposition's VJP to operand `key.k`, in a scratch graph on placeholders.
private func derive(_ decomposition: Decomposition, _ key: Derivation.Key, _ attributes: Attributes) throws(DiagnosticsError) -> Derivation {
    var scratch = GradBuilder(graph: Graph(name: "composite", dtype: key.dtype))
    let operands = key.operands.enumerated().map { j, type in
        scratch.graph.append(Node(op: .input("x\(j)"), inputs: [], type: type))
    }
    let value = try decomposition(&scratch, operands, attributes)
    let seed = scratch.graph.append(Node(op: .input("g"), inputs: [], type: scratch.type(value)))
    let result = try vectorJacobianProduct(&scratch.graph, seeds: [(value, seed)], wrt: [operands[key.k]])[0]
    // Simplified once here, so that every copy is already tidy (fewer nodes to copy, and for
    // the graph's own simplification to revisit). Simplifying keeps every input and the outputs.
    scratch.graph.outputs = [("vjp", result), ("value", value)]
    let tidy = simplify(scratch.graph)
    func placeholder(_ name: String) -> NodeID { tidy.nodes.firstIndex { $0.op == .input(name) }! }
    return Derivation(graph: tidy, operands: operands.indices.map { placeholder("x\($0)") }, seed: placeholder("g"),
                      value: tidy.outputs[1].node, result: tidy.outputs[0].node)
}

/// A derived VJP: the scratch graph and its placeholders. It depends only on the operation, the
/// operands' types and which operand, so it is derived once per process and copied at every
/// node of that kind (deriving builds and differentiates a graph, several times the cost of a
/// hand-written rule).
private struct Derivation: Sendable {
    struct Key: Hashable, Sendable {
        var op: Op
        var operands: [TensorType]
        var k: Int
        var dtype: DType
    }

    var graph: Graph
    var operands: [NodeID]
    var seed: NodeID
    var value: NodeID
    var result: NodeID

    static let cache = Cache()

    final class Cache: @unchecked Sendable {
        private let lock = NSLock()
        private var table: [Key: Derivation] = [:]

        func derivation(_ key: Key, _ make: () throws(DiagnosticsError) -> Derivation) throws(DiagnosticsError) -> Derivation {
            lock.lock()
            let found = table[key]
            lock.unlock()
            if let found { return found }
            let made = try make()
            lock.lock()
            if table.count >= 4096 { table.removeAll() }                  // bounded: shapes vary without limit
            table[key] = made
            lock.unlock()
            return made
        }
    }
}

/// Copies node `n` of `source` and the nodes it reads into `b`'s graph (each once), except those
/// `map` already gives; returns the copy of `n`.
private func copy(_ n: NodeID, from source: Graph, into b: inout GradBuilder, map: inout [NodeID: NodeID]) throws(DiagnosticsError) -> NodeID {
    if let done = map[n] { return done }
    let node = source.nodes[n]
    var inputs: [NodeID] = []
    for i in node.inputs { inputs.append(try copy(i, from: source, into: &b, map: &map)) }
    let id: NodeID
    if case .constant(let values) = node.op {
        id = b.graph.addConstant(values, shape: node.type.shape, range: b.range)
    } else {
        id = try b.op(node.op, inputs)
    }
    map[n] = id
    return id
}
