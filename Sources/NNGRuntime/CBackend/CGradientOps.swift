import NNGCore
import NNGIR

/// The gradient operations of autodiff (docs/gradient-ops.md): argmax_mask, conv2d_grad_input,
/// conv2d_grad_weight, maxpool2d_grad, maxpool2d_select and avgpool2d_grad. Each kernel visits
/// elements and accumulates in the order of the interpreter's `GradientKernels`, so results
/// agree (to the last bit where no libm call is involved).
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

    /// g [N,K,OH,OW], w [K,C,R,S] → [N,C,H,W]: scatter-add of g·w (zero g skipped, as in the
    /// interpreter).
    func emitConv2dGradInput(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (g, k) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let gs = shapes[g], ks = shapes[k], os = shapes[id]
        let (n, kk, oh, ow) = (gs[0], gs[1], gs[2], gs[3])
        let (c, r, sw) = (ks[1], ks[2], ks[3])
        let (h, wd) = (os[2], os[3])
        w.line("for (int64_t i = 0; i < \(CShape.count(os)); i++) \(elem(id, "i")) = 0;")
        let l = openLoops(&w, [("b", n), ("ki", kk), ("y", oh), ("xo", ow)])
        w.line("const T gv = \(elem(g, "((b * \(kk) + ki) * \(oh) + y) * \(ow) + xo"));")
        w.line("if (gv == 0) continue;")
        let l2 = openLoops(&w, [("ci", c), ("ri", r)])
        w.line("const int64_t iy = y * \(s) - \(p) + ri;")
        w.line("if (iy < 0 || iy >= \(h)) continue;")
        w.open("for (int64_t si = 0; si < \(sw); si++)")
        w.line("const int64_t ix = xo * \(s) - \(p) + si;")
        w.line("if (ix < 0 || ix >= \(wd)) continue;")
        w.line("\(elem(id, "((b * \(c) + ci) * \(h) + iy) * \(wd) + ix")) += gv * \(elem(k, "((ki * \(c) + ci) * \(r) + ri) * \(sw) + si"));")
        w.close()
        closeLoops(&w, l2)
        closeLoops(&w, l)
    }

    /// x [N,C,H,W], g [N,K,OH,OW] → [K,C,R,S]: correlation of x with g.
    func emitConv2dGradWeight(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (x, g) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x], gs = shapes[g], os = shapes[id]
        let (n, c, h, wd) = (xs[0], xs[1], xs[2], xs[3])
        let (kk, oh, ow) = (gs[1], gs[2], gs[3])
        let (r, sw) = (os[2], os[3])
        let l = openLoops(&w, [("ki", kk), ("ci", c), ("ri", r), ("si", sw)])
        w.line("T acc = 0;")
        w.open("for (int64_t b = 0; b < \(n); b++)")
        w.open("for (int64_t y = 0; y < \(oh); y++)")
        w.line("const int64_t iy = y * \(s) - \(p) + ri;")
        w.line("if (iy < 0 || iy >= \(h)) continue;")
        w.open("for (int64_t xo = 0; xo < \(ow); xo++)")
        w.line("const int64_t ix = xo * \(s) - \(p) + si;")
        w.line("if (ix < 0 || ix >= \(wd)) continue;")
        w.line("acc += \(elem(x, "((b * \(c) + ci) * \(h) + iy) * \(wd) + ix")) * \(elem(g, "((b * \(kk) + ki) * \(oh) + y) * \(ow) + xo"));")
        w.close()
        w.close()
        w.close()
        w.line("\(elem(id, "((ki * \(c) + ci) * \(r) + ri) * \(sw) + si")) = acc;")
        closeLoops(&w, l)
    }

    /// scatter (maxpool2d_grad): x, g (pooled) → x's shape, g added at each window's first
    /// maximum; gather (maxpool2d_select): x, u (x's shape) → pooled, u at that element.
    func emitMaxPoolGrad(_ id: Int, size: Int, stride s: Int, scatter: Bool, _ w: inout CWriter) {
        let (x, other) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x]
        let h = xs[xs.count - 2], wd = xs[xs.count - 1]
        let oh = (h - size) / s + 1, ow = (wd - size) / s + 1
        let planes = CShape.count(Array(xs[..<(xs.count - 2)]))
        if scatter { w.line("for (int64_t i = 0; i < \(CShape.count(xs)); i++) \(elem(id, "i")) = 0;") }
        let l = openLoops(&w, [("pl", planes), ("y", oh), ("xo", ow)])
        w.line("const int64_t xb = pl * \(h * wd);")
        w.line("int64_t best = -1;")
        w.line("T acc = -nngc_inf();")
        let l2 = openLoops(&w, [("dy", size), ("dx", size)])
        w.line("const int64_t i = xb + (y * \(s) + dy) * \(wd) + xo * \(s) + dx;")
        w.line("const T v = \(elem(x, "i"));")
        w.line("if (best < 0 || (acc == acc && (v > acc || v != v))) { acc = v; best = i; }")
        closeLoops(&w, l2)
        w.line("const int64_t o = (pl * \(oh) + y) * \(ow) + xo;")
        if scatter {
            w.line("\(elem(id, "best")) += \(elem(other, "o"));")
        } else {
            w.line("\(elem(id, "o")) = \(elem(other, "best"));")
        }
        closeLoops(&w, l)
    }

    /// g (pooled) → [..., H, W]: g / size² added to every element of each window.
    func emitAvgPoolGrad(_ id: Int, size: Int, stride s: Int, _ w: inout CWriter) {
        let g = graph.nodes[id].inputs[0]
        let gs = shapes[g], os = shapes[id]
        let h = os[os.count - 2], wd = os[os.count - 1]
        let oh = gs[gs.count - 2], ow = gs[gs.count - 1]
        let planes = CShape.count(Array(gs[..<(gs.count - 2)]))
        let inv = dtype == .f32 ? Double(1 / Float(size * size)) : 1 / Double(size * size)
        w.line("for (int64_t i = 0; i < \(CShape.count(os)); i++) \(elem(id, "i")) = 0;")
        let l = openLoops(&w, [("pl", planes), ("y", oh), ("xo", ow)])
        w.line("const T v = \(elem(g, "(pl * \(oh) + y) * \(ow) + xo")) * \(lit(inv));")
        let l2 = openLoops(&w, [("dy", size), ("dx", size)])
        w.line("\(elem(id, "pl * \(h * wd) + (y * \(s) + dy) * \(wd) + xo * \(s) + dx")) += v;")
        closeLoops(&w, l2)
        closeLoops(&w, l)
    }
}
