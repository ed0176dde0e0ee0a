import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGRuntime

/// `nngc eval --data SOURCE [--by COLUMN]`: outputs over the samples of a data source.
extension EvalCommand {
    /// The sizes to check the graph with: `--size`, over those the `--data` source binds
    /// (`ising(L = 8)` binds L), over those of the file's train blocks.
    func dataSizes() throws -> [String: Int] {
        let overrides = try runOptions.symbolSizes()
        guard let data else { return overrides }
        let sourceFile = SourceFile(path: "--data", text: data)
        let (sizes, diagnostics) = NNGIR.dataSizes(sourceFile, overrides: overrides)
        if !diagnostics.isEmpty { throw UserFailure(DiagnosticsError(diagnostics), file: sourceFile) }
        return sizes
    }

    /// `--data SOURCE [--by COLUMN [--crossing OUT=LEVEL]… [--plot OUT=FILE.svg]…]`.
    func evaluateOverData(_ text: String, frontend: Frontend, graph: Graph) throws {
        let sourceFile = SourceFile(path: "--data", text: text)
        let (spec, diagnostics) = readDataSpec(sourceFile, graph: graph, sizes: try runOptions.symbolSizes(),
                                               extra: Set(by.map { [$0] } ?? []))
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
            let hint = closestName(to: name, among: graph.outputs.map(\.name)).map { "; did you mean '\($0)'?" } ?? ""
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
        var written = plots.map(\.path)
        if let samples {
            let (names, rows) = evaluation.perSampleTable()
            do {
                if samples.hasSuffix(".npy") { try writeFileAtomically(perSampleNpy(names: names, rows: rows), to: samples) }
                else { try writeFileAtomically(perSampleCSV(names: names, rows: rows), to: samples) }
            } catch { throw UserFailure("error: cannot write \(samples): \(error)") }
            written.append(samples + " (" + names.joined(separator: ", ") + ")")
        }
        printEvaluation(evaluation, crossings: found, plots: written, dtype: graph.dtype)
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
