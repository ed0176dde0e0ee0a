import NNGCore
import NNGIR

// ONNX's Scan as an nngc scan: the inverse of ONNXLoopMapping.

extension ONNXGraphReader {
    /// A Scan whose scan inputs and outputs all run along one axis in one direction is an nngc
    /// scan: the state variables are the carries, the scan inputs the sequences, and the values
    /// of the graph around it that the body names become captured operands. The body's inputs
    /// take their types from the operands (a carry's type; a sequence's without the axis).
    mutating func importScan(_ node: Onnx_NodeProto, operands: [NodeID], attributes: [String: Onnx_AttributeProto],
                             fail: (String) -> ONNXImporter.Failure) throws {
        guard let body = attributes["body"]?.g, let scanInputs = attributes["num_scan_inputs"].map({ Int($0.i) }),
              scanInputs >= 1, scanInputs <= node.input.count else {
            throw fail("a Scan needs a body and at least one scan input")
        }
        let carries = node.input.count - scanInputs
        let stepOutputs = body.output.count - carries
        guard body.input.count == node.input.count, stepOutputs >= 0, node.output.count <= body.output.count else {
            throw fail("its body takes \(body.input.count) inputs and returns \(body.output.count) values for \(node.input.count) operands")
        }
        func ints(_ name: String, _ count: Int, _ fallback: Int) -> [Int] {
            attributes[name].map { $0.ints.map { Int($0) } } ?? Array(repeating: fallback, count: count)
        }
        let axes = ints("scan_input_axes", scanInputs, 0) + ints("scan_output_axes", stepOutputs, 0)
        let directions = ints("scan_input_directions", scanInputs, 0) + ints("scan_output_directions", stepOutputs, 0)
        guard Set(axes).count <= 1, let axis = axes.first, axis >= 0, Set(directions).count == 1 else {
            throw fail("only a Scan along one non-negative axis in one direction has an nngc form (axes \(axes), directions \(directions))")
        }
        for k in carries..<node.input.count {
            guard axis < graph[operands[k]].type.shape.rank else { throw fail("scan input \(k - carries + 1) has no axis \(axis)") }
        }
        let length = stepCounter(body, carries: carries, operands: operands, axis: axis)
        let sequences = length == nil ? scanInputs : 0
        var reader = ONNXGraphReader(loopBody: body, name: "\(graph.name)_scan\(scanCount + 1)", dtype: graph.dtype)
        for (k, input) in body.input.enumerated().prefix(carries + sequences) {
            let type = graph[operands[k]].type
            reader.defineInput(input.name, k < carries ? type : TensorType(type.dtype, type.shape.removing(axis: axis)))
        }
        let captured = try captureOuterValues(of: body, into: &reader, fail: fail)
        try reader.read()

        let spec = ScanSpec(body: reader.graph, carries: carries, sequences: sequences, axis: axis, reverse: directions[0] == 1,
                            length: length)
        let loopOperands = operands.prefix(carries + sequences) + captured
        let loop: NodeID
        do { loop = try graph.add(.scan(spec), Array(loopOperands), name: uniqueName(node.output.first ?? "scan")) }
        catch { throw fail("\(error)") }
        for (k, output) in node.output.enumerated() where !output.isEmpty {
            let result = graph.scanResult(loop, k)
            if k > 0 { graph.nodes[result].name = uniqueName(output) }
            values[output] = .node(result)
        }
    }

    /// The length of a loop that only counts its steps: one scan input, of known length, that
    /// the body never reads (how nngc exports a scan without sequences), else nil.
    private func stepCounter(_ body: Onnx_GraphProto, carries: Int, operands: [NodeID], axis: Int) -> Int? {
        guard operands.count == carries + 1 else { return nil }
        let name = body.input[carries].name
        let read = body.node.contains { $0.input.contains(name) } || body.output.contains { $0.name == name }
        return read ? nil : graph[operands[carries]].type.shape.dims[axis].value
    }

    /// The scans this graph holds so far: numbers the bodies' names.
    private var scanCount: Int { graph.nodes.count { if case .scan = $0.op { true } else { false } } }

    /// The names the body uses but does not define, from the graph around it: tensors become
    /// inputs of the body after its carries and sequences (returned, in order, as the loop's
    /// captured operands); shapes are copied.
    private func captureOuterValues(of body: Onnx_GraphProto, into reader: inout ONNXGraphReader,
                                    fail: (String) -> ONNXImporter.Failure) throws -> [NodeID] {
        let defined = Set(body.input.map(\.name) + body.initializer.map(\.name) + body.node.flatMap(\.output))
        var captured: [NodeID] = []
        for name in body.node.flatMap(\.input) where !name.isEmpty && !defined.contains(name) && reader.values[name] == nil {
            switch values[name] {
            case .node(let id)?:
                reader.defineInput(name, graph[id].type)
                captured.append(id)
            case .dims(let dims)?:
                reader.values[name] = .dims(dims)
            case nil:
                throw fail("its body uses '\(name)', which neither it nor the graph around it defines")
            }
        }
        return captured
    }
}
