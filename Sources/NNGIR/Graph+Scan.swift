import NNGCore

extension Graph {
    /// Result `k` of the scan node `scan`: the node itself for k = 0, else its `scanResult(k)`
    /// node (an existing one is reused, so asking twice adds nothing).
    public mutating func scanResult(_ scan: NodeID, _ k: Int, range: SourceRange = .none) -> NodeID {
        guard k > 0 else { return scan }
        if let existing = nodes.indices.dropFirst(scan + 1).first(where: { i in
            if case .scanResult(k) = nodes[i].op, nodes[i].inputs == [scan] { return true }
            return false
        }) { return existing }
        return append(Node(op: .scanResult(k), inputs: [scan], type: scanResultTypes(scan)[k], range: range))
    }

    /// The types of every result of the scan node `scan` (its operands were checked when it was added).
    public func scanResultTypes(_ scan: NodeID) -> [TensorType] {
        guard case .scan(let spec) = nodes[scan].op,
              let types = try? spec.resultTypes(nodes[scan].inputs.map { nodes[$0].type }) else {
            preconditionFailure("node \(scan) is not a checked scan")
        }
        return types
    }
}
