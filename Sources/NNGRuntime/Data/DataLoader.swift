import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// Loads the sources of a train block and binds them to a graph's inputs.
///
/// - Paths are relative to `baseDirectory` (the .nng file's folder) unless absolute.
/// - Every column is shaped to its input: data [N, d₁…dₖ] fits an input [B, e₁…eₖ] when each
///   eᵢ is dᵢ or a symbol (one size per symbol across the inputs); otherwise, when the eᵢ are
///   all numbers with the same product as the dᵢ, the samples are reshaped (an IDX image
///   file [N, 28, 28] feeds an input [B, 784]). Anything else is an error.
/// - Values are converted to the graph's element type.
/// Errors are diagnostics at the source (or the binding) in the .nng file; their message
/// names the data file, line and column where there is one.
public struct DataLoader: Sendable {
    public var baseDirectory: String
    /// In data-parallel training: each rank reads or generates its block of every source, and
    /// the blocks are gathered (Distributed/RankLocalData.swift). nil: one process reads all.
    public var job: DataParallel?

    public init(baseDirectory: String, job: DataParallel? = nil) {
        self.baseDirectory = baseDirectory
        self.job = job
    }

    /// The loader for sources written in `nngFile` (paths relative to its folder).
    public init(nngFile path: String, job: DataParallel? = nil) {
        let dir = (path as NSString).deletingLastPathComponent
        self.init(baseDirectory: dir.isEmpty ? "." : dir, job: job)
    }

    /// The job whose ranks share the reading, when there are several.
    private var sharing: DataParallel? { job.flatMap { $0.size > 1 ? $0 : nil } }

    /// The training, validation and test sets of a train block (fractions held out after a
    /// shuffle seeded by the block's seed).
    public func loadAll(_ config: TrainConfig, graph: Graph) throws(DiagnosticsError) -> (train: Dataset, validation: Dataset?, test: Dataset?) {
        var train = try load(config.data, graph: graph, role: "data")
        var validation: Dataset?, test: Dataset?
        var fractionV: Double?, fractionT: Double?
        switch config.validation {
        case .data(let spec)?: validation = try load(spec, graph: graph, role: "validation")
        case .fraction(let f)?: fractionV = f
        case nil: break
        }
        switch config.test {
        case .data(let spec)?: test = try load(spec, graph: graph, role: "test")
        case .fraction(let f)?: fractionT = f
        case nil: break
        }
        if fractionV != nil || fractionT != nil {
            do {
                let parts = try train.split(validation: fractionV, test: fractionT, seed: config.seed)
                train = parts.train
                if fractionV != nil { validation = parts.validation }
                if fractionT != nil { test = parts.test }
            } catch {
                let range = config.ranges[fractionV != nil ? "validation" : "test"] ?? config.data.range
                throw DiagnosticsError(Diagnostic(error.message, at: range))
            }
        }
        return (train, validation, test)
    }

    /// Loads one `data` value and binds it to the graph's inputs. Columns named in `keep` that
    /// a source provides but no input takes (`T` of `ising`) are kept too, as stored (f64).
    public func load(_ spec: DataSpec, graph: Graph, role: String = "data", keep: Set<String> = []) throws(DiagnosticsError) -> Dataset {
        var inputTypes: [String: TensorType] = [:]
        for (name, node) in graph.inputs { inputTypes[name] = graph.nodes[node].type }
        var columns: [(name: String, tensor: Tensor, range: SourceRange, what: String)] = []
        var kept: [(String, Tensor)] = []
        for source in spec.sources {
            let flat = Set(source.names.filter { inputTypes[$0]?.shape.rank == 1 })
            let loaded: [(String, Tensor)]
            do {
                loaded = try loadSource(source, flat: flat)
            } catch {
                throw DiagnosticsError(Diagnostic(error.message, at: source.range, notes: error.notes))
            }
            let what: String
            switch source.kind {
            case .csv: what = "column data"
            case .npy, .idx: what = "the array"
            default: what = "data"
            }
            for (name, t) in loaded {
                // Columns that are no inputs: ising's extra ones, and any that `keep` names (--by).
                if inputTypes[name] == nil, keep.contains(name) {
                    kept.append((name, t))
                    continue
                }
                if case .ising = source.kind, inputTypes[name] == nil { continue }
                columns.append((name, t, source.bindingRanges[name] ?? source.range, what))
            }
        }
        let boundText = role == "data" ? "the data" : "the \(role) data"
        for (name, _) in graph.inputs where !columns.contains(where: { $0.name == name }) {
            throw DiagnosticsError(Diagnostic("input '\(name)' is not bound by \(boundText)", at: spec.range))
        }
        // Agreement on N, in source order.
        if let first = columns.first {
            for c in columns.dropFirst() where c.tensor.rank >= 1 && first.tensor.rank >= 1 && c.tensor.shape[0] != first.tensor.shape[0] {
                throw DiagnosticsError(Diagnostic(
                    "sources disagree on the number of samples: \(first.name) has \(first.tensor.shape[0]), \(c.name) has \(c.tensor.shape[0])",
                    at: spec.range))
            }
        }
        var symbols: [String: (size: Int, input: String)] = [:]
        var fitted: [(String, Tensor)] = []
        for c in columns {
            guard let type = inputTypes[c.name] else {
                throw DiagnosticsError(Diagnostic("'\(c.name)' is not an input of graph '\(graph.name)'", at: c.range))
            }
            do {
                fitted.append((c.name, try fitColumn(c.tensor, name: c.name, to: type, what: c.what, symbols: &symbols)))
            } catch {
                throw DiagnosticsError(Diagnostic(error.message, at: c.range, notes: sizeNote(c.name, graph: graph)))
            }
        }
        do {
            return try Dataset(orderedColumns: fitted + kept)
        } catch {
            throw DiagnosticsError(Diagnostic(error.message, at: spec.range))
        }
    }

    /// The columns of one source as stored (f64). `flat`: csv bindings read as [N].
    public func loadSource(_ source: DataSource, flat: Set<String> = []) throws(DataError) -> [(String, Tensor)] {
        switch source.kind {
        case .csv(let path, let columns, let header):
            // The whole file is scanned for its lines; only the rank's rows are parsed.
            let bytes = try read(path)
            let out = try parseCSV(bytes, path: path, columns: columns, header: header, flat: flat,
                                   allowNonFinite: source.allowsNonFinite, block: sharing.map { job in job.block(of:) })
            return gathered(out.keys.sorted().map { ($0, out[$0]!) })
        case .npy(let paths):
            var out: [(String, Tensor)] = []
            for name in paths.keys.sorted() {
                out.append((name, try readArray(paths[name]!, npyLayout, allowNonFinite: source.allowsNonFinite)))
            }
            return gathered(out)
        case .idx(let paths):
            var out: [(String, Tensor)] = []
            for name in paths.keys.sorted() {
                out.append((name, try readArray(paths[name]!, idxLayout, allowNonFinite: source.allowsNonFinite)))
            }
            return gathered(out)
        case .grid(let grids):
            for name in grids.keys.sorted() {
                if let refusal = MemoryBudget.refusal("grid '\(name)' of \(grids[name]!.count) points", elements: grids[name]!.count, elementSize: 8) {
                    throw DataError(refusal)
                }
            }
            return grids.keys.sorted().map { name in
                let v = grids[name]!.values
                return (name, Tensor(shape: [v.count, 1], values: v, dtype: .f64))
            }
        case .mesh(let axes):
            let count = axes.reduce(1) { $0 * $1.points.count }
            if let refusal = MemoryBudget.refusal("mesh of \(count) points", elements: count * axes.count, elementSize: 8) {
                throw DataError(refusal)
            }
            return meshColumns(axes).sorted { $0.0 < $1.0 }
        case .ising(let spec):
            let spins = [spec.temperatures.count, spec.samples, spec.L, spec.L].reduce(Optional(1)) { n, d in
                n.flatMap { n in let (p, o) = n.multipliedReportingOverflow(by: d); return o ? nil : p }
            }
            let what = "ising(L = \(spec.L)) with \(spec.temperatures.count) temperatures of \(spec.samples) samples"
            if let refusal = MemoryBudget.refusal(what, elements: spins ?? -1, elementSize: 8) { throw DataError(refusal) }
            // Each rank runs the chains of its block of temperatures.
            let data = IsingGenerator(spec).generate(only: sharing?.block(of: spec.temperatures.count))
            return gathered(IsingSpec.provided.map { ($0, data.columns[$0]!) })
        }
    }

    /// An .npy or IDX array: the whole file, or the rank's rows of it.
    private func readArray(_ path: String, _ layout: ([UInt8], String) throws(DataError) -> ArrayLayout,
                           allowNonFinite: Bool) throws(DataError) -> Tensor {
        guard let job = sharing else {
            let bytes = try read(path)
            return try layout(bytes, path).tensor(from: bytes, path: path, allowNonFinite: allowNonFinite)
        }
        return try ArrayBlockReader(path: path, fullPath: try existingFile(path))
            .read(format: layout, block: job.block(of:), allowNonFinite: allowNonFinite)
    }

    /// The ranks' blocks of each column, gathered: the whole columns (unchanged in one process).
    private func gathered(_ columns: [(String, Tensor)]) -> [(String, Tensor)] {
        guard let job = sharing else { return columns }
        return columns.map { ($0.0, job.gatherRows($0.1)) }
    }

    /// The bytes of a data file (relative to the base directory).
    public func read(_ path: String) throws(DataError) -> [UInt8] {
        let full = try existingFile(path)
        guard let data = FileManager.default.contents(atPath: full) else {
            throw DataError("\(path): cannot read the file", notes: ["note: looked for \(full)"])
        }
        return [UInt8](data)
    }

    /// The full path of a data file that exists and is not a folder.
    private func existingFile(_ path: String) throws(DataError) -> String {
        let full = path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: full, isDirectory: &isDirectory) else {
            throw DataError("\(path): no such file", notes: ["note: looked for \(full)"])
        }
        guard !isDirectory.boolValue else {
            throw DataError("\(path): cannot read the file", notes: ["note: looked for \(full)"])
        }
        return full
    }
}

/// Where an input's type came from when fixed sizes made it (`f32[B, L*L]` with L = 32).
func sizeNote(_ input: String, graph: Graph) -> [String] {
    guard let declared = graph.declaredInputTypes[input], let id = graph.node(named: input) else { return [] }
    let sizes = graph.sizes.keys.sorted().filter { declared.contains($0) }.map { "\($0) = \(graph.sizes[$0]!)" }
    let line = graph.file.map { " at line \($0.lineColumn(of: graph.nodes[id].range.start).line)" } ?? ""
    return ["note: input '\(input)' is declared \(declared)\(line), with \(sizes.joined(separator: ", ")) (--size or a data source binds it)"]
}

/// Shapes one column to its input (see DataLoader) and converts it to the input's element type.
/// `symbols` collects the sizes of the symbols bound so far (axis 0 excluded).
public func fitColumn(_ t: Tensor, name: String, to type: TensorType, what: String = "data",
                      symbols: inout [String: (size: Int, input: String)]) throws(DataError) -> Tensor {
    guard type.shape.rank >= 1 else {
        throw DataError("input '\(name)' is \(type) and has no sample axis: declare it with one, e.g. \(type.dtype)[B]")
    }
    guard t.rank >= 1 else { throw DataError("\(what) for '\(name)' has shape [] and no sample axis") }
    let n = t.shape[0]
    let sample = Array(t.shape.dropFirst())
    let want = Array(type.shape.dims.dropFirst())
    let mismatch = DataError("\(what) for '\(name)' has shape \(Shape(t.shape)) but input '\(name)' is \(type)")
    if sample.count == want.count {
        var ok = true
        var newSymbols = symbols
        for (d, w) in zip(sample, want) {
            switch w {
            case .known(let k): if k != d { ok = false }
            case .symbol(let s):
                if let bound = newSymbols[s], bound.size != d {
                    throw DataError("symbol '\(s)' is \(bound.size) for input '\(bound.input)' but \(d) for input '\(name)'")
                }
                newSymbols[s] = (d, name)
            case .product(let m):
                // Binds nothing; checked once its symbols are bound (a size fixed before checking
                // the graph is already a number here).
                if let want = m.evaluated(newSymbols.mapValues(\.size)), want != d { ok = false }
            }
        }
        if ok {
            symbols = newSymbols
            return t.converted(to: type.dtype)
        }
    }
    if let sizes = Shape(want).concrete, sizes.reduce(1, *) == sample.reduce(1, *) {
        return Tensor(shape: [n] + sizes, storage: t.converted(to: type.dtype).storage)
    }
    throw mismatch
}
