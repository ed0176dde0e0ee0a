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
    /// to nngc's within 1e-5 relative (loops as ONNX Scan); graphs that sample are refused with the reason.
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

    /// The loop forms the gallery does not use — reverse, per-step outputs, two sequences, a
    /// constant in the body, several results read — exported as ONNX Scan equal onnxruntime's
    /// outputs, and imported back equal nngc's (a loop without sequences comes back as one).
    @Test func loopFormsMatchONNXRuntimeAndReimport() throws {
        let source = """
        fn cell(h, x, y) {
          h2 = tanh(h @ W + x * a - 0.5 * y)
          return [h2, h2 * 2 + y]
        }
        fn count(h, s) { return [h @ W + 1, s + sum(h)] }
        graph loops {
          input xs: f64[B, 4, 3]
          input ys: f64[B, 4, 3]
          param W: f64[3, 3] = normal(std = 0.5)
          param a: f64[3] = normal(std = 1)
          h0 = broadcast(0.1, [B, 3])
          outs  = scan(cell, h0, xs, ys, axis = 1, reverse = true, carries = 1, result = 1)
          final = scan(cell, h0, xs, ys, axis = 1, reverse = true, carries = 1)
          hs    = scan(count, final, 0, axis = 0, length = 3)
          sums  = scan(count, final, 0, axis = 0, length = 3, result = 1, final = true)
          output outs, final, hs, sums
        }
        """
        let dir = temporaryDirectory("loops")
        let file = dir.appendingPathComponent("loops.nng").path
        try source.write(toFile: file, atomically: true, encoding: .utf8)
        let gallery = try GalleryCase(file: file, graph: "loops")
        let expected = try gallery.evaluate()
        let names = gallery.graph.outputs.map(\.name)
        let model = try ONNXExporter.export(gallery.graph, params: gallery.params, outputs: names)
        let actual = try Self.runInONNXRuntime(model, feeds: gallery.inputs, label: "onnx-loops")
        let imported = try ONNXImporter.importModel(model, name: "loops")
        let reread = try Frontend(file: SourceFile(path: "imported.nng", text: printGraph(imported.graph))).graph()
        let reimported = try BackendKind.default.outputs(of: reread, inputs: gallery.inputs, params: imported.params,
                                                         options: RunOptions(symbolSizes: gallery.sizes))
        for (name, value) in expected {
            let got = try #require(actual[name], "onnxruntime gave no output \(name)")
            #expect(got.shape == value.shape, "\(name)")
            #expect(relativeError(got.values, value.doubles) <= 1e-12, "\(name): onnxruntime differs")
            let back = try #require(reimported.first { $0.name == name }?.value, "import lost \(name)")
            #expect(relativeError(back.doubles, value.doubles) <= 1e-12, "\(name): the imported graph differs")
        }
        func loops(_ graph: Graph) -> [String] {
            graph.nodes.compactMap { if case .scan(let s) = $0.op { "\(s.carries) \(s.sequences) \(s.reverse) \(s.length ?? 0)" } else { nil } }
        }
        #expect(loops(reread) == loops(gallery.graph))
        #expect(loops(reread).contains("1 2 true 0") && loops(reread).contains("2 0 false 3"))
    }
}
