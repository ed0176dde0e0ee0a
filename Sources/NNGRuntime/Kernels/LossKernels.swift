import NNGCore
import NNGIR
import RealModule

// The losses (Ops/LossOps.swift): the interpreter's kernels, then the C emitters.

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

/// Losses and accuracy (scalars). Prediction and target are read broadcast to their common
/// shape, in flat order, with the interpreter's formulas (see the runtime's Losses):
/// mse = Σ(p−t)²/n; bce = −Σ(t·log p + (1−t)·log(1−p))/n; bce_logits = Σ(max(z,0) − z·t +
/// log1p(e^−|z|))/n; cross_entropy = −Σ t·log_softmax(z) / rows along the last axis;
/// accuracy = argmax agreement per row (last axis > 1) or thresholded agreement at 0.5.
extension CCodeGenerator {
    /// The common shape and each operand's strides in it (a scalar is treated as [1]).
    private func lossOperands(_ id: Int) -> (shape: [Int], p: Int, t: Int, ps: [Int], ts: [Int]) {
        let (p, t) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        var shape = CShape.broadcast(shapes[p], shapes[t]) ?? shapes[p]
        if shape.isEmpty { shape = [1] }
        return (shape, p, t, CShape.broadcastStrides(from: shapes[p], to: shape),
                CShape.broadcastStrides(from: shapes[t], to: shape))
    }

    func emitLoss(_ id: Int, _ op: LossOp, _ w: inout CWriter) {
        let (shape, p, t, ps, ts) = lossOperands(id)
        let n = CShape.count(shape)
        w.line("T s = 0;")
        if op == .crossEntropy {
            let classes = shape[shape.count - 1]
            let rows = n / classes
            let lead = Array(shape.dropLast())
            let l = openLoops(&w, lead.enumerated().map { ("i\($0.offset)", $0.element) })
            w.line("const int64_t pb = \(CShape.indexExpr(Array(ps.dropLast())));")
            w.line("const int64_t tb = \(CShape.indexExpr(Array(ts.dropLast())));")
            let pj = elem(p, "pb + j * \(ps.last!)"), tj = elem(t, "tb + j * \(ts.last!)")
            w.line("T m = -nngc_inf();")
            w.line("for (int64_t j = 0; j < \(classes); j++) { const T v = \(pj); if (v > m || v != v) m = v; }")
            w.line("const T shift = nngc_finite(m) ? m : 0;")
            w.line("T e = 0;")
            w.line("for (int64_t j = 0; j < \(classes); j++) e += \(fn("exp"))(\(pj) - shift);")
            w.line("const T ls = \(fn("log"))(e);")
            w.line("for (int64_t j = 0; j < \(classes); j++) s += \(tj) * (\(pj) - shift - ls);")
            closeLoops(&w, l)
            w.line("\(elem(id, "0")) = -s / \(lit(Double(rows)));")
            return
        }
        let l = openLoops(&w, shape.enumerated().map { ("i\($0.offset)", $0.element) })
        w.line("const T pv = \(elem(p, CShape.indexExpr(ps)));")
        w.line("const T tv = \(elem(t, CShape.indexExpr(ts)));")
        switch op {
        case .mse:
            w.line("const T d = pv - tv;")
            w.line("s += d * d;")
        case .bce:
            w.line("s += tv * \(fn("log"))(pv) + (1 - tv) * \(fn("log"))(1 - pv);")
        case .bceLogits:
            w.line("s += (pv > 0 ? pv : 0) - pv * tv + \(fn("log1p"))(\(fn("exp"))(-\(fn("fabs"))(pv)));")
        case .crossEntropy:
            break
        }
        closeLoops(&w, l)
        let count = lit(Double(n))
        w.line("\(elem(id, "0")) = \(op == .bce ? "-s" : "s") / \(count);")
    }

    func emitAccuracy(_ id: Int, _ w: inout CWriter) {
        let (shape, p, t, ps, ts) = lossOperands(id)
        let last = shape[shape.count - 1]
        let n = CShape.count(shape)
        w.line("int64_t hits = 0;")
        if last > 1 {
            let lead = Array(shape.dropLast())
            let l = openLoops(&w, lead.enumerated().map { ("i\($0.offset)", $0.element) })
            w.line("const int64_t pb = \(CShape.indexExpr(Array(ps.dropLast())));")
            w.line("const int64_t tb = \(CShape.indexExpr(Array(ts.dropLast())));")
            w.line("int64_t bp = 0, bt = 0;")
            w.line("for (int64_t j = 1; j < \(last); j++) { if (\(elem(p, "pb + j * \(ps.last!)")) > \(elem(p, "pb + bp * \(ps.last!)"))) bp = j; if (\(elem(t, "tb + j * \(ts.last!)")) > \(elem(t, "tb + bt * \(ts.last!)"))) bt = j; }")
            w.line("if (bp == bt) hits++;")
            closeLoops(&w, l)
            w.line("\(elem(id, "0")) = (T)hits / \(lit(Double(n / last)));")
        } else {
            let l = openLoops(&w, shape.enumerated().map { ("i\($0.offset)", $0.element) })
            w.line("if ((\(elem(p, CShape.indexExpr(ps))) > \(lit(0.5))) == (\(elem(t, CShape.indexExpr(ts))) > \(lit(0.5)))) hits++;")
            closeLoops(&w, l)
            w.line("\(elem(id, "0")) = (T)hits / \(lit(Double(n)));")
        }
    }
}
