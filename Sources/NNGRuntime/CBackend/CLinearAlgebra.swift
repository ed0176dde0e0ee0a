import NNGCore
import NNGIR

/// matmul (the four rank cases) and conv2d (im2col + GEMM) through cblas_?gemm, and pooling.
/// A matmul operand that is a transpose of a matrix is read in place with BLAS's transpose flag.
extension CCodeGenerator {
    private var gemm: String { dtype == .f32 ? "cblas_sgemm" : "cblas_dgemm" }
    private static let rowMajor = 101, noTrans = 111, trans = 112

    func emitMatmul(_ id: Int, _ w: inout CWriter) {
        let (a, b) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let (sa, sb) = (shapes[a], shapes[b])
        let m = sa.count == 2 ? sa[0] : 1
        let k = sa[sa.count - 1]
        let n = sb.count == 2 ? sb[1] : 1
        // Storage and transposition of each operand.
        func source(_ x: Int) -> (ptr: String, trans: Bool) {
            if elided.contains(x) { return (ptr(graph.nodes[x].inputs[0]), true) }
            return (ptr(x), false)
        }
        let (pa, ta) = source(a), (pb, tb) = source(b)
        let lda = ta ? m : k, ldb = tb ? k : n
        let flag = { (t: Bool) in t ? CCodeGenerator.trans : CCodeGenerator.noTrans }
        w.line("\(gemm)(\(CCodeGenerator.rowMajor), \(flag(ta)), \(flag(tb)), \(m), \(n), \(k), 1, \(pa), \(lda), \(pb), \(ldb), 0, \(ptr(id)), \(n));")
    }

    func emitConv2d(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (x, wt) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x], ws = shapes[wt]
        let (nb, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
        let (k, r, sw) = (ws[0], ws[2], ws[3])
        let oh = (h + 2 * p - r) / s + 1, ow = (wd + 2 * p - sw) / s + 1
        let rows = c * r * sw, cols = oh * ow
        let col = scratch[id]!
        w.line("T* col = ar + \(col);")
        w.open("for (int64_t b = 0; b < \(nb); b++)")
        w.line("const int64_t xb = b * \(c * h * wd);")
        let l = openLoops(&w, [("ci", c), ("ri", r), ("si", sw)])
        w.line("const int64_t row = (ci * \(r) + ri) * \(sw) + si;")
        w.open("for (int64_t y = 0; y < \(oh); y++)")
        w.line("const int64_t iy = y * \(s) - \(p) + ri;")
        w.open("for (int64_t xo = 0; xo < \(ow); xo++)")
        w.line("const int64_t ix = xo * \(s) - \(p) + si;")
        w.line("col[row * \(cols) + y * \(ow) + xo] = (iy >= 0 && iy < \(h) && ix >= 0 && ix < \(wd)) ? \(elem(x, "xb + (ci * \(h) + iy) * \(wd) + ix")) : 0;")
        w.close()
        w.close()
        closeLoops(&w, l)
        w.line("\(gemm)(\(CCodeGenerator.rowMajor), \(CCodeGenerator.noTrans), \(CCodeGenerator.noTrans), \(k), \(cols), \(rows), 1, \(ptr(wt)), \(rows), col, \(cols), 0, \(ptr(id)) + b * \(k * cols), \(cols));")
        w.close()
    }

    func emitPool(_ id: Int, _ kind: PoolKind, size: Int, stride s: Int, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let h = xs[xs.count - 2], wd = xs[xs.count - 1]
        let oh = (h - size) / s + 1, ow = (wd - size) / s + 1
        let planes = CShape.count(Array(xs[..<(xs.count - 2)]))
        let l = openLoops(&w, [("pl", planes), ("y", oh), ("xo", ow)])
        w.line("const int64_t xb = pl * \(h * wd);")
        w.line("T acc = \(kind == .max ? "-nngc_inf()" : "0");")
        let l2 = openLoops(&w, [("dy", size), ("dx", size)])
        w.line("const T v = \(elem(x, "xb + (y * \(s) + dy) * \(wd) + xo * \(s) + dx"));")
        w.line(kind == .max ? "if (v > acc || v != v) acc = v;" : "acc += v;")
        closeLoops(&w, l2)
        let value = kind == .max ? "acc" : "acc * \(lit(dtype == .f32 ? Double(1 / Float(size * size)) : 1 / Double(size * size)))"
        w.line("\(elem(id, "(pl * \(oh) + y) * \(ow) + xo")) = \(value);")
        closeLoops(&w, l)
    }
}
