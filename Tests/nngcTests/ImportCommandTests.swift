import Foundation
import NNGTestSupport
import Testing

/// `nngc import`: export → import writes a .nng that checks and evaluates with the params written beside it.
@Suite struct ImportCommandTests {
    @Test func exportThenImportEvaluatesTheSame() throws {
        let dir = ExportCommandTests.scratch()
        let model = dir.appendingPathComponent("chain.onnx").path, nng = dir.appendingPathComponent("chain.nng").path
        let export = try CLI.run(["export", CLI.graph("chain.nng"), "--outputs", "loss", "-o", model])
        #expect(export.status == 0, "\(export.stderr)")
        let imported = try CLI.run(["import", model, "-o", nng])
        #expect(imported.status == 0, "\(imported.stderr)")
        let params = dir.appendingPathComponent("chain.safetensors").path
        #expect(FileManager.default.fileExists(atPath: params))
        // The contract's worked example: loss 2.25 at x = 2, y = 3.
        let eval = try CLI.run(["eval", nng, "--params", params, "--set", "x=2", "--set", "y=3"])
        #expect(eval.status == 0, "\(eval.stderr)")
        #expect(eval.stdout == "loss = 2.25\n")
    }

    @Test func unreadableOrUnsupportedModelsAreErrors() throws {
        let dir = ExportCommandTests.scratch()
        let junk = dir.appendingPathComponent("junk.onnx").path
        try Data("not protobuf at all".utf8).write(to: URL(fileURLWithPath: junk))
        let result = try CLI.run(["import", junk, "-o", dir.appendingPathComponent("j.nng").path])
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix("error: \(junk): not an ONNX model"), "\(result.stderr)")
    }
}
