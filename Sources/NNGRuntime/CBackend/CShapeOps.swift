import NNGCore
import NNGIR

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
