import NNGCore

// The VJP of a scan is backpropagation through time, written as another scan:
//
// - the forward loop saves the carry each step starts from (a per-step output that passes the
//   body's carry input through; added to the loop when it has none);
// - a loop in the opposite direction carries the adjoint of each carry (starting from the
//   adjoint of the final carry, or zeros) and one accumulator per captured value that needs a
//   gradient (starting from zeros). Its per-step inputs are the saved carries, the forward
//   slices and the adjoints of the stacked per-step outputs; its body is the vector-Jacobian
//   product of the forward body, built by this same pass;
// - its results are the adjoints of the initial carries, the captured values' gradients
//   (the final accumulators) and, stacked, the gradients of the sequences.
//
// Everything is ordinary IR, so gradient graphs of loops print, run on every backend and
// differentiate again (the reverse loop's VJP is a forward loop over its own saved carries).

extension ScanSpec {
    /// This loop with the carry of each step saved: for each carry, the index among the results
    /// of its saved values (stacked along `axis`), and the spec that has them (self when it has).
    public func savingCarries() -> (spec: ScanSpec, results: [Int]) {
        var body = self.body
        let inputs = body.inputs
        var results: [Int] = []
        for c in 0..<carries {
            let carry = inputs[c].node
            if let j = body.outputs.indices.dropFirst(carries).first(where: { body.outputs[$0].node == carry }) {
                results.append(j)
            } else {
                body.outputs.append(("saved\(c)", carry))
                results.append(body.outputs.count - 1)
            }
        }
        guard body.outputs.count != self.body.outputs.count else { return (self, results) }
        return (ScanSpec(body: body, carries: carries, sequences: sequences, axis: axis, reverse: reverse, length: length), results)
    }
}

extension ReverseMode {
    /// The contributions of scan node `i` to its operands (by operand index), from the adjoints of
    /// its results (`results`, by result index). `active`: the operands that need a gradient.
    mutating func scanVJP(_ i: NodeID, _ node: Node, _ results: [Int: NodeID], active: [Bool]) throws(DiagnosticsError) -> [Int: NodeID] {
        guard case .scan(let original) = node.op else { preconditionFailure("not a scan") }
        let (spec, savedIndices) = original.savingCarries()
        // The forward loop now also saves its carries; its other results keep their indices.
        b.graph.nodes[i].op = .scan(spec)
        let c = spec.carries, s = spec.sequences
        let operands = node.inputs
        let sequences = (0..<s).filter { active[c + $0] }
        let captures = (0..<spec.captures).filter { active[c + s + $0] }
        let stepAdjoints = (0..<spec.stepOutputs).compactMap { j in results[c + j].map { (step: j, adjoint: $0) } }

        let body = try reverseBody(spec, sequences: sequences, captures: captures, steps: stepAdjoints.map(\.step))
        var inputs: [NodeID] = []
        for k in 0..<c {
            if let g = results[k] { inputs.append(g) } else { inputs.append(try b.zeros(b.shape(operands[k]))) }
        }
        for k in captures { inputs.append(try b.zeros(b.shape(operands[c + s + k]))) }
        inputs += savedIndices.map { b.graph.scanResult(i, $0, range: b.range) }
        inputs += operands[c..<(c + s)]
        inputs += stepAdjoints.map(\.adjoint)
        inputs += operands[(c + s)...]
        let reverse = ScanSpec(body: body, carries: c + captures.count, sequences: c + s + stepAdjoints.count,
                               axis: spec.axis, reverse: !spec.reverse)
        let loop = try b.op(.scan(reverse), inputs)
        var out: [Int: NodeID] = [:]
        for k in 0..<c where active[k] { out[k] = b.graph.scanResult(loop, k, range: b.range) }
        for (n, k) in captures.enumerated() { out[c + s + k] = b.graph.scanResult(loop, c + n, range: b.range) }
        for (n, k) in sequences.enumerated() {
            out[c + k] = b.graph.scanResult(loop, c + captures.count + n, range: b.range)
        }
        return out
    }

    /// The body of the reverse loop. Inputs: the carry adjoints, the accumulators (carries); the
    /// saved carries, the slices, the adjoints of the per-step outputs `steps` (sequences); the
    /// forward captures. Outputs: the adjoints of the carries before the step, the accumulators
    /// plus this step's gradients (new carries); the slices' gradients (per-step outputs).
    func reverseBody(_ spec: ScanSpec, sequences: [Int], captures: [Int], steps: [Int]) throws(DiagnosticsError) -> Graph {
        let forward = spec.body
        let c = spec.carries, s = spec.sequences
        let forwardInputs = forward.inputs.map(\.node)
        func type(_ n: NodeID) -> TensorType { forward.nodes[n].type }
        var g = Graph(name: forward.name + "_vjp", dtype: forward.dtype, file: forward.file)
        func input(_ name: String, _ t: TensorType) -> NodeID {
            g.append(Node(op: .input(name), inputs: [], type: t))
        }
        let carryAdjoints = (0..<c).map { input("d_carry\($0)", type(forwardInputs[$0])) }
        let accumulators = captures.map { input("d_capture\($0)", type(forwardInputs[c + s + $0])) }
        // The forward body's inputs: the saved carries, the slices, the captures.
        var map: [NodeID: NodeID] = [:]
        for k in 0..<c { map[forwardInputs[k]] = input("carry\(k)", type(forwardInputs[k])) }
        for k in 0..<s { map[forwardInputs[c + k]] = input("slice\(k)", type(forwardInputs[c + k])) }
        let stepAdjoints = steps.map { input("d_step\($0)", type(forward.outputs[c + $0].node)) }
        for k in 0..<spec.captures { map[forwardInputs[c + s + k]] = input("capture\(k)", type(forwardInputs[c + s + k])) }
        for (id, node) in forward.nodes.enumerated() where map[id] == nil {
            var copy = node
            copy.inputs = node.inputs.map { map[$0]! }
            map[id] = g.append(copy)
        }
        var seeds = (0..<c).map { (node: map[forward.outputs[$0].node]!, cotangent: carryAdjoints[$0]) }
        seeds += zip(steps, stepAdjoints).map { (node: map[forward.outputs[c + $0].node]!, cotangent: $1) }
        let wrt = (0..<c).map { map[forwardInputs[$0]]! } + sequences.map { map[forwardInputs[c + $0]]! }
            + captures.map { map[forwardInputs[c + s + $0]]! }
        let grads = try vectorJacobianProduct(&g, seeds: seeds, wrt: wrt)
        var outputs = Array(grads[..<c])
        for (n, acc) in accumulators.enumerated() {
            outputs.append(try add(&g, acc, grads[c + sequences.count + n]))
        }
        outputs += grads[c..<(c + sequences.count)]
        g.outputs = outputs.enumerated().map { ("result\($0.offset)", $0.element) }
        return simplify(g)
    }

    private func add(_ g: inout Graph, _ a: NodeID, _ b: NodeID) throws(DiagnosticsError) -> NodeID {
        do { return try g.add(.binary(.add), [a, b]) } catch {
            throw DiagnosticsError(Diagnostic("internal error in the gradient of 'scan': \(error.message)"))
        }
    }
}
