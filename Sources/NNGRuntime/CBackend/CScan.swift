import NNGCore
import NNGIR

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
