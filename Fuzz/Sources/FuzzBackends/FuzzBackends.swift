import Foundation
import NNGCore
import NNGIR
import NNGLang
import NNGRuntime
import FuzzSupport

// The C backend against the interpreter on arbitrary programs: every graph that checks, whose
// symbols are given size 2 and whose values are small, is evaluated on both backends with the
// same inputs and params. Both must fail with the same messages or agree on every output within
// the contract's tolerance (section 10), NaN matching NaN and infinities matching exactly.

/// The executable's entry point (see `runFuzzer`).
@_cdecl("fuzz_backends_main")
public func fuzzBackendsMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv) { data, size in fuzzBackends(data!, size) }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBackends(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let (module, parseErrors) = parse(SourceFile(path: "fuzz.nng", text: text))
    guard parseErrors.isEmpty, module.graphs.count == 1, let graph = lowerGraph(module).graph else { return 0 }
    let sizes = Dictionary(uniqueKeysWithValues: graph.symbols.map { ($0, 2) })
    // Small values only: the point is agreement, not throughput.
    for node in graph.nodes {
        guard let shape = node.type.shape.resolved(sizes).concrete, shape.reduce(1, { $0 * max($1, 1) }) <= 4096 else { return 0 }
    }
    // A loop's steps multiply its body's work (`length = 10^9` is a valid program, not a hang).
    guard let work = evaluationWork(graph, sizes), work <= 100_000 else { return 0 }
    var inputs: [String: Tensor] = [:]
    for (name, id) in graph.inputs {
        let shape = graph.nodes[id].type.shape.resolved(sizes).concrete!
        let n = shape.reduce(1, *)
        inputs[name] = Tensor(shape: shape, values: (0..<n).map { Double(($0 * 7) % 5) * 0.5 - 1 }, dtype: graph.dtype)
    }
    var params: [String: Tensor] = [:]
    for (name, id) in graph.params {
        let shape = graph.nodes[id].type.shape.concrete!
        let n = shape.reduce(1, *)
        params[name] = Tensor(shape: shape, values: (0..<n).map { Double(($0 * 3) % 7) * 0.25 - 0.5 }, dtype: graph.dtype)
    }
    let options = RunOptions(symbolSizes: sizes)
    let interp = Result { () throws(DiagnosticsError) in try BackendKind.interp.outputs(of: graph, inputs: inputs, params: params, options: options) }
    let c = Result { () throws(DiagnosticsError) in try BackendKind.c.outputs(of: graph, inputs: inputs, params: params, options: options) }
    switch (interp, c) {
    case (.failure(let a), .failure(let b)):
        guard a.diagnostics.map(\.message) == b.diagnostics.map(\.message) else {
            fatalError("the backends fail differently:\n\(a)\n---\n\(b)\n\(text)")
        }
    case (.success(let a), .success(let b)):
        for (x, y) in zip(a, b) where !agree(x.value, y.value, dtype: graph.dtype) {
            fatalError("the backends disagree on '\(x.name)': \(x.value.doubles) vs \(y.value.doubles)\n\(text)")
        }
    case (.failure(let e), .success), (.success, .failure(let e)):
        fatalError("one backend fails, the other does not: \(e)\n\(text)")
    }
    return 0
}

/// Contract section 10: |c − interp| ≤ tol · max(1, max |interp element|) per tensor; NaN
/// and the infinities must match exactly.
private func agree(_ a: Tensor, _ b: Tensor, dtype: DType) -> Bool {
    guard a.shape == b.shape else { return false }
    let x = a.doubles, y = b.doubles
    let scale = max(1, x.filter(\.isFinite).map(abs).max() ?? 1)
    let tol = (dtype == .f32 ? 1e-5 : 1e-12) * scale
    return zip(x, y).allSatisfy { p, q in
        if p.isNaN || q.isNaN { return p.isNaN && q.isNaN }
        if p.isInfinite || q.isInfinite { return p == q }
        return abs(p - q) <= tol
    }
}

/// Node evaluations of one run: a scan counts its steps times its body's work; nil when a loop
/// length is not concrete.
private func evaluationWork(_ graph: Graph, _ sizes: [String: Int]) -> Int? {
    var total = 0
    for node in graph.nodes {
        guard case .scan(let spec) = node.op else { total += 1; continue }
        let steps = spec.length ?? graph.nodes[node.inputs[spec.carries]].type.shape[spec.axis].resolved(sizes).value
        guard let steps, let body = evaluationWork(spec.body, sizes) else { return nil }
        let (w, overflow) = steps.multipliedReportingOverflow(by: body)
        guard !overflow, w <= 1 << 40 else { return nil }
        total += w
    }
    return total
}
