import NNGCore
import NNGIR

/// The interpreter's loop of a `scan` node (Ops/LoopOps.swift): the body graph evaluated once
/// per step by the interpreter itself, on the carries, one slice of each sequence and the
/// captured values.
enum ScanLoop {
    /// Every result: the final carries, then the stacked per-step outputs.
    static func run<T: NNGFloat>(_ spec: ScanSpec, _ operands: [Buf<T>], sizes: [String: Int],
                                 options: RunOptions) throws(KernelError) -> [Buf<T>] {
        let c = spec.carries, s = spec.sequences
        let body = Interpreter(graph: spec.body)
        let names = spec.body.inputs.map(\.name)
        let live = body.neededNodes()
        let length = spec.length ?? operands[c].shape[spec.axis]
        var carries = Array(operands[..<c])
        var feed: [String: Tensor] = [:]
        for k in (c + s)..<operands.count { feed[names[k]] = operands[k].tensor }
        var stacked: [Buf<T>?] = Array(repeating: nil, count: spec.stepOutputs)
        for t in spec.reverse ? Array((0..<length).reversed()) : Array(0..<length) {
            for k in 0..<c { feed[names[k]] = carries[k].tensor }
            for k in c..<(c + s) { feed[names[k]] = try step(operands[k], axis: spec.axis, t).tensor }
            let values: [Buf<T>]
            do {
                values = try body.evaluateBuffers(T.self, inputs: feed, params: [:], sizes: sizes, options: options, live: live)
            } catch {
                // Reported where it happened, in the body, as the C backend does (CScan.swift).
                var d = error.diagnostics.first ?? Diagnostic("internal error: a scan body failed")
                d.notes.append("note: in step \(t) of the scan")
                throw KernelError(located: d)
            }
            let outputs = spec.body.outputs.map { values[$0.node] }
            carries = Array(outputs[..<c])
            for j in 0..<spec.stepOutputs { place(outputs[c + j], into: &stacked[j], axis: spec.axis, t, of: length) }
        }
        return carries + stacked.map { $0! }
    }

    /// Index `t` of `axis`, without that axis.
    static func step<T: NNGFloat>(_ x: Buf<T>, axis: Int, _ t: Int) throws(KernelError) -> Buf<T> {
        var shape = x.shape
        shape.remove(at: axis)
        return Buf(shape: shape, data: try ShapeOps.slice(x, axis: axis, start: t, end: t + 1).data)
    }

    /// Writes `y` at index `t` of `axis` of the stacked value (made on the first step).
    static func place<T: NNGFloat>(_ y: Buf<T>, into stacked: inout Buf<T>?, axis: Int, _ t: Int, of length: Int) {
        var shape = y.shape
        shape.insert(length, at: axis)
        if stacked == nil { stacked = Buf(shape: shape, data: [T](repeating: 0, count: ShapeMath.count(shape))) }
        let inner = ShapeMath.count(Array(y.shape[axis...]))
        let outer = ShapeMath.count(Array(y.shape[..<axis]))
        stacked!.data.withUnsafeMutableBufferPointer { out in
            for o in 0..<outer {
                for e in 0..<inner { out[(o * length + t) * inner + e] = y.data[o * inner + e] }
            }
        }
    }
}
