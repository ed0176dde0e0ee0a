import NNGCore
import NNGIR

/// conv2d (cross-correlation with zero padding, im2col + BLAS gemm) and 2-D pooling.
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

    /// Max or average pooling over the last two axes, no padding: output (H−size)/stride+1.
    /// Max takes the first maximal element (NaN propagates); average divides by size².
    static func pool<T: NNGFloat>(_ kind: PoolKind, _ x: Buf<T>, size: Int, stride s: Int) throws(KernelError) -> Buf<T> {
        guard x.rank >= 2, size >= 1, s >= 1, x.shape[x.rank - 2] >= size, x.shape[x.rank - 1] >= size else {
            throw KernelError("\(kind == .max ? "maxpool2d" : "avgpool2d") of size \(size) and stride \(s) does not fit shape \(ShapeMath.describe(x.shape))")
        }
        let h = x.shape[x.rank - 2], w = x.shape[x.rank - 1]
        let oh = windowCount(h, window: size, stride: s), ow = windowCount(w, window: size, stride: s)
        let planes = ShapeMath.count(Array(x.shape[..<(x.rank - 2)]))
        var out = [T](repeating: 0, count: planes * oh * ow)
        let inv = 1 / T(size * size)
        for pl in 0..<planes {
            let xb = pl * h * w
            for y in 0..<oh {
                for xo in 0..<ow {
                    var acc: T = kind == .max ? -T.infinity : 0
                    for dy in 0..<size {
                        for dx in 0..<size {
                            let v = x.data[xb + (y * s + dy) * w + xo * s + dx]
                            if kind == .max {
                                if v > acc || v.isNaN { acc = v }
                            } else {
                                acc += v
                            }
                        }
                    }
                    out[(pl * oh + y) * ow + xo] = kind == .max ? acc : acc * inv
                }
            }
        }
        return Buf(shape: Array(x.shape[..<(x.rank - 2)]) + [oh, ow], data: out)
    }
}
