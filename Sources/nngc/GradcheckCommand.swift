import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGRuntime

/// `nngc gradcheck FILE`: the symbolic gradient against central finite differences.
struct GradcheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gradcheck",
        abstract: "Compare symbolic gradients with central finite differences, element by element."
    )

    @OptionGroup var options: GraphOptions

    @OptionGroup var runOptions: RunOptionsGroup

    @Option(name: .long, help: ArgumentHelp("The scalar output to differentiate (default: the only scalar output).", valueName: "OUT"))
    var of: String?

    @Option(name: .long, help: ArgumentHelp("Names to check (default: every param); inputs allowed.", valueName: "N,…"))
    var wrt: String?

    @Option(name: .customLong("set"), parsing: .singleValue, help: ArgumentHelp("Feed an input or set a param.", valueName: "NAME=VALUE"))
    var assignments: [String] = []

    @Option(name: .long, help: ArgumentHelp("A JSON object of nested arrays by name; unfed inputs get seeded random values.", valueName: "F.json"))
    var feed: String?

    @Option(name: .long, help: "Finite-difference step.")
    var eps: Double = 1e-6

    @Option(name: .long, help: "Relative tolerance.")
    var rtol: Double = 1e-6

    @Option(name: .long, help: "Absolute tolerance.")
    var atol: Double = 1e-9

    func validate() throws {
        guard eps > 0, rtol >= 0, atol >= 0 else { throw ValidationError("--eps must be positive, --rtol and --atol non-negative") }
    }

    func run() throws {
        // Finite differences need f64 to resolve a gradient to rtol 1e-6; f32 only when asked.
        let (frontend, graph) = try options.loadGraph(sizes: try runOptions.symbolSizes(), defaultDType: .f64)
        var feeds = FeedSet(graph: graph)
        do {
            if let feed { try feeds.addFile(feed) }
            for assignment in assignments { try feeds.addAssignment(assignment) }
        } catch let error as FeedSet.Failure {
            throw UserFailure("error: \(error.message)")
        }
        let report: GradCheckReport
        do {
            let output = try of ?? frontend.differentiatedOutput(of: graph)
            let base = RunOptions(seed: runOptions.seed, symbolSizes: try runOptions.symbolSizes())
            let values = gradientCheckFeeds(graph: graph, inputs: feeds.inputs, params: feeds.params, seed: runOptions.seed, options: base)
            report = try gradientCheck(graph: graph, of: output, wrt: wrt.map(splitNames),
                                       inputs: values.inputs, params: values.params,
                                       eps: eps, rtol: rtol, atol: atol, options: values.options, backend: runOptions.backend)
        } catch let error as DiagnosticsError {
            throw UserFailure(error, file: frontend.file)
        }
        print(report, dtype: graph.dtype)
        if !report.pass { throw UserFailure("") }
    }

    private func print(_ report: GradCheckReport, dtype: DType) {
        switch options.format {
        case .json:
            let wrt = report.results.map { r in
                (r.name, JSONValue.object([
                    ("max_abs", .number(r.maxAbs)), ("max_rel", .number(r.maxRel)),
                    ("worst", .array(r.worst.map { .number(Double($0)) })), ("pass", .bool(r.pass)),
                ]))
            }
            Terminal.out(JSONValue.object([("of", .string(report.of)), ("pass", .bool(report.pass)), ("wrt", .object(wrt))]).serialized())
        case .text:
            Terminal.out("gradcheck of \(report.of): \(dtype), central differences, eps \(formatValue(eps)), rtol \(formatValue(rtol)), atol \(formatValue(atol))")
            let width = report.results.map(\.name.count).max() ?? 0
            for r in report.results {
                let name = r.name.padding(toLength: width, withPad: " ", startingAt: 0)
                let worst = "[" + r.worst.map(String.init).joined(separator: ", ") + "]"
                Terminal.out("  \(name)  max abs \(Self.short(r.maxAbs))  max rel \(Self.short(r.maxRel))  worst \(worst)  \(r.pass ? "ok" : "FAIL")")
            }
            let failed = report.results.filter { !$0.pass }.map(\.name)
            Terminal.out(failed.isEmpty ? "passed" : "FAILED: " + failed.joined(separator: ", "))
        }
    }

    static func short(_ x: Double) -> String { x == 0 ? "0" : String(format: "%.2e", x) }
}
