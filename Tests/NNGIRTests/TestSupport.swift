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

let xorSource = """
fn dense(x, w, b) { return x @ w + b }

graph xor {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W1: f32[2, 8] = xavier
  param b1: f32[8]    = zeros
  param W2: f32[8, 1] = xavier
  param b2: f32[1]    = zeros

  h    = tanh(dense(x, W1, b1))
  p    = sigmoid(dense(h, W2, b2))
  loss = bce(p, y)
  acc  = accuracy(p, y)
  output loss, acc
}

train {
  minimize  = loss
  data      = csv("xor.csv", x = [0, 1], y = [2])
  optimizer = sgd(lr = 0.5)
  epochs    = 2000
}
"""

let chainSource = """
# The worked backpropagation example: x -> w1 -> relu -> w2 -> squared error
graph chain {
  input x: f64[]
  input y: f64[]
  param w1: f64[] = 0.5
  param w2: f64[] = 1.5

  z    = w1 * x
  h    = relu(z)
  yhat = w2 * h
  loss = (yhat - y)^2

  output loss
}
"""

/// Op equality with constants compared bit for bit (NaN == NaN).
func sameOp(_ a: Op, _ b: Op) -> Bool {
    if case .constant(let x) = a, case .constant(let y) = b {
        return x.map(\.bitPattern) == y.map(\.bitPattern)
    }
    return a == b
}
