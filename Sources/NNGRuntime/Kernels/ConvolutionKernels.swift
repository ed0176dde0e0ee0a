import NNGCore
import NNGIR

// 2-D convolution and its gradients (Ops/ConvolutionOps.swift): the interpreter's kernels, then
// the C emitters (im2col + GEMM).

/// conv2d is a cross-correlation with zero padding; conv2d_grad_input(g, w) is its transpose in x
/// (a scatter-add of g·w), conv2d_grad_weight(x, g) its transpose in w (a correlation of x with g).
enum Convolution {
    /// x [N,C,H,W], w [K,C,R,S] → [N,K,(H+2p−R)/s+1,(W+2p−S)/s+1].
    static func conv2d<T: NNGFloat>(_ x: Buf<T>, _ w: Buf<T>, stride s: Int, padding p: Int) throws(KernelError) -> Buf<T> {
        guard x.rank == 4, w.rank == 4, x.shape[1] == w.shape[1] else {
            throw KernelError("conv2d needs x [N, C, H, W] and w [K, C, R, S], got \(ShapeMath.describe(x.shape)) and \(ShapeMath.describe(w.shape))")
        }
        guard s >= 1, p >= 0 else { throw KernelError("conv2d needs stride ≥ 1 and padding ≥ 0") }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (k, r, sw) = (w.shape[0], w.shape[2], w.shape[3])
        guard h + 2 * p >= r, wd + 2 * p >= sw else {
            throw KernelError("conv2d kernel \(r)×\(sw) is larger than the padded input \(h + 2 * p)×\(wd + 2 * p)")
        }
        let oh = windowCount(h, window: r, stride: s, padding: p), ow = windowCount(wd, window: sw, stride: s, padding: p)
        let rows = c * r * sw, cols = oh * ow
        guard let total = ShapeMath.checkedCount([n, k, oh, ow]), ShapeMath.checkedCount([rows, cols]) != nil else {
            throw KernelError("conv2d result is too large")
        }
        var out = [T](repeating: 0, count: total)
        var col = [T](repeating: 0, count: rows * cols)
        for b in 0..<n {
            let xb = b * c * h * wd
            for ci in 0..<c {
                for ri in 0..<r {
                    for si in 0..<sw {
                        let row = (ci * r + ri) * sw + si
                        for y in 0..<oh {
                            let iy = y * s - p + ri
                            for xo in 0..<ow {
                                let ix = xo * s - p + si
                                col[row * cols + y * ow + xo] =
                                    (iy >= 0 && iy < h && ix >= 0 && ix < wd) ? x.data[xb + (ci * h + iy) * wd + ix] : 0
                            }
                        }
                    }
                }
            }
            let yb = BLAS.gemm(m: k, n: cols, k: rows, w.data, col)
            let base = b * k * cols
            for j in 0..<yb.count { out[base + j] = yb[j] }
        }
        return Buf(shape: [n, k, oh, ow], data: out)
    }

    /// g [N,K,OH,OW], w [K,C,R,S] → dx [N,C,H,W] with H, W from `shape`.
    static func conv2dGradInput<T: NNGFloat>(_ g: Buf<T>, _ w: Buf<T>, stride s: Int, padding p: Int, shape: [Int]) throws(KernelError) -> Buf<T> {
        guard g.rank == 4, w.rank == 4, shape.count == 4, g.shape[1] == w.shape[0] else {
            throw KernelError("conv2d_grad_input: bad shapes \(ShapeMath.describe(g.shape)) and \(ShapeMath.describe(w.shape))")
        }
        let (n, k, oh, ow) = (g.shape[0], g.shape[1], g.shape[2], g.shape[3])
        let (c, r, sw) = (w.shape[1], w.shape[2], w.shape[3])
        let (h, wd) = (shape[2], shape[3])
        var out = [T](repeating: 0, count: n * c * h * wd)
        for b in 0..<n {
            for ki in 0..<k {
                for y in 0..<oh {
                    for xo in 0..<ow {
                        let gv = g.data[((b * k + ki) * oh + y) * ow + xo]
                        if gv == 0 { continue }
                        for ci in 0..<c {
                            for ri in 0..<r {
                                let iy = y * s - p + ri
                                if iy < 0 || iy >= h { continue }
                                for si in 0..<sw {
                                    let ix = xo * s - p + si
                                    if ix < 0 || ix >= wd { continue }
                                    out[((b * c + ci) * h + iy) * wd + ix] += gv * w.data[((ki * c + ci) * r + ri) * sw + si]
                                }
                            }
                        }
                    }
                }
            }
        }
        return Buf(shape: [n, c, h, wd], data: out)
    }

    /// x [N,C,H,W], g [N,K,OH,OW] → dw [K,C,R,S] with R, S from `shape`.
    static func conv2dGradWeight<T: NNGFloat>(_ x: Buf<T>, _ g: Buf<T>, stride s: Int, padding p: Int, shape: [Int]) throws(KernelError) -> Buf<T> {
        guard x.rank == 4, g.rank == 4, shape.count == 4, x.shape[0] == g.shape[0] else {
            throw KernelError("conv2d_grad_weight: bad shapes \(ShapeMath.describe(x.shape)) and \(ShapeMath.describe(g.shape))")
        }
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (k, oh, ow) = (g.shape[1], g.shape[2], g.shape[3])
        let (r, sw) = (shape[2], shape[3])
        var out = [T](repeating: 0, count: k * c * r * sw)
        for ki in 0..<k {
            for ci in 0..<c {
                for ri in 0..<r {
                    for si in 0..<sw {
                        var acc: T = 0
                        for b in 0..<n {
                            for y in 0..<oh {
                                let iy = y * s - p + ri
                                let rowInside = iy >= 0 && iy < h
                                for xo in 0..<ow {
                                    let ix = xo * s - p + si
                                    // A padded position is a zero that takes part in the product
                                    // (0·NaN = NaN), as in conv2d itself and the C backend's GEMM.
                                    let xv = rowInside && ix >= 0 && ix < wd ? x.data[((b * c + ci) * h + iy) * wd + ix] : 0
                                    acc += xv * g.data[((b * k + ki) * oh + y) * ow + xo]
                                }
                            }
                        }
                        out[((ki * c + ci) * r + ri) * sw + si] = acc
                    }
                }
            }
        }
        return Buf(shape: [k, c, r, sw], data: out)
    }
}

extension CCodeGenerator {
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
}
