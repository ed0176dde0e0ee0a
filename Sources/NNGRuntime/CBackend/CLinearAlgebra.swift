import NNGCore
import NNGIR

/// matmul (the four rank cases) and conv2d (im2col + GEMM) through cblas_?gemm, and pooling.
/// A matmul operand that is a transpose of a matrix is read in place with BLAS's transpose flag.
extension CCodeGenerator {
    /// The GEMM called: CBLAS's, or the library's own loop (`--no-blas`, CLibraryPrelude.swift).
    private var gemm: String {
        if style == .library(blas: false) { return "nngc_gemm" }
        return dtype == .f32 ? "cblas_sgemm" : "cblas_dgemm"
    }

    /// CBLAS's enumerators: numbers for TinyCC's prototypes (int parameters), names against the
    /// real <cblas.h> (C++ converts no int to an enum).
    private var rowMajor: String { style == .library(blas: true) ? "CblasRowMajor" : "101" }
    private func flag(_ transposed: Bool) -> String {
        if style == .library(blas: true) { return transposed ? "CblasTrans" : "CblasNoTrans" }
        return transposed ? "112" : "111"
    }

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
        w.line("\(gemm)(\(rowMajor), \(flag(ta)), \(flag(tb)), \(m), \(n), \(k), 1, \(pa), \(lda), \(pb), \(ldb), 0, \(ptr(id)), \(n));")
    }

    /// The geometry of a convolution: x [N,C,H,W], w [K,C,R,S], y [N,K,OH,OW].
    struct ConvGeometry {
        var n, c, h, w, k, r, s, oh, ow, stride, padding: Int
        var rows: Int { c * r * s }
        var cols: Int { oh * ow }
    }

    /// Opens, per row (ci, ri, si) of the im2col matrix and output row y, the valid range
    /// [x0, x1) of output columns whose input column is inside the image (computed once per row),
    /// with `iy` the input row; closes nothing. Emits `continue` for rows outside the image after
    /// `outside` (code run for such a row, e.g. zero-filling).
    private func openIm2colRow(_ g: ConvGeometry, outside: String?, _ w: inout CWriter) {
        w.open("for (int64_t row = 0; row < \(g.rows); row++)")
        w.line("const int64_t ci = row / \(g.r * g.s), ri = (row / \(g.s)) % \(g.r), si = row % \(g.s);")
        w.line("int64_t x0 = 0, x1 = \(g.ow);")
        w.line("while (x0 < \(g.ow) && x0 * \(g.stride) - \(g.padding) + si < 0) x0++;")
        w.line("while (x1 > x0 && (x1 - 1) * \(g.stride) - \(g.padding) + si >= \(g.w)) x1--;")
        w.open("for (int64_t y = 0; y < \(g.oh); y++)")
        w.line("T* cr = col + row * \(g.cols) + y * \(g.ow);")
        w.line("const int64_t iy = y * \(g.stride) - \(g.padding) + ri;")
        if let outside {
            w.line("if (iy < 0 || iy >= \(g.h)) { \(outside) continue; }")
        } else {
            w.line("if (iy < 0 || iy >= \(g.h)) continue;")
        }
    }

    /// col [C·R·S, OH·OW] ← the im2col matrix of sample `b` of x (zero outside the image).
    func emitIm2col(_ x: Int, _ g: ConvGeometry, _ w: inout CWriter) {
        openIm2colRow(g, outside: "for (int64_t xo = 0; xo < \(g.ow); xo++) cr[xo] = 0;", &w)
        w.line("const T* src = \(ptr(x)) + b * \(g.c * g.h * g.w) + (ci * \(g.h) + iy) * \(g.w) + (x0 * \(g.stride) - \(g.padding) + si);")
        w.line("int64_t xo = 0;")
        w.line("for (; xo < x0; xo++) cr[xo] = 0;")
        w.line(g.stride == 1 ? "for (; xo < x1; xo++) cr[xo] = *src++;" : "for (; xo < x1; xo++) { cr[xo] = *src; src += \(g.stride); }")
        w.line("for (; xo < \(g.ow); xo++) cr[xo] = 0;")
        w.close()
        w.close()
    }

    /// Sample `b` of `id` [N,C,H,W] += col2im(col): each column entry added to its input element,
    /// in the order of the rows of col.
    func emitCol2imAdd(_ id: Int, _ g: ConvGeometry, _ w: inout CWriter) {
        openIm2colRow(g, outside: nil, &w)
        w.line("T* dst = \(ptr(id)) + b * \(g.c * g.h * g.w) + (ci * \(g.h) + iy) * \(g.w) + (x0 * \(g.stride) - \(g.padding) + si);")
        w.line(g.stride == 1 ? "for (int64_t xo = x0; xo < x1; xo++) *dst++ += cr[xo];" : "for (int64_t xo = x0; xo < x1; xo++) { *dst += cr[xo]; dst += \(g.stride); }")
        w.close()
        w.close()
    }

    func gemmCall(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, a: String, lda: Int, b: String, ldb: Int,
                  beta: Int, c: String, ldc: Int) -> String {
        return "\(gemm)(\(rowMajor), \(flag(transA)), \(flag(transB)), \(m), \(n), \(k), 1, \(a), \(max(1, lda)), \(b), \(max(1, ldb)), \(beta), \(c), \(max(1, ldc)));"
    }

    func emitConv2d(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (x, wt) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x], ws = shapes[wt]
        let oh = windowCount(xs[2], window: ws[2], stride: s, padding: p), ow = windowCount(xs[3], window: ws[3], stride: s, padding: p)
        let g = ConvGeometry(n: xs[0], c: xs[1], h: xs[2], w: xs[3], k: ws[0], r: ws[2], s: ws[3], oh: oh, ow: ow, stride: s, padding: p)
        w.line("T* col = ar + \(scratch[id]!);")
        w.open("for (int64_t b = 0; b < \(g.n); b++)")
        emitIm2col(x, g, &w)
        w.line(gemmCall(transA: false, transB: false, m: g.k, n: g.cols, k: g.rows, a: ptr(wt), lda: g.rows, b: "col", ldb: g.cols,
                        beta: 0, c: "\(ptr(id)) + b * \(g.k * g.cols)", ldc: g.cols))
        w.close()
    }

    /// x [N,C,H,W], g [N,K,OH,OW] → [K,C,R,S] = Σ_b g_b · im2col(x_b)ᵀ (one GEMM per sample,
    /// accumulated in place).
    func emitConv2dGradWeight(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (x, gy) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let xs = shapes[x], gs = shapes[gy], os = shapes[id]
        let g = ConvGeometry(n: xs[0], c: xs[1], h: xs[2], w: xs[3], k: gs[1], r: os[2], s: os[3], oh: gs[2], ow: gs[3], stride: s, padding: p)
        w.line("T* col = ar + \(scratch[id]!);")
        w.line("memset(\(ptr(id)), 0, \(CShape.count(os)) * sizeof(T));")
        w.open("for (int64_t b = 0; b < \(g.n); b++)")
        emitIm2col(x, g, &w)
        w.line(gemmCall(transA: false, transB: true, m: g.k, n: g.rows, k: g.cols, a: "\(ptr(gy)) + b * \(g.k * g.cols)", lda: g.cols,
                        b: "col", ldb: g.cols, beta: 1, c: ptr(id), ldc: g.rows))
        w.close()
    }

    /// g [N,K,OH,OW], w [K,C,R,S] → [N,C,H,W] = col2im(wᵀ · g_b) per sample.
    func emitConv2dGradInput(_ id: Int, stride s: Int, padding p: Int, _ w: inout CWriter) {
        let (gy, wt) = (graph.nodes[id].inputs[0], graph.nodes[id].inputs[1])
        let gs = shapes[gy], ws = shapes[wt], os = shapes[id]
        let g = ConvGeometry(n: os[0], c: os[1], h: os[2], w: os[3], k: ws[0], r: ws[2], s: ws[3], oh: gs[2], ow: gs[3], stride: s, padding: p)
        w.line("T* col = ar + \(scratch[id]!);")
        w.line("memset(\(ptr(id)), 0, \(CShape.count(os)) * sizeof(T));")
        w.open("for (int64_t b = 0; b < \(g.n); b++)")
        w.line(gemmCall(transA: true, transB: false, m: g.rows, n: g.cols, k: g.k, a: ptr(wt), lda: g.rows,
                        b: "\(ptr(gy)) + b * \(g.k * g.cols)", ldb: g.cols, beta: 0, c: "col", ldc: g.cols))
        emitCol2imAdd(id, g, &w)
        w.close()
    }

    /// Emits `body(offset)` for each element of a size×size window (row by row), unrolled for
    /// small windows; `offset` is a C expression of the element's offset from the window's first.
    func emitWindow(size: Int, rowStride: Int, _ w: inout CWriter, _ body: (String) -> String) {
        if size * size <= 16 {
            for dy in 0..<size { for dx in 0..<size { w.line(body("\(dy * rowStride + dx)")) } }
        } else {
            let l = openLoops(&w, [("dy", size), ("dx", size)])
            w.line(body("dy * \(rowStride) + dx"))
            closeLoops(&w, l)
        }
    }

    func emitPool(_ id: Int, _ kind: PoolKind, size: Int, stride s: Int, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let h = xs[xs.count - 2], wd = xs[xs.count - 1]
        let oh = windowCount(h, window: size, stride: s), ow = windowCount(wd, window: size, stride: s)
        let planes = CShape.count(Array(xs[..<(xs.count - 2)]))
        w.line("const T ninf = -nngc_inf();")
        w.line("const T* xp = \(ptr(x));")
        w.line("T* op = \(ptr(id));")
        let l = openLoops(&w, [("pl", planes), ("y", oh)])
        w.line("const T* row = xp + pl * \(h * wd) + y * \(s * wd);")
        w.open("for (int64_t xo = 0; xo < \(ow); xo++)")
        w.line("const T* p = row + xo * \(s);")
        w.line("T acc = \(kind == .max ? "ninf" : "0");")
        emitWindow(size: size, rowStride: wd, &w) { o in
            kind == .max ? "{ const T v = p[\(o)]; if (v > acc || v != v) acc = v; }" : "acc += p[\(o)];"
        }
        let value = kind == .max ? "acc" : "acc * \(lit(dtype == .f32 ? Double(1 / Float(size * size)) : 1 / Double(size * size)))"
        w.line("*op++ = \(value);")
        w.close()
        closeLoops(&w, l)
    }
}
