import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Builds graphs by hand for the C backend tests; every operand is an input fed at run time
/// (so it goes through the arena), and values are made deterministic.
struct CGraph {
    var graph: Graph
    var feeds: [String: Tensor] = [:]
    var params: [String: Tensor] = [:]

    init(_ dtype: DType, name: String = "g") { graph = Graph(name: name, dtype: dtype) }

    var dtype: DType { graph.dtype }

    /// An input of `shape` fed with values in [low, high) (deterministic from the name).
    @discardableResult
    mutating func input(_ name: String, _ shape: Shape, feed: [Int]? = nil, low: Double = -2, high: Double = 2,
                        values: [Double]? = nil) -> NodeID {
        let concrete = feed ?? shape.concrete!
        let n = concrete.reduce(1, *)
        let v = values ?? (0..<n).map { i in
            low + (high - low) * CounterRandom.uniform(seed: CounterRandom.key(name), step: 7, stream: 3, index: UInt64(i))
        }
        feeds[name] = Tensor(shape: concrete, values: v, dtype: dtype)
        return graph.append(Node(op: .input(name), inputs: [], type: TensorType(dtype, shape), name: name))
    }

    @discardableResult
    mutating func param(_ name: String, _ shape: [Int], low: Double = -1, high: Double = 1) -> NodeID {
        let n = shape.reduce(1, *)
        let v = (0..<n).map { i in
            low + (high - low) * CounterRandom.uniform(seed: CounterRandom.key(name), step: 1, stream: 5, index: UInt64(i))
        }
        params[name] = Tensor(shape: shape, values: v, dtype: dtype)
        return graph.append(Node(op: .param(name, .zeros), inputs: [], type: TensorType(dtype, Shape(shape)), name: name))
    }

    @discardableResult
    mutating func constant(_ values: [Double], _ shape: [Int]) -> NodeID {
        graph.append(Node(op: .constant(values), inputs: [], type: TensorType(dtype, Shape(shape))))
    }

    @discardableResult
    mutating func op(_ op: Op, _ inputs: [NodeID], _ shape: Shape, name: String? = nil, range: SourceRange = .none) -> NodeID {
        graph.append(Node(op: op, inputs: inputs, type: TensorType(dtype, shape), name: name, range: range))
    }

    mutating func output(_ id: NodeID, _ name: String? = nil) {
        graph.outputs.append((name: name ?? "out\(graph.outputs.count)", node: id))
    }
}

/// Contract section 10: |c − interp| ≤ tol · max(1, max |interp element|) per tensor.
func backendTolerance(_ dtype: DType) -> Double { dtype == .f32 ? 1e-5 : 1e-12 }

/// The first index where two results of one graph differ by more than the backends' tolerance,
/// scaled by the largest finite magnitude (NaN matches NaN); nil when they agree.
func firstDisagreement(_ x: [Double], _ y: [Double], dtype: DType) -> Int? {
    let scale = max(1, x.filter(\.isFinite).map(abs).max() ?? 1)
    let tol = backendTolerance(dtype) * scale
    return x.indices.first { !(x[$0] == y[$0] || (x[$0].isNaN && y[$0].isNaN) || abs(x[$0] - y[$0]) <= tol) }
}

/// Runs `g` through the interpreter and the C backend and expects agreement (or, with `exact`,
/// identical values).
func expectBackendsAgree(_ g: CGraph, options: RunOptions = RunOptions(), exact: Bool = false,
                         sourceLocation: SourceLocation = #_sourceLocation) throws {
    let reference = try Interpreter(graph: g.graph).outputs(inputs: g.feeds, params: g.params, options: options)
    let compiled = try CompiledGraph(graph: g.graph).outputs(inputs: g.feeds, params: g.params, options: options)
    try #require(reference.count == compiled.count, sourceLocation: sourceLocation)
    for (r, c) in zip(reference, compiled) {
        #expect(r.name == c.name, sourceLocation: sourceLocation)
        #expect(r.value.shape == c.value.shape, "\(r.name): shape", sourceLocation: sourceLocation)
        #expect(c.value.dtype == g.dtype, sourceLocation: sourceLocation)
        let a = r.value.doubles, b = c.value.doubles
        guard a.count == b.count else { continue }
        let scale = max(1, a.filter(\.isFinite).map(abs).max() ?? 1)
        let tol = backendTolerance(g.dtype) * scale
        for i in a.indices {
            let same = a[i] == b[i] || (a[i].isNaN && b[i].isNaN)
            if exact {
                #expect(same, "\(r.name)[\(i)]: interp \(a[i]) vs C \(b[i])", sourceLocation: sourceLocation)
            } else if !same {
                #expect(abs(a[i] - b[i]) <= tol, "\(r.name)[\(i)]: interp \(a[i]) vs C \(b[i])", sourceLocation: sourceLocation)
            }
        }
    }
}
