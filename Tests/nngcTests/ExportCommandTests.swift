import Foundation
import NNGTestSupport
import Testing

/// `nngc export --format onnx`: the file it writes, read back by the onnx package.
@Suite struct ExportCommandTests {
    static func scratch() -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-export-\(UUID().uuidString)")
        try! FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    /// Inputs, outputs (name and dims), initializers and opset of an ONNX file, as one line of JSON.
    static let describeModel = """
    import json, sys, onnx
    m = onnx.load(sys.argv[1])
    onnx.checker.check_model(m, full_check=True)
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]
    print(json.dumps({"inputs": {i.name: dims(i) for i in m.graph.input},
                      "outputs": {o.name: dims(o) for o in m.graph.output},
                      "initializers": sorted(t.name for t in m.graph.initializer if t.data_type in (1, 11) and len(t.dims) > 0 and t.name[0].isupper()),
                      "opset": m.opset_import[0].version}))
    """

    @Test func isingMLPExportsItsProbabilityWithNamedBatchSize() throws {
        let dir = Self.scratch()
        let model = dir.appendingPathComponent("ising.onnx").path
        let result = try CLI.run(["export", CLI.graph("ising_mlp.nng"), "--format", "onnx", "-o", model])
        #expect(result.status == 0, "\(result.stderr)")
        let description = try TestPython.run(Self.describeModel, arguments: [model])
        // Default outputs: p only (loss and acc are losses); the loss's target `ordered` is not an input.
        #expect(description.contains(#""inputs": {"spins": ["B", 256]}"#), "\(description)")
        #expect(description.contains(#""outputs": {"p": ["B", 1]}"#), "\(description)")
        #expect(description.contains(#""initializers": ["W1", "W2"]"#), "\(description)")
        #expect(description.contains(#""opset": 17"#), "\(description)")
    }

    @Test func paramsFileValuesBecomeInitializers() throws {
        let dir = Self.scratch()
        let params = dir.appendingPathComponent("p.safetensors").path
        _ = try TestPython.run("""
        import sys, numpy as np
        from safetensors.numpy import save_file
        save_file({"k": np.array(2.5, dtype=np.float64)}, sys.argv[1])
        """, arguments: [params])
        let model = dir.appendingPathComponent("hooke.onnx").path
        let result = try CLI.run(["export", CLI.graph("hooke.nng"), "--params", params, "-o", model])
        #expect(result.status == 0, "\(result.stderr)")
        let k = try TestPython.run("""
        import sys, numpy as np, onnxruntime as ort
        s = ort.InferenceSession(sys.argv[1], providers=["CPUExecutionProvider"])
        print(s.run(["k"], {})[0])
        """, arguments: [model])
        #expect(k.trimmingCharacters(in: .whitespacesAndNewlines) == "2.5")
    }

    @Test func errorsNameWhatIsWrong() throws {
        let dir = Self.scratch()
        let model = dir.appendingPathComponent("m.onnx").path
        let onlyLosses = try CLI.run(["export", CLI.graph("perceptron.nng"), "-o", model])
        #expect(onlyLosses.status == 1)
        #expect(onlyLosses.stderr.contains("graph 'perceptron' has only loss outputs; name the ones to export with --outputs"))
        let unknown = try CLI.run(["export", CLI.graph("perceptron.nng"), "--outputs", "q", "-o", model])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("graph 'perceptron' has no output 'q' (its outputs: loss, acc)"))
        let random = try CLI.run(["export", CLI.graph("rbm.nng"), "--graph", "rbm", "--outputs", "recon", "-o", model])
        #expect(random.status == 1)
        #expect(random.stderr.contains("rbm.nng:") && random.stderr.contains(": error: 'bernoulli' has no ONNX form (random sampling)"), "\(random.stderr)")
        #expect(!FileManager.default.fileExists(atPath: model))
    }

    /// `--format c`: NAME.h and NAME.c in the folder, the run signature from the graph's inputs
    /// and chosen outputs; an unbound size and C options with ONNX are errors.
    @Test func cLibraryFilesAndErrors() throws {
        let dir = Self.scratch()
        let result = try CLI.run(["export", CLI.graph("xor.nng"), "--format", "c", "--outputs", "loss,acc", "--size", "B=4",
                                  "--name", "xor", "--no-blas", "-o", dir.path])
        #expect(result.status == 0, "\(result.stderr)")
        let header = try String(contentsOf: dir.appendingPathComponent("xor.h"), encoding: .utf8)
        #expect(header.contains("int xor_run(xor* m, const float* in_x, const float* in_y, float* out_loss, float* out_acc);"), "\(header)")
        #expect(header.contains("#define XOR_IN_X_SIZE 8"))
        #expect(header.contains("sizes B=4"))
        let source = try String(contentsOf: dir.appendingPathComponent("xor.c"), encoding: .utf8)
        #expect(source.contains("nngc_gemm(") && !source.contains("cblas"))
        let unbound = try CLI.run(["export", CLI.graph("xor.nng"), "--format", "c", "-o", dir.appendingPathComponent("u").path,
                                   "--outputs", "loss"])
        #expect(unbound.status != 0)
        #expect(unbound.stderr.contains("a C library has fixed sizes: give B with --size NAME=N"), "\(unbound.stderr)")
        let onnx = try CLI.run(["export", CLI.graph("xor.nng"), "--no-blas", "--outputs", "loss", "-o", dir.appendingPathComponent("m.onnx").path])
        #expect(onnx.status != 0)
        #expect(onnx.stderr.contains("apply to --format c"), "\(onnx.stderr)")
    }
}
