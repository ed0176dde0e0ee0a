import Foundation
import NNGCore
import NNGIR
import NNGRuntime
import NNGTestSupport
import Testing

/// `nngc export --format c`: every gallery graph as a C library, compiled warning-free by gcc
/// (C99, -Wall -Wextra -pedantic -Werror) and g++ (C++17, the same warnings), run by a small C
/// program and equal to `nngc eval` within 1e-6 relative; without BLAS; under valgrind; with the
/// parameters read from a safetensors file.
@Suite struct CLibraryExportTests {
    /// Compares what a built library printed with nngc's outputs.
    static func expectEqual(_ actual: [String: [Double]], _ expected: [(name: String, value: Tensor)], _ label: String,
                            tolerance: Double = 1e-6) {
        for (name, value) in expected {
            guard let got = actual[name] else {
                Issue.record("\(label): no output \(name) in \(actual.keys.sorted())")
                continue
            }
            #expect(got.count == value.count, "\(label): \(name) has \(got.count) values, not \(value.count)")
            let error = relativeError(got, value.doubles)
            #expect(error <= tolerance, "\(label): \(name) differs by \(error) relative")
        }
    }

    /// Every gallery graph with all its outputs (losses and accuracies too), every free size 3:
    /// built as C and as C++, both equal to nngc's evaluation.
    @Test(arguments: GalleryCase.galleryGraphs)
    func galleryLibraryMatchesEval(graph: String) throws {
        let gallery = try GalleryCase(graph)
        let expected = try gallery.evaluate()
        let build = try CLibraryBuild(gallery.graph, sizes: gallery.sizes, params: gallery.params, inputs: gallery.inputs,
                                      label: "clib")
        defer { try? FileManager.default.removeItem(at: build.dir) }
        let c = try build.compile(CLibraryBuild.strictC, executable: "run_c")
        Self.expectEqual(try CLibraryBuild.outputs(of: c), expected, "\(gallery.name) (gcc)")
        let cxx = try build.compile(CLibraryBuild.strictCXX, executable: "run_cxx")
        Self.expectEqual(try CLibraryBuild.outputs(of: cxx), expected, "\(gallery.name) (g++)")
    }

    /// `--no-blas`: matrix products (dense, convolution, inside a loop) by the library's own loop.
    @Test(arguments: ["mlp_3_64_64_1.nng:mlp_3_64_64_1", "ising_cnn.nng:ising_cnn", "pendulum_rnn.nng:pendulum_rnn"])
    func withoutBLASMatchesEval(graph: String) throws {
        let gallery = try GalleryCase(graph)
        let build = try CLibraryBuild(gallery.graph, sizes: gallery.sizes, params: gallery.params, inputs: gallery.inputs,
                                      options: CLibraryOptions(blas: false), label: "clib-noblas")
        defer { try? FileManager.default.removeItem(at: build.dir) }
        #expect(!build.library.source.contains("cblas"))
        let c = try build.compile(CLibraryBuild.strictC, executable: "run_c")
        Self.expectEqual(try CLibraryBuild.outputs(of: c), try gallery.evaluate(), "\(gallery.name) (no BLAS)")
    }

    /// memcheck finds no error in a convolutional net's library (BLAS and the plain loop).
    @Test func valgrindFindsNoError() throws {
        let gallery = try GalleryCase("ising_cnn.nng:ising_cnn")
        for blas in [true, false] {
            let build = try CLibraryBuild(gallery.graph, sizes: gallery.sizes, params: gallery.params, inputs: gallery.inputs,
                                          options: CLibraryOptions(blas: blas), label: "clib-valgrind")
            defer { try? FileManager.default.removeItem(at: build.dir) }
            let exe = try build.compile(CLibraryBuild.strictC + ["-g"], executable: "run_c")
            let outputs = try CLibraryBuild.outputs(of: exe, under: ["valgrind", "--tool=memcheck", "--error-exitcode=99", "-q",
                                                                     "--leak-check=full", "--errors-for-leak-kinds=definite"])
            Self.expectEqual(outputs, try gallery.evaluate(), "\(gallery.name) under valgrind (blas: \(blas))")
        }
    }

    /// `--params-file`: the same values read from safetensors (written in f64 for an f32 graph:
    /// converted on reading) give the same outputs; a missing file or parameter makes create fail.
    @Test func paramsFromSafetensors() throws {
        let gallery = try GalleryCase("mlp_3_64_64_1.nng:mlp_3_64_64_1")
        let build = try CLibraryBuild(gallery.graph, sizes: gallery.sizes, params: gallery.params, inputs: gallery.inputs,
                                      options: CLibraryOptions(paramsFile: true), label: "clib-params")
        defer { try? FileManager.default.removeItem(at: build.dir) }
        #expect(!build.library.source.contains("nngc_param_0"))
        let path = build.dir.appendingPathComponent("p.safetensors").path
        let f64 = gallery.params.mapValues { Tensor(shape: $0.shape, values: $0.doubles, dtype: .f64) }
        try Safetensors(tensors: f64).write(to: path)
        let exe = try build.compile(CLibraryBuild.strictC, executable: "run_c")
        Self.expectEqual(try CLibraryBuild.outputs(of: exe, arguments: [path]), try gallery.evaluate(), "params file")
        let missing = try CLibraryBuild.run([exe, build.dir.appendingPathComponent("none.safetensors").path])
        #expect(missing.status == 2)
        var partial = f64
        partial["W2"] = nil
        try Safetensors(tensors: partial).write(to: path)
        #expect(try CLibraryBuild.run([exe, path]).status == 2)
    }

    /// The code block of `language` in docs/interop.md's C library section.
    static func docsExample(_ language: String) throws -> String {
        let text = try String(contentsOf: TestPython.packageRoot.appendingPathComponent("docs/interop.md"), encoding: .utf8)
        let section = try #require(text.range(of: "## A C library")).upperBound
        let start = try #require(text.range(of: "```\(language)\n", range: section..<text.endIndex)).upperBound
        let end = try #require(text.range(of: "\n```", range: start..<text.endIndex)).lowerBound
        return String(text[start..<end]) + "\n"
    }

    /// docs/interop.md's C and Fortran programs, against the XOR library its command exports,
    /// print nngc's loss and accuracy on the four corners.
    @Test func docsExamplesRunInCAndFortran() throws {
        let file = TestPython.packageRoot.appendingPathComponent("Graphs/xor.nng").path
        var graph = try Frontend.load(path: file).graph(named: "xor", sizes: ["B": 4])
        graph.outputs = graph.outputs.filter { ["loss", "acc"].contains($0.name) }
        let inputs = ["x": Tensor(shape: [4, 2], values: [0, 0, 0, 1, 1, 0, 1, 1], dtype: .f32),
                      "y": Tensor(shape: [4, 1], values: [0, 1, 1, 0], dtype: .f32)]
        let params = ParameterInitializer.initialValues(of: graph, seed: 0)
        let expected = try BackendKind.default.outputs(of: graph, inputs: inputs, params: params,
                                                       options: RunOptions(symbolSizes: ["B": 4]))
        let build = try CLibraryBuild(graph, sizes: ["B": 4], params: params, inputs: inputs, label: "clib-docs")
        defer { try? FileManager.default.removeItem(at: build.dir) }
        let dir = build.dir
        try Data(Self.docsExample("c").utf8).write(to: dir.appendingPathComponent("xor_main.c"))
        try Data(Self.docsExample("fortran").utf8).write(to: dir.appendingPathComponent("xor_main.f90"))
        let model = dir.appendingPathComponent("model.c").path, object = dir.appendingPathComponent("model.o").path
        let cExe = dir.appendingPathComponent("xor_c").path, fortranExe = dir.appendingPathComponent("xor_f").path
        let steps: [[String]] = [
            CLibraryBuild.strictC + ["-I", dir.path, dir.appendingPathComponent("xor_main.c").path, model, "-o", cExe, "-lopenblas", "-lm"],
            CLibraryBuild.strictC + ["-c", model, "-o", object],
            ["gfortran", "-std=f2008", "-Wall", "-Werror", dir.appendingPathComponent("xor_main.f90").path, object, "-o", fortranExe,
             "-lopenblas", "-lm"],
        ]
        for step in steps {
            let r = try CLibraryBuild.run(step)
            #expect(r.status == 0, "\(step[0]) failed:\n\(r.output)")
        }
        // Both print 9 significant digits.
        Self.expectEqual(try CLibraryBuild.outputs(of: cExe), expected, "C example", tolerance: 1e-7)
        Self.expectEqual(try CLibraryBuild.outputs(of: fortranExe), expected, "Fortran example", tolerance: 1e-7)
    }
}
