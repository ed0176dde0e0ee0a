import ArgumentParser
import Foundation
import NNGCore
import NNGIR
import NNGInterop
import NNGRuntime

/// `nngc import model.onnx -o model.nng`: an ONNX model as readable .nng, its initializers in
/// model.safetensors beside it (docs/interop.md).
struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Read an ONNX model into a .nng graph and a .safetensors file of its parameters."
    )

    @Argument(help: "The ONNX model.")
    var model: String

    @Option(name: .shortAndLong, help: ArgumentHelp("The .nng file to write; the parameters go to the .safetensors file of the same name.", valueName: "FILE.nng"))
    var output: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: model) else { throw UserFailure("error: cannot read '\(model)'") }
        let name = URL(fileURLWithPath: output).deletingPathExtension().lastPathComponent
        let imported: (graph: Graph, params: [String: Tensor])
        do { imported = try ONNXImporter.importModel(data, name: name) }
        catch { throw UserFailure("error: \(model): \(error)") }
        let paramsPath = URL(fileURLWithPath: output).deletingPathExtension().appendingPathExtension("safetensors").path
        do {
            try Data(printGraph(imported.graph).utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            try Safetensors(tensors: imported.params, metadata: ["source": URL(fileURLWithPath: model).lastPathComponent]).write(to: paramsPath)
        } catch {
            throw UserFailure("error: cannot write '\(output)': \(error)")
        }
    }
}
