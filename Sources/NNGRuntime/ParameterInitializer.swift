import Dispatch
import NNGCore
import NNGIR

/// Initial parameter values (contract 5.2). Every value is computed in Double and then
/// rounded to the graph's element type. With s the seed, key = `CounterRandom.key(name)`
/// and i the row-major element index:
/// - fill(v): v;  literal: the row-major values;  zeros: 0;  ones: 1
/// - normal(std): std · CounterRandom.normal(seed: s, step: 0, stream: key, index: i)
/// - uniform(low, high): low + (high − low) · CounterRandom.uniform(seed: s, step: 0, stream: key, index: i)
/// - he: normal with std = sqrt(2 / fan_in); xavier: normal with std = sqrt(2 / (fan_in + fan_out))
/// Fans (`fans(of:)`): rank 0 or 1 → (size, size); rank 2 [a, b] → (a, b);
/// rank 4 [K, C, R, S] → (C·R·S, K·R·S); any other rank → (product of all dims but the last, last dim).
public enum ParameterInitializer {
    /// Initial values of every param of the graph, deterministic in (seed, param name).
    /// A param whose shape is not concrete is left out.
    public static func initialValues(of graph: Graph, seed: UInt64) -> [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (name, id) in graph.params {
            guard case .param(_, let initializer) = graph.nodes[id].op,
                  let shape = graph.nodes[id].type.shape.concrete,
                  ShapeMath.checkedCount(shape) != nil else { continue }
            out[name] = initialValue(name: name, shape: shape, initializer: initializer, dtype: graph.dtype, seed: seed)
        }
        return out
    }

    /// The initial value of one parameter.
    public static func initialValue(name: String, shape: [Int], initializer: ParamInit, dtype: DType, seed: UInt64) -> Tensor {
        let n = ShapeMath.checkedCount(shape) ?? 0
        let key = CounterRandom.key(name)
        func normals(_ std: Double) -> [Double] {
            parallelValues(count: n) { std * CounterRandom.normal(seed: seed, step: 0, stream: key, index: UInt64($0)) }
        }
        let values: [Double]
        switch initializer {
        case .fill(let v): values = [Double](repeating: v, count: n)
        case .literal(let vs):
            // The front end guarantees the exact count; anything else is padded with zeros or cut.
            values = (0..<n).map { $0 < vs.count ? vs[$0] : 0 }
        case .zeros: values = [Double](repeating: 0, count: n)
        case .ones: values = [Double](repeating: 1, count: n)
        case .normal(let std): values = normals(std)
        case .uniform(let low, let high):
            values = (0..<n).map { low + (high - low) * CounterRandom.uniform(seed: seed, step: 0, stream: key, index: UInt64($0)) }
        case .he:
            let f = fans(of: shape)
            values = normals((2 / Double(f.fanIn)).squareRoot())
        case .xavier:
            let f = fans(of: shape)
            values = normals((2 / Double(f.fanIn + f.fanOut)).squareRoot())
        }
        return Tensor(shape: shape, values: values, dtype: dtype)
    }

    /// `value(i)` for i in 0..<count, in chunks on every core for large counts: each value is a
    /// pure function of its index (counter-based random numbers), so the result is the same on
    /// any number of threads. A normal draw costs a log and a cos: the 1.9 million weights of a
    /// 784-1024-1024-10 MLP took 50 ms on one core.
    static func parallelValues(count: Int, _ value: (Int) -> Double) -> [Double] {
        let chunk = 1 << 15
        guard count > chunk else { return (0..<count).map(value) }
        return [Double](unsafeUninitializedCapacity: count) { buffer, initialized in
            let base = buffer.baseAddress!
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { c in
                for i in (c * chunk)..<min(count, (c + 1) * chunk) { (base + i).initialize(to: value(i)) }
            }
            initialized = count
        }
    }

    /// fan_in and fan_out of a weight of this shape (see the type's comment).
    public static func fans(of shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        switch shape.count {
        case 0, 1:
            let n = shape.reduce(1, *)
            return (n, n)
        case 2: return (shape[0], shape[1])
        case 4: return (shape[1] * shape[2] * shape[3], shape[0] * shape[2] * shape[3])
        default: return (shape.dropLast().reduce(1, *), shape[shape.count - 1])
        }
    }
}
