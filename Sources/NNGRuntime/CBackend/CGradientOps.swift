import NNGCore
import NNGIR

/// The gradient operations of autodiff (docs/gradient-ops.md): argmax_mask, maxpool2d_grad,
/// maxpool2d_select and avgpool2d_grad. Each kernel visits elements and accumulates in the order
/// of the interpreter's `GradientKernels`, so results agree (to the last bit where no libm call is
/// involved). conv2d_grad_input and conv2d_grad_weight go through GEMM (CLinearAlgebra.swift).
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

    /// scatter (maxpool2d_grad): x, g (pooled) → x's shape, g added at each window's first
    /// maximum; gather (maxpool2d_select): x, u (x's shape) → pooled, u at that element.
    func emitMaxPoolGrad(_ id: Int, size: Int, stride s: Int, scatter: Bool, _ w: inout CWriter) {
        let (x, other) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x]
        let h = xs[xs.count - 2], wd = xs[xs.count - 1]
        let oh = windowCount(h, window: size, stride: s), ow = windowCount(wd, window: size, stride: s)
        let planes = CShape.count(Array(xs[..<(xs.count - 2)]))
        if scatter { w.line("memset(\(ptr(id)), 0, \(CShape.count(xs)) * sizeof(T));") }
        w.line("const T ninf = -nngc_inf();")
        w.line("int64_t o = 0;")
        w.line("const T* gp = \(ptr(other));")
        w.line("T* op = \(ptr(id));")
        let l = openLoops(&w, [("pl", planes), ("y", oh)])
        w.line("const int64_t xb = pl * \(h * wd);")
        w.line("const T* xp = \(ptr(x)) + xb;")
        w.open("for (int64_t xo = 0; xo < \(ow); xo++)")
        w.line("const int64_t w0 = y * \(s * wd) + xo * \(s);")
        w.line("int64_t best = -1;")
        w.line("T acc = ninf;")
        emitWindow(size: size, rowStride: wd, &w) { off in
            "{ const int64_t i = w0 + \(off); const T v = xp[i]; if (best < 0 || (acc == acc && (v > acc || v != v))) { acc = v; best = i; } }"
        }
        if scatter {
            w.line("op[xb + best] += gp[o];")
        } else {
            w.line("op[o] = gp[xb + best];")
        }
        w.line("o++;")
        w.close()
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
        w.line("memset(\(ptr(id)), 0, \(CShape.count(os)) * sizeof(T));")
        let l = openLoops(&w, [("pl", planes), ("y", oh), ("xo", ow)])
        w.line("const T v = \(elem(g, "(pl * \(oh) + y) * \(ow) + xo")) * \(lit(inv));")
        let l2 = openLoops(&w, [("dy", size), ("dx", size)])
        w.line("\(elem(id, "pl * \(h * wd) + (y * \(s) + dy) * \(wd) + xo * \(s) + dx")) += v;")
        closeLoops(&w, l2)
        closeLoops(&w, l)
    }
}
