import NNGCore
import NNGIR

// 2-D pooling and its gradients (Ops/PoolingOps.swift): the interpreter's kernels, then the C
// emitters, which visit each window's elements in the same order.

/// Max or average pooling over the last two axes (no padding); maxpool2d_grad(x, g) adds g of each
/// window at the window's first maximal element, maxpool2d_select(x, u) reads u there, and
/// avgpool2d_grad(g) adds g / size² to every element of each window.
enum Pooling {
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

extension CCodeGenerator {
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
