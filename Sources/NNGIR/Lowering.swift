import NNGCore
import NNGLang

// The checker: parsed AST -> typed SSA graph. Decisions where the contract is silent:
//
// - Element type: `--dtype` (LoweringOptions.dtype) re-types every declared type; otherwise
//   the first declared type of the graph fixes it and a different one is an error there.
// - Names: one namespace for values (inputs, params, assignments), one for fns and
//   operations. A value may be named `relu`; a call `relu(…)` always means the operation or
//   a fn, and a fn may not take an operation's name. Symbols in types and in the dimension
//   lists of reshape/broadcast are a third namespace.
// - `output` statements are resolved after the whole graph body, wherever they stand.
// - Aliases: `h = x` binds h to x's node (no new node; the node keeps its own name). An
//   output `h` is recorded in Graph.outputs under "h"; the printer writes it back as the
//   alias line `h: T = x`, which lowers to the same graph.
// - Values computed inside an inlined fn are unnamed; the value of an assignment gets the
//   assigned name.
// - Arithmetic on number literals is folded (`-3`, `2 * 3`, `(0/0)` become constants).
// - Random operations get stream n (or their `stream = N` argument), n counting the
//   random operations of the graph in creation (= source = printing) order.
// - After an error in a statement the defined name is poisoned: later uses of it report
//   nothing, so independent errors are all reported without cascades.

/// Options of the lowering beyond the graph to lower.
public struct LoweringOptions: Sendable {
    /// Re-types the whole graph (contract 4, `--dtype`); nil: the declared element type.
    public var dtype: DType?
    /// Builds ∂y/∂x into the graph for `grad(y, x)` (y a scalar node, x a node) and returns
    /// the node of the result. nil: `grad` is reported as not supported.
    public var differentiate: (@Sendable (inout Graph, _ y: NodeID, _ x: NodeID) throws(ShapeError) -> NodeID)?

    /// Bounds on the work of the lowering (LoweringLimits.swift).
    public var limits = LoweringLimits()

    /// Sizes bound before checking (`--size`, a data source such as `ising(L = 16)`): these
    /// symbols are replaced by their sizes in every type and shape (DimensionArithmetic.swift).
    public var sizes: [String: Int] = [:]

    public init(dtype: DType? = nil, sizes: [String: Int] = [:],
                differentiate: (@Sendable (inout Graph, NodeID, NodeID) throws(ShapeError) -> NodeID)? = nil) {
        self.dtype = dtype
        self.sizes = sizes
        self.differentiate = differentiate
    }
}

/// Checks and lowers one graph of a parsed module (graphName nil = the only graph; error if
/// several and none named). The graph is nil when there is any error.
public func lowerGraph(_ module: Module, graphName: String? = nil, dtype: DType? = nil) -> (graph: Graph?, diagnostics: [Diagnostic]) {
    lowerGraph(module, graphName: graphName, options: LoweringOptions(dtype: dtype))
}

public func lowerGraph(_ module: Module, graphName: String? = nil, options: LoweringOptions) -> (graph: Graph?, diagnostics: [Diagnostic]) {
    onLargeStack { lowerGraphOnThisStack(module, graphName: graphName, options: options) }
}

private func lowerGraphOnThisStack(_ module: Module, graphName: String?, options: LoweringOptions) -> (graph: Graph?, diagnostics: [Diagnostic]) {
    let decl: GraphDecl
    if let graphName {
        guard let g = module.graphs.first(where: { $0.name.name == graphName }) else {
            let hint = didYouMean(graphName, module.graphs.map(\.name.name))
            return (nil, [Diagnostic("no graph named '\(graphName)'" + hint)])
        }
        decl = g
    } else {
        switch module.graphs.count {
        case 0: return (nil, [Diagnostic("the file has no graph")])
        case 1: decl = module.graphs[0]
        default:
            let names = module.graphs.map(\.name.name).joined(separator: ", ")
            return (nil, [Diagnostic("the file has several graphs (\(names)): choose one with --graph")])
        }
    }
    var lowerer = Lowerer(module: module, options: options)
    lowerer.checkFunctionDeclarations()
    var graph = lowerer.lower(decl)
    let diagnostics = deduplicated(lowerer.diagnostics)
    graph.valueNames = lowerer.valueNames
    return (diagnostics.contains { $0.severity == .error } ? nil : graph, diagnostics)
}

/// Checks every graph and fn of the module (for `nngc check`): all diagnostics, in source order.
/// Each graph is checked with the sizes its train blocks' sources bind, or `overrides` (`--size`).
public func checkModule(_ module: Module, overrides: [String: Int] = [:]) -> [Diagnostic] {
    onLargeStack { checkModuleOnThisStack(module, overrides: overrides) }
}

private func checkModuleOnThisStack(_ module: Module, overrides: [String: Int]) -> [Diagnostic] {
    var all: [Diagnostic] = []
    var lowerer = Lowerer(module: module, options: LoweringOptions())
    lowerer.checkFunctionDeclarations()
    lowerer.checkFunctionBodies()
    all += lowerer.diagnostics
    var seen: [String: SourceRange] = [:]
    for g in module.graphs {
        if let first = seen[g.name.name] {
            all.append(Diagnostic("graph '\(g.name.name)' is already defined", at: g.name.range,
                                  notes: [lowerer.firstDefinedNote(g.name.name, first)]))
            continue
        }
        seen[g.name.name] = g.name.range
        let (sizes, sizeDiagnostics) = graphSizes(module, graphName: g.name.name, overrides: overrides)
        all += sizeDiagnostics
        var l = Lowerer(module: module, options: LoweringOptions(sizes: sizes))
        _ = l.lower(g)
        all += l.diagnostics
    }
    return deduplicated(all).sorted { $0.range.start < $1.range.start }
}

/// Drops repeated diagnostics (same message at the same place), e.g. from a fn inlined twice.
func deduplicated(_ ds: [Diagnostic]) -> [Diagnostic] {
    var seen = Set<String>()
    return ds.filter { seen.insert("\($0.range.start):\($0.range.end):\($0.message)").inserted }
}

public func didYouMean(_ name: String, _ candidates: some Sequence<String>) -> String {
    closestName(to: name, among: candidates).map { "; did you mean '\($0)'?" } ?? ""
}

/// The checker and lowering of one graph: name resolution, `fn` inlining, type inference.
struct Lowerer {
    let module: Module
    let options: LoweringOptions
    var fns: [String: FnDecl] = [:]
    var graph = Graph(name: "", dtype: .f32)
    var diagnostics: [Diagnostic] = []
    /// The node of every name the graph body defines (aliases included), once lowered.
    var valueNames: [String: NodeID] = [:]
    /// Random operations created so far (their stream keys are `<graph>/<index>`).
    var randomCount = 0
    /// The fn calls being inlined, outermost first.
    var callStack: [(name: String, range: SourceRange)] = []
    /// The names in `callStack` (a recursive call is one of them).
    var inlining: Set<String> = []
    var callGraph: FnCallGraph
    /// Operations and fns, sorted: "did you mean" candidates for an unknown call (sorted so the
    /// hint among equally close names does not follow a dictionary's hash order).
    let callableNames: [String]
    var sharing = LoweringSharing()
    /// Nesting of `lowerExpr` calls, through expressions and inlined fn bodies.
    var depth = 0
    /// Candidates compared by "did you mean" hints so far (Suggestions.swift).
    var suggestionWork = 0

    init(module: Module, options: LoweringOptions) {
        self.module = module
        self.options = options
        for f in module.functions where fns[f.name.name] == nil { fns[f.name.name] = f }
        callGraph = FnCallGraph(fns: fns)
        callableNames = (Array(operationNames) + Array(fns.keys)).sorted()
    }

    // MARK: Diagnostics

    mutating func error(_ message: String, at range: SourceRange, notes: [String] = []) {
        var notes = notes
        // The innermost calls (a deep chain would otherwise make every error as long as it).
        let shown = 10
        for call in callStack.reversed().prefix(shown) {
            let (line, column) = module.file.lineColumn(of: call.range.start)
            notes.append("note: in the call of '\(call.name)' at line \(line), column \(column)")
        }
        if callStack.count > shown { notes.append("note: … and \(callStack.count - shown) outer calls") }
        diagnostics.append(Diagnostic(message, at: range, notes: notes))
    }

    /// Records an error and aborts the current statement.
    mutating func fail(_ message: String, at range: SourceRange, notes: [String] = []) -> LoweringFailure {
        error(message, at: range, notes: notes)
        return LoweringFailure()
    }

    func firstDefinedNote(_ name: String, _ range: SourceRange) -> String {
        "note: '\(name)' was first defined at line \(module.file.lineColumn(of: range.start).line)"
    }

    // MARK: Graphs

    mutating func lower(_ decl: GraphDecl) -> Graph {
        let dtype = options.dtype ?? firstDeclaredDType(decl) ?? .f32
        graph = Graph(name: decl.name.name, dtype: dtype, file: module.file)
        randomCount = 0
        var declared = Set<String>()
        for s in decl.statements {
            switch s.kind {
            case .input(let id, _), .param(let id, _, _), .assign(let id, _, _): declared.insert(id.name)
            case .output: break
            }
        }
        var scope = Scope(declared: declared)
        var outputs: [Identifier] = []
        var sawOutput = false
        for s in decl.statements {
            switch s.kind {
            case .input(let id, let typeExpr):
                let type = resolveType(typeExpr)
                var entry = Scope.Entry.poisoned
                if let type, scope.entry(id.name) == nil {
                    entry = .node(graph.append(Node(op: .input(id.name), inputs: [], type: type, name: id.name, range: id.range)))
                    recordSizes(typeExpr, declaring: id.name)
                }
                define(id, entry, in: &scope)
            case .param(let id, let typeExpr, let initializer):
                var entry = Scope.Entry.poisoned
                if let type = resolveType(typeExpr) {
                    recordSizes(typeExpr)
                    if let unbound = type.shape.symbols.first {
                        error("parameter '\(id.name)' is \(type): the size of '\(unbound)' is not bound; give --size \(unbound)=N, or a data source that binds it",
                              at: typeExpr.dims.first { $0.mentions(unbound) }?.range ?? typeExpr.range)
                    } else if Monomial(type.shape.dims) == nil {
                        error("parameter '\(id.name)' is too large: \(type)", at: typeExpr.range)
                    } else if let initValue = try? paramInit(initializer, type: type, name: id), scope.entry(id.name) == nil {
                        entry = .node(graph.append(Node(op: .param(id.name, initValue), inputs: [], type: type, name: id.name, range: id.range)))
                    }
                }
                define(id, entry, in: &scope)
            case .assign(let id, let typeExpr, let expr):
                define(id, lowerBinding(id, typeExpr, expr, in: scope), in: &scope)
            case .output(let ids):
                sawOutput = true
                outputs += ids
            }
        }
        // Outputs are resolved after the whole body, wherever the `output` statement stands.
        for id in outputs {
            if graph.outputs.contains(where: { $0.name == id.name }) {
                error("'\(id.name)' is already an output", at: id.range)
                continue
            }
            switch scope.entry(id.name) {
            case .node(let n): graph.outputs.append((id.name, n))
            case .poisoned: break
            case nil: error("unknown name '\(id.name)' in output" + didYouMean(id.name, scope.order), at: id.range)
            }
        }
        if !sawOutput {
            error("graph '\(decl.name.name)' has no output", at: decl.name.range)
        }
        for name in scope.order { if case .node(let n) = scope.entry(name) { valueNames[name] = n } }
        return graph
    }

    /// Defines `id`, reporting a redefinition.
    mutating func define(_ id: Identifier, _ entry: Scope.Entry, in scope: inout Scope) {
        if !scope.define(id.name, entry, at: id.range) {
            error("'\(id.name)' is already defined", at: id.range,
                  notes: [firstDefinedNote(id.name, scope.definitionRange(id.name) ?? .none)])
        }
    }

    /// `name [: type] = expr` in a graph or fn body: the value, named (unless it is an alias
    /// of an existing named value), and checked against the annotation.
    mutating func lowerBinding(_ id: Identifier, _ typeExpr: TypeExpr?, _ expr: Expr, in scope: Scope) -> Scope.Entry {
        let declaredType = typeExpr.flatMap { resolveType($0) }
        guard let node = try? lowerExpr(expr, in: scope) else { return .poisoned }
        // An alias (`h = x`) refers to the same node, which keeps its own name; an output of
        // the alias is recorded under the alias name (Graph.outputs), so nothing is added.
        // Values computed inside a fn stay unnamed (callStack non-empty).
        if callStack.isEmpty, graph.nodes[node].name == nil { graph.nodes[node].name = id.name }
        if let declaredType, declaredType != graph.nodes[node].type {
            error("'\(id.name)' is declared \(declaredType) but is \(graph.nodes[node].type)", at: typeExpr!.range)
            return .poisoned
        }
        return .node(node)
    }

    // MARK: Types

    func firstDeclaredDType(_ decl: GraphDecl) -> DType? {
        for s in decl.statements {
            switch s.kind {
            case .input(_, let t), .param(_, let t, _): return t.dtype
            case .assign(_, let t?, _): return t.dtype
            default: continue
            }
        }
        return nil
    }

    /// Notes which fixed sizes a declared type uses (Graph.sizes, Graph.declaredInputTypes).
    mutating func recordSizes(_ t: TypeExpr, declaring input: String? = nil) {
        let used = options.sizes.filter { s in t.dims.contains { $0.mentions(s.key) } }
        guard !used.isEmpty else { return }
        graph.sizes.merge(used) { $1 }
        if let input { graph.declaredInputTypes[input] = module.file.text(of: t.range) }
    }

    /// A written type in the graph's element type; nil after an error.
    mutating func resolveType(_ t: TypeExpr) -> TensorType? {
        var ok = true
        if options.dtype == nil, t.dtype != graph.dtype {
            error("mixed element types: the graph is \(graph.dtype) but this is \(t.dtype)", at: t.range)
            ok = false
        }
        var dims: [Dim] = []
        for d in t.dims {
            switch d {
            case .size(let n, let r):
                if n <= 0 {
                    error("a dimension must be a positive integer, got \(n)", at: r)
                    ok = false
                }
                dims.append(.known(n))
            case .symbol(let id):
                dims.append(options.sizes[id.name].map { .known($0) } ?? .symbol(id.name))
            case .arithmetic(let e):
                do { dims.append(try evaluateDimension(e, sizes: options.sizes)) } catch {
                    self.error(error.message, at: error.range)
                    ok = false
                }
            }
        }
        return ok ? TensorType(graph.dtype, Shape(dims)) : nil
    }

    // MARK: Nodes

    /// Adds an operation, turning a shape error into a diagnostic at `errorRange`.
    mutating func add(_ op: Op, _ inputs: [NodeID], range: SourceRange, errorRange: SourceRange) throws(LoweringFailure) -> NodeID {
        let key = SharedNode(op: op, inputs: inputs, shape: nil)
        if let shared = sharedNode(key) { return shared }
        do {
            let id = try graph.add(op, inputs, range: range)
            recordShared(key, id)
            return id
        } catch {
            throw fail(error.message, at: errorRange)
        }
    }

    mutating func constant(_ values: [Double], shape: Shape, range: SourceRange) -> NodeID {
        let key = SharedNode(op: .constant(values), inputs: [], shape: shape)
        if let shared = sharedNode(key) { return shared }
        let id = graph.addConstant(values, shape: shape, range: range)
        recordShared(key, id)
        return id
    }
}
