import NNGCore
import NNGIR

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
