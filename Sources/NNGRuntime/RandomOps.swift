import NNGCore

/// Random operations. Element i is the row-major flat index, u(i) =
/// `CounterRandom.uniform(seed: options.seed, step: options.step, stream: stream, index: first + UInt64(i))`,
/// where `first` is 0 except in data-parallel training (SampleIndexing: the global sample index)
/// (a Double in [0, 1)). The C backend reproduces exactly these formulas:
/// - dropout(x, p) in training: y_i = u(i) >= p ? x_i · scale : 0 with scale = 1 / (1 − p)
///   computed in the element type (T(1) / (T(1) − T(p))); the comparison is in double.
///   Not training: y = x.
/// - bernoulli(p): y_i = u(i) < Double(p_i) ? 1 : 0, in training or not.
enum RandomOps {
    static func dropout<T: NNGFloat>(_ x: Buf<T>, p: Double, stream: UInt64, seed: UInt64, step: UInt64, training: Bool, first: UInt64 = 0) -> Buf<T> {
        guard training else { return x }
        let scale = T(1) / (T(1) - T(p))
        var out = [T](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let u = CounterRandom.uniform(seed: seed, step: step, stream: stream, index: first + UInt64(i))
            if u >= p { out[i] = x.data[i] * scale }
        }
        return Buf(shape: x.shape, data: out)
    }

    static func bernoulli<T: NNGFloat>(_ p: Buf<T>, stream: UInt64, seed: UInt64, step: UInt64, first: UInt64 = 0) -> Buf<T> {
        var out = [T](repeating: 0, count: p.count)
        for i in 0..<p.count {
            let u = CounterRandom.uniform(seed: seed, step: step, stream: stream, index: first + UInt64(i))
            if u < Double(p.data[i]) { out[i] = 1 }
        }
        return Buf(shape: p.shape, data: out)
    }
}
