import NNGCore

/// Writes a graph for Graphviz: one box per value, labelled with the `.nng` line
/// that defines it, and an edge from each operand. Inputs are green, params
/// orange, outputs bold.
public func printDot(_ graph: Graph) -> String {
    var printer = GraphPrinter(graph)
    printer.assignNames()
    let outputs = Set(graph.outputs.map(\.node))
    var lines = ["digraph \(dotString(graph.name)) {", "  rankdir=TB;", "  node [shape=box, fontname=\"monospace\"];"]
    for (i, node) in graph.nodes.enumerated() {
        let label: String
        var style: [String] = []
        switch node.op {
        case .input(let name):
            label = "input \(name): \(node.type)"
            style.append("style=filled, fillcolor=\"#d9f2d9\"")
        case .param(let name, _):
            label = "param \(name): \(node.type)"
            style.append("style=filled, fillcolor=\"#fde3c8\"")
        default:
            label = "\(printer.names[i]) = \(printer.expression(i))\n\(node.type)"
        }
        if outputs.contains(i) { style.append("penwidth=2") }
        lines.append("  n\(i) [label=\(dotString(label))\(style.isEmpty ? "" : ", " + style.joined(separator: ", "))];")
    }
    for (i, node) in graph.nodes.enumerated() {
        for input in node.inputs { lines.append("  n\(input) -> n\(i);") }
    }
    lines.append("}")
    return lines.joined(separator: "\n") + "\n"
}

/// A quoted Graphviz string with quotes, backslashes and newlines escaped.
private func dotString(_ s: String) -> String {
    var out = "\""
    for ch in s {
        switch ch {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        default: out.append(ch)
        }
    }
    return out + "\""
}
