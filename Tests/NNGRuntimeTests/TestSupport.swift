import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Builds small graphs by hand.
struct GraphBuilder {
    var graph: Graph

    init(_ dtype: DType, name: String = "test") {
        graph = Graph(name: name, dtype: dtype)
    }

    var dtype: DType { graph.dtype }

    @discardableResult
    mutating func input(_ name: String, _ shape: Shape, range: SourceRange = .none) -> NodeID {
        graph.append(Node(op: .input(name), inputs: [], type: TensorType(dtype, shape), name: name, range: range))
    }

    @discardableResult
    mutating func param(_ name: String, _ shape: [Int], _ initializer: ParamInit = .zeros, range: SourceRange = .none) -> NodeID {
        graph.append(Node(op: .param(name, initializer), inputs: [], type: TensorType(dtype, Shape(shape)), name: name, range: range))
    }

    @discardableResult
    mutating func constant(_ values: [Double], _ shape: [Int]) -> NodeID {
        graph.append(Node(op: .constant(values), inputs: [], type: TensorType(dtype, Shape(shape))))
    }

    @discardableResult
    mutating func op(_ op: Op, _ inputs: [NodeID], _ shape: Shape, name: String? = nil, range: SourceRange = .none) -> NodeID {
        graph.append(Node(op: op, inputs: inputs, type: TensorType(dtype, shape), name: name, range: range))
    }

    mutating func output(_ name: String, _ id: NodeID) {
        graph.outputs.append((name: name, node: id))
    }

    func run(inputs: [String: Tensor] = [:], params: [String: Tensor] = [:], options: RunOptions = RunOptions()) throws(DiagnosticsError) -> [Tensor] {
        try Interpreter(graph: graph).run(inputs: inputs, params: params, options: options)
    }
}

/// A tensor argument given as shape and values.
struct Arg {
    var shape: [Int]
    var values: [Double]
    init(_ shape: [Int], _ values: [Double]) {
        self.shape = shape
        self.values = values
    }
    /// 0, 1, 2, … scaled and shifted.
    static func iota(_ shape: [Int], scale: Double = 1, offset: Double = 0) -> Arg {
        Arg(shape, (0..<shape.reduce(1, *)).map { Double($0) * scale + offset })
    }
}

/// Evaluates one operation on constant operands through the interpreter.
func apply(_ op: Op, _ args: [Arg], shape: [Int], dtype: DType, options: RunOptions = RunOptions()) throws -> Tensor {
    var b = GraphBuilder(dtype)
    let ids = args.map { b.constant($0.values, $0.shape) }
    let out = b.op(op, ids, Shape(shape))
    let values = try b.run(options: options)
    return values[out]
}

/// Tolerance for comparing with exact or f64 reference numbers.
func tolerance(_ dtype: DType) -> Double { dtype == .f32 ? 2e-6 : 1e-13 }

/// Expects `t` to have `shape`, the graph's dtype and values close to `expected`
/// (within tol · max(1, |expected|) per element; infinities must match exactly).
func expectClose(_ t: Tensor, _ shape: [Int], _ expected: [Double], dtype: DType, tol: Double? = nil,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(t.shape == shape, "shape", sourceLocation: sourceLocation)
    #expect(t.dtype == dtype, "dtype", sourceLocation: sourceLocation)
    let got = t.doubles
    guard got.count == expected.count else {
        Issue.record("got \(got.count) values, expected \(expected.count)", sourceLocation: sourceLocation)
        return
    }
    let tol = tol ?? tolerance(dtype)
    for (i, (g, e)) in zip(got, expected).enumerated() {
        let ok: Bool
        if e.isNaN { ok = g.isNaN } else if e.isInfinite { ok = g == e } else { ok = abs(g - e) <= tol * max(1, abs(e)) }
        #expect(ok, "element \(i): got \(g), expected \(e)", sourceLocation: sourceLocation)
    }
}

/// The message of the first diagnostic of a failing run.
func errorMessage(_ body: () throws -> Void) -> String? {
    do {
        try body()
        return nil
    } catch let e as DiagnosticsError {
        return e.diagnostics.first?.message
    } catch {
        return "unexpected error \(error)"
    }
}

/// A deterministic pseudo-random array in [-1, 1).
func pseudoRandom(_ n: Int, seed: UInt64) -> [Double] {
    (0..<n).map { 2 * CounterRandom.uniform(seed: seed, step: 0, stream: 99, index: UInt64($0)) - 1 }
}
