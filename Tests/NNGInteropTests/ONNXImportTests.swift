import Foundation
import NNGCore
import NNGIR
import NNGInterop
import NNGRuntime
import NNGTestSupport
import Testing

@Suite struct ONNXImportTests {
    /// Export → import → print → parse → evaluate gives nngc's own outputs (within 1e-5), for
    /// every gallery graph whose default outputs are exported.
    @Test(arguments: GalleryCase.galleryGraphs)
    func galleryRoundTrip(graph: String) throws {
        let gallery = try GalleryCase(graph)
        let outputs = ONNXExporter.defaultOutputs(of: gallery.graph)
        guard !outputs.isEmpty, let model = try? ONNXExporter.export(gallery.graph, params: gallery.params, outputs: outputs) else {
            return  // refusals are checked by ONNXExportTests
        }
        let imported = try ONNXImporter.importModel(model, name: gallery.graph.name)
        let text = printGraph(imported.graph)
        let reread = try Frontend(file: SourceFile(path: "imported.nng", text: text)).graph()
        let expected = try gallery.evaluate()
        let inputs = gallery.inputs.filter { name, _ in reread.inputs.contains { $0.name == name } }
        let actual = try BackendKind.default.outputs(of: reread, inputs: inputs, params: imported.params,
                                                     options: RunOptions(symbolSizes: gallery.sizes))
        for (name, value) in actual {
            let original = try #require(expected.first { $0.name == name }, "\(gallery.name): \(name)\n\(text)")
            #expect(value.shape == original.value.shape, "\(gallery.name): \(name)")
            let error = relativeError(value.doubles, original.value.doubles)
            #expect(error <= 1e-5, "\(gallery.name): \(name) differs by \(error)\n\(text)")
        }
        #expect(actual.map(\.name) == outputs)
    }

    /// A model with an operator outside the subset is refused naming the operator and the node.
    @Test func unsupportedOperatorIsRefusedByName() throws {
        let dir = temporaryDirectory("import")
        let path = dir.appendingPathComponent("topk.onnx").path
        _ = try TestPython.run("""
        import sys, onnx
        from onnx import helper, TensorProto
        x = helper.make_tensor_value_info("x", TensorProto.FLOAT, [4])
        y = helper.make_tensor_value_info("y", TensorProto.FLOAT, [4])
        g = helper.make_graph([helper.make_node("Round", ["x"], ["y"], name="rounding")], "g", [x], [y])
        onnx.save(helper.make_model(g, opset_imports=[helper.make_opsetid("", 17)]), sys.argv[1])
        """, arguments: [path])
        let data = try #require(FileManager.default.contents(atPath: path))
        #expect(throws: (any Error).self) { try ONNXImporter.importModel(data, name: "g") }
        do { _ = try ONNXImporter.importModel(data, name: "g") } catch {
            #expect("\(error)" == "unsupported ONNX operator 'Round' (node 'rounding')")
        }
    }
}

/// An MLP and a small CNN built in PyTorch and written by `torch.onnx.export` (its TorchScript
/// exporter, with a dynamic batch axis): onnxruntime's outputs (checked against PyTorch's own)
/// are what nngc must compute after import. The operators PyTorch wrote are returned too, so a
/// change in the exporter's output shows up in the test.
let torchModels = """
import json, sys
import numpy as np, onnx, onnxruntime as ort, torch
torch.manual_seed(3)
class MLP(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1, self.fc2 = torch.nn.Linear(4, 8), torch.nn.Linear(8, 3)
    def forward(self, x):
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), dim=1)
class CNN(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.conv, self.pool = torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.MaxPool2d(2)
        self.fc = torch.nn.Linear(4 * 3 * 3, 2)
    def forward(self, x):
        return self.fc(torch.flatten(self.pool(torch.relu(self.conv(x))), 1))
result = {}
for name, model, shape in [("mlp", MLP(), (5, 4)), ("cnn", CNN(), (2, 1, 6, 6))]:
    model.eval()
    path = sys.argv[1] + "/" + name + ".onnx"
    x = torch.randn(*shape)
    torch.onnx.export(model, (x,), path, dynamo=False, input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "batch"}, "output": {0: "batch"}})
    written = onnx.load(path)
    onnx.checker.check_model(written, full_check=True)
    y = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"input": x.numpy()})[0]
    with torch.no_grad():
        assert np.allclose(y, model(x).numpy(), rtol=1e-5, atol=1e-6), "onnxruntime differs from torch"
    result[name] = {"input": {"shape": list(x.shape), "values": [float(v) for v in x.numpy().ravel()]},
                    "output": {"shape": list(y.shape), "values": [float(v) for v in y.ravel()]},
                    "operators": [node.op_type for node in written.graph.node]}
print(json.dumps(result))
"""

@Suite struct TorchImportTests {
    @Test func mlpAndCNNMatchONNXRuntime() throws {
        let dir = temporaryDirectory("torch")
        let object = try JSONSerialization.jsonObject(with: Data(TestPython.run(torchModels, arguments: [dir.path]).utf8)) as! [String: [String: Any]]
        #expect(object["mlp"]?["operators"] as? [String] == ["Gemm", "Relu", "Gemm", "Softmax"])
        #expect(object["cnn"]?["operators"] as? [String] == ["Conv", "Relu", "MaxPool", "Flatten", "Gemm"])
        for name in ["mlp", "cnn"] {
            let data = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent("\(name).onnx").path))
            let imported = try ONNXImporter.importModel(data, name: name)
            let text = printGraph(imported.graph)
            let graph = try Frontend(file: SourceFile(path: "\(name).nng", text: text)).graph()
            func tensor(_ key: String) -> Tensor {
                let entry = (object[name] as! [String: Any])[key] as! [String: Any]
                return Tensor(shape: (entry["shape"] as! [NSNumber]).map(\.intValue),
                              values: (entry["values"] as! [NSNumber]).map(\.doubleValue), dtype: .f32)
            }
            // `input` is a keyword of .nng: the imported input is `input_`.
            let outputs = try BackendKind.default.outputs(of: graph, inputs: ["input_": tensor("input")], params: imported.params,
                                                          options: RunOptions())
            let expected = tensor("output")
            #expect(outputs.map(\.name) == ["output_"])  // a keyword too
            #expect(outputs[0].value.shape == expected.shape)
            let error = relativeError(outputs[0].value.doubles, expected.doubles)
            #expect(error <= 1e-5, "\(name) differs by \(error)\n\(text)")
            #expect(text.contains(name == "mlp" ? "input input_: f32[batch, 4]" : "conv2d("), "\(text)")
        }
    }
}
