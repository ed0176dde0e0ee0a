import NNGCore
import NNGIR
import RealModule

/// Losses and accuracy; each returns a scalar. Prediction and target normally have the same
/// shape; otherwise they are broadcast together first.
/// - mse          = Σ (p − t)² / n
/// - bce          = −Σ (t·log p + (1 − t)·log(1 − p)) / n, exactly as written: no clamping, so
///                  p = 0 or p = 1 gives an infinite (or NaN) loss. Use bce_logits for stability.
/// - bce_logits   = Σ (max(z, 0) − z·t + log1p(exp(−|z|))) / n
/// - cross_entropy: rows = all axes but the last (a scalar is one row of one class);
///                  −Σ_rows Σ_j t_j·log_softmax(z)_j / rows, log_softmax as in `Softmax`.
/// - accuracy: last axis > 1 → mean over rows of [argmax p == argmax t] (first maximal index);
///             else mean over elements of [(p > 0.5) == (t > 0.5)].
enum Losses {
    static func loss<T: NNGFloat>(_ op: LossOp, _ p: Buf<T>, _ t: Buf<T>) throws(KernelError) -> Buf<T> {
        let (p, t) = try aligned(p, t, name: op.rawValue)
        let n = p.count
        var s: T = 0
        switch op {
        case .mse:
            for i in 0..<n {
                let d = p.data[i] - t.data[i]
                s += d * d
            }
            return scalar(s / T(n))
        case .bce:
            for i in 0..<n {
                let pi = p.data[i], ti = t.data[i]
                s += ti * T.log(pi) + (1 - ti) * T.log(1 - pi)
            }
            return scalar(-s / T(n))
        case .bceLogits:
            for i in 0..<n {
                let z = p.data[i], ti = t.data[i]
                s += (z > 0 ? z : 0) - z * ti + T.log(onePlus: T.exp(-abs(z)))
            }
            return scalar(s / T(n))
        case .crossEntropy:
            let classes = p.rank == 0 ? 1 : p.shape[p.rank - 1]
            let rows = p.rank == 0 ? 1 : n / max(classes, 1)
            let ls = try Softmax.apply(Buf(shape: [rows, classes], data: p.data), axis: 1, log: true)
            for i in 0..<n { s += t.data[i] * ls.data[i] }
            return scalar(-s / T(rows))
        }
    }

    static func accuracy<T: NNGFloat>(_ p: Buf<T>, _ t: Buf<T>) throws(KernelError) -> Buf<T> {
        let (p, t) = try aligned(p, t, name: "accuracy")
        let last = p.rank == 0 ? 1 : p.shape[p.rank - 1]
        var hits = 0
        if last > 1 {
            let rows = p.count / last
            for r in 0..<rows {
                if argmax(p.data, r * last, last) == argmax(t.data, r * last, last) { hits += 1 }
            }
            return scalar(T(hits) / T(rows))
        }
        for i in 0..<p.count where (p.data[i] > T(0.5)) == (t.data[i] > T(0.5)) { hits += 1 }
        return scalar(T(hits) / T(p.count))
    }

    private static func argmax<T: NNGFloat>(_ a: [T], _ start: Int, _ n: Int) -> Int {
        var best = 0
        for j in 1..<n where a[start + j] > a[start + best] { best = j }
        return best
    }

    private static func scalar<T: NNGFloat>(_ v: T) -> Buf<T> { Buf(shape: [], data: [v]) }

    private static func aligned<T: NNGFloat>(_ p: Buf<T>, _ t: Buf<T>, name: String) throws(KernelError) -> (Buf<T>, Buf<T>) {
        if p.shape == t.shape { return (p, t) }
        guard let shape = ShapeMath.broadcast(p.shape, t.shape) else {
            throw KernelError("\(name) needs prediction and target of the same shape, got \(ShapeMath.describe(p.shape)) and \(ShapeMath.describe(t.shape))")
        }
        return (try ShapeOps.broadcast(p, to: shape), try ShapeOps.broadcast(t, to: shape))
    }
}
