import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import NNGTestSupport
import Testing

/// Parses and lowers a source; any diagnostic fails the test with its text.
func lowered(_ source: String, dtype: DType? = .f64) throws -> Graph {
    let file = SourceFile(path: "test.nng", text: source)
    let (module, pd) = parse(file)
    if !pd.isEmpty { throw DiagnosticsError(pd) }
    let (g, ds) = lowerGraph(module, dtype: dtype)
    guard let g else { throw DiagnosticsError(ds) }
    return g
}

func scalarT(_ v: Double) -> Tensor { .scalar(v, dtype: .f64) }
func tensorT(_ shape: [Int], _ values: [Double]) -> Tensor { Tensor(shape: shape, values: values, dtype: .f64) }

/// Seeded values in [lo, hi] for a shape.
func randomT(_ shape: [Int], seed: String, lo: Double = -1, hi: Double = 1) -> Tensor {
    let n = shape.reduce(1, *)
    let key = CounterRandom.key(seed)
    return tensorT(shape, (0..<n).map { lo + (hi - lo) * CounterRandom.uniform(seed: 7, step: 0, stream: key, index: UInt64($0)) })
}

/// Runs a gradient check over every input and param of `source` (values random unless
/// given) and expects it to pass; returns the report.
@discardableResult
func expectGradCheck(_ source: String, of output: String = "loss", wrt: [String]? = nil,
                     feeds: [String: Tensor] = [:], lo: Double = -1, hi: Double = 1,
                     training: Bool = false, sourceLocation: SourceLocation = #_sourceLocation) throws -> GradCheckReport {
    let g = try lowered(source)
    var inputs: [String: Tensor] = [:], params: [String: Tensor] = [:]
    var sizes: [String: Int] = [:]
    for s in g.symbols { sizes[s] = 3 }
    for (name, id) in g.inputs {
        let shape = g.nodes[id].type.shape.resolved(sizes).concrete!
        inputs[name] = feeds[name] ?? randomT(shape, seed: name, lo: lo, hi: hi)
    }
    for (name, id) in g.params {
        let shape = g.nodes[id].type.shape.concrete!
        params[name] = feeds[name] ?? randomT(shape, seed: name, lo: lo, hi: hi)
    }
    let names = wrt ?? (g.inputs.map(\.name) + g.params.map(\.name))
    let report = try gradientCheck(graph: g, of: output, wrt: names, inputs: inputs, params: params,
                                   options: RunOptions(training: training, symbolSizes: sizes))
    for r in report.results {
        let message = "\(r.name): max_abs \(r.maxAbs) max_rel \(r.maxRel) at \(r.worst)\nsym \(r.symbolic.doubles)\nfd  \(r.numeric.doubles)"
        #expect(r.pass, Comment(rawValue: message), sourceLocation: sourceLocation)
    }
    return report
}

let chainSource = ContractExamples.chain

let xorGraphSource = ContractExamples.xor
