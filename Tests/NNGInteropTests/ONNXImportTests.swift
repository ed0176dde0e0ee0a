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

/// Models written the way torch.onnx.export writes nn.Linear, nn.Conv2d, nn.MaxPool2d and
/// nn.Flatten (Gemm with transB = 1 and a bias, Conv with a bias, MaxPool, Flatten, a dynamic
/// batch axis), built with onnx.helper: onnxruntime's outputs equal nngc's after import.
let torchStyleModels = """
import json, sys
import numpy as np, onnx, onnxruntime as ort
from onnx import helper, numpy_helper, TensorProto
rng = np.random.default_rng(3)
def init(name, *shape):
    return numpy_helper.from_array((rng.standard_normal(shape) * 0.5).astype(np.float32), name)
def linear(x, y, name, n_in, n_out):
    return [helper.make_node("Gemm", [x, name + ".weight", name + ".bias"], [y], name="/" + name + "/Gemm", alpha=1.0, beta=1.0, transB=1)], \\
           [init(name + ".weight", n_out, n_in), init(name + ".bias", n_out)]
mlp_nodes, mlp_inits = [], []
for args in [("input", "/fc1/Gemm_output_0", "fc1", 4, 8), ("/relu/Relu_output_0", "/fc2/Gemm_output_0", "fc2", 8, 3)]:
    n, i = linear(*args); mlp_nodes += n; mlp_inits += i
mlp_nodes.insert(1, helper.make_node("Relu", ["/fc1/Gemm_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"))
mlp_nodes.append(helper.make_node("Softmax", ["/fc2/Gemm_output_0"], ["output"], name="/Softmax", axis=1))
mlp = helper.make_graph(mlp_nodes, "main_graph",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 4])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 3])], mlp_inits)
cnn_nodes = [
    helper.make_node("Conv", ["input", "conv.weight", "conv.bias"], ["/conv/Conv_output_0"], name="/conv/Conv",
                     dilations=[1, 1], group=1, kernel_shape=[3, 3], pads=[1, 1, 1, 1], strides=[1, 1]),
    helper.make_node("Relu", ["/conv/Conv_output_0"], ["/relu/Relu_output_0"], name="/relu/Relu"),
    helper.make_node("MaxPool", ["/relu/Relu_output_0"], ["/pool/MaxPool_output_0"], name="/pool/MaxPool",
                     ceil_mode=0, kernel_shape=[2, 2], pads=[0, 0, 0, 0], strides=[2, 2]),
    helper.make_node("Flatten", ["/pool/MaxPool_output_0"], ["/flatten/Flatten_output_0"], name="/flatten/Flatten", axis=1),
]
n, fc_inits = linear("/flatten/Flatten_output_0", "output", "fc", 4 * 3 * 3, 2)
cnn = helper.make_graph(cnn_nodes + n, "main_graph",
    [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["batch", 1, 6, 6])],
    [helper.make_tensor_value_info("output", TensorProto.FLOAT, ["batch", 2])],
    [init("conv.weight", 4, 1, 3, 3), init("conv.bias", 4)] + fc_inits)
result = {}
for name, graph, shape in [("mlp", mlp, (5, 4)), ("cnn", cnn, (2, 1, 6, 6))]:
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="pytorch")
    onnx.checker.check_model(model, full_check=True)
    path = sys.argv[1] + "/" + name + ".onnx"
    onnx.save(model, path)
    x = rng.standard_normal(shape).astype(np.float32)
    y = ort.InferenceSession(path, providers=["CPUExecutionProvider"]).run(None, {"input": x})[0]
    result[name] = {"input": {"shape": list(x.shape), "values": [float(v) for v in x.ravel()]},
                    "output": {"shape": list(y.shape), "values": [float(v) for v in y.ravel()]}}
print(json.dumps(result))
"""

@Suite struct TorchStyleImportTests {
    @Test func mlpAndCNNMatchONNXRuntime() throws {
        let dir = temporaryDirectory("torch-style")
        let object = try JSONSerialization.jsonObject(with: Data(TestPython.run(torchStyleModels, arguments: [dir.path]).utf8)) as! [String: [String: [String: Any]]]
        for name in ["mlp", "cnn"] {
            let data = try #require(FileManager.default.contents(atPath: dir.appendingPathComponent("\(name).onnx").path))
            let imported = try ONNXImporter.importModel(data, name: name)
            let text = printGraph(imported.graph)
            let graph = try Frontend(file: SourceFile(path: "\(name).nng", text: text)).graph()
            func tensor(_ key: String) -> Tensor {
                let entry = object[name]![key]!
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
