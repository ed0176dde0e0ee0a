import NNGCore
import NNGLang

// Sizes bound by data sources (extension): `ising(L = N)` (N defaults to 16) binds the graph
// symbol `L` to N, so `param W1: f32[L*L, 64]` is checked with L = N. `--size L=N` overrides it
// and makes every ising source sample N×N lattices (TrainConfigReader), so one flag changes
// the lattice. The sizes are bound before the graph is checked (LoweringOptions.sizes).

/// The lattice size of an `ising` source that does not give `L`.
public let isingDefaultL = 16

/// The parameters of the `ising` source, in positional order.
public let isingParameters = ["L", "temperatures", "samples", "seed", "thermalization", "interval", "algorithm"]

/// The sizes the sources in `values` (each a source call or a list of them, as after `data =`)
/// bind, merged with `overrides` (which win). Two sources binding one symbol to different
/// sizes is an error at the second. Malformed sources are left to the train-block reader.
public func sourceSizes(_ values: [Expr], file: SourceFile, overrides: [String: Int] = [:]) -> (sizes: [String: Int], diagnostics: [Diagnostic]) {
    var found: [String: (size: Int, range: SourceRange)] = [:]
    var diagnostics: [Diagnostic] = []
    for value in values {
        let items: [Expr]
        if case .list(let xs) = value.kind { items = xs } else { items = [value] }
        for item in items {
            guard case .call(let callee, let args) = item.kind, callee.name == "ising",
                  let bound = try? matchArguments(args, params: isingParameters, callee: callee) else { continue }
            let size: Int
            if let e = bound["L"] {
                guard let v = literalInt(e) else { continue }
                size = v
            } else {
                size = isingDefaultL
            }
            let range = bound["L"]?.range ?? callee.range
            if overrides["L"] != nil { continue }
            if let first = found["L"], first.size != size {
                let line = file.lineColumn(of: first.range.start).line
                diagnostics.append(Diagnostic("size 'L' is \(size) here but \(first.size) at line \(line): a graph has one L (give --size L=N to choose)",
                                              at: range))
            } else if found["L"] == nil {
                found["L"] = (size, range)
            }
        }
    }
    return (found.mapValues(\.size).merging(overrides) { $1 }, diagnostics)
}

/// The data, validation and test values of a train block.
public func sourceValues(_ decl: TrainDecl) -> [Expr] {
    decl.entries.filter { ["data", "validation", "test"].contains($0.key.name) }.map(\.value)
}

/// The sizes bound for graph `graphName` (nil: the only graph) by the train blocks that train
/// it, merged with `overrides`.
public func graphSizes(_ module: Module, graphName: String?, overrides: [String: Int]) -> (sizes: [String: Int], diagnostics: [Diagnostic]) {
    let name = graphName ?? (module.graphs.count == 1 ? module.graphs[0].name.name : nil)
    let trains = module.trains.filter { trainGraphName($0, module: module).0 == name }
    return sourceSizes(trains.flatMap(sourceValues), file: module.file, overrides: overrides)
}

/// The sizes a data value written on its own binds (`nngc eval --data 'ising(L = 8)'`), merged
/// with `overrides`. A value that does not parse binds nothing (reading it reports the error).
public func dataSizes(_ file: SourceFile, overrides: [String: Int]) -> (sizes: [String: Int], diagnostics: [Diagnostic]) {
    let (expr, parseDiagnostics) = parseExpression(file)
    guard let expr, parseDiagnostics.isEmpty else { return (overrides, []) }
    return sourceSizes([expr], file: file, overrides: overrides)
}

/// The graph a train block trains: its `graph` key, or the file's only graph.
public func trainGraphName(_ decl: TrainDecl, module: Module) -> (String?, [Diagnostic]) {
    if let entry = decl.entries.first(where: { $0.key.name == "graph" }) {
        let name: String
        switch entry.value.kind {
        case .name(let n), .string(let n): name = n
        default: return (nil, [Diagnostic("'graph' must be the name of a graph", at: entry.value.range)])
        }
        guard module.graphs.contains(where: { $0.name.name == name }) else {
            return (nil, [Diagnostic("no graph named '\(name)'" + didYouMean(name, module.graphs.map(\.name.name)),
                                     at: entry.value.range)])
        }
        return (name, [])
    }
    switch module.graphs.count {
    case 0: return (nil, [Diagnostic("the file has no graph to train", at: trainKeywordRange(decl))])
    case 1: return (module.graphs[0].name.name, [])
    default:
        let names = module.graphs.map(\.name.name).joined(separator: ", ")
        return (nil, [Diagnostic("the file has several graphs (\(names)): say which with 'graph = NAME'",
                                 at: trainKeywordRange(decl))])
    }
}

/// Where a diagnostic about a whole train block points: its name, else the keyword `train`.
public func trainKeywordRange(_ decl: TrainDecl) -> SourceRange {
    decl.name?.range ?? SourceRange(start: decl.range.start, end: decl.range.start + 5)
}
