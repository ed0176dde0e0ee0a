import Foundation
import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// Contract section 10 on real programs: every graph of every file in `Graphs/`, in both
/// element types, gives the same outputs — and the same gradients of its differentiated
/// output — on the interpreter and on generated C.
@Suite struct GalleryDifferentialTests {
    static let graphsFolder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Graphs")

    static var files: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: graphsFolder.path)) ?? [])
            .filter { $0.hasSuffix(".nng") }.sorted()
    }

    @Test(arguments: files, DType.allCases)
    func backendsAgreeOnEveryGalleryGraph(_ name: String, _ dtype: DType) throws {
        let frontend = try Frontend.load(path: Self.graphsFolder.appendingPathComponent(name).path)
        for decl in frontend.module.graphs {
            let forward = try frontend.graph(named: decl.name.name, dtype: dtype)
            // Small sizes keep the interpreter quick on the big gallery networks.
            let sizes = Dictionary(uniqueKeysWithValues: forward.symbols.map { ($0, 3) })
            var graph = forward
            if let loss = try? frontend.differentiatedOutput(of: forward),
               let withGradients = try? gradientGraph(forward, of: loss, wrt: nil) {
                graph = withGradients
            }
            var (inputs, params, options) = gradientCheckFeeds(graph: graph, inputs: [:], params: [:], seed: 7,
                                                               options: RunOptions(symbolSizes: sizes))
            (options.step, options.training) = (3, true)
            let reference: [(name: String, value: Tensor)]
            do {
                reference = try Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)
            } catch {
                // A run-time error (e.g. a value out of a data-only range) must be the C backend's too.
                #expect(throws: DiagnosticsError.self) {
                    try CompiledGraph(graph: graph).outputs(inputs: inputs, params: params, options: options)
                }
                continue
            }
            let compiled = try CompiledGraph(graph: graph).outputs(inputs: inputs, params: params, options: options)
            for (r, c) in zip(reference, compiled) {
                let a = r.value.doubles, b = c.value.doubles
                #expect(a.count == b.count, "\(name)/\(decl.name.name): \(r.name)")
                let tol = (dtype == .f32 ? 1e-5 : 1e-12) * max(1, a.filter(\.isFinite).map(abs).max() ?? 1)
                for i in a.indices where i < b.count && a[i] != b[i] && !(a[i].isNaN && b[i].isNaN) {
                    #expect(abs(a[i] - b[i]) <= tol, "\(name)/\(decl.name.name) \(dtype): \(r.name)[\(i)] interp \(a[i]) vs C \(b[i])")
                }
            }
        }
    }

    /// The printed gradient graph of every gallery graph parses back and evaluates to the same values.
    @Test(arguments: files)
    func printedGradientGraphsReparseToTheSameValues(_ name: String) throws {
        let frontend = try Frontend.load(path: Self.graphsFolder.appendingPathComponent(name).path)
        for decl in frontend.module.graphs {
            let forward = try frontend.graph(named: decl.name.name, dtype: .f64)
            guard let loss = try? frontend.differentiatedOutput(of: forward) else { continue }
            let graph = try gradientGraph(forward, of: loss, wrt: nil)
            let reparsed = try Frontend(file: SourceFile(path: "printed.nng", text: printGraph(graph))).graph()
            let sizes = Dictionary(uniqueKeysWithValues: forward.symbols.map { ($0, 3) })
            let (inputs, params, options) = gradientCheckFeeds(graph: graph, inputs: [:], params: [:], seed: 5,
                                                               options: RunOptions(symbolSizes: sizes))
            let a = try Interpreter(graph: graph).outputs(inputs: inputs, params: params, options: options)
            let b = try Interpreter(graph: reparsed).outputs(inputs: inputs, params: params, options: options)
            #expect(a.map(\.name) == b.map(\.name), "\(name)/\(decl.name.name)")
            for (x, y) in zip(a, b) {
                #expect(x.value == y.value, "\(name)/\(decl.name.name): \(x.name) differs after print → parse")
            }
        }
    }
}
