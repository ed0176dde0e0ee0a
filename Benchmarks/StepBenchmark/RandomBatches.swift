import NNGCore
import NNGIR

/// Random batches for a graph's inputs: `y` is one-hot (or 0/1 for one column), others uniform.
func makeBatches(_ graph: Graph, batch: Int) -> [[String: Tensor]] {
    (0..<8).map { k in
        var out: [String: Tensor] = [:]
        for (name, id) in graph.inputs {
            let shape = graph.nodes[id].type.shape.resolved(["B": batch]).concrete!
            let n = shape.reduce(1, *)
            let u = (0..<n).map { i in CounterRandom.uniform(seed: 1, step: UInt64(k), stream: CounterRandom.key(name), index: UInt64(i)) }
            var values = u
            if name == "y" {
                let c = shape.last ?? 1
                values = [Double](repeating: 0, count: n)
                for r in 0..<(n / c) {
                    if c == 1 { values[r] = u[r] < 0.5 ? 0 : 1 } else { values[r * c + Int(u[r * c] * Double(c))] = 1 }
                }
            }
            out[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
        }
        return out
    }
}
