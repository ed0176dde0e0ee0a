import NNGCore
import NNGIR
import RealModule

// The reduction family (Ops/ReductionOps.swift): the interpreter's kernels, then the C emitters,
// which visit elements in the same order.

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

/// Reductions (sum, mean, max, logsumexp over sorted axes, keepdims only changes the shape) and
/// softmax / log_softmax along one axis. For each output element the reduced elements are visited
/// in increasing flat index, the order the interpreter accumulates in.
extension CCodeGenerator {
    func emitReduce(_ id: Int, _ op: ReduceOp, _ axes: [Int], _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        // Adjacent axes that are both reduced or both kept are merged into one (same visiting
        // order, fewer loops and index terms).
        var xs: [Int] = []
        var merged: [Int] = []
        for (d, n) in shapes[x].enumerated() {
            if d > 0, axes.contains(d) == axes.contains(d - 1) {
                xs[xs.count - 1] *= n
            } else {
                xs.append(n)
                if axes.contains(d) { merged.append(xs.count - 1) }
            }
        }
        let st = CShape.strides(xs)
        let axisSet = Set(merged)
        let kept = xs.indices.filter { !axisSet.contains($0) }
        let reduced = xs.indices.filter { axisSet.contains($0) }
        let count = reduced.reduce(1) { $0 * xs[$1] }
        if op == .sum || op == .mean, reduced.count == 1, kept.last == xs.count - 1 {
            emitColumnSum(id, x, xs, reducedAxis: reduced[0], mean: op == .mean, &w)
            return
        }
        let index = CShape.indexExpr(st)
        let reducedLoops = reduced.map { ("i\($0)", xs[$0]) }
        w.line("int64_t o = 0;")
        let outer = openLoops(&w, kept.map { ("i\($0)", xs[$0]) })
        func reducedPass(_ body: String) {
            let c = openLoops(&w, reducedLoops)
            w.line(body)
            closeLoops(&w, c)
        }
        switch op {
        case .sum, .mean:
            w.line("T acc = 0;")
            reducedPass("acc += \(elem(x, index));")
            if op == .mean { w.line("acc = acc / \(lit(Double(count)));") }
        case .max:
            w.line("T acc = -nngc_inf();")
            reducedPass("{ const T v = \(elem(x, index)); if (v > acc || v != v) acc = v; }")
        case .logsumexp:
            w.line("T m = -nngc_inf();")
            reducedPass("{ const T v = \(elem(x, index)); if (v > m || v != v) m = v; }")
            w.line("T s = 0;")
            w.open("if (nngc_finite(m))")
            reducedPass("s += \(fn("exp"))(\(elem(x, index)) - m);")
            w.close()
            w.line("T acc = nngc_finite(m) ? m + \(fn("log"))(s) : m;")
        }
        w.line("\(elem(id, "o")) = acc;")
        w.line("o++;")
        closeLoops(&w, outer)
    }

    /// A sum (or mean) over one axis with a kept axis inside it, such as a bias gradient
    /// (sum over the batch of [B, K]): xs is [R, K] or [K0, R, K] after merging. Rows are added
    /// to the output one after another — unit stride and vectorisable, where one accumulator
    /// per output element would stride through memory — and each output element still sums its
    /// elements from 0 in increasing index, so the bits are those of the interpreter.
    private func emitColumnSum(_ id: Int, _ x: Int, _ xs: [Int], reducedAxis r: Int, mean: Bool, _ w: inout CWriter) {
        let (rows, k) = (xs[r], xs[r + 1])
        let outer = r == 0 ? 1 : xs[0]
        w.open("for (int64_t i0 = 0; i0 < \(outer); i0++)")
        w.line("for (int64_t k = 0; k < \(k); k++) \(elem(id, "i0 * \(k) + k")) = 0;")
        w.open("for (int64_t r = 0; r < \(rows); r++)")
        w.line("for (int64_t k = 0; k < \(k); k++) \(elem(id, "i0 * \(k) + k")) += \(elem(x, "(i0 * \(rows) + r) * \(k) + k"));")
        w.close()
        if mean {
            w.line("for (int64_t k = 0; k < \(k); k++) \(elem(id, "i0 * \(k) + k")) = \(elem(id, "i0 * \(k) + k")) / \(lit(Double(rows)));")
        }
        w.close()
    }

    func emitSoftmax(_ id: Int, axis: Int, log: Bool, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let n = xs[axis]
        let inner = CShape.count(Array(xs[(axis + 1)...]))
        let outer = CShape.count(Array(xs[..<axis]))
        let c = openLoops(&w, [("a", outer), ("b", inner)])
        w.line("const int64_t base = a * \(n * inner) + b;")
        w.line("T m = -nngc_inf();")
        w.line("for (int64_t j = 0; j < \(n); j++) { const T v = \(elem(x, "base + j * \(inner)")); if (v > m || v != v) m = v; }")
        w.line("const T shift = nngc_finite(m) ? m : 0;")
        w.line("T s = 0;")
        w.line("for (int64_t j = 0; j < \(n); j++) s += \(fn("exp"))(\(elem(x, "base + j * \(inner)")) - shift);")
        if log {
            w.line("const T ls = \(fn("log"))(s);")
            w.line("for (int64_t j = 0; j < \(n); j++) \(elem(id, "base + j * \(inner)")) = \(elem(x, "base + j * \(inner)")) - shift - ls;")
        } else {
            w.line("for (int64_t j = 0; j < \(n); j++) \(elem(id, "base + j * \(inner)")) = \(fn("exp"))(\(elem(x, "base + j * \(inner)")) - shift) / s;")
        }
        closeLoops(&w, c)
    }
}

/// argmax_mask(x, axes): 1 at the first maximal element (row-major) of each reduced group; a NaN
/// counts as maximal (as in `max`). The gradient of `max`.
extension Reductions {
    static func argmaxMask<T: NNGFloat>(_ x: Buf<T>, axes: [Int]) -> Buf<T> {
        var keep = x.shape
        for a in axes where a < keep.count { keep[a] = 1 }
        let map = ShapeMath.broadcastIndex(from: keep, to: x.shape)
        let groups = ShapeMath.count(keep)
        var best = [Int](repeating: -1, count: groups)
        for i in 0..<x.count {
            let j = map[i], v = x.data[i]
            if best[j] < 0 { best[j] = i; continue }
            let b = x.data[best[j]]
            if !b.isNaN && (v > b || v.isNaN) { best[j] = i }
        }
        var out = [T](repeating: 0, count: x.count)
        for b in best where b >= 0 { out[b] = 1 }
        return Buf(shape: x.shape, data: out)
    }
}

extension CCodeGenerator {
    /// 1 at the first maximal element (row-major) of each group reduced over `axes`; a NaN
    /// counts as maximal.
    func emitArgmaxMask(_ id: Int, axes: [Int], _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let st = CShape.strides(xs)
        let axisSet = Set(axes)
        let kept = xs.indices.filter { !axisSet.contains($0) }
        let reduced = xs.indices.filter { axisSet.contains($0) }
        let index = CShape.indexExpr(st)
        w.line("for (int64_t i = 0; i < \(CShape.count(xs)); i++) \(elem(id, "i")) = 0;")
        let outer = openLoops(&w, kept.map { ("i\($0)", xs[$0]) })
        w.line("int64_t best = -1;")
        w.line("T b = 0;")
        let inner = openLoops(&w, reduced.map { ("i\($0)", xs[$0]) })
        w.line("const int64_t k = \(index);")
        w.line("const T v = \(elem(x, "k"));")
        w.line("if (best < 0 || (b == b && (v > b || v != v))) { best = k; b = v; }")
        closeLoops(&w, inner)
        w.line("\(elem(id, "best")) = 1;")
        closeLoops(&w, outer)
    }
}
