#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NNGCore
import NNGIR
import RealModule

// The elementwise family (Ops/ElementwiseOps.swift, Ops/RandomOps.swift): the interpreter's kernels
// and the C backend's fused loops, both reading the scalar-op table.

/// Elementwise operations: the unary and binary ones evaluate the rows of the scalar-op table
/// (NNGIR's Ops/ScalarOps.swift), which the C backend renders from the same rows.
enum Elementwise {
    static func unary<T: NNGFloat>(_ op: UnaryOp, _ x: Buf<T>) -> Buf<T> {
        let f = op.rule(T.self).evaluate
        return Buf(shape: x.shape, data: x.data.map(f))
    }

    static func binary<T: NNGFloat>(_ op: BinaryOp, _ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        try zipBroadcast(a, b, name: op.rawValue, op.rule(T.self).evaluate)
    }

    /// Applies `f` to the NumPy broadcast of `a` and `b`.
    static func zipBroadcast<T: NNGFloat>(_ a: Buf<T>, _ b: Buf<T>, name: String,
                                          _ f: (T, T) -> T) throws(KernelError) -> Buf<T> {
        if a.shape == b.shape {
            var out = [T](repeating: 0, count: a.count)
            for i in 0..<a.count { out[i] = f(a.data[i], b.data[i]) }
            return Buf(shape: a.shape, data: out)
        }
        guard let shape = ShapeMath.broadcast(a.shape, b.shape) else {
            throw KernelError("cannot broadcast \(ShapeMath.describe(a.shape)) and \(ShapeMath.describe(b.shape)) in \(name)")
        }
        let n = ShapeMath.count(shape)
        var out = [T](repeating: 0, count: n)
        if b.count == 1, a.shape == shape {
            let y = b.data[0]
            for i in 0..<n { out[i] = f(a.data[i], y) }
        } else if a.count == 1, b.shape == shape {
            let x = a.data[0]
            for i in 0..<n { out[i] = f(x, b.data[i]) }
        } else {
            let ia = ShapeMath.broadcastIndex(from: a.shape, to: shape)
            let ib = ShapeMath.broadcastIndex(from: b.shape, to: shape)
            for i in 0..<n { out[i] = f(a.data[ia[i]], b.data[ib[i]]) }
        }
        return Buf(shape: shape, data: out)
    }

    /// where(c, a, b): a where c ≠ 0, else b; all three broadcast.
    static func select<T: NNGFloat>(_ c: Buf<T>, _ a: Buf<T>, _ b: Buf<T>) throws(KernelError) -> Buf<T> {
        guard let ab = ShapeMath.broadcast(a.shape, b.shape), let shape = ShapeMath.broadcast(c.shape, ab) else {
            throw KernelError("cannot broadcast \(ShapeMath.describe(c.shape)), \(ShapeMath.describe(a.shape)) and \(ShapeMath.describe(b.shape)) in where")
        }
        let ic = ShapeMath.broadcastIndex(from: c.shape, to: shape)
        let ia = ShapeMath.broadcastIndex(from: a.shape, to: shape)
        let ib = ShapeMath.broadcastIndex(from: b.shape, to: shape)
        var out = [T](repeating: 0, count: ic.count)
        for i in 0..<ic.count { out[i] = c.data[ic[i]] != 0 ? a.data[ia[i]] : b.data[ib[i]] }
        return Buf(shape: shape, data: out)
    }
}

/// Random operations. Element i is the row-major flat index, u(i) =
/// `CounterRandom.uniform(seed: options.seed, step: options.step, stream: stream, index: first + UInt64(i))`,
/// where `first` is 0 except in data-parallel training (SampleIndexing: the global sample index)
/// (a Double in [0, 1)). The C backend reproduces exactly these formulas:
/// - dropout(x, p) in training: y_i = u(i) >= p ? x_i · scale : 0 with scale = 1 / (1 − p)
///   computed in the element type (T(1) / (T(1) − T(p))); the comparison is in double.
///   Not training: y = x.
/// - bernoulli(p): y_i = u(i) < Double(p_i) ? 1 : 0, in training or not.
enum RandomOps {
    static func dropout<T: NNGFloat>(_ x: Buf<T>, p: Double, stream: UInt64, seed: UInt64, step: UInt64, training: Bool, first: UInt64 = 0) -> Buf<T> {
        guard training else { return x }
        let scale = T(1) / (T(1) - T(p))
        var out = [T](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let u = CounterRandom.uniform(seed: seed, step: step, stream: stream, index: first + UInt64(i))
            if u >= p { out[i] = x.data[i] * scale }
        }
        return Buf(shape: x.shape, data: out)
    }

    static func bernoulli<T: NNGFloat>(_ p: Buf<T>, stream: UInt64, seed: UInt64, step: UInt64, first: UInt64 = 0) -> Buf<T> {
        var out = [T](repeating: 0, count: p.count)
        for i in 0..<p.count {
            let u = CounterRandom.uniform(seed: seed, step: step, stream: stream, index: first + UInt64(i))
            if u < Double(p.data[i]) { out[i] = 1 }
        }
        return Buf(shape: p.shape, data: out)
    }
}

/// Fused elementwise kernels: unary, binary (NumPy broadcasting), where, broadcast, dropout and
/// bernoulli. One loop over the group's shape; each leaf operand is read with its broadcast
/// strides, each member is a local `vN`, only the group's last node is stored.
extension CCodeGenerator {
    func emitElementwise(_ rootID: Int, _ w: inout CWriter) {
        let members = groups[rootID]!
        let memberSet = Set(members)
        let shape = shapes[rootID]
        let n = CShape.count(shape)
        var leaves: [Int] = []
        for m in members {
            for x in graph.nodes[m].inputs where !memberSet.contains(x) && !leaves.contains(x) && isScalarConstant(x) == nil {
                leaves.append(x)
            }
        }
        let flat = leaves.allSatisfy { shapes[$0] == shape || CShape.count(shapes[$0]) == 1 }
        // Loops over the output shape with adjacent dimensions merged where every broadcast leaf
        // allows it (and dimensions of size 1 dropped); each leaf is read in the innermost loop
        // its index depends on (a scalar leaf before all loops). Same elements in the same order.
        let broadcastLeaves = flat ? [] : leaves.filter { shapes[$0] != shape && CShape.count(shapes[$0]) != 1 }
        let leafStrides = broadcastLeaves.map { CShape.broadcastStrides(from: shapes[$0], to: shape) }
        var dims: [(n: Int, strides: [Int])] = []
        if flat {
            dims = [(n, [])]
        } else {
            for d in shape.indices where shape[d] != 1 {
                let st = leafStrides.map { $0[d] }
                if let last = dims.last, zip(last.strides, st).allSatisfy({ $0.0 == $0.1 * shape[d] }) {
                    dims[dims.count - 1] = (last.n * shape[d], st)
                } else {
                    dims.append((shape[d], st))
                }
            }
        }
        var atLevel = [[(Int, String)]](repeating: [], count: dims.count + 1)
        for x in leaves {
            if CShape.count(shapes[x]) == 1 {
                atLevel[0].append((x, "0"))
            } else if let j = broadcastLeaves.firstIndex(of: x) {
                let st = dims.map { $0.strides[j] }
                let level = (st.lastIndex { $0 != 0 } ?? -1) + 1
                atLevel[level].append((x, CShape.indexExpr(st)))
            } else {
                atLevel[dims.count].append((x, "o"))
            }
        }
        // The output index o of the innermost iteration, from the loop indices (not carried from
        // one iteration to the next, so that the outermost loop can be split across cores).
        let outputStrides = CShape.strides(dims.map(\.n))
        for level in 0...dims.count {
            if level == dims.count && !flat { w.line("const int64_t o = \(CShape.indexExpr(outputStrides));") }
            for (x, index) in atLevel[level] { w.line("const T l\(x) = \(elem(x, index));") }
            if level < dims.count {
                let v = flat ? "o" : "i\(level)"
                if level == 0 && n >= CCodeGenerator.parallelMinimum { w.line("NNGC_PARALLEL_FOR") }
                w.open("for (int64_t \(v) = 0; \(v) < \(dims[level].n); \(v)++)")
            }
        }
        let closes = dims.count
        func operand(_ x: Int) -> String {
            if memberSet.contains(x) { return "v\(x)" }
            if let c = isScalarConstant(x) { return lit(c) }
            return "l\(x)"
        }
        for m in members {
            let args = graph.nodes[m].inputs.map(operand)
            w.line("const T v\(m) = \(expression(graph.nodes[m].op, args, randomIndex: randomIndex(m)));")
        }
        w.line("\(elem(rootID, "o")) = v\(rootID);")
        closeLoops(&w, closes)
    }

    /// How the scalar-op table's C templates write libm calls and literals in this graph.
    var scalarContext: CScalarContext { CScalarContext(dtype: dtype, literal: lit) }

    /// The counter-based generator's index of element `o` of random node `id`: `o`, or under
    /// data parallelism its index in the global batch (SampleIndexing).
    func randomIndex(_ id: Int) -> String {
        guard let batchSymbol, graph.nodes[id].op.isRandom,
              SampleIndexing.numbering(of: graph.nodes[id].type, batchSymbol: batchSymbol) == .bySample,
              let rows = shapes[id].first, rows > 0 else { return "(uint64_t)o" }
        let perSample = CShape.count(shapes[id]) / rows
        return "((uint64_t)o + *(const uint64_t*)((const char*)ar + \(TrainingArenaLayout.firstSampleByte)) * \(perSample)ULL)"
    }

    /// The C expression of one elementwise op on operand expressions (identifiers or literals,
    /// so repeating them is free); `randomIndex` numbers the draws of a random op.
    func expression(_ op: Op, _ a: [String], randomIndex: String = "(uint64_t)o") -> String {
        switch op {
        case .unary(let u): return u.rule().c(a[0], scalarContext)
        case .binary(let b): return b.rule().c(a[0], a[1], scalarContext)
        case .select:
            return "(\(a[0]) != 0 ? \(a[1]) : \(a[2]))"
        case .broadcast:
            return a[0]
        case .dropout(let p, let stream):
            // scale = T(1) / (T(1) - T(p)) in the element type, as the interpreter computes it.
            let scale: Double = dtype == .f32 ? Double(Float(1) / (Float(1) - Float(p))) : 1 / (1 - p)
            return "(training ? (nngc_uniform(seed, step, \(stream)ULL, \(randomIndex)) >= \(CText.double(p)) ? \(a[0]) * \(lit(scale)) : 0) : \(a[0]))"
        case .bernoulli(let stream):
            return "(nngc_uniform(seed, step, \(stream)ULL, \(randomIndex)) < (double)\(a[0]) ? 1 : 0)"
        case .input, .param, .constant, .matmul, .transpose, .reshape, .reduce, .softmax, .logSoftmax, .concat, .slice,
             .pad, .oneHot, .loss, .accuracy, .conv2d, .pool, .stopGradient, .argmaxMask, .conv2dGradInput,
             .conv2dGradWeight, .maxPoolGrad, .maxPoolSelect, .avgPoolGrad, .scan, .scanResult:
            // Only operations flagged `elementwise` (Ops/) are fused into these loops.
            preconditionFailure("\(op.summary) is not elementwise")
        }
    }
}
