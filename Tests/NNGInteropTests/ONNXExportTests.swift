import Foundation
import NNGCore
import NNGIR
@testable import NNGInterop
import NNGRuntime
import NNGTestSupport
import Testing

/// Checks an ONNX file with onnx.checker, runs it in onnxruntime on the fed inputs, prints the outputs.
let onnxRuntimeScript = """
import json, sys
import numpy as np, onnx, onnxruntime as ort
model_path, feed_path = sys.argv[1], sys.argv[2]
onnx.checker.check_model(onnx.load(model_path), full_check=True)
session = ort.InferenceSession(model_path, providers=["CPUExecutionProvider"])
types = {"tensor(float)": np.float32, "tensor(double)": np.float64}
feed = json.load(open(feed_path))
inputs = {i.name: np.array(feed[i.name]["values"], dtype=types[i.type]).reshape(feed[i.name]["shape"])
          for i in session.get_inputs()}
names = [o.name for o in session.get_outputs()]
outputs = session.run(names, inputs)
print(json.dumps({n: {"shape": list(v.shape), "values": [float(x) for x in np.ravel(v)]} for n, v in zip(names, outputs)}))
"""

@Suite struct ONNXExportTests {
    /// onnxruntime's outputs of the exported forward graph, by name.
    static func runInONNXRuntime(_ model: Data, feeds: [String: Tensor], label: String) throws -> [String: (shape: [Int], values: [Double])] {
        let dir = temporaryDirectory(label)
        defer { try? FileManager.default.removeItem(at: dir) }
        let modelURL = dir.appendingPathComponent("model.onnx"), feedURL = dir.appendingPathComponent("feed.json")
        try model.write(to: modelURL)
        try Data(tensorJSON(feeds).utf8).write(to: feedURL)
        return try parseTensorJSON(TestPython.run(onnxRuntimeScript, arguments: [modelURL.path, feedURL.path]))
    }

    /// Every gallery graph: all its outputs (losses included) checked by onnx.checker and equal
    /// to nngc's within 1e-5 relative; graphs that sample or loop are refused with the reason.
    @Test(arguments: GalleryCase.galleryGraphs)
    func galleryForwardMatchesONNXRuntime(graph: String) throws {
        let gallery = try GalleryCase(graph)
        if gallery.file.hasSuffix("rbm.nng") {
            // Both RBM graphs sample (Gibbs steps): no ONNX form, said at the first bernoulli's line.
            let error = #expect(throws: DiagnosticsError.self) {
                try ONNXExporter.export(gallery.graph, params: gallery.params, outputs: gallery.graph.outputs.map(\.name))
            }
            let diagnostic = try #require(error?.diagnostics.first)
            #expect(diagnostic.message.hasPrefix("'bernoulli' has no ONNX form (random sampling)"))
            let rendered = try #require(error).rendered(in: try Frontend.load(path: gallery.file).file)
            // rbm's first sample is in fn sample_hidden; rbm_sample's is its first line, v0 = bernoulli(…).
            let lines = try String(contentsOfFile: gallery.file, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: false)
            let graphLine = lines.firstIndex { $0.hasPrefix("graph rbm_sample") }!
            let searchFrom = gallery.graph.name == "rbm" ? 0 : graphLine
            let line = lines[searchFrom...].firstIndex { $0.contains("bernoulli(") }! + 1
            #expect(rendered.contains("rbm.nng:\(line):"), "\(rendered)")
            return
        }
        if gallery.graph.nodes.contains(where: { if case .scan = $0.op { true } else { false } }) {
            // Loops have no ONNX export yet (docs/interop.md): refused at the scan, not miswritten.
            let error = #expect(throws: DiagnosticsError.self) {
                try ONNXExporter.export(gallery.graph, params: gallery.params, outputs: gallery.graph.outputs.map(\.name))
            }
            #expect(error?.diagnostics.first?.message.hasPrefix("'scan' has no ONNX form (loops are not exported yet)") == true)
            return
        }
        let expected = try gallery.evaluate()
        let chosen = gallery.graph.outputs.map(\.name)
        let model = try ONNXExporter.export(gallery.graph, params: gallery.params, outputs: chosen)
        let actual = try Self.runInONNXRuntime(model, feeds: gallery.inputs, label: "onnx")
        for (name, value) in expected {
            let got = try #require(actual[name], "\(gallery.name): onnxruntime gave no output \(name)")
            #expect(got.shape == value.shape, "\(gallery.name): \(name)")
            let error = relativeError(got.values, value.doubles)
            #expect(error <= 1e-5, "\(gallery.name): \(name) differs by \(error) relative")
        }
    }
}
