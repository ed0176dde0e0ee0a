import NNGCore
import NNGIR

/// The generated C of one graph at one binding of its symbols, with its arena layout.
public struct CProgram: Sendable {
    public var source: String
    public var layout: ArenaLayout
    public var dtype: DType
    /// Number of kernels (C functions called by `nngc_forward`).
    public var kernelCount: Int
    /// Kernels that evaluate more than one node in one loop.
    public var fusedKernelCount: Int
    /// Nodes evaluated inside a fused loop without a buffer of their own.
    public var fusedNodeCount: Int
}

/// Turns a `Graph` whose symbols are all bound into one C translation unit:
///
/// - a prelude: fixed-width typedefs, `T` (float or double), prototypes of the registered
///   libm/BLAS functions, the counter-based RNG (`nngc_mix`, `nngc_uniform`) and scalar helpers;
/// - `static const T kN[]` for every constant;
/// - one `static int nN(T* ar, uint64_t seed, uint64_t step, int training)` per kernel;
///   chains of elementwise nodes of one shape are fused into one loop (members that are used
///   once, inside the chain, get no buffer);
/// - `int nngc_forward(T* ar, uint64_t seed, uint64_t step, int training)`: runs the kernels in
///   order and returns 0, or 1 + the id of the node that failed (the value that caused it is in
///   `ar[errorSlot]`).
///
/// Arithmetic is done in the graph's dtype: `float` code calls the f-suffixed libm functions
/// (`expf`, …), exactly the functions the interpreter's `Float` math calls, so f32 results agree
/// closely; only random numbers are drawn (and compared with p) in double, as in the interpreter.
///
/// Generated identifiers are internal (`nN`, `kN`, `vN`, `lN`); comments give the node id,
/// its operation and its .nng line, never a user's name.
final class CCodeGenerator {
    let graph: Graph
    let dtype: DType
    let T: String
    let fs: String
    var shapes: [[Int]] = []
    var live: [Bool] = []
    /// Storage root: aliases (reshape, stop_gradient) share their input's buffer.
    var root: [Int] = []
    var consumers: [[Int]] = []
    var isOutput: [Bool] = []
    /// Transposes of matrices read by matmul through BLAS's transpose flag (never evaluated).
    var elided: Set<Int> = []
    /// Fused members (not group roots) → their group's root.
    var groupRoot: [Int: Int] = [:]
    /// Group root → its members in ascending order (including the root).
    var groups: [Int: [Int]] = [:]
    /// Storage root → arena offset.
    var offset: [Int: Int] = [:]
    var scratch: [Int: Int] = [:]
    var layout = ArenaLayout()

    /// Where the fixed slots go. The default (inputs, params, outputs) suits one evaluation; a
    /// training step puts `leading` reserved elements, then the params, then `trailing` reserved
    /// elements first, so that these offsets do not depend on the bound sizes and the region
    /// persists across batches of different sizes.
    struct LayoutOptions {
        var paramsFirst = false
        var leading = 0
        var trailing = 0
        /// Outputs placed before the others, in this order, each right after the previous one
        /// (at the next aligned offset) unless its value already has a slot: a data-parallel
        /// step sums them in place with one allreduce (CTrainingStep.swift).
        var outputsFirst: [String] = []
    }
    let layoutOptions: LayoutOptions
    let sizes: [String: Int]
    /// Whether the code runs in this process (TinyCC, the optimised tier) or stands alone as a
    /// C library (`nngc export --format c`, CLibraryExporter).
    let style: CSourceStyle
    /// Prefix of every generated name: "" for the graph, `s<id>_` (after its graph's prefix)
    /// for the body of scan node `id`, whose definitions share the translation unit (Kernels/LoopKernels.swift).
    let prefix: String
    /// The generator of each scan node's body, prepared before the arena is planned.
    var loops: [Int: CCodeGenerator] = [:]

    /// Data-parallel training step: random operations on values led by this batch dimension
    /// number their draws by global sample index (SampleIndexing), reading this rank's first
    /// sample from the arena (`TrainingArenaLayout.firstSampleByte`).
    var batchSymbol: String?

    init(graph: Graph, sizes: [String: Int], layoutOptions: LayoutOptions = LayoutOptions(), prefix: String = "",
         style: CSourceStyle = .inProcess) throws(CBackendError) {
        self.graph = graph
        self.style = style
        self.layoutOptions = layoutOptions
        self.sizes = sizes
        self.prefix = prefix
        self.dtype = graph.dtype
        self.T = graph.dtype == .f32 ? "float" : "double"
        self.fs = graph.dtype == .f32 ? "f" : ""
        for node in graph.nodes {
            guard let s = node.type.shape.resolved(sizes).concrete else {
                throw CBackendError("unbound symbol in \(node.type)")
            }
            shapes.append(s)
        }
    }

    // MARK: Analysis

    static func isFusable(_ op: Op) -> Bool { op.definition.flags.contains(.elementwise) }

    static func isAlias(_ op: Op) -> Bool { op.definition.flags.contains(.alias) }

    private func analyse() {
        let n = graph.nodes.count
        live = [Bool](repeating: false, count: n)
        isOutput = [Bool](repeating: false, count: n)
        consumers = [[Int]](repeating: [], count: n)
        var stack = graph.outputs.map(\.node)
        for o in graph.outputs { isOutput[o.node] = true }
        while let i = stack.popLast() {
            if live[i] { continue }
            live[i] = true
            stack.append(contentsOf: graph.nodes[i].inputs)
        }
        for i in 0..<n where live[i] {
            for x in Set(graph.nodes[i].inputs) { consumers[x].append(i) }
        }
        root = Array(0..<n)
        for i in 0..<n where live[i] && CCodeGenerator.isAlias(graph.nodes[i].op) {
            root[i] = root[graph.nodes[i].inputs[0]]
        }
        for i in 0..<n where live[i] {
            if case .transpose(let perm) = graph.nodes[i].op, perm == [1, 0], !isOutput[i],
               !consumers[i].isEmpty, consumers[i].allSatisfy({ c in
                   if case .matmul = graph.nodes[c].op { return true } else { return false }
               }) {
                elided.insert(i)
            }
        }
        // Fusion, from the last node back: a fusable node joins its only consumer's group when
        // that consumer is fusable and has the same shape.
        for i in stride(from: n - 1, through: 0, by: -1) where live[i] && CCodeGenerator.isFusable(graph.nodes[i].op) {
            if !isOutput[i], consumers[i].count == 1, let c = consumers[i].first,
               CCodeGenerator.isFusable(graph.nodes[c].op), shapes[c] == shapes[i] {
                let r = groupRoot[c] ?? c
                groupRoot[i] = r
                groups[r, default: [r]].append(i)  // sorted below (inserting at the front is quadratic)
            } else {
                groups[i] = groups[i] ?? [i]
            }
        }
        for (r, m) in groups { groups[r] = m.sorted() }
    }

    /// The ids of the nodes that emit a kernel, in order.
    var steps: [Int] = []

    private func isConstant(_ id: Int) -> Bool {
        if case .constant = graph.nodes[id].op { return true }
        return false
    }

    private func buildSteps() {
        var out: [Int] = []
        for i in graph.nodes.indices where live[i] {
            let op = graph.nodes[i].op
            switch op {
            case .input, .param: continue
            case .scanResult: continue  // written by its scan's kernel (Kernels/LoopKernels.swift)
            case .constant:
                // A constant that is (the storage of) an output is copied into its slot.
                if graph.outputs.contains(where: { root[$0.node] == i }) { out.append(i) }
            default:
                if CCodeGenerator.isAlias(op) || elided.contains(i) || groupRoot[i] != nil { continue }
                out.append(i)
            }
        }
        steps = out
    }

    /// Storage roots a step reads.
    private func reads(of step: Int) -> [Int] {
        var ids: [Int] = []
        if let members = groups[step] {
            let set = Set(members)
            for m in members { for x in graph.nodes[m].inputs where !set.contains(x) { ids.append(x) } }
        } else if !isConstant(step) {
            for x in graph.nodes[step].inputs {
                ids.append(elided.contains(x) ? graph.nodes[x].inputs[0] : x)
            }
        }
        return ids.map { root[$0] }.filter { !isConstant($0) }
    }

    /// Scratch of a kernel: the im2col matrix (C·R·S × OH·OW, one sample) of conv2d and its two
    /// gradients.
    private func scratchSize(of step: Int) -> Int {
        let node = graph.nodes[step]
        switch node.op {
        case .conv2d(let s, let p):
            let x = shapes[node.inputs[0]], w = shapes[node.inputs[1]]
            let oh = windowCount(x[2], window: w[2], stride: s, padding: p), ow = windowCount(x[3], window: w[3], stride: s, padding: p)
            return w[1] * w[2] * w[3] * oh * ow
        case .conv2dGradWeight:
            // x [N,C,H,W], g [N,K,OH,OW] → [K,C,R,S]
            let g = shapes[node.inputs[1]], o = shapes[step]
            return o[1] * o[2] * o[3] * g[2] * g[3]
        case .conv2dGradInput:
            // g [N,K,OH,OW], w [K,C,R,S] → [N,C,H,W]
            let g = shapes[node.inputs[0]], w = shapes[node.inputs[1]]
            return w[1] * w[2] * w[3] * g[2] * g[3]
        case .scan:
            return loopScratchSize(step)
        default:
            return 0
        }
    }

    private func plan() {
        var fixed = 0
        func place(_ r: Int) -> Int {
            if let o = offset[r] { return o }
            let o = ArenaAlignment.up(fixed)
            offset[r] = o
            fixed = o + CShape.count(shapes[r])
            return o
        }
        func placeParams() {
            for (name, id) in graph.params {
                layout.params.append(.init(name: name, offset: place(id), count: CShape.count(shapes[id]), shape: shapes[id]))
            }
        }
        if layoutOptions.paramsFirst {
            fixed = layoutOptions.leading
            placeParams()
            fixed += layoutOptions.trailing
        }
        for (name, id) in graph.inputs {
            layout.inputs.append(.init(name: name, offset: place(id), count: CShape.count(shapes[id]), shape: shapes[id]))
        }
        if !layoutOptions.paramsFirst { placeParams() }
        for name in layoutOptions.outputsFirst {
            if let id = graph.outputs.first(where: { $0.name == name })?.node { _ = place(root[id]) }
        }
        for (name, id) in graph.outputs {
            layout.outputs.append(.init(name: name, offset: place(root[id]), count: CShape.count(shapes[id]), shape: shapes[id]))
        }
        layout.errorSlot = fixed
        fixed += 1
        let base = ArenaAlignment.up(fixed)
        var lastUse: [Int: Int] = [:]
        for (s, id) in steps.enumerated() { for r in reads(of: id) { lastUse[r] = s } }
        var alloc = ArenaAllocator(base: base)
        var unplanned = 0
        for (s, id) in steps.enumerated() {
            let r = root[id]
            unplanned += CShape.count(shapes[id])
            var ownsBuffer = false
            if offset[r] == nil {
                offset[r] = alloc.allocate(CShape.count(shapes[r]))
                ownsBuffer = true
            }
            // A scan writes its other results too: they get their buffers with it.
            for p in loopResultNodes(id) where offset[p] == nil {
                offset[p] = alloc.allocate(CShape.count(shapes[p]))
                unplanned += CShape.count(shapes[p])
                if lastUse[p] == nil { alloc.free(offset[p]!, CShape.count(shapes[p])) }
            }
            let sc = scratchSize(of: id)
            if sc > 0 {
                let o = alloc.allocate(sc)
                scratch[id] = o
                alloc.free(o, sc)
                unplanned += sc
            }
            for x in Set(reads(of: id)) where lastUse[x] == s {
                if let o = offset[x], o >= base { alloc.free(o, CShape.count(shapes[x])) }
            }
            if ownsBuffer && lastUse[r] == nil { alloc.free(offset[r]!, CShape.count(shapes[r])) }
        }
        layout.totalElements = max(alloc.top, fixed)
        layout.plannedElements = alloc.top - base
        layout.unplannedElements = fixed + unplanned
    }

    // MARK: Emission helpers

    func lit(_ v: Double) -> String { CText.literal(v, dtype) }

    /// `name` of a libm function in the graph's precision (`exp` → `expf` in f32).
    func fn(_ name: String) -> String { name + fs }

    func isScalarConstant(_ id: Int) -> Double? {
        if case .constant(let v) = graph.nodes[root[id]].op, v.count == 1 { return v[0] }
        return nil
    }

    /// A pointer to the first element of a node's value.
    func ptr(_ id: Int) -> String {
        let r = root[id]
        if isConstant(r) { return "\(prefix)k\(r)" }
        return "(ar + \(offset[r]!))"
    }

    /// Element `index` of a node's value.
    func elem(_ id: Int, _ index: String) -> String {
        let r = root[id]
        if isConstant(r) { return "\(prefix)k\(r)[\(index)]" }
        let o = offset[r]!
        if index == "0" { return "ar[\(o)]" }
        return o == 0 ? "ar[\(index)]" : "ar[\(o) + \(index)]"
    }

    func out(_ id: Int, _ index: String) -> String { elem(id, index) }

    /// Opens one `for` per (variable, size); returns how many to close.
    func openLoops(_ w: inout CWriter, _ loops: [(String, Int)]) -> Int {
        for (v, n) in loops { w.open("for (int64_t \(v) = 0; \(v) < \(n); \(v)++)") }
        return loops.count
    }

    func closeLoops(_ w: inout CWriter, _ n: Int) { for _ in 0..<n { w.close() } }

    func describe(_ id: Int) -> String {
        let node = graph.nodes[id]
        var line = ""
        if let file = graph.file, !node.range.isNone {
            line = "line \(file.lineColumn(of: node.range.start).line): "
        }
        let ins = node.inputs.map { "n\($0)" }.joined(separator: ", ")
        return CText.comment("\(line)n\(id) = \(node.op.summary)(\(ins)) : \(dtype)\(shapes[id])")
    }

    // MARK: Driver

    func generate() throws(CBackendError) -> CProgram {
        try prepare()
        var w = CWriter()
        w.line("/* generated by nngc: graph forward, dtype \(dtype) */")
        w.line(prelude())
        let (fusedKernels, fusedNodes) = emitDefinitions(&w, forward: "int nngc_forward")
        return CProgram(source: w.text, layout: layout, dtype: dtype, kernelCount: steps.count,
                        fusedKernelCount: fusedKernels, fusedNodeCount: fusedNodes)
    }

    /// Analysis and arena planning (the bodies of scans first: their arenas are scratch here).
    func prepare() throws(CBackendError) {
        analyse()
        buildSteps()
        try prepareLoops()
        plan()
    }

    /// The constants, the kernels and the function `forward` that runs them; the counts of fused
    /// kernels and of the nodes fused into them.
    func emitDefinitions(_ out: inout CWriter, forward: String) -> (Int, Int) {
        var w = CWriter()
        defer {
            // A library is compiled with -Wall: a constant whose every use was inlined as a
            // literal is left out there.
            var constants = CWriter()
            for i in graph.nodes.indices where live[i] {
                if case .constant(var values) = graph.nodes[i].op {
                    if style != .inProcess && !CText.mentions(w.text, "\(prefix)k\(i)") { continue }
                    let n = CShape.count(shapes[i])
                    if values.count == 1 && n > 1 { values = [Double](repeating: values[0], count: n) }
                    constants.line(CText.constantArray("\(prefix)k\(i)", values, dtype))
                }
            }
            constants.line()
            out.append(constants)
            out.append(w)
        }
        var fusedKernels = 0, fusedNodes = 0
        for id in steps {
            if let body = loops[id] {
                let (k, n) = body.emitDefinitions(&w, forward: "static int \(body.prefix)forward")
                fusedKernels += k
                fusedNodes += n
            }
            w.line("/* \(describe(id)) */")
            if let members = groups[id], members.count > 1 {
                fusedKernels += 1
                fusedNodes += members.count - 1
                for m in members where m != id { w.line("/*   fused: \(describe(m)) */") }
            }
            w.open("static int \(prefix)n\(id)(\(T)* ar, uint64_t seed, uint64_t step, int training)")
            // A library is compiled with -Wextra: most kernels use only some of their parameters.
            if style != .inProcess { w.line("(void)ar; (void)seed; (void)step; (void)training;") }
            emitKernel(id, &w)
            w.line("return 0;")
            w.close()
            w.line()
        }
        w.open("\(forward)(\(T)* ar, uint64_t seed, uint64_t step, int training)")
        w.line("int rc;")
        for id in steps { w.line("if ((rc = \(prefix)n\(id)(ar, seed, step, training)) != 0) return rc;") }
        w.line("return 0;")
        w.close()
        return (fusedKernels, fusedNodes)
    }

    /// The kernel of one step. The switch is exhaustive: an operation without a C kernel does not
    /// compile.
    private func emitKernel(_ id: Int, _ w: inout CWriter) {
        let node = graph.nodes[id]
        switch node.op {
        case .constant:
            w.line("for (int64_t i = 0; i < \(CShape.count(shapes[id])); i++) ar[\(offset[id]!) + i] = k\(id)[i];")
        case .unary, .binary, .select, .broadcast, .dropout, .bernoulli: emitElementwise(id, &w)
        case .reduce(let op, let axes, _): emitReduce(id, op, axes, &w)
        case .softmax(let axis): emitSoftmax(id, axis: axis, log: false, &w)
        case .logSoftmax(let axis): emitSoftmax(id, axis: axis, log: true, &w)
        case .matmul: emitMatmul(id, &w)
        case .conv2d(let s, let p): emitConv2d(id, stride: s, padding: p, &w)
        case .pool(let kind, let size, let s): emitPool(id, kind, size: size, stride: s, &w)
        case .transpose(let perm): emitTranspose(id, perm, &w)
        case .concat(let axis): emitConcat(id, axis: axis, &w)
        case .slice(let axis, let start, let end): emitSlice(id, axis: axis, start: start, end: end, &w)
        case .pad(let axis, let before, let after): emitPad(id, axis: axis, before: before, after: after, &w)
        case .oneHot(let classes): emitOneHot(id, classes: classes, &w)
        case .loss(let op): emitLoss(id, op, &w)
        case .accuracy: emitAccuracy(id, &w)
        case .argmaxMask(let axes): emitArgmaxMask(id, axes: axes, &w)
        case .conv2dGradInput(let s, let p, _, _): emitConv2dGradInput(id, stride: s, padding: p, &w)
        case .conv2dGradWeight(let s, let p, _, _): emitConv2dGradWeight(id, stride: s, padding: p, &w)
        case .maxPoolGrad(let size, let s): emitMaxPoolGrad(id, size: size, stride: s, scatter: true, &w)
        case .maxPoolSelect(let size, let s): emitMaxPoolGrad(id, size: size, stride: s, scatter: false, &w)
        case .avgPoolGrad(let size, let s, _, _): emitAvgPoolGrad(id, size: size, stride: s, &w)
        case .scan: emitScan(id, &w)
        case .scanResult:
            preconditionFailure("n\(id): a scan result is written by its scan")
        case .input, .param, .reshape, .stopGradient:
            // Fed or aliased storage: `buildSteps` never makes these a step.
            preconditionFailure("n\(id) (\(node.op.summary)) is not a step")
        }
    }

    /// Elements from which a loop is split across cores in the optimised tier (`NNGC_PARALLEL_FOR`):
    /// about 30 µs of work, well above what waking a second thread costs.
    static let parallelMinimum = 1 << 17

    func prelude() -> String {
        if style != .inProcess { return libraryPrelude() }
        var w = CWriter()
        w.line("typedef unsigned long long uint64_t;")
        w.line("typedef long long int64_t;")
        // Small helpers called per element; the optimised tier defines NNGC_INLINE to force
        // inlining, which lets its compiler vectorise the loops that call them.
        w.line("#ifndef NNGC_INLINE\n#define NNGC_INLINE static\n#endif")
        // Before a loop whose iterations write disjoint elements and that is large enough to be
        // worth two cores (`parallelMinimum`): OpenMP in the optimised tier, nothing in TinyCC.
        w.line("#ifndef NNGC_PARALLEL_FOR\n#define NNGC_PARALLEL_FOR\n#endif")
        for (_, decl) in CExternals.prototypes { w.line(decl) }
        return w.text + helpers(qualifier: "static")
    }

    /// The random number generator and scalar helpers, each declared with `qualifier`.
    func helpers(qualifier q: String) -> String {
        var w = CWriter()
        w.line("""
        \(q) double nngc_inf(void) { union { uint64_t u; double d; } x; x.u = 0x7FF0000000000000ULL; return x.d; }
        \(q) double nngc_nan(void) { union { uint64_t u; double d; } x; x.u = 0x7FF8000000000000ULL; return x.d; }
        /* CounterRandom (SplitMix64 finaliser), bit-exact with NNGCore.CounterRandom. */
        \(q) uint64_t nngc_mix(uint64_t x) {
          uint64_t z = x + 0x9E3779B97F4A7C15ULL;
          z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
          z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
          return z ^ (z >> 31);
        }
        \(q) double nngc_uniform(uint64_t seed, uint64_t step, uint64_t stream, uint64_t index) {
          uint64_t b = nngc_mix(nngc_mix(nngc_mix(nngc_mix(seed) ^ step) ^ stream) ^ index);
          return (double)(int64_t)(b >> 11) * 0x1p-53;
        }
        """)
        w.line("typedef \(T) T;")
        w.line(cScalarHelpers(scalarContext))
        w.line("\(q) int nngc_finite(T x) { return x - x == 0; }")
        return w.text
    }
}
