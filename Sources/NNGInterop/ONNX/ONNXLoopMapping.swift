import NNGCore
import NNGIR

// Loops: a scan is ONNX's Scan, whose body is the scan's body graph.

extension ONNXNodeContext {
    /// ONNX's Scan has the same shape as nngc's: state variables (the carries), scan inputs
    /// sliced along an axis (the sequences), a body returning the new states and the per-step
    /// outputs, stacked along an axis; its outputs are the final states, then the stacked
    /// outputs — nngc's results in nngc's order. Captured values are not body inputs: the body
    /// names them from the outer graph, as ONNX's scoping allows. `reverse` runs the scan inputs
    /// backwards and prepends the outputs, so each stays at the index of its step, as in nngc.
    /// A loop without sequences scans a constant of its length (ONNX's Scan counts its steps
    /// from its scan inputs), which the body takes and ignores.
    func scan(_ spec: ScanSpec, into b: inout ONNXGraphBuilder) throws(DiagnosticsError) -> [String] {
        let body = spec.body
        let carried = Array(operands.prefix(spec.carries))
        let captured = Array(operands.suffix(spec.captures))
        var scanned = Array(operands[spec.carries..<(spec.carries + spec.sequences)])
        var proto = Onnx_GraphProto()
        proto.name = b.freshName(body.name)
        var values: [NodeID: String] = [:]
        for (k, input) in body.inputs.enumerated() {
            if k >= spec.carries + spec.sequences {
                values[input.node] = captured[k - spec.carries - spec.sequences]
                continue
            }
            let name = b.freshName(input.name)
            values[input.node] = name
            proto.input.append(ONNXExporter.valueInfo(name, body[input.node].type, sizes: scope.sizes))
        }
        if spec.sequences == 0, let length = spec.length {
            let unit = Array(repeating: 1, count: spec.axis)
            scanned = [b.floats(Array(repeating: 0, count: length), shape: unit + [length], name: "steps")]
            let step = b.freshName("step")
            proto.input.append(ONNXExporter.valueInfo(step, TensorType(graph.dtype, Shape(unit.map { .known($0) })), sizes: scope.sizes))
        }
        proto.node = try b.subgraph { (inner) throws(DiagnosticsError) in
            try ONNXExporter.exportNodes(of: body, { _ in true }, values: &values, scope: scope, into: &inner)
            for (k, output) in body.outputs.enumerated() {
                // Every body output its own value: ONNX names one value once, a body may return one twice.
                let name = inner.node("Identity", [values[output.node]!], output: k < spec.carries ? "carry" : "step_output")
                proto.output.append(ONNXExporter.valueInfo(name, body[output.node].type, sizes: scope.sizes))
            }
        }
        let direction = spec.reverse ? 1 : 0
        let attributes = [
            ONNXAttribute.graph("body", proto),
            ONNXAttribute.int("num_scan_inputs", scanned.count),
            ONNXAttribute.ints("scan_input_axes", Array(repeating: spec.axis, count: scanned.count)),
            ONNXAttribute.ints("scan_input_directions", Array(repeating: direction, count: scanned.count)),
            ONNXAttribute.ints("scan_output_axes", Array(repeating: spec.axis, count: spec.stepOutputs)),
            ONNXAttribute.ints("scan_output_directions", Array(repeating: direction, count: spec.stepOutputs)),
        ]
        return b.nodeOutputs("Scan", carried + scanned, attributes, output: hint, outputs: spec.resultCount)
    }
}
