import NNGTestSupport
import NNGCore
import NNGIR
import NNGLang

/// Parses and lowers `source`; parse errors are returned as diagnostics too.
func lowerSource(_ source: String, graph: String? = nil, dtype: DType? = nil) -> (graph: Graph?, diagnostics: [Diagnostic], file: SourceFile) {
    let file = SourceFile(path: "test.nng", text: source)
    let (module, parseDiagnostics) = parse(file)
    if !parseDiagnostics.isEmpty { return (nil, parseDiagnostics, file) }
    let (g, ds) = lowerGraph(module, graphName: graph, dtype: dtype)
    return (g, ds, file)
}

struct Located: Equatable, CustomStringConvertible {
    var message: String
    var line: Int
    var column: Int
    init(_ message: String, _ line: Int, _ column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }
    var description: String { "\(line):\(column): \(message)" }
}

/// The diagnostics of lowering `source` with their positions.
func errors(_ source: String, check: Bool = false) -> [Located] {
    let file = SourceFile(path: "test.nng", text: source)
    let (module, parseDiagnostics) = parse(file)
    let ds: [Diagnostic]
    if !parseDiagnostics.isEmpty { ds = parseDiagnostics }
    else if check { ds = checkModule(module) }
    else { ds = lowerGraph(module).diagnostics }
    return ds.map { d in
        let (l, c) = d.position(in: file) ?? (0, 0)
        return Located(d.message, l, c)
    }
}

/// Structural equality of two graphs: ops, types, edges and outputs (names ignored).
func sameStructure(_ a: Graph, _ b: Graph) -> Bool {
    guard a.name == b.name, a.dtype == b.dtype, a.nodes.count == b.nodes.count else { return false }
    for (x, y) in zip(a.nodes, b.nodes) where !sameOp(x.op, y.op) || x.inputs != y.inputs || x.type != y.type {
        return false
    }
    return a.outputs.map(\.name) == b.outputs.map(\.name) && a.outputs.map(\.node) == b.outputs.map(\.node)
}

let xorSource = ContractExamples.xor

let chainSource = ContractExamples.chain

/// Op equality with constants compared bit for bit (NaN == NaN).
func sameOp(_ a: Op, _ b: Op) -> Bool {
    if case .constant(let x) = a, case .constant(let y) = b {
        return x.map(\.bitPattern) == y.map(\.bitPattern)
    }
    return a == b
}
