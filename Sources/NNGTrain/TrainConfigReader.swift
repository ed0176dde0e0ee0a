import NNGCore
import NNGIR
import NNGLang

// Reading a `train` block. Decisions where the contract is silent:
//
// - `data` (and a `validation`/`test` source) is one source call or a list of them; together
//   they bind graph inputs by name, each input once.
// - `optimizer` is optional (default `sgd()`, lr 0.01); `schedule` defaults to `constant`;
//   an optimizer or schedule may be written without parentheses (`adam`, `constant`).
// - `minimize` may be left out when the graph has exactly one scalar output.
// - `epochs` or `steps` is required unless the command line gives `--epochs`
//   (`epochsOverride`, which wins over both).
// - `early_stop` needs a validation set; validation and test fractions must leave data to
//   train on.
// - Names bound by `ising` that are not graph inputs are ignored (it provides three columns);
//   names bound by the other sources must be graph inputs.

/// The `train` block `name`, or the only one when `name` is nil.
public func selectTrainBlock(_ module: Module, name: String?) -> (TrainDecl?, [Diagnostic]) {
    if let name {
        let matches = module.trains.filter { $0.name?.name == name }
        guard let first = matches.first else {
            let names = module.trains.compactMap { $0.name?.name }
            let what = module.trains.isEmpty ? "the file has no train block" : "no train block named '\(name)'"
            return (nil, [Diagnostic(what + didYouMean(name, names))])
        }
        if matches.count > 1 {
            let line = module.file.lineColumn(of: first.name!.range.start).line
            return (nil, [Diagnostic("train block '\(name)' is defined more than once", at: matches[1].name!.range,
                                     notes: ["note: '\(name)' was first defined at line \(line)"])])
        }
        return (first, [])
    }
    switch module.trains.count {
    case 0: return (nil, [Diagnostic("the file has no train block")])
    case 1: return (module.trains[0], [])
    default:
        let unnamed = module.trains.filter { $0.name == nil }
        if !unnamed.isEmpty { return (nil, unnamed.map { Diagnostic(unnamedTrainBlock, at: trainKeywordRange($0)) }) }
        // Points at the second block (the first is where a single block would have been read),
        // with a note for each other one, so an editor jumps to where the choice arises.
        let names = module.trains.map { $0.name?.name ?? "(unnamed)" }.joined(separator: ", ")
        let notes = module.trains.enumerated().filter { $0.offset != 1 }.map { i, decl in
            "note: train block '\(decl.name?.name ?? "")' is at line \(module.file.lineColumn(of: decl.range.start).line)"
        }
        return (nil, [Diagnostic("the file has several train blocks (\(names)): choose one with --train",
                                 at: trainKeywordRange(module.trains[1]), notes: notes)])
    }
}

let unnamedTrainBlock = "a file with several train blocks must name each (train NAME { … }) so that --train can choose"

/// Every train block read as `nngc train` would read it, without loading data (what `nngc
/// check` reports beyond the graphs): with several blocks each needs a name, and no name twice.
public func checkTrainBlocks(_ module: Module, overrides: [String: Int] = [:]) -> [Diagnostic] {
    var out: [Diagnostic] = []
    var seen: [String: SourceRange] = [:]
    for decl in module.trains {
        if let name = decl.name {
            if let first = seen[name.name] {
                let line = module.file.lineColumn(of: first.start).line
                out.append(Diagnostic("train block '\(name.name)' is defined more than once", at: name.range,
                                      notes: ["note: '\(name.name)' was first defined at line \(line)"]))
            }
            seen[name.name] = seen[name.name] ?? name.range
        } else if module.trains.count > 1 {
            out.append(Diagnostic(unnamedTrainBlock, at: trainKeywordRange(decl)))
        }
        let (graphName, d1) = trainGraphName(decl, module: module)
        out += d1
        // A graph that does not check is reported by checkModule.
        // Size conflicts between sources are reported by checkModule too (graphSizes).
        let sizes = sourceSizes(sourceValues(decl), file: module.file, overrides: overrides).sizes
        guard let graphName, let graph = lowerGraph(module, graphName: graphName, options: LoweringOptions(sizes: sizes)).graph else { continue }
        out += readTrainConfig(decl, module: module, graph: graph, sizes: overrides).1
    }
    return out
}


/// Picks the train block, lowers its graph and reads the block: everything `nngc train`
/// needs before loading data. `config` and `graph` are nil when there is any error.
public func loadTrainSetup(_ module: Module, trainName: String? = nil, options: LoweringOptions = LoweringOptions(),
                           epochsOverride: Int? = nil) -> (config: TrainConfig?, graph: Graph?, diagnostics: [Diagnostic]) {
    let (decl, d1) = selectTrainBlock(module, name: trainName)
    guard let decl else { return (nil, nil, d1) }
    let (graphName, d2) = trainGraphName(decl, module: module)
    guard let graphName else { return (nil, nil, d2) }
    // The sizes its sources bind (ising's L), unless `--size` (options.sizes) chooses them.
    let (sizes, dSizes) = sourceSizes(sourceValues(decl), file: module.file, overrides: options.sizes)
    if !dSizes.isEmpty { return (nil, nil, dSizes) }
    var options = options
    let overrides = options.sizes
    options.sizes = sizes
    let (graph, d3) = lowerGraph(module, graphName: graphName, options: options)
    guard let graph else { return (nil, nil, d3) }
    let (config, d4) = readTrainConfig(decl, module: module, graph: graph, epochsOverride: epochsOverride, sizes: overrides)
    return (config, config == nil ? nil : graph, d3 + d4)
}

/// The file's train block when it trains `graph` (already lowered), read against that graph
/// without lowering it again: what `nngc compile` reports on. nil when the file has no single
/// train block for this graph or the block has errors (`nngc check` reports them).
public func trainConfig(for graph: Graph, in module: Module, sizes: [String: Int] = [:]) -> TrainConfig? {
    guard let decl = selectTrainBlock(module, name: nil).0, trainGraphName(decl, module: module).0 == graph.name else {
        return nil
    }
    return readTrainConfig(decl, module: module, graph: graph, sizes: sizes).0
}

/// Reads and checks a train block. With `graph`, names are checked against it (minimize,
/// report, data bindings). The configuration is nil when there is any error.
/// `sizes` are the command line's `--size` values (`L` replaces the L of every ising source).
public func readTrainConfig(_ decl: TrainDecl, module: Module, graph: Graph?, epochsOverride: Int? = nil,
                            sizes: [String: Int] = [:]) -> (TrainConfig?, [Diagnostic]) {
    var reader = TrainConfigReader(decl: decl, module: module, graph: graph)
    reader.sizes = sizes
    let config = reader.read(epochsOverride: epochsOverride)
    return (reader.diagnostics.isEmpty ? config : nil, reader.diagnostics)
}

/// Reads a data value written on its own, as `nngc eval --data 'ising(L = 16)'` gives it:
/// `file` holds one source or a list of sources, exactly as after `data =` in a train block.
/// With `graph`, every input must be bound. The spec is nil when there is any error.
/// `extra`: names that may be bound without being graph inputs (`nngc eval --by COLUMN`).
public func readDataSpec(_ file: SourceFile, graph: Graph?, role: String = "data", sizes: [String: Int] = [:],
                         extra: Set<String> = []) -> (DataSpec?, [Diagnostic]) {
    let (expr, parseDiagnostics) = parseExpression(file)
    guard let expr, parseDiagnostics.isEmpty else { return (nil, parseDiagnostics) }
    var reader = TrainConfigReader(decl: TrainDecl(name: nil, entries: [], range: expr.range),
                                   module: Module(file: file), graph: graph)
    reader.sizes = sizes
    reader.extraNames = extra
    let spec = try? reader.dataSpec(expr, role: role)
    return (reader.diagnostics.isEmpty ? spec : nil, reader.diagnostics)
}

/// Reads an optimizer written on its own, as after `optimizer =` in a train block
/// (`sgd(lr = 0.05, momentum = 0.9)`), e.g. from a command-line option. Nil when there is any error.
public func readOptimizer(_ file: SourceFile) -> (OptimizerConfig?, [Diagnostic]) {
    let (expr, parseDiagnostics) = parseExpression(file)
    guard let expr, parseDiagnostics.isEmpty else { return (nil, parseDiagnostics) }
    var reader = TrainConfigReader(decl: TrainDecl(name: nil, entries: [], range: expr.range),
                                   module: Module(file: file), graph: nil)
    let config = try? reader.optimizerConfig(expr)
    return (reader.diagnostics.isEmpty ? config : nil, reader.diagnostics)
}

/// Thrown after a diagnostic has been recorded; the key's value is skipped.
struct ConfigFailure: Error {}

struct TrainConfigReader {
    let decl: TrainDecl
    let module: Module
    let graph: Graph?
    var diagnostics: [Diagnostic] = []
    /// `--size` values; `L` replaces the L of every ising source.
    var sizes: [String: Int] = [:]
    /// Names a source may bind that are not graph inputs (kept for `nngc eval --by`).
    var extraNames: Set<String> = []

    init(decl: TrainDecl, module: Module, graph: Graph?) {
        self.decl = decl
        self.module = module
        self.graph = graph
    }

    mutating func fail(_ message: String, at range: SourceRange, notes: [String] = []) -> ConfigFailure {
        diagnostics.append(Diagnostic(message, at: range, notes: notes))
        return ConfigFailure()
    }

    func line(_ range: SourceRange) -> Int { module.file.lineColumn(of: range.start).line }

    // MARK: The block

    mutating func read(epochsOverride: Int?) -> TrainConfig? {
        var entries: [String: TrainEntry] = [:]
        for e in decl.entries {
            let key = e.key.name
            guard TrainConfig.keys.contains(key) else {
                diagnostics.append(Diagnostic("unknown train setting '\(key)'" + didYouMean(key, TrainConfig.keys), at: e.key.range))
                continue
            }
            if let first = entries[key] {
                diagnostics.append(Diagnostic("'\(key)' is set twice", at: e.key.range,
                                              notes: ["note: '\(key)' was first set at line \(line(first.key.range))"]))
                continue
            }
            entries[key] = e
        }
        var ranges: [String: SourceRange] = [:]
        for (k, e) in entries { ranges[k] = e.value.range }

        // graph
        var graphName = graph?.name
        if entries["graph"] != nil || graphName == nil {
            let (name, ds) = trainGraphName(decl, module: module)
            diagnostics += ds
            if let name, let graph, name != graph.name, let e = entries["graph"] {
                diagnostics.append(Diagnostic("the train block trains graph '\(name)', not '\(graph.name)'", at: e.value.range))
            }
            graphName = name ?? graphName
        }

        // minimize
        var minimize: String?
        if let e = entries["minimize"] {
            minimize = try? outputName(e.value, key: "minimize")
        } else if let graph {
            let scalars = graph.outputs.filter { graph.nodes[$0.node].type.shape.isScalar }
            if scalars.count == 1 { minimize = scalars[0].name } else {
                diagnostics.append(Diagnostic("the train block does not say what to minimize: add 'minimize = OUTPUT'",
                                              at: trainKeywordRange(decl)))
            }
        } else {
            diagnostics.append(Diagnostic("the train block does not say what to minimize: add 'minimize = OUTPUT'",
                                          at: trainKeywordRange(decl)))
        }

        // data
        var data: DataSpec?
        if let e = entries["data"] {
            data = try? dataSpec(e.value, role: "data")
        } else {
            diagnostics.append(Diagnostic("the train block has no 'data'", at: trainKeywordRange(decl)))
        }
        let validation = entries["validation"].flatMap { try? split($0.value, key: "validation") }
        let test = entries["test"].flatMap { try? split($0.value, key: "test") }
        if case .fraction(let v)? = validation, case .fraction(let t)? = test, v + t >= 1 {
            diagnostics.append(Diagnostic("validation and test fractions leave no training data (\(formatValue(v)) + \(formatValue(t)) >= 1)",
                                          at: entries["test"]!.value.range))
        }

        let optimizer = entries["optimizer"].flatMap { try? optimizerConfig($0.value) } ?? OptimizerConfig(kind: .sgd)
        let schedule = entries["schedule"].flatMap { try? scheduleValue($0.value) } ?? .constant
        let batch = entries["batch"].flatMap { try? positiveInt($0.value, key: "batch") }
        let epochs = entries["epochs"].flatMap { try? positiveInt($0.value, key: "epochs") }
        let steps = entries["steps"].flatMap { try? positiveInt($0.value, key: "steps") }
        var length: TrainLength?
        if let epochsOverride {
            length = .epochs(epochsOverride)
        } else if let ee = entries["epochs"], let se = entries["steps"] {
            let later = ee.key.range.start > se.key.range.start ? ee : se
            diagnostics.append(Diagnostic("'epochs' and 'steps' cannot both be given", at: later.key.range))
        } else if let epochs {
            length = .epochs(epochs)
        } else if let steps {
            length = .steps(steps)
        } else if entries["epochs"] == nil, entries["steps"] == nil {
            diagnostics.append(Diagnostic("the train block needs 'epochs' or 'steps'", at: trainKeywordRange(decl)))
        }
        var shuffle = true
        if let e = entries["shuffle"] {
            if case .bool(let b) = e.value.kind { shuffle = b } else {
                diagnostics.append(Diagnostic("'shuffle' must be true or false", at: e.value.range))
            }
        }
        var seed: UInt64 = 0
        if let e = entries["seed"] {
            if let v = literalInt(e.value), v >= 0 { seed = UInt64(v) } else {
                diagnostics.append(Diagnostic("'seed' must be a non-negative integer" + got(e.value), at: e.value.range))
            }
        }
        let earlyStop = entries["early_stop"].flatMap { try? positiveInt($0.value, key: "early_stop") }
        if let e = entries["early_stop"], validation == nil, entries["validation"] == nil {
            diagnostics.append(Diagnostic("'early_stop' needs a validation set: add 'validation = SOURCE' or a fraction",
                                          at: e.key.range))
        }
        let report = entries["report"].map { (try? reportList($0.value)) ?? [] } ?? []

        guard diagnostics.isEmpty, let graphName, let minimize, let data, let length else { return nil }
        return TrainConfig(name: decl.name?.name, graph: graphName, minimize: minimize, data: data,
                           validation: validation, test: test, optimizer: optimizer, schedule: schedule,
                           batch: batch, length: length, shuffle: shuffle, seed: seed, earlyStop: earlyStop,
                           report: report, ranges: ranges, range: decl.range)
    }

    // MARK: Values

    /// ", got X" for a number literal that has the wrong value, else "".
    func got(_ e: Expr) -> String {
        literalNumber(e).map { ", got \(formatValue($0))" } ?? ""
    }

    mutating func positiveInt(_ e: Expr, key: String) throws(ConfigFailure) -> Int {
        guard let v = literalInt(e), v > 0 else {
            throw fail("'\(key)' must be a positive integer" + got(e), at: e.range)
        }
        return v
    }

    /// A name of a graph output (checked against the graph when there is one).
    mutating func outputName(_ e: Expr, key: String) throws(ConfigFailure) -> String {
        guard case .name(let name) = e.kind else { throw fail("'\(key)' must be the name of an output", at: e.range) }
        guard let graph else { return name }
        guard let node = graph.output(named: name) else {
            throw fail("'\(name)' is not an output of graph '\(graph.name)'" + didYouMean(name, graph.outputs.map(\.name)),
                       at: e.range)
        }
        let type = graph.nodes[node].type
        guard type.shape.isScalar else {
            throw fail("'\(key)' needs a scalar output, but '\(name)' is \(type)", at: e.range)
        }
        return name
    }

    mutating func reportList(_ e: Expr) throws(ConfigFailure) -> [String] {
        let items: [Expr]
        if case .list(let xs) = e.kind { items = xs } else { items = [e] }
        var names: [String] = []
        var failed = false
        for item in items {
            guard let name = try? outputName(item, key: "report") else { failed = true; continue }
            if names.contains(name) {
                diagnostics.append(Diagnostic("'\(name)' is reported twice", at: item.range))
                failed = true
            }
            names.append(name)
        }
        if failed { throw ConfigFailure() }
        return names
    }

    mutating func split(_ e: Expr, key: String) throws(ConfigFailure) -> SplitSpec {
        if let v = literalNumber(e) {
            guard v > 0, v < 1 else {
                throw fail("'\(key)' must be a fraction in (0, 1) or a data source, got \(formatValue(v))", at: e.range)
            }
            return .fraction(v)
        }
        return .data(try dataSpec(e, role: key))
    }

    /// Matches call arguments to named parameters (positional, then keyword), as operations do.
    mutating func bindArguments(_ args: [Argument], params: [String], callee: Identifier) throws(ConfigFailure) -> [String: Expr] {
        do { return try matchArguments(args, params: params, callee: callee) }
        catch { throw fail(error.message, at: error.range) }
    }

    /// `name` or `name(args…)`: the callee and its arguments.
    func callParts(_ e: Expr) -> (Identifier, [Argument])? {
        switch e.kind {
        case .name(let n): return (Identifier(n, e.range), [])
        case .call(let callee, let args): return (callee, args)
        default: return nil
        }
    }

    mutating func number(_ e: Expr?, default d: Double, _ p: String, of op: String,
                         where ok: (Double) -> Bool = { _ in true }, _ requirement: String = "") throws(ConfigFailure) -> Double {
        guard let e else { return d }
        guard let v = literalNumber(e) else { throw fail("'\(p)' of '\(op)' must be a number literal", at: e.range) }
        guard ok(v) else { throw fail("'\(p)' of '\(op)' must be \(requirement), got \(formatValue(v))", at: e.range) }
        return v
    }

    mutating func integer(_ e: Expr?, default d: Int, _ p: String, of op: String, minimum: Int, maximum: Int = Int.max) throws(ConfigFailure) -> Int {
        guard let e else { return d }
        guard let v = literalInt(e), v >= minimum else {
            let what = minimum == 1 ? "a positive integer" : minimum == 0 ? "a non-negative integer" : "an integer ≥ \(minimum)"
            throw fail("'\(p)' of '\(op)' must be \(what)" + got(e), at: e.range)
        }
        guard v <= maximum else { throw fail("'\(p)' of '\(op)' must be at most \(maximum)" + got(e), at: e.range) }
        return v
    }

    /// The most elements one column of data may have (BLAS indexes with 32-bit integers).
    static let maxElements = Int(Int32.max)

    mutating func optimizerConfig(_ e: Expr) throws(ConfigFailure) -> OptimizerConfig {
        let names = OptimizerKind.allCases.map(\.rawValue)
        guard let (callee, args) = callParts(e) else {
            throw fail("'optimizer' must be sgd(…), adam(…) or adamw(…)", at: e.range)
        }
        guard let kind = OptimizerKind(rawValue: callee.name) else {
            throw fail("unknown optimizer '\(callee.name)'" + didYouMean(callee.name, names) + " (sgd, adam, adamw)", at: callee.range)
        }
        let a = try bindArguments(args, params: OptimizerConfig.parameters(kind), callee: callee)
        let op = callee.name
        var c = OptimizerConfig(kind: kind)
        c.lr = try number(a["lr"], default: c.lr, "lr", of: op, where: { $0 > 0 && $0.isFinite }, "positive")
        c.weightDecay = try number(a["weight_decay"], default: 0, "weight_decay", of: op, where: { $0 >= 0 && $0.isFinite }, "non-negative")
        switch kind {
        case .sgd:
            c.momentum = try number(a["momentum"], default: 0, "momentum", of: op, where: { $0 >= 0 && $0 < 1 }, "in [0, 1)")
            if let n = a["nesterov"] {
                guard case .bool(let b) = n.kind else { throw fail("'nesterov' of 'sgd' must be true or false", at: n.range) }
                c.nesterov = b
                if b, c.momentum == 0 { throw fail("nesterov momentum needs 'momentum' > 0", at: n.range) }
            }
        case .adam, .adamw:
            c.beta1 = try number(a["beta1"], default: 0.9, "beta1", of: op, where: { $0 >= 0 && $0 < 1 }, "in [0, 1)")
            c.beta2 = try number(a["beta2"], default: 0.999, "beta2", of: op, where: { $0 >= 0 && $0 < 1 }, "in [0, 1)")
            c.eps = try number(a["eps"], default: 1e-8, "eps", of: op, where: { $0 > 0 && $0.isFinite }, "positive")
        }
        return c
    }

    mutating func scheduleValue(_ e: Expr) throws(ConfigFailure) -> Schedule {
        let names = ["constant", "step", "cosine"]
        guard let (callee, args) = callParts(e) else {
            throw fail("'schedule' must be constant, step(every = N, gamma = G) or cosine(min_lr = M)", at: e.range)
        }
        switch callee.name {
        case "constant":
            _ = try bindArguments(args, params: [], callee: callee)
            return .constant
        case "step":
            let a = try bindArguments(args, params: ["every", "gamma"], callee: callee)
            guard let everyExpr = a["every"] else { throw fail("missing argument 'every' for 'step'", at: callee.range) }
            let every = try integer(everyExpr, default: 1, "every", of: "step", minimum: 1)
            let gamma = try number(a["gamma"], default: 0.1, "gamma", of: "step", where: { $0 > 0 && $0.isFinite }, "positive")
            return .step(every: every, gamma: gamma)
        case "cosine":
            let a = try bindArguments(args, params: ["min_lr"], callee: callee)
            let m = try number(a["min_lr"], default: 0, "min_lr", of: "cosine", where: { $0 >= 0 && $0.isFinite }, "non-negative")
            return .cosine(minLR: m)
        default:
            throw fail("unknown schedule '\(callee.name)'" + didYouMean(callee.name, names) + " (constant, step, cosine)", at: callee.range)
        }
    }

    // MARK: Data sources

    /// One source or a list of sources; with a graph, every input must be bound exactly once.
    mutating func dataSpec(_ e: Expr, role: String) throws(ConfigFailure) -> DataSpec {
        let items: [Expr]
        if case .list(let xs) = e.kind {
            guard !xs.isEmpty else { throw fail("'\(role)' needs at least one data source", at: e.range) }
            items = xs
        } else {
            items = [e]
        }
        var sources: [DataSource] = []
        var failed = false
        for item in items {
            if let s = try? dataSource(item) { sources.append(s) } else { failed = true }
        }
        if failed { throw ConfigFailure() }
        var bound: [String: SourceRange] = [:]
        for s in sources {
            for name in s.names {
                if case .ising = s.kind, let graph, !graph.inputs.contains(where: { $0.name == name }) { continue }
                let r = s.bindingRanges[name].map { labelRange(before: $0, in: s) } ?? s.range
                if let first = bound[name] {
                    diagnostics.append(Diagnostic("input '\(name)' is bound twice", at: r,
                                                  notes: ["note: '\(name)' was first bound at line \(line(first))"]))
                    failed = true
                }
                bound[name] = r
            }
        }
        if let graph {
            let inputs = graph.inputs.map(\.name)
            for s in sources where s.sourceName != "ising" {
                for name in s.names where !inputs.contains(name) && !extraNames.contains(name) {
                    diagnostics.append(Diagnostic("'\(name)' is not an input of graph '\(graph.name)'" + didYouMean(name, inputs),
                                                  at: s.bindingRanges[name].map { labelRange(before: $0, in: s) } ?? s.range))
                    failed = true
                }
            }
            let what = role == "data" ? "the data" : "the \(role) data"
            for name in inputs where bound[name] == nil {
                diagnostics.append(Diagnostic("input '\(name)' is not bound by \(what)", at: e.range))
                failed = true
            }
        }
        if failed { throw ConfigFailure() }
        return DataSpec(sources: sources, range: e.range)
    }

    /// The label of a binding (`x` in `x = [0, 1]`), found from the argument's value.
    func labelRange(before value: SourceRange, in source: DataSource) -> SourceRange {
        labelRanges[value.start] ?? value
    }

    /// Label ranges of the source currently being read, by the start of their values.
    var labelRanges: [Int: SourceRange] = [:]

    mutating func dataSource(_ e: Expr) throws(ConfigFailure) -> DataSource {
        let names = ["csv", "npy", "idx", "grid", "mesh", "ising"]
        guard case .call(let callee, let args) = e.kind else {
            throw fail("a data source must be a call such as csv(\"data.csv\", x = [0, 1]), npy(x = \"x.npy\") or ising()",
                       at: e.range)
        }
        guard names.contains(callee.name) else {
            throw fail("unknown data source '\(callee.name)'" + didYouMean(callee.name, names) + " (csv, npy, idx, grid, mesh, ising)",
                       at: callee.range)
        }
        for a in args { if let l = a.label { labelRanges[a.value.range.start] = l.range } }
        var ranges: [String: SourceRange] = [:]
        switch callee.name {
        case "ising":
            let a = try bindArguments(args, params: isingParameters, callee: callee)
            var spec = IsingSpec()
            // L·L spins per sample must be a count of elements (46340² < 2³¹).
            spec.L = try integer(a["L"], default: spec.L, "L", of: "ising", minimum: 2, maximum: 46340)
            if let L = sizes["L"] {
                guard (2...46340).contains(L) else {
                    throw fail("--size L=\(L) sets the 'L' of 'ising', which must be in 2…46340", at: a["L"]?.range ?? callee.range)
                }
                spec.L = L
            }
            spec.samples = try integer(a["samples"], default: spec.samples, "samples", of: "ising", minimum: 1, maximum: Self.maxElements)
            spec.seed = UInt64(try integer(a["seed"], default: 0, "seed", of: "ising", minimum: 0))
            spec.thermalization = try integer(a["thermalization"], default: spec.thermalization, "thermalization", of: "ising", minimum: 0)
            spec.interval = try integer(a["interval"], default: spec.interval, "interval", of: "ising", minimum: 1)
            if let t = a["temperatures"] { spec.temperatures = try temperatures(t) }
            if let al = a["algorithm"] { spec.algorithm = try isingAlgorithm(al) }
            return DataSource(.ising(spec), range: e.range)
        case "csv":
            var path: String?
            var columns: [String: [Int]] = [:]
            var header = CSVHeader.auto
            var allowNonFinite = false
            var sawKeyword = false
            for (i, arg) in args.enumerated() {
                guard let label = arg.label else {
                    if sawKeyword { throw fail("a positional argument cannot follow keyword arguments", at: arg.value.range) }
                    guard i == 0 else { throw fail("'csv' takes one positional argument, the file path", at: arg.value.range) }
                    guard case .string(let p) = arg.value.kind else {
                        throw fail("the first argument of 'csv' must be a file path string", at: arg.value.range)
                    }
                    path = p
                    continue
                }
                sawKeyword = true
                if label.name == "header" {
                    header = try headerValue(arg.value)
                    continue
                }
                if label.name == Self.allowNonFinite {
                    allowNonFinite = try allowNonFiniteValue(arg.value, of: "csv")
                    continue
                }
                guard columns[label.name] == nil else {
                    throw fail("argument '\(label.name)' of 'csv' is given twice", at: label.range)
                }
                columns[label.name] = try columnList(arg.value, name: label.name)
                ranges[label.name] = arg.value.range
            }
            guard let path else { throw fail("'csv' needs a file path: csv(\"data.csv\", x = [0, 1])", at: callee.range) }
            guard !columns.isEmpty else { throw fail("'csv' binds no input: add NAME = [columns]", at: callee.range) }
            var source = DataSource(.csv(path: path, columns: columns, header: header), range: e.range, bindingRanges: ranges)
            source.allowsNonFinite = allowNonFinite
            return source
        case "npy", "idx":
            var paths: [String: String] = [:]
            var allowNonFinite = false
            for arg in args {
                guard let label = arg.label else {
                    throw fail("'\(callee.name)' binds inputs by name: \(callee.name)(x = \"x.\(callee.name)\")", at: arg.value.range)
                }
                if label.name == Self.allowNonFinite {
                    allowNonFinite = try allowNonFiniteValue(arg.value, of: callee.name)
                    continue
                }
                guard paths[label.name] == nil else {
                    throw fail("argument '\(label.name)' of '\(callee.name)' is given twice", at: label.range)
                }
                guard case .string(let p) = arg.value.kind else {
                    throw fail("'\(label.name)' of '\(callee.name)' must be a file path string", at: arg.value.range)
                }
                paths[label.name] = p
                ranges[label.name] = arg.value.range
            }
            guard !paths.isEmpty else { throw fail("'\(callee.name)' binds no input: add NAME = \"PATH\"", at: callee.range) }
            var source = DataSource(callee.name == "npy" ? .npy(paths) : .idx(paths), range: e.range, bindingRanges: ranges)
            source.allowsNonFinite = allowNonFinite
            return source
        case "mesh":
            return try meshSource(callee, args, range: e.range)
        default: // grid
            var grids: [String: Linspace] = [:]
            for arg in args {
                guard let label = arg.label else {
                    throw fail("'grid' binds inputs by name: grid(x = linspace(-1, 1, 100))", at: arg.value.range)
                }
                guard grids[label.name] == nil else {
                    throw fail("argument '\(label.name)' of 'grid' is given twice", at: label.range)
                }
                grids[label.name] = try linspace(arg.value, of: "grid")
                ranges[label.name] = arg.value.range
            }
            guard !grids.isEmpty else { throw fail("'grid' binds no input: add NAME = linspace(A, B, N)", at: callee.range) }
            return DataSource(.grid(grids), range: e.range, bindingRanges: ranges)
        }
    }

    /// `mesh(NAME = linspace(A, B, N), …)`: the axes in the order written (the first varies
    /// slowest), each binding one input; the product of the counts is the number of samples.
    mutating func meshSource(_ callee: Identifier, _ args: [Argument], range: SourceRange) throws(ConfigFailure) -> DataSource {
        var axes: [MeshAxis] = []
        var ranges: [String: SourceRange] = [:]
        var samples = 1
        for arg in args {
            guard let label = arg.label else {
                throw fail("'mesh' binds inputs by name: mesh(x = linspace(0, 1, 21), t = linspace(0, 1, 11))", at: arg.value.range)
            }
            guard ranges[label.name] == nil else {
                throw fail("argument '\(label.name)' of 'mesh' is given twice", at: label.range)
            }
            let points = try linspace(arg.value, of: "mesh")
            let (product, overflow) = samples.multipliedReportingOverflow(by: points.count)
            guard !overflow, product <= Self.maxElements else {
                throw fail("'mesh' has too many points (more than \(Self.maxElements))", at: arg.value.range)
            }
            samples = product
            axes.append(MeshAxis(label.name, points))
            ranges[label.name] = arg.value.range
        }
        guard !axes.isEmpty else { throw fail("'mesh' binds no input: add NAME = linspace(A, B, N)", at: callee.range) }
        return DataSource(.mesh(axes), range: range, bindingRanges: ranges)
    }

    /// The keyword of csv, npy and idx that lets NaN and ±∞ through (docs/training-data.md).
    static let allowNonFinite = "allow_nonfinite"

    mutating func allowNonFiniteValue(_ e: Expr, of source: String) throws(ConfigFailure) -> Bool {
        guard case .bool(let b) = e.kind else { throw fail("'\(Self.allowNonFinite)' of '\(source)' must be true or false", at: e.range) }
        return b
    }

    mutating func headerValue(_ e: Expr) throws(ConfigFailure) -> CSVHeader {
        switch e.kind {
        case .bool(let b): return b ? .present : .absent
        case .name("auto"), .string("auto"): return .auto
        default: throw fail("'header' of 'csv' must be auto, true or false", at: e.range)
        }
    }

    mutating func columnList(_ e: Expr, name: String) throws(ConfigFailure) -> [Int] {
        let items: [Expr]
        if case .list(let xs) = e.kind { items = xs } else { items = [e] }
        guard !items.isEmpty else { throw fail("'\(name)' of 'csv' needs at least one column", at: e.range) }
        var out: [Int] = []
        for item in items {
            guard let v = literalInt(item), v >= 0 else {
                throw fail("a column of 'csv' must be a non-negative integer (0-based)" + got(item), at: item.range)
            }
            out.append(v)
        }
        return out
    }

    mutating func linspace(_ e: Expr, of op: String) throws(ConfigFailure) -> Linspace {
        guard case .call(let callee, let args) = e.kind, callee.name == "linspace" else {
            throw fail("expected linspace(A, B, N)", at: e.range)
        }
        let a = try bindArguments(args, params: ["start", "end", "count"], callee: callee)
        for p in ["start", "end", "count"] where a[p] == nil {
            throw fail("missing argument '\(p)' for 'linspace'", at: callee.range)
        }
        let start = try number(a["start"], default: 0, "start", of: "linspace", where: { $0.isFinite }, "finite")
        let end = try number(a["end"], default: 0, "end", of: "linspace", where: { $0.isFinite }, "finite")
        let n = try integer(a["count"], default: 1, "count", of: "linspace", minimum: 1, maximum: Self.maxElements)
        return Linspace(start, end, n)
    }

    /// `linspace(A, B, N)`, a list of numbers or one number; every temperature positive.
    /// `algorithm = swendsen_wang | wolff | metropolis` (a name or a string).
    mutating func isingAlgorithm(_ e: Expr) throws(ConfigFailure) -> IsingAlgorithm {
        let names = IsingAlgorithm.allCases.map(\.rawValue)
        let written: String
        switch e.kind {
        case .name(let n), .string(let n): written = n
        default: throw fail("'algorithm' of 'ising' must be one of " + names.joined(separator: ", "), at: e.range)
        }
        guard let algorithm = IsingAlgorithm(rawValue: written) else {
            throw fail("unknown algorithm '\(written)'" + didYouMean(written, names) + " (" + names.joined(separator: ", ") + ")", at: e.range)
        }
        return algorithm
    }

    mutating func temperatures(_ e: Expr) throws(ConfigFailure) -> [Double] {
        var values: [(Double, SourceRange)] = []
        switch e.kind {
        case .call:
            values = try linspace(e, of: "ising").values.map { ($0, e.range) }
        case .list(let items):
            guard !items.isEmpty else { throw fail("'temperatures' of 'ising' needs at least one temperature", at: e.range) }
            for item in items {
                guard let v = literalNumber(item) else {
                    throw fail("'temperatures' of 'ising' must be linspace(A, B, N) or a list of numbers", at: item.range)
                }
                values.append((v, item.range))
            }
        default:
            guard let v = literalNumber(e) else {
                throw fail("'temperatures' of 'ising' must be linspace(A, B, N) or a list of numbers", at: e.range)
            }
            values = [(v, e.range)]
        }
        for (v, r) in values where !(v > 0 && v.isFinite) {
            throw fail("a temperature must be positive, got \(formatValue(v))", at: r)
        }
        return values.map(\.0)
    }
}
