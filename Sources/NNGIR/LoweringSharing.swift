import NNGCore

/// A call of a fn on given argument nodes.
struct SharedCall: Hashable {
    var fn: String
    var arguments: [NodeID]
}

/// An operation on given input nodes (for a constant, its values and shape).
struct SharedNode: Hashable {
    var op: Op
    var inputs: [NodeID]
    var shape: Shape?
}

/// Hash-consing while inlining fns: identical work inside fn bodies is done once. A call of a
/// fn on the same argument nodes as an earlier call returns that call's result, and an
/// operation on the same inputs (or an equal constant) made inside a fn body returns the earlier
/// node. Random operations are never shared (each draws from its own stream), and values the
/// user names in the graph body are not merged, so printed graphs keep their statements.
struct LoweringSharing {
    var calls: [SharedCall: NodeID] = [:]
    var nodes: [SharedNode: NodeID] = [:]
    /// Scans by fn, operands and attributes (Lowering+Scan): `output = k` of the same loop.
    var scans: [SharedScan: NodeID] = [:]
}

extension Lowerer {
    /// The shared node for `key` when lowering inside a fn body, else nil.
    func sharedNode(_ key: SharedNode) -> NodeID? {
        callStack.isEmpty ? nil : sharing.nodes[key]
    }

    /// Records `id` as the node for `key` when it was made inside a fn body.
    mutating func recordShared(_ key: SharedNode, _ id: NodeID) {
        if !callStack.isEmpty, !key.op.isRandom { sharing.nodes[key] = id }
    }
}
