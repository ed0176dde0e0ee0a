import NNGCore
import NNGIR

// Loops (Ops/LoopOps.swift): the interpreter's scan, then the C backend's.

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
                // Reported where it happened, in the body, as the C backend does (Kernels/LoopKernels.swift).
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

// A scan in C: its body is generated once, by a generator of its own whose names carry the
// prefix `s<id>_`, into the same translation unit (its constants, kernels and a
// `static int s<id>_forward(T* br, …)`); the scan's kernel is a C `for` loop that calls that
// function once per step. The body's arena is scratch of the scan's kernel, followed by one
// staging slot per carry. Per step: the slices are copied into the body's input slots, the
// body runs, its per-step outputs are copied into their stacked results at the step's index
// (the saved carries among them: the arena's per-step slots), and the new carries go through
// the staging slots back into the carry inputs (a carry may be another's new value). The
// loop is never unrolled: the C is the same for 20 steps or 2,000.

extension CCodeGenerator {
    /// Prepares a generator for the body of every scan step (their arena sizes size the scratch).
    func prepareLoops() throws(CBackendError) {
        for id in steps {
            guard case .scan(let spec) = graph.nodes[id].op else { continue }
            let body = try CCodeGenerator(graph: spec.body, sizes: sizes, prefix: "\(prefix)s\(id)_", style: style)
            try body.prepare()
            loops[id] = body
        }
    }

    /// The live `scanResult` nodes of scan `id`: its kernel writes them.
    func loopResultNodes(_ id: Int) -> [Int] {
        guard case .scan = graph.nodes[id].op else { return [] }
        return consumers[id].filter { if case .scanResult = graph.nodes[$0].op { return true } else { return false } }
    }

    /// The body's arena, then one staging slot per carry.
    func loopScratchSize(_ id: Int) -> Int {
        guard let body = loops[id], case .scan(let spec) = graph.nodes[id].op else { return 0 }
        return stagingOffsets(spec, body).reduce(ArenaAlignment.up(body.layout.totalElements)) { $0 + ArenaAlignment.up($1.count) }
    }

    /// Offsets (from the body's arena) and sizes of the staging slots of the carries.
    private func stagingOffsets(_ spec: ScanSpec, _ body: CCodeGenerator) -> [(offset: Int, count: Int)] {
        var at = ArenaAlignment.up(body.layout.totalElements)
        return (0..<spec.carries).map { k in
            let n = body.layout.inputs[k].count
            defer { at += ArenaAlignment.up(n) }
            return (at, n)
        }
    }

    /// The arena offset of result `k` of scan `id`, nil when nothing uses it.
    private func resultOffset(_ id: Int, _ k: Int) -> Int? {
        if k == 0 { return offset[root[id]] }
        let p = loopResultNodes(id).first { graph.nodes[$0].op == .scanResult(k) }
        return p.flatMap { offset[$0] }
    }

    func emitScan(_ id: Int, _ w: inout CWriter) {
        guard case .scan(let spec) = graph.nodes[id].op, let body = loops[id], let base = scratch[id] else {
            preconditionFailure("n\(id) is not a prepared scan")
        }
        let operands = graph.nodes[id].inputs
        let c = spec.carries, s = spec.sequences
        let inputs = body.layout.inputs, outputs = body.layout.outputs
        let staging = stagingOffsets(spec, body)
        let length = spec.length ?? shapes[operands[c]][spec.axis]
        w.line("int rc;")
        w.line("T* br = ar + \(base);")
        for k in 0..<operands.count where k < c || k >= c + s {
            copy(&w, count: inputs[k].count, to: "br[\(inputs[k].offset) + i]", from: elem(operands[k], "i"))
        }
        w.open("for (int64_t si = 0; si < \(length); si++)")
        w.line("const int64_t t = \(spec.reverse ? "\(length - 1) - si" : "si");")
        for k in c..<(c + s) {
            let (outer, inner) = split(inputs[k].shape, axis: spec.axis)
            strided(&w, outer: outer, inner: inner, to: "br[\(inputs[k].offset) + o * \(inner) + e]",
                    from: elem(operands[k], "(o * \(length) + t) * \(inner) + e"))
        }
        // A failure in the body: its code times the graph's node count plus ours (CompiledGraph.runtimeError).
        w.line("if ((rc = \(body.prefix)forward(br, seed, step, training)) != 0) { ar[\(layout.errorSlot)] = br[\(body.layout.errorSlot)]; return \(id + 1) + \(graph.nodes.count) * rc; }")
        for j in 0..<spec.stepOutputs {
            guard let dest = resultOffset(id, c + j) else { continue }
            let (outer, inner) = split(outputs[c + j].shape, axis: spec.axis)
            strided(&w, outer: outer, inner: inner, to: "ar[\(dest) + (o * \(length) + t) * \(inner) + e]",
                    from: "br[\(outputs[c + j].offset) + o * \(inner) + e]")
        }
        for k in 0..<c {
            copy(&w, count: staging[k].count, to: "br[\(staging[k].offset) + i]", from: "br[\(outputs[k].offset) + i]")
        }
        for k in 0..<c {
            copy(&w, count: staging[k].count, to: "br[\(inputs[k].offset) + i]", from: "br[\(staging[k].offset) + i]")
        }
        w.close()
        for k in 0..<c {
            guard let dest = resultOffset(id, k) else { continue }
            copy(&w, count: staging[k].count, to: "ar[\(dest) + i]", from: "br[\(staging[k].offset) + i]")
        }
    }

    /// A per-step value (without the step axis) as outer × inner: the elements before and from
    /// where the step axis goes.
    private func split(_ perStep: [Int], axis: Int) -> (outer: Int, inner: Int) {
        (CShape.count(Array(perStep.prefix(axis))), CShape.count(Array(perStep.dropFirst(axis))))
    }

    private func copy(_ w: inout CWriter, count: Int, to: String, from: String) {
        w.line("for (int64_t i = 0; i < \(count); i++) \(to) = \(from);")
    }

    private func strided(_ w: inout CWriter, outer: Int, inner: Int, to: String, from: String) {
        w.line("for (int64_t o = 0; o < \(outer); o++) for (int64_t e = 0; e < \(inner); e++) \(to) = \(from);")
    }
}
