import Foundation
import NNGCore

/// Simplifies a graph without changing the value of any output:
/// - constant folding of operations on constants with one repeated value (scalars, and
///   `broadcast` of a scalar constant), for the operations whose result every backend
///   computes identically (the `Folding` of each row of the scalar-op table);
/// - algebraic identities: x·1, 1·x, x+0, 0+x, x−0, x/1, x^1 → x; 0−x → −x; x·0, 0·x, 0/x,
///   and linear operations of zeros → zeros of the result type; x^0 → ones; −(−x) → x;
///   x + (−y) → x − y; x − (−y) → x + y; x·(−1) → −x; negation pulled out of products,
///   quotients, sums, reshapes and broadcasts ((−x)·y → −(x·y)); an explicit broadcast
///   feeding a binary operation that broadcasts it anyway → its operand; a reduction reshaped
///   to keep its axes → the reduction with keepdims; reshape/broadcast to the same shape,
///   identity transposes and empty reductions → x; nested reshapes and transposes combined.
///   An identity that keeps an operand x is used only when x has the result's type, else
///   x is broadcast to it;
/// - fusion patterns: primitives a fused kernel computes become that kernel (FusionPatterns.swift);
/// - common subexpression elimination (same operation, attributes, inputs and type; random
///   operations have a stream of their own, so two of them only merge when they would
///   draw the same numbers for the same input);
/// - dead code elimination: only the outputs, and every input and parameter, are kept.
/// User names stay on the surviving nodes where possible.
public func simplify(_ graph: Graph) -> Graph {
    var s = Simplifier(graph)
    return s.run()
}

struct Simplifier {
    let source: Graph
    var out: Graph
    var cse: [Key: NodeID] = [:]
    var range: SourceRange = .none

    struct Key: Hashable {
        var op: Op
        var inputs: [NodeID]
        var type: TensorType
    }

    init(_ graph: Graph) {
        source = graph
        out = Graph(name: graph.name, dtype: graph.dtype, file: graph.file)
    }

    mutating func run() -> Graph {
        var map = [NodeID](repeating: -1, count: source.nodes.count)
        for (i, node) in source.nodes.enumerated() {
            range = node.range
            let inputs = node.inputs.map { map[$0] }
            let r: NodeID
            switch node.op {
            case .input, .param:
                r = out.append(Node(op: node.op, inputs: [], type: node.type, name: node.name, range: node.range))
            default:
                r = make(node.op, inputs, node.type)
            }
            if let name = node.name, out.nodes[r].name == nil { out.nodes[r].name = name }
            map[i] = r
        }
        out.outputs = source.outputs.map { ($0.name, map[$0.node]) }
        return eliminateDeadCode(out)
    }

    // MARK: Building

    /// Appends (or finds) a node, after trying every rewrite.
    mutating func make(_ op: Op, _ inputs: [NodeID], _ type: TensorType) -> NodeID {
        if let r = rewrite(op, inputs, type) { return r }
        return emit(op, inputs, type)
    }

    mutating func emit(_ op: Op, _ inputs: [NodeID], _ type: TensorType) -> NodeID {
        let key = Key(op: op, inputs: inputs, type: type)
        if let e = cse[key] { return e }
        let id = out.append(Node(op: op, inputs: inputs, type: type, range: range))
        cse[key] = id
        return id
    }

    mutating func constant(_ v: Double, _ type: TensorType) -> NodeID {
        let c = emit(.constant([v]), [], TensorType(type.dtype, .scalar))
        return type.shape.isScalar ? c : emit(.broadcast(type.shape.dims), [c], type)
    }

    /// x as a value of `type` (x broadcasts to it).
    mutating func fit(_ x: NodeID, _ type: TensorType) -> NodeID {
        out.nodes[x].type == type ? x : make(.broadcast(type.shape.dims), [x], type)
    }

    func type(_ n: NodeID) -> TensorType { out.nodes[n].type }

    /// The value of every element when the node is a constant with one repeated value.
    func uniform(_ n: NodeID) -> Double? {
        let node = out.nodes[n]
        switch node.op {
        case .constant(let vs):
            guard let f = vs.first, vs.allSatisfy({ $0 == f || ($0.isNaN && f.isNaN) }) else { return nil }
            return f
        case .broadcast: return uniform(node.inputs[0])
        default: return nil
        }
    }

    /// y when `n` is −y.
    func negated(_ n: NodeID) -> NodeID? {
        guard case .unary(.negate) = out.nodes[n].op else { return nil }
        return out.nodes[n].inputs[0]
    }

    /// −op(…, y, …) for op(…, −y, …) where negation commutes with `op` exactly: products,
    /// quotients (numerator), sums (rounding to nearest is symmetric) and moving data. Pulled
    /// outwards, the negation meets a `+` or `−` and disappears (`x + (−y) → x − y`).
    mutating func pulledNegation(_ op: Op, _ a: [NodeID], _ type: TensorType) -> NodeID? {
        let operands: [Int]
        switch op {
        case .binary(.multiply): operands = [0, 1]
        case .binary(.divide), .reshape, .broadcast, .reduce(.sum, _, _): operands = [0]
        default: return nil
        }
        for k in operands {
            guard let n = negated(a[k]) else { continue }
            var inner = a
            inner[k] = n
            return make(.unary(.negate), [make(op, inner, type)], type)
        }
        return nil
    }

    /// z when `n` is broadcast(z) and z broadcasts with `other` to `type` by itself: binary
    /// operations broadcast their operands, so the explicit broadcast (made by a gradient rule)
    /// goes.
    func implicitlyBroadcast(_ n: NodeID, with other: NodeID, to type: TensorType) -> NodeID? {
        guard case .broadcast = out.nodes[n].op else { return nil }
        let z = out.nodes[n].inputs[0]
        return broadcastShapes([self.type(z).shape, self.type(other).shape]) == type.shape ? z : nil
    }

    func isZero(_ n: NodeID) -> Bool { uniform(n) == 0 }
    func isOne(_ n: NodeID) -> Bool { uniform(n) == 1 }

    // MARK: Rewrites

    mutating func rewrite(_ op: Op, _ a: [NodeID], _ type: TensorType) -> NodeID? {
        if let v = fold(op, a) { return constant(v, type) }
        if let f = fused(op, a, type) { return f }
        if let p = pulledNegation(op, a, type) { return p }
        switch op {
        case .binary(let b):
            let (x, y) = (a[0], a[1])
            if let z = implicitlyBroadcast(x, with: y, to: type) { return make(op, [z, y], type) }
            if let z = implicitlyBroadcast(y, with: x, to: type) { return make(op, [x, z], type) }
            switch b {
            case .add:
                if isZero(y) { return fit(x, type) }
                if isZero(x) { return fit(y, type) }
                if let n = negated(y) { return make(.binary(.subtract), [x, n], type) }
                if let n = negated(x) { return make(.binary(.subtract), [y, n], type) }
            case .subtract:
                if isZero(y) { return fit(x, type) }
                if isZero(x) { return make(.unary(.negate), [fit(y, type)], type) }
                if let n = negated(y) { return make(.binary(.add), [x, n], type) }
            case .multiply:
                if isZero(x) || isZero(y) { return constant(0, type) }
                if isOne(y) { return fit(x, type) }
                if isOne(x) { return fit(y, type) }
                if uniform(y) == -1 { return make(.unary(.negate), [fit(x, type)], type) }
                if uniform(x) == -1 { return make(.unary(.negate), [fit(y, type)], type) }
            case .divide:
                if isOne(y) { return fit(x, type) }
                if isZero(x) { return constant(0, type) }
            case .power:
                if isOne(y) { return fit(x, type) }
                if isZero(y) { return constant(1, type) }
            case .maximum, .minimum:
                break
            }
        case .unary(.negate):
            if isZero(a[0]) { return constant(0, type) }
            if let n = negated(a[0]) { return n }
        case .reshape:
            if type == self.type(a[0]) { return a[0] }
            if case .reduce(let r, let axes, keepdims: false) = out.nodes[a[0]].op {
                let x = out.nodes[a[0]].inputs[0]
                var kept = self.type(x).shape.dims
                for i in axes { kept[i] = .known(1) }
                if Shape(kept) == type.shape { return make(.reduce(r, axes: axes, keepdims: true), [x], type) }
            }
            if isZero(a[0]) { return constant(0, type) }
            if case .reshape = out.nodes[a[0]].op { return make(.reshape(type.shape.dims), [out.nodes[a[0]].inputs[0]], type) }
        case .broadcast:
            if type == self.type(a[0]) { return a[0] }
            if case .reshape = out.nodes[a[0]].op, self.type(out.nodes[a[0]].inputs[0]).shape.isScalar {
                return make(op, [out.nodes[a[0]].inputs[0]], type)
            }
            if case .broadcast = out.nodes[a[0]].op { return make(op, [out.nodes[a[0]].inputs[0]], type) }
        case .transpose(let perm):
            if perm == Array(perm.indices) { return a[0] }
            if isZero(a[0]) { return constant(0, type) }
            if case .transpose(let inner) = out.nodes[a[0]].op {
                return make(.transpose(perm.map { inner[$0] }), [out.nodes[a[0]].inputs[0]], type)
            }
        case .reduce(let r, let axes, _):
            if axes.isEmpty, type == self.type(a[0]) { return a[0] }
            if (r == .sum || r == .mean || r == .max), let v = uniform(a[0]), v == 0 { return constant(0, type) }
        case .stopGradient, .dropout, .slice, .pad, .pool(.average, _, _), .avgPoolGrad:
            if isZero(a[0]) { return constant(0, type) }
        case .matmul, .conv2d, .conv2dGradInput, .conv2dGradWeight:
            if isZero(a[0]) || isZero(a[1]) { return constant(0, type) }
        case .maxPoolGrad, .maxPoolSelect:
            if isZero(a[1]) { return constant(0, type) }
        case .select:
            if isZero(a[1]) && isZero(a[2]) { return constant(0, type) }
            if let c = uniform(a[0]) { return fit(c != 0 ? a[1] : a[2], type) }
        default:
            break
        }
        return nil
    }

    /// The value of an elementwise operation on constants of one repeated value each, when
    /// the scalar-op table says it folds (Ops/ScalarOps.swift).
    func fold(_ op: Op, _ a: [NodeID]) -> Double? {
        guard !a.isEmpty else { return nil }
        var vs: [Double] = []
        for n in a {
            guard let v = uniform(n) else { return nil }
            vs.append(v)
        }
        return op.folded(vs, dtype: out.dtype)
    }
}

/// Keeps the nodes the outputs need, and every input and parameter, in their order.
public func eliminateDeadCode(_ graph: Graph) -> Graph {
    var live = [Bool](repeating: false, count: graph.nodes.count)
    for (_, n) in graph.outputs { live[n] = true }
    for (i, node) in graph.nodes.enumerated() {
        switch node.op {
        case .input, .param: live[i] = true
        default: break
        }
    }
    for i in stride(from: graph.nodes.count - 1, through: 0, by: -1) where live[i] {
        for j in graph.nodes[i].inputs { live[j] = true }
    }
    var out = Graph(name: graph.name, dtype: graph.dtype, file: graph.file)
    var map = [NodeID](repeating: -1, count: graph.nodes.count)
    for (i, node) in graph.nodes.enumerated() where live[i] {
        var n = node
        n.inputs = node.inputs.map { map[$0] }
        map[i] = out.append(n)
    }
    out.outputs = graph.outputs.map { ($0.name, map[$0.node]) }
    return out
}
