import NNGCore

/// Vector-Jacobian products of matmul and the shape operations.
extension ReverseMode {
    mutating func matmulVJP(_ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let a = node.inputs[0], c = node.inputs[1]
        let sa = graph.nodes[a].type.shape, sc = graph.nodes[c].type.shape
        switch (sa.rank, sc.rank, k) {
        case (2, 2, 0): return try b.op(.matmul, g, b.op(.transpose([1, 0]), c))       // g @ bᵀ
        case (2, 2, _): return try b.op(.matmul, b.op(.transpose([1, 0]), a), g)       // aᵀ @ g
        case (1, 2, 0): return try b.op(.matmul, c, g)                                 // [k,n] @ [n]
        case (1, 2, _):                                                                // outer(a, g)
            return try b.op(.matmul, b.reshape(a, Shape([sa[0], 1])), b.reshape(g, Shape([1, sc[1]])))
        case (2, 1, 0):                                                                // outer(g, b)
            return try b.op(.matmul, b.reshape(g, Shape([sa[0], 1])), b.reshape(c, Shape([1, sc[0]])))
        case (2, 1, _): return try b.op(.matmul, g, a)                                 // [m] @ [m,k]
        case (1, 1, 0): return try b.mul(g, c)
        case (1, 1, _): return try b.mul(g, a)
        default:
            throw DiagnosticsError(Diagnostic("internal error: matmul of rank \(sa.rank) and \(sc.rank)", at: node.range))
        }
    }

    mutating func shapeVJP(_ node: Node, _ g: NodeID, _ k: Int) throws(DiagnosticsError) -> NodeID? {
        let x = node.inputs[k]
        let sx = graph.nodes[x].type.shape
        switch node.op {
        case .transpose(let perm):
            var inverse = [Int](repeating: 0, count: perm.count)
            for (i, p) in perm.enumerated() { inverse[p] = i }
            return try b.op(.transpose(inverse), g)
        case .reshape:
            return try b.reshape(g, sx)
        case .broadcast:
            return try b.sumTo(g, sx)
        case .concat(let axis):
            if node.inputs.count == 1 { return g }
            var offset = 0
            for j in 0..<k { offset += graph.nodes[node.inputs[j]].type.shape[axis].value ?? 0 }
            let size = sx[axis].value ?? 0
            return try b.op(.slice(axis: axis, start: offset, end: offset + size), g)
        case .slice(let axis, let start, let end):
            let size = sx[axis].value ?? end
            return try b.op(.pad(axis: axis, before: start, after: size - end), g)
        case .pad(let axis, let before, let after):
            if before == 0 && after == 0 { return g }
            let size = sx[axis].value ?? 0
            return try b.op(.slice(axis: axis, start: before, end: before + size), g)
        default:
            return nil
        }
    }
}
