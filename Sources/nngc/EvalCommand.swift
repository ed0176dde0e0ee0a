import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// `nngc eval FILE`: feed inputs, run the graph, print every output.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a graph's outputs for given inputs."
    )

    @OptionGroup var options: GraphOptions
    @OptionGroup var runOptions: RunOptionsGroup

    @Option(name: .customLong("set"), parsing: .singleValue,
            help: ArgumentHelp("Feed an input or replace a param: x=2, x=[[1,2],[3,4]].", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON object of nested arrays by name.", valueName: "F.json"))
    var feed: String?

    @Option(name: .long, help: ArgumentHelp("Parameter values from a safetensors file.", valueName: "P.safetensors"))
    var params: String?

    @Option(name: .long, help: ArgumentHelp("Also print the gradient of this scalar output.", valueName: "OUT"))
    var grad: String?

    @Option(name: .long, help: ArgumentHelp("With --grad: the names to differentiate with respect to.", valueName: "N,…"))
    var wrt: String?

    @Option(name: .long, help: ArgumentHelp("Evaluate over the samples of a data source, written as in a train block: 'ising(L = 16)'.", valueName: "SOURCE"))
    var data: String?

    @Option(name: .long, help: ArgumentHelp("With --data: group the samples by this column and summarise each group.", valueName: "COLUMN"))
    var by: String?

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("With --by: where the group means of OUT cross LEVEL (default 0.5), by linear interpolation.", valueName: "OUT[=LEVEL]"))
    var crossing: [String] = []

    @Option(name: .long, parsing: .singleValue,
            help: ArgumentHelp("With --by: write an SVG of every sample's OUT against the column, with the group means.", valueName: "OUT=FILE.svg"))
    var plot: [String] = []

    func validate() throws {
        if wrt != nil, grad == nil { throw ValidationError("--wrt needs --grad OUT") }
        if data == nil, by != nil { throw ValidationError("--by needs --data SOURCE") }
        if by == nil, !crossing.isEmpty { throw ValidationError("--crossing needs --by COLUMN") }
        if by == nil, !plot.isEmpty { throw ValidationError("--plot needs --by COLUMN") }
        if data != nil, grad != nil { throw ValidationError("--grad cannot be combined with --data") }
        if data != nil, feed != nil { throw ValidationError("--feed cannot be combined with --data (the data binds the inputs)") }
        _ = try crossingLevels()
        _ = try plotFiles()
    }

    /// `p=0.5` or `p` (level 0.5) of each `--crossing`.
    func crossingLevels() throws -> [(output: String, level: Double)] {
        try crossing.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard !parts[0].isEmpty else { throw ValidationError("--crossing expects OUT or OUT=LEVEL, got '\(entry)'") }
            guard parts.count == 2 else { return (parts[0], 0.5) }
            guard let level = Double(parts[1]), level.isFinite else {
                throw ValidationError("--crossing expects OUT=LEVEL with LEVEL a number, got '\(entry)'")
            }
            return (parts[0], level)
        }
    }

    /// `p=p.svg` of each `--plot`.
    func plotFiles() throws -> [(output: String, path: String)] {
        try plot.map { entry in
            let parts = entry.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--plot expects OUT=FILE.svg, got '\(entry)'")
            }
            return (parts[0], parts[1])
        }
    }

    func run() throws {
        let (frontend, forward) = try options.loadGraph()
        if let data { return try evaluateOverData(data, frontend: frontend, graph: forward) }
        // With --grad the gradient graph runs instead: the forward outputs, then one gradient per name.
        var graph = forward
        if let grad {
            do { graph = try gradientGraph(forward, of: grad, wrt: wrt.map(splitNames)) }
            catch { throw UserFailure(error, file: frontend.file) }
        }
        var feeds = FeedSet(graph: forward)
        do {
            if let params { try feeds.addParamsFile(params) }
            if let feed { try feeds.addFile(feed) }
            for assignment in assignments { try feeds.addAssignment(assignment) }
        } catch let error as FeedSet.Failure {
            throw UserFailure("error: \(error.message)")
        }
        let options = RunOptions(seed: runOptions.seed, symbolSizes: try runOptions.symbolSizes())
        let params = ParameterInitializer.initialValues(of: graph, seed: runOptions.seed).merging(feeds.params) { $1 }
        let outputs: [(name: String, value: Tensor)]
        do {
            outputs = try runOptions.backend.outputs(of: graph, inputs: feeds.inputs, params: params, options: options)
        } catch {
            throw UserFailure(error, file: frontend.file)
        }
        let forwardCount = forward.outputs.count
        let gradients = zip(wrt.map(splitNames) ?? forward.params.map(\.name), outputs.dropFirst(forwardCount))
            .map { (name: $0, value: $1.value) }
        printOutputs(Array(outputs.prefix(forwardCount)), gradients: gradients)
    }

    /// `loss = 2.25` then `dloss/dw1 = -9`; or the contract's JSON object.
    private func printOutputs(_ outputs: [(name: String, value: Tensor)], gradients: [(name: String, value: Tensor)]) {
        switch options.format {
        case .text:
            for (name, value) in outputs { Terminal.out("\(name) = \(TensorFormatting.text(value))") }
            for (name, value) in gradients { Terminal.out("d\(grad!)/d\(name) = \(TensorFormatting.text(value))") }
        case .json:
            var members: [(String, JSONValue)] = [("outputs", .object(outputs.map { ($0.name, TensorFormatting.json($0.value)) }))]
            if let grad {
                let wrtValues = JSONValue.object(gradients.map { ($0.name, TensorFormatting.json($0.value)) })
                members.append(("grad", .object([("of", .string(grad)), ("wrt", wrtValues)])))
            }
            Terminal.out(JSONValue.object(members).serialized())
        }
    }
}

extension EvalCommand {
    /// `--data SOURCE [--by COLUMN [--crossing OUT=LEVEL]… [--plot OUT=FILE.svg]…]`.
    func evaluateOverData(_ text: String, frontend: Frontend, graph: Graph) throws {
        let sourceFile = SourceFile(path: "--data", text: text)
        let (spec, diagnostics) = readDataSpec(sourceFile, graph: graph)
        guard let spec else {
            throw UserFailure(DiagnosticsError(diagnostics.isEmpty ? [Diagnostic("--data could not be read")] : diagnostics),
                              file: sourceFile)
        }
        var feeds = FeedSet(graph: graph)
        do {
            if let params { try feeds.addParamsFile(params) }
            for assignment in assignments { try feeds.addAssignment(assignment) }
        } catch let error as FeedSet.Failure {
            throw UserFailure("error: \(error.message)")
        }
        if let name = feeds.inputs.keys.sorted().first {
            throw UserFailure("error: input '\(name)' is bound by --data; --set may only replace params")
        }
        let crossings = try crossingLevels(), plots = try plotFiles()
        let summarised = Set(graph.outputs.map(\.name))
        for name in crossings.map(\.output) + plots.map(\.output) where !summarised.contains(name) {
            let hint = closestName(to: name, among: Array(summarised)).map { "; did you mean '\($0)'?" } ?? ""
            throw UserFailure("error: '\(name)' is not an output of graph '\(graph.name)'\(hint)")
        }
        let dataset: Dataset
        do { dataset = try DataLoader(baseDirectory: ".").load(spec, graph: graph, keep: by.map { [$0] } ?? []) }
        catch { throw UserFailure(error, file: sourceFile) }
        let evaluation: GroupedEvaluation
        do {
            let options = RunOptions(seed: runOptions.seed, symbolSizes: try runOptions.symbolSizes())
            let params = ParameterInitializer.initialValues(of: graph, seed: runOptions.seed).merging(feeds.params) { $1 }
            evaluation = try GroupedEvaluation.run(graph: graph, data: dataset, by: by, params: params,
                                                   backend: runOptions.backend, options: options)
        } catch let error as DiagnosticsError {
            throw UserFailure(error, file: frontend.file)
        }
        for name in crossings.map(\.output) + plots.map(\.output) where !evaluation.outputNames.contains(name) {
            throw UserFailure("error: '\(name)' has neither one value per sample nor one per group, so it has no group mean")
        }
        let found = crossings.map { (output: $0.output, level: $0.level, at: evaluation.crossings(of: $0.output, level: $0.level)) }
        for (output, path) in plots {
            let svg = groupPlotSVG(evaluation, output: output)
            do { try writeFileAtomically(svg, to: path) }
            catch { throw UserFailure("error: cannot write \(path): \(error)") }
        }
        printEvaluation(evaluation, crossings: found, plots: plots.map(\.path), dtype: graph.dtype)
    }

    private func printEvaluation(_ e: GroupedEvaluation, crossings: [(output: String, level: Double, at: [Double])], plots: [String],
                                 dtype: DType) {
        // Values in the shortest form of the graph's element type.
        func text(_ x: Double) -> String { dtype == .f32 ? formatValue(Float(x)) : formatValue(x) }
        let names = e.outputNames
        switch options.format {
        case .text:
            if let by = e.by {
                var rows = [[by, "n"] + names]
                for g in e.groups {
                    rows.append([formatValue(g.key ?? .nan), String(g.count)] + names.map { TrainingProgress.short(g.value($0) ?? .nan) })
                }
                let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
                for row in rows {
                    Terminal.out(zip(row, widths).map { $0.padding(toLength: $1, withPad: " ", startingAt: 0) }
                        .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
                }
            } else if let g = e.groups.first {
                for (name, value) in g.values {
                    let perSample = g.samples[name] != nil ? " (mean of \(g.count) samples)" : ""
                    Terminal.out("\(name) = \(text(value))\(perSample)")
                }
            }
            for c in crossings {
                let at = c.at.isEmpty ? "nowhere in the data" : c.at.map { "\(e.by!) = \(String(format: "%.4f", $0))" }.joined(separator: ", ")
                Terminal.out("\(c.output) crosses \(formatValue(c.level)) at \(at)")
            }
            for path in plots { Terminal.out("wrote \(path)") }
        case .json:
            var members: [(String, JSONValue)] = []
            if let by = e.by {
                members.append(("by", .string(by)))
                members.append(("groups", .array(e.groups.map { g in
                    .object([(by, .number(g.key ?? .nan)), ("n", .number(Double(g.count)))] + g.values.map { ($0.name, .number($0.value)) })
                })))
            } else if let g = e.groups.first {
                members.append(("n", .number(Double(g.count))))
                members.append(("outputs", .object(g.values.map { ($0.name, .number($0.value)) })))
            }
            if !crossings.isEmpty {
                members.append(("crossings", .array(crossings.map {
                    .object([("output", .string($0.output)), ("level", .number($0.level)), ("at", .array($0.at.map { .number($0) }))])
                })))
            }
            Terminal.out(JSONValue.object(members).serialized())
        }
    }

    /// Every sample's `output` against the grouping column (dots), and the group means (line).
    private func groupPlotSVG(_ e: GroupedEvaluation, output: String) -> String {
        let by = e.by ?? "x"
        var dots: [(x: Double, y: Double)] = []
        for g in e.groups { for v in g.samples[output] ?? [] { dots.append((g.key ?? .nan, v)) } }
        let means = e.groups.compactMap { g in g.value(output).map { (x: g.key ?? .nan, y: $0) } }
        var series: [ChartSeries] = []
        if !dots.isEmpty { series.append(ChartSeries(name: "samples", points: dots, color: "#1f77b4", pointsOnly: true)) }
        series.append(ChartSeries(name: dots.isEmpty ? output : "mean", points: means, color: "#d62728"))
        return lineChartSVG(series: series, xLabel: by, yLabel: output, title: "\(graphTitle) — \(output) against \(by)",
                            allowLogY: false)
    }

    private var graphTitle: String { ((options.file as NSString).lastPathComponent as NSString).deletingPathExtension }
}

/// `a,b, c` → ["a", "b", "c"].
func splitNames(_ list: String) -> [String] {
    list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
}

/// Values given with `--set` and `--feed`, sorted into inputs and params.
struct FeedSet {
    struct Failure: Error { var message: String }

    let graph: Graph
    private(set) var inputs: [String: Tensor] = [:]
    private(set) var params: [String: Tensor] = [:]

    init(graph: Graph) { self.graph = graph }

    mutating func addAssignment(_ text: String) throws {
        guard let eq = text.firstIndex(of: "=") else {
            throw Failure(message: "--set expects NAME=VALUE, got '\(text)'")
        }
        let name = text[..<eq].trimmingCharacters(in: .whitespaces)
        let valueText = String(text[text.index(after: eq)...])
        do { try add(name: name, value: try FeedValues.tensor(from: valueText, dtype: graph.dtype)) }
        catch let error as FeedValues.ParseError { throw Failure(message: "--set \(name): \(error.description)") }
    }

    mutating func addFile(_ path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(message: "cannot read feed file '\(path)'")
        }
        do {
            let values = try FeedValues.tensors(fromJSONObject: String(decoding: data, as: UTF8.self), dtype: graph.dtype)
            for (name, value) in values { try add(name: name, value: value) }
        } catch let error as FeedValues.ParseError {
            throw Failure(message: "\(path): \(error.description)")
        }
    }

    /// Parameters from `params.safetensors` (or a `checkpoint.safetensors`, whose parameters
    /// are stored as `param/NAME`). Tensors that name no param of the graph are an error.
    mutating func addParamsFile(_ path: String) throws {
        let file: Safetensors
        do { file = try Safetensors.read(path: path) } catch { throw Failure(message: "\(error)") }
        let isCheckpoint = file.metadata["format"] == RunFolder.checkpointFormat
        for (key, value) in file.tensors.sorted(by: { $0.key < $1.key }) {
            guard !isCheckpoint || key.hasPrefix("param/") else { continue }
            let name = isCheckpoint ? String(key.dropFirst(6)) : key
            guard graph.params.contains(where: { $0.name == name }) else {
                let hint = closestName(to: name, among: graph.params.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
                throw Failure(message: "\(path): '\(name)' is not a param of graph '\(graph.name)'\(hint)")
            }
            try add(name: name, value: value.converted(to: graph.dtype))
        }
    }

    private mutating func add(name: String, value: Tensor) throws {
        if graph.inputs.contains(where: { $0.name == name }) {
            inputs[name] = value
        } else if let param = graph.params.first(where: { $0.name == name }) {
            let declared = graph[param.node].type
            guard declared.shape.concrete == value.shape else {
                throw Failure(message: "param '\(name)' is \(declared), but the value given has shape \(value.shape)")
            }
            params[name] = value
        } else {
            let known = graph.inputs.map(\.name) + graph.params.map(\.name)
            let hint = closestName(to: name, among: known).map { "; did you mean '\($0)'?" } ?? ""
            throw Failure(message: "graph '\(graph.name)' has no input or param '\(name)'\(hint)")
        }
    }
}
