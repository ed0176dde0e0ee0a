import NNGCore
import NNGIR

/// Kernels of the gradient operations (docs/gradient-ops.md).
/// - argmax_mask(x, axes): 1 at the first maximal element (row-major) of each reduced group;
///   a NaN counts as maximal (as in `max`).
/// - conv2d_grad_input(g, w): the transpose of conv2d in x (scatter-add of g·w).
/// - conv2d_grad_weight(x, g): the transpose of conv2d in w (correlation of x with g).
/// - maxpool2d_grad(x, g): g of each window added at the window's first maximal element.
/// - maxpool2d_select(x, u): for each window, u at the window's first maximal element of x.
/// - avgpool2d_grad(g): g / size² added to every element of each window.
enum GradientKernels {
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

    /// scatter: x, g (pooled) → x's shape; gather: x, u (x's shape) → pooled shape.
    static func maxPool<T: NNGFloat>(_ x: Buf<T>, _ other: Buf<T>, size: Int, stride s: Int, scatter: Bool, shape: [Int]) throws(KernelError) -> Buf<T> {
        guard x.rank >= 2, size >= 1, s >= 1, x.shape[x.rank - 2] >= size, x.shape[x.rank - 1] >= size else {
            throw KernelError("maxpool2d gradient: size \(size) does not fit \(ShapeMath.describe(x.shape))")
        }
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        let oh = windowCount(h, window: size, stride: s), ow = windowCount(w, window: size, stride: s)
        let planes = ShapeMath.count(Array(x.shape[..<(x.rank - 2)]))
        let expected = scatter ? planes * oh * ow : x.count
        guard other.count == expected else { throw KernelError("maxpool2d gradient: operand has the wrong size") }
        var out = [T](repeating: 0, count: scatter ? x.count : planes * oh * ow)
        for pl in 0..<planes {
            let xb = pl * h * w
            for y in 0..<oh {
                for xo in 0..<ow {
                    var best = -1
                    var acc = -T.infinity
                    for dy in 0..<size {
                        for dx in 0..<size {
                            let i = xb + (y * s + dy) * w + xo * s + dx
                            let v = x.data[i]
                            if best < 0 || (!acc.isNaN && (v > acc || v.isNaN)) { acc = v; best = i }
                        }
                    }
                    let o = (pl * oh + y) * ow + xo
                    if scatter { out[best] += other.data[o] } else { out[o] = other.data[best] }
                }
            }
        }
        return Buf(shape: shape, data: out)
    }

    static func avgPoolGrad<T: NNGFloat>(_ g: Buf<T>, size: Int, stride s: Int, shape: [Int]) throws(KernelError) -> Buf<T> {
        guard g.rank >= 2, shape.count == g.rank else { throw KernelError("avgpool2d_grad: bad shapes") }
        let h = shape[shape.count - 2], w = shape[shape.count - 1]
        let oh = g.shape[g.rank - 2], ow = g.shape[g.rank - 1]
        let planes = ShapeMath.count(Array(g.shape[..<(g.rank - 2)]))
        let inv = 1 / T(size * size)
        var out = [T](repeating: 0, count: planes * h * w)
        for pl in 0..<planes {
            for y in 0..<oh {
                for xo in 0..<ow {
                    let v = g.data[(pl * oh + y) * ow + xo] * inv
                    for dy in 0..<size {
                        for dx in 0..<size {
                            out[pl * h * w + (y * s + dy) * w + xo * s + dx] += v
                        }
                    }
                }
            }
        }
        return Buf(shape: shape, data: out)
    }
}
