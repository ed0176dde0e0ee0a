import NNGCore

// A scan is printed as a call of a fn written before the graph: the body's inputs are the fn's
// parameters (the captured values too, passed explicitly, so the fn has no free names), its
// outputs the returned list. Every count is written (`carries`, `sequences`), and a loop
// without per-step outputs is written with `final = true`, so the call reads back as exactly
// this loop; each further result is the same call with `result = k`, which the lowering
// resolves to the same loop (Lowering+Scan.swift).

extension GraphPrinter {
    /// Gives every scan body of the graph a fn name: `<graph>_scan1`, `<graph>_scan2`, … (the
    /// bodies of a body's scans extend its name), which no operation or generated fn has.
    mutating func nameScanBodies() {
        for node in graph.nodes {
            guard case .scan(let spec) = node.op, bodyNames[spec] == nil else { continue }
            bodyNames[spec] = "\(fnPrefix)_scan\(bodyNames.count + 1)"
        }
    }

    /// The fn of every scan body, each after the fns of its own scans.
    func scanBodyDefinitions() -> [String] {
        var lines: [String] = []
        var done = Set<ScanSpec>()
        for node in graph.nodes {
            guard case .scan(let spec) = node.op, done.insert(spec).inserted, let name = bodyNames[spec] else { continue }
            var body = GraphPrinter(spec.body, fnPrefix: name)
            lines += body.fnDefinition(name)
        }
        return lines
    }

    /// The graph written as `fn name(inputs…) { lines; return [outputs…] }`, preceded by its own scans' fns.
    mutating func fnDefinition(_ name: String) -> [String] {
        assignNames()
        var lines = scanBodyDefinitions()
        let parameters = graph.inputs.map { names[$0.node] }
        lines.append("fn \(name)(\(parameters.joined(separator: ", "))) {")
        for (i, node) in graph.nodes.enumerated() {
            if case .input = node.op { continue }
            if inlined.contains(i) { continue }
            lines.append("  \(names[i]): \(node.type) = \(expression(i))")
        }
        let results = graph.outputs.map { names[$0.node] }
        lines.append("  return " + (results.count == 1 ? results[0] : "[" + results.joined(separator: ", ") + "]"))
        lines.append("}")
        return lines
    }

    /// The call of a scan node or of one of its results; nil for other operations.
    func scanExpression(_ i: NodeID) -> String? {
        let node = graph.nodes[i]
        let loop: NodeID, output: Int
        switch node.op {
        case .scan: (loop, output) = (i, 0)
        case .scanResult(let k): (loop, output) = (node.inputs[0], k)
        default: return nil
        }
        guard case .scan(let spec) = graph.nodes[loop].op else { return nil }
        var args = [bodyNames[spec] ?? "?"] + graph.nodes[loop].inputs.map { names[$0] }
        args += ["carries = \(spec.carries)", "sequences = \(spec.sequences)", "axis = \(spec.axis)"]
        if spec.reverse { args.append("reverse = true") }
        if spec.sequences == 0, let length = spec.length { args.append("length = \(length)") }
        if spec.stepOutputs == 0 { args.append("final = true") }
        if output > 0 { args.append("result = \(output)") }
        return "scan(" + args.joined(separator: ", ") + ")"
    }
}
