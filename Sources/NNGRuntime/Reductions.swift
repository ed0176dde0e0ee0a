import NNGCore
import NNGIR
import RealModule

/// Reductions over a set of axes.
/// - sum, mean (sum / count), max (NaN propagates; an empty reduction gives -inf)
/// - logsumexp = m + log Σ exp(x − m) with m the maximum; when m is not finite the result is m
///   (so a row of all −inf gives −inf, not NaN).
enum Reductions {
    static func reduce<T: NNGFloat>(_ op: ReduceOp, _ x: Buf<T>, axes: [Int], keepdims: Bool) throws(KernelError) -> Buf<T> {
        let axisSet = Set(axes)
        for a in axisSet where a < 0 || a >= x.rank {
            throw KernelError("\(op.rawValue) axis \(a) is out of range for shape \(ShapeMath.describe(x.shape))")
        }
        var keepShape = x.shape
        var reducedCount = 1
        for a in axisSet {
            reducedCount *= x.shape[a]
            keepShape[a] = 1
        }
        let outShape = keepdims ? keepShape : x.shape.indices.filter { !axisSet.contains($0) }.map { x.shape[$0] }
        let outCount = ShapeMath.count(keepShape)
        let map = ShapeMath.broadcastIndex(from: keepShape, to: x.shape)
        var out: [T]
        switch op {
        case .sum, .mean:
            out = [T](repeating: 0, count: outCount)
            for i in 0..<x.count { out[map[i]] += x.data[i] }
            if op == .mean {
                let c = T(reducedCount)
                for j in 0..<outCount { out[j] /= c }
            }
        case .max:
            out = maxima(x, map: map, outCount: outCount)
        case .logsumexp:
            let m = maxima(x, map: map, outCount: outCount)
            var s = [T](repeating: 0, count: outCount)
            for i in 0..<x.count {
                let j = map[i]
                if m[j].isFinite { s[j] += T.exp(x.data[i] - m[j]) }
            }
            out = (0..<outCount).map { j in m[j].isFinite ? m[j] + T.log(s[j]) : m[j] }
        }
        return Buf(shape: outShape, data: out)
    }

    private static func maxima<T: NNGFloat>(_ x: Buf<T>, map: [Int], outCount: Int) -> [T] {
        var out = [T](repeating: -T.infinity, count: outCount)
        for i in 0..<x.count {
            let v = x.data[i], j = map[i]
            if v > out[j] || v.isNaN { out[j] = v }
        }
        return out
    }
}

/// softmax and log_softmax along one axis, with the row maximum m subtracted:
/// softmax = exp(x − m) / Σ exp(x − m); log_softmax = x − m − log Σ exp(x − m).
/// When m is not finite (a row of all −inf, or +inf) nothing is subtracted.
enum Softmax {
    static func apply<T: NNGFloat>(_ x: Buf<T>, axis: Int, log: Bool) throws(KernelError) -> Buf<T> {
        guard axis >= 0, axis < x.rank else {
            throw KernelError("\(log ? "log_softmax" : "softmax") axis \(axis) is out of range for shape \(ShapeMath.describe(x.shape))")
        }
        let n = x.shape[axis]
        let inner = ShapeMath.count(Array(x.shape[(axis + 1)...]))
        let outer = ShapeMath.count(Array(x.shape[..<axis]))
        var out = [T](repeating: 0, count: x.count)
        for o in 0..<outer {
            for i in 0..<inner {
                let base = o * n * inner + i
                var m = -T.infinity
                for j in 0..<n {
                    let v = x.data[base + j * inner]
                    if v > m || v.isNaN { m = v }
                }
                let shift: T = m.isFinite ? m : 0
                var s: T = 0
                for j in 0..<n { s += T.exp(x.data[base + j * inner] - shift) }
                if log {
                    let ls = T.log(s)
                    for j in 0..<n { out[base + j * inner] = x.data[base + j * inner] - shift - ls }
                } else {
                    for j in 0..<n { out[base + j * inner] = T.exp(x.data[base + j * inner] - shift) / s }
                }
            }
        }
        return Buf(shape: x.shape, data: out)
    }
}
