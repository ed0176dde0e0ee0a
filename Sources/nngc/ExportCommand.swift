import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGInterop
import NNGRuntime

enum ExportFormat: String, ExpressibleByArgument, CaseIterable { case onnx, c }

/// `nngc export FILE --format onnx -o model.onnx` or `--format c -o DIR`: the graph's forward
/// computation for other runtimes, or as a standalone C library (docs/interop.md).
struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Export a graph's forward computation as an ONNX model or a C library."
    )

    @OptionGroup var source: GraphSourceOptions
    @OptionGroup var sizes: SizeOptions

    @Option(name: .long, help: "What to write: onnx (an ONNX model, opset 17) or c (a C99 library: DIR/NAME.h and DIR/NAME.c).")
    var format: ExportFormat = .onnx

    @Option(name: .shortAndLong, help: ArgumentHelp("The file to write (onnx) or the folder (c).", valueName: "PATH"))
    var output: String

    @Option(name: .long, help: "C library: the prefix of its functions and the name of its files (default model).")
    var name: String = "model"

    @Flag(name: .long, help: "C library: matrix products by a plain loop instead of CBLAS (no dependency but libm).")
    var noBlas = false

    @Flag(name: .long, help: "C library: read the parameters from a safetensors file at create time instead of embedding them.")
    var paramsFile = false

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
        if format == .c {
            try writeCLibrary(graph, values: values, outputs: chosen, sizes: try sizes.symbolSizes())
            return
        }
        if noBlas || paramsFile || name != "model" {
            throw UserFailure("error: --name, --no-blas and --params-file apply to --format c")
        }
        let model: Data
        do { model = try ONNXExporter.export(graph, params: values, outputs: chosen) }
        catch { throw UserFailure(error, file: frontend.file) }
        do { try model.write(to: URL(fileURLWithPath: output), options: .atomic) }
        catch { throw UserFailure("error: cannot write '\(output)': \(error.localizedDescription)") }
    }

    /// DIR/NAME.h and DIR/NAME.c for the chosen outputs (every size fixed: the file's or --size).
    private func writeCLibrary(_ graph: Graph, values: [String: Tensor], outputs chosen: [String], sizes: [String: Int]) throws {
        let known = Set(graph.outputs.map(\.name))
        if let unknown = chosen.first(where: { !known.contains($0) }) {
            throw UserFailure("error: graph '\(graph.name)' has no output '\(unknown)'")
        }
        var exported = graph
        exported.outputs = chosen.map { n in graph.outputs.first { $0.name == n }! }
        let library: CLibraryExporter.Library
        do {
            library = try CLibraryExporter.export(exported, sizes: sizes, params: values,
                                                  options: CLibraryOptions(name: name, blas: !noBlas, paramsFile: paramsFile))
        } catch { throw UserFailure("error: \(error.message)") }
        let dir = URL(fileURLWithPath: output)
        do {
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try Data(library.header.utf8).write(to: dir.appendingPathComponent("\(name).h"), options: .atomic)
            try Data(library.source.utf8).write(to: dir.appendingPathComponent("\(name).c"), options: .atomic)
        } catch { throw UserFailure("error: cannot write '\(output)': \(error.localizedDescription)") }
    }
}
