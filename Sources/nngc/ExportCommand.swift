import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGInterop
import NNGRuntime

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case onnx }

/// `nngc export FILE --format onnx -o model.onnx`: the graph's forward computation for other
/// runtimes (docs/interop.md).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a graph's forward computation as an ONNX model."
    )

    @OptionGroup var source: GraphSourceOptions
    @OptionGroup var sizes: SizeOptions

    @Option(name: .long, help: "What to write: onnx (an ONNX model, opset 17).")
    var format: ExportFormat = .onnx

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write.", valueName: "FILE"))
    var output: String

    @Option(name: .long, help: ArgumentHelp("Parameter values from a safetensors file (default: the initial values for --seed).", valueName: "P.safetensors"))
    var params: String?

    @Option(name: .long, help: "Seed of the initial parameter values when --params is not given (default 0).")
    var seed: UInt64 = 0

    @Option(name: .long, help: ArgumentHelp("The outputs to export (default: the outputs that are not losses or accuracies).", valueName: "A,B"))
    var outputs: String?

    func run() throws {
        let (frontend, graph) = try source.loadGraph(sizes: try sizes.symbolSizes())
        var feeds = FeedSet(graph: graph)
        if let params {
            do { try feeds.addParamsFile(params) } catch let error as FeedSet.Failure { throw UserFailure("error: \(error.message)") }
        }
        let values = ParameterInitializer.initialValues(of: graph, seed: seed).merging(feeds.params) { $1 }
        let chosen = outputs.map(splitNames) ?? ONNXExporter.defaultOutputs(of: graph)
        guard !chosen.isEmpty else {
            throw UserFailure("error: graph '\(graph.name)' has only loss outputs; name the ones to export with --outputs")
        }
        let model: Data
        do { model = try ONNXExporter.export(graph, params: values, outputs: chosen) }
        catch { throw UserFailure(error, file: frontend.file) }
        do { try model.write(to: URL(fileURLWithPath: output), options: .atomic) }
        catch { throw UserFailure("error: cannot write '\(output)': \(error.localizedDescription)") }
    }
}
