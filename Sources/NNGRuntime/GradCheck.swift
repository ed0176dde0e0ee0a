import NNGCore
import NNGIR

/// The comparison of one tensor's symbolic gradient with central finite differences.
public struct GradCheckResult: Sendable {
    /// The input or parameter differentiated with respect to.
    public var name: String
    /// Largest |symbolic − numeric| over the elements.
    public var maxAbs: Double
    /// Largest |symbolic − numeric| / max(|symbolic|, |numeric|) over the elements (0 where both are 0).
    public var maxRel: Double
    /// Multi-index of the worst element (largest error relative to its allowance).
    public var worst: [Int]
    public var pass: Bool
    public var symbolic: Tensor
    public var numeric: Tensor
}

/// The result of `gradientCheck`: one entry per tensor, in the order of `wrt`.
public struct GradCheckReport: Sendable {
    public var of: String
    public var results: [GradCheckResult]
    public var pass: Bool { results.allSatisfy(\.pass) }
}

/// Compares ∂output/∂(each of wrt) computed by the symbolic gradient (`gradientGraph`, run on
/// `backend`) with central finite differences (f(x+ε) − f(x−ε)) / 2ε for every element
/// of every requested tensor. `wrt` names inputs, params or named values; nil = every param.
/// The graph is evaluated in its own element type: lower it with dtype f64 for a strict check.
///
/// An element passes when
///     |sym − fd| ≤ atol + rtol·max(|sym|, |fd|) + noise,
///     noise = 64·u·max(|f(x+ε)|, |f(x−ε)|) / (2ε)   (u = unit roundoff of the element type),
/// i.e. a mixed absolute/relative test plus a bound of the rounding error finite differences
/// make when f itself is large (evaluating f loses a few ulps; dividing by 2ε amplifies that).
/// The truncation error of central differences, O(ε²·f'''), is ~1e-12 at ε = 1e-6 for
/// smooth operations, well inside rtol = 1e-6. Away from kinks (relu at 0, ties of max) the
/// defaults eps 1e-6, rtol 1e-6, atol 1e-9 hold for every smooth operation in f64.
public func gradientCheck(graph: Graph, of output: String, wrt: [String]?,
                          inputs: [String: Tensor], params: [String: Tensor],
                          eps: Double = 1e-6, rtol: Double = 1e-6, atol: Double = 1e-9,
                          options: RunOptions, backend: BackendKind = .interp) throws(DiagnosticsError) -> GradCheckReport {
    let names = wrt ?? graph.params.map(\.name)
    let gg = try gradientGraph(graph, of: output, wrt: names)
    let symbolicValues = try backend.outputs(of: gg, inputs: inputs, params: params, options: options)
    guard let outNode = graph.output(named: output) ?? graph.node(named: output) else {
        throw DiagnosticsError(Diagnostic("unknown output '\(output)'"))
    }
    // Only the checked output is needed by the finite differences (it may be a named value).
    var forwardGraph = graph
    forwardGraph.outputs = [(output, outNode)]
    forwardGraph = try freezingStopGradients(forwardGraph, inputs: inputs, params: params, options: options)
    let compiled = backend == .c ? CompiledGraph(graph: forwardGraph, sizes: options.symbolSizes) : nil
    let unit = graph.dtype == .f64 ? Double.ulpOfOne / 2 : Double(Float.ulpOfOne) / 2

    func evaluate(_ inputs: [String: Tensor], _ params: [String: Tensor]) throws(DiagnosticsError) -> Double {
        if let compiled {
            return try compiled.outputs(inputs: inputs, params: params, options: options)[0].value.doubles[0]
        }
        return try Interpreter(graph: forwardGraph).run(inputs: inputs, params: params, options: options)[outNode].doubles[0]
    }

    var results: [GradCheckResult] = []
    for (k, name) in names.enumerated() {
        let symbolic = symbolicValues[symbolicValues.count - names.count + k].value
        let sym = symbolic.doubles
        var fd = [Double](repeating: 0, count: sym.count)
        var maxAbs = 0.0, maxRel = 0.0, worstRatio = -1.0, worstFlat = 0
        var pass = true
        let isInput = graph.inputs.contains { $0.name == name }
        let isParam = graph.params.contains { $0.name == name }
        guard isInput || isParam else {
            throw DiagnosticsError(Diagnostic("gradcheck needs an input or a param to perturb, got '\(name)'"))
        }
        guard let base = isInput ? inputs[name] : params[name] else {
            throw DiagnosticsError(Diagnostic("'\(name)' has no value"))
        }
        var values = base.doubles
        for e in 0..<values.count {
            let x0 = values[e]
            func at(_ v: Double) throws(DiagnosticsError) -> Double {
                values[e] = v
                let t = Tensor(shape: base.shape, values: values, dtype: base.dtype)
                var ins = inputs, ps = params
                if isInput { ins[name] = t } else { ps[name] = t }
                return try evaluate(ins, ps)
            }
            let fp = try at(x0 + eps), fm = try at(x0 - eps)
            values[e] = x0
            let numeric = (fp - fm) / (2 * eps)
            fd[e] = numeric
            let s = sym[e]
            let err = Swift.abs(s - numeric)
            let scale = max(Swift.abs(s), Swift.abs(numeric))
            let noise = 64 * unit * max(Swift.abs(fp), Swift.abs(fm)) / (2 * eps)
            let allowed = atol + rtol * scale + noise
            let ok = err <= allowed  // false for NaN
            if !ok { pass = false }
            maxAbs = max(maxAbs, err.isNaN ? .infinity : err)
            if scale > 0 { maxRel = max(maxRel, err.isNaN ? .infinity : err / scale) }
            let ratio = err.isNaN ? Double.infinity : err / allowed
            if ratio > worstRatio { worstRatio = ratio; worstFlat = e }
        }
        results.append(GradCheckResult(
            name: name, maxAbs: maxAbs, maxRel: maxRel,
            worst: multiIndex(worstFlat, shape: base.shape), pass: pass,
            symbolic: symbolic, numeric: Tensor(shape: base.shape, values: fd, dtype: .f64)))
    }
    return GradCheckReport(of: output, results: results)
}

/// The graph with every `stop_gradient` replaced by the constant it has at the point checked,
/// so that finite differences hold those values fixed exactly as the symbolic gradient does
/// (∂y/∂x "with all else held fixed"); without this, a loss such as contrastive divergence,
/// whose negative phase sits behind `stop_gradient`, could never pass the check.
func freezingStopGradients(_ graph: Graph, inputs: [String: Tensor], params: [String: Tensor],
                           options: RunOptions) throws(DiagnosticsError) -> Graph {
    let frozen = graph.nodes.indices.filter { graph.nodes[$0].op == .stopGradient }
    guard !frozen.isEmpty else { return graph }
    let values = try Interpreter(graph: graph).run(inputs: inputs, params: params, options: options)
    var g = graph
    for i in frozen {
        g.nodes[i].op = .constant(values[i].doubles)
        g.nodes[i].inputs = []
        g.nodes[i].type.shape = Shape(values[i].shape)
    }
    return g
}

/// Row-major multi-index of a flat index.
func multiIndex(_ flat: Int, shape: [Int]) -> [Int] {
    var idx = [Int](repeating: 0, count: shape.count)
    var r = flat
    for d in stride(from: shape.count - 1, through: 0, by: -1) where shape[d] > 0 {
        idx[d] = r % shape[d]
        r /= shape[d]
    }
    return idx
}

/// Values for a gradient check (`nngc gradcheck`): the given inputs and params, plus seeded
/// random values for every input not given — uniform in [0.1, 0.9], so that log, sqrt and
/// probabilities (bce targets) are valid; whole numbers in [0, C) for `one_hot` labels — and the initial values of params not given.
/// Symbols no given input binds get `symbolSize` (3 by default) unless `options` sizes them.
public func gradientCheckFeeds(graph: Graph, inputs: [String: Tensor], params: [String: Tensor],
                               seed: UInt64 = 0, symbolSize: Int = 3,
                               options: RunOptions = RunOptions()) -> (inputs: [String: Tensor], params: [String: Tensor], options: RunOptions) {
    var sizes: [String: Int] = options.symbolSizes
    for (name, id) in graph.inputs {
        guard let t = inputs[name] else { continue }
        for (d, v) in zip(graph.nodes[id].type.shape.dims, t.shape) {
            if case .symbol(let s) = d, sizes[s] == nil { sizes[s] = v }
        }
    }
    for s in graph.symbols where sizes[s] == nil { sizes[s] = symbolSize }
    // Inputs that are one_hot labels get whole numbers in [0, classes).
    var classes: [NodeID: Int] = [:]
    for node in graph.nodes {
        if case .oneHot(let c) = node.op { classes[node.inputs[0]] = c }
    }
    var ins = inputs
    for (name, id) in graph.inputs where ins[name] == nil {
        let shape = graph.nodes[id].type.shape.resolved(sizes).concrete ?? []
        let n = shape.reduce(1, *)
        let key = CounterRandom.key("gradcheck/" + name)
        let values = (0..<n).map { i -> Double in
            let u = CounterRandom.uniform(seed: seed, step: 0, stream: key, index: UInt64(i))
            return classes[id].map { Double(Int(u * Double($0))) } ?? 0.1 + 0.8 * u
        }
        ins[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
    }
    var ps = params
    let initial = ParameterInitializer.initialValues(of: graph, seed: seed)
    for (name, _) in graph.params where ps[name] == nil { ps[name] = initial[name] }
    var opts = options
    opts.symbolSizes = sizes
    return (ins, ps, opts)
}
