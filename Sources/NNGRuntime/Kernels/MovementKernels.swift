import NNGCore
import NNGIR

// The movement family (Ops/MovementOps.swift): the interpreter's kernels, then the C emitters.

/// Operations that move elements: transpose, reshape, broadcast, concat, slice, pad, one_hot.
enum ShapeOps {
    /// Result axis i is input axis perm[i].
    static func transpose<T: NNGFloat>(_ x: Buf<T>, perm: [Int]) throws(KernelError) -> Buf<T> {
        guard perm.count == x.rank, Set(perm) == Set(0..<x.rank) else {
            throw KernelError("transpose permutation \(ShapeMath.describe(perm)) does not fit shape \(ShapeMath.describe(x.shape))")
        }
        let inStrides = ShapeMath.strides(x.shape)
        let shape = perm.map { x.shape[$0] }
        let offs = ShapeMath.offsets(shape: shape, strides: perm.map { inStrides[$0] })
        return Buf(shape: shape, data: offs.map { x.data[$0] })
    }

    static func reshape<T: NNGFloat>(_ x: Buf<T>, to shape: [Int]) throws(KernelError) -> Buf<T> {
        guard ShapeMath.checkedCount(shape) == x.count else {
            throw KernelError("cannot reshape \(ShapeMath.describe(x.shape)) (\(x.count) elements) to \(ShapeMath.describe(shape))")
        }
        return Buf(shape: shape, data: x.data)
    }

    static func broadcast<T: NNGFloat>(_ x: Buf<T>, to shape: [Int]) throws(KernelError) -> Buf<T> {
        guard ShapeMath.broadcasts(x.shape, to: shape) else {
            throw KernelError("cannot broadcast \(ShapeMath.describe(x.shape)) to \(ShapeMath.describe(shape))")
        }
        if x.shape == shape { return x }
        let idx = ShapeMath.broadcastIndex(from: x.shape, to: shape)
        return Buf(shape: shape, data: idx.map { x.data[$0] })
    }

    static func concat<T: NNGFloat>(_ xs: [Buf<T>], axis: Int) throws(KernelError) -> Buf<T> {
        guard let first = xs.first else { throw KernelError("concat needs at least one tensor") }
        guard axis >= 0, axis < first.rank else {
            throw KernelError("concat axis \(axis) is out of range for shape \(ShapeMath.describe(first.shape))")
        }
        var shape = first.shape
        shape[axis] = 0
        for x in xs {
            var s = x.shape
            guard s.count == first.rank else {
                throw KernelError("concat needs equal ranks, got \(xs.map { ShapeMath.describe($0.shape) }.joined(separator: ", "))")
            }
            shape[axis] += s[axis]
            s[axis] = first.shape[axis]
            guard s == first.shape else {
                throw KernelError("concat along axis \(axis) needs equal other dimensions, got \(xs.map { ShapeMath.describe($0.shape) }.joined(separator: ", "))")
            }
        }
        let outer = ShapeMath.count(Array(first.shape[..<axis]))
        let inner = ShapeMath.count(Array(first.shape[(axis + 1)...]))
        var out: [T] = []
        out.reserveCapacity(ShapeMath.count(shape))
        for o in 0..<outer {
            for x in xs {
                let chunk = x.shape[axis] * inner
                out.append(contentsOf: x.data[(o * chunk)..<((o + 1) * chunk)])
            }
        }
        return Buf(shape: shape, data: out)
    }

    static func slice<T: NNGFloat>(_ x: Buf<T>, axis: Int, start: Int, end: Int) throws(KernelError) -> Buf<T> {
        guard axis >= 0, axis < x.rank else {
            throw KernelError("slice axis \(axis) is out of range for shape \(ShapeMath.describe(x.shape))")
        }
        guard 0 <= start, start <= end, end <= x.shape[axis] else {
            throw KernelError("slice \(start)..<\(end) of axis \(axis) is outside shape \(ShapeMath.describe(x.shape))")
        }
        let n = x.shape[axis]
        let inner = ShapeMath.count(Array(x.shape[(axis + 1)...]))
        let outer = ShapeMath.count(Array(x.shape[..<axis]))
        var shape = x.shape
        shape[axis] = end - start
        var out: [T] = []
        out.reserveCapacity(ShapeMath.count(shape))
        for o in 0..<outer {
            out.append(contentsOf: x.data[((o * n + start) * inner)..<((o * n + end) * inner)])
        }
        return Buf(shape: shape, data: out)
    }

    static func pad<T: NNGFloat>(_ x: Buf<T>, axis: Int, before: Int, after: Int) throws(KernelError) -> Buf<T> {
        guard axis >= 0, axis < x.rank else {
            throw KernelError("pad axis \(axis) is out of range for shape \(ShapeMath.describe(x.shape))")
        }
        guard before >= 0, after >= 0 else { throw KernelError("pad amounts must not be negative") }
        let n = x.shape[axis]
        let inner = ShapeMath.count(Array(x.shape[(axis + 1)...]))
        let outer = ShapeMath.count(Array(x.shape[..<axis]))
        var shape = x.shape
        shape[axis] = n + before + after
        guard let total = ShapeMath.checkedCount(shape) else { throw KernelError("pad result is too large") }
        var out = [T](repeating: 0, count: total)
        let m = shape[axis]
        for o in 0..<outer {
            let src = o * n * inner, dst = (o * m + before) * inner
            for j in 0..<(n * inner) { out[dst + j] = x.data[src + j] }
        }
        return Buf(shape: shape, data: out)
    }

    /// labels [..] of whole numbers in [0, classes) → [.., classes] of 0/1.
    static func oneHot<T: NNGFloat>(_ labels: Buf<T>, classes: Int) throws(KernelError) -> Buf<T> {
        guard classes >= 0, let total = ShapeMath.checkedCount(labels.shape + [classes]) else {
            throw KernelError("one_hot result is too large")
        }
        var out = [T](repeating: 0, count: total)
        for (i, v) in labels.data.enumerated() {
            let d = Double(v)
            guard d >= 0, d < Double(classes) else {
                throw KernelError("one_hot label \(formatNumber(d)) is outside [0, \(classes))")
            }
            guard d == d.rounded() else {
                throw KernelError("one_hot label \(formatNumber(d)) is not a whole number in [0, \(classes))")
            }
            out[i * classes + Int(d)] = 1
        }
        return Buf(shape: labels.shape + [classes], data: out)
    }
}

/// Operations that move elements: transpose, concat, slice, pad, one_hot.
/// (reshape and stop_gradient share their input's buffer; broadcast is an elementwise kernel.)
extension CCodeGenerator {
    func emitTranspose(_ id: Int, _ perm: [Int], _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let inStrides = CShape.strides(shapes[x])
        let os = shapes[id]
        w.line("int64_t o = 0;")
        let l = openLoops(&w, os.enumerated().map { ("i\($0.offset)", $0.element) })
        let index = CShape.indexExpr(perm.map { inStrides[$0] })
        w.line("\(elem(id, "o")) = \(elem(x, index));")
        w.line("o++;")
        closeLoops(&w, l)
    }

    /// outer = elements before `axis`, inner = after it.
    private func split(_ shape: [Int], _ axis: Int) -> (outer: Int, inner: Int) {
        (CShape.count(Array(shape[..<axis])), CShape.count(Array(shape[(axis + 1)...])))
    }

    func emitConcat(_ id: Int, axis: Int, _ w: inout CWriter) {
        let os = shapes[id]
        let (outer, inner) = split(os, axis)
        let outChunk = os[axis] * inner
        var at = 0
        for x in graph.nodes[id].inputs {
            let chunk = shapes[x][axis] * inner
            w.line("for (int64_t a = 0; a < \(outer); a++) for (int64_t c = 0; c < \(chunk); c++) \(elem(id, "a * \(outChunk) + \(at) + c")) = \(elem(x, "a * \(chunk) + c"));")
            at += chunk
        }
    }

    func emitSlice(_ id: Int, axis: Int, start: Int, end: Int, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let (outer, inner) = split(xs, axis)
        let inChunk = xs[axis] * inner, outChunk = (end - start) * inner
        w.line("for (int64_t a = 0; a < \(outer); a++) for (int64_t c = 0; c < \(outChunk); c++) \(elem(id, "a * \(outChunk) + c")) = \(elem(x, "a * \(inChunk) + \(start * inner) + c"));")
    }

    func emitPad(_ id: Int, axis: Int, before: Int, after: Int, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let xs = shapes[x]
        let (outer, inner) = split(xs, axis)
        let inChunk = xs[axis] * inner, outChunk = (xs[axis] + before + after) * inner
        w.line("for (int64_t i = 0; i < \(outer * outChunk); i++) \(elem(id, "i")) = 0;")
        w.line("for (int64_t a = 0; a < \(outer); a++) for (int64_t c = 0; c < \(inChunk); c++) \(elem(id, "a * \(outChunk) + \(before * inner) + c")) = \(elem(x, "a * \(inChunk) + c"));")
    }

    /// A label outside [0, classes) or not a whole number stores the label in the error slot and
    /// returns 1 + node id; the caller turns that into a diagnostic at the node's range.
    func emitOneHot(_ id: Int, classes: Int, _ w: inout CWriter) {
        let x = graph.nodes[id].inputs[0]
        let n = CShape.count(shapes[x])
        w.line("for (int64_t i = 0; i < \(n * classes); i++) \(elem(id, "i")) = 0;")
        w.open("for (int64_t i = 0; i < \(n); i++)")
        w.line("const double d = (double)\(elem(x, "i"));")
        w.line("if (!(d >= 0 && d < \(classes)) || d != (double)(int64_t)d) { ar[\(layout.errorSlot)] = (T)d; return \(id + 1); }")
        w.line("\(elem(id, "i * \(classes) + (int64_t)d")) = 1;")
        w.close()
    }
}
