import Foundation
import Testing

/// The Ising gallery graphs meet their bars, on both backends.
///
/// Reduced size (CI): the graphs are trained as they are written, but from a copy of the file
/// whose train block draws fewer samples (`ising_mlp`: 40 per temperature instead of 200,
/// test 20 instead of 100; `ising_cnn`: 20 and 10; `ising_autoencoder`: 20 instead of 200) and
/// for fewer epochs (`--epochs`); the evaluation grid has 50 samples per temperature. The
/// full-size results are in Graphs/README.md.
@Suite struct IsingGalleryTests {
    /// Onsager: T_c = 2 / ln(1 + √2).
    static let criticalTemperature = 2 / log(1 + 2.0.squareRoot())

    /// A copy of `Graphs/NAME` in a fresh folder with each `replacements` key (which must
    /// occur) replaced by its value.
    private func reducedCopy(_ name: String, _ replacements: [String: String]) throws -> String {
        var text = try String(contentsOfFile: CLI.graph(name), encoding: .utf8)
        for (from, to) in replacements {
            try #require(text.contains(from), "\(name) no longer contains '\(from)'")
            text = text.replacingOccurrences(of: from, with: to)
        }
        return CLI.temporaryFile(text, name: name)
    }

    private func runFolder() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nngc-ising-\(UUID().uuidString)").path
    }

    private func json(_ text: Substring) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    /// Trains `file` and returns the summary object of the JSON progress.
    private func train(_ file: String, backend: String, epochs: Int, to out: String) throws -> [String: Any] {
        let r = try CLI.run(["train", file, "-o", out, "--backend", backend, "--epochs", String(epochs), "--format", "json"])
        try #require(r.status == 0, "\(r.stderr)")
        let last = try #require(r.stdout.split(separator: "\n").last)
        return try #require(try json(last)["summary"] as? [String: Any])
    }

    /// Test accuracy ≥ 0.95 (temperatures ≥ 0.3 from T_c), and the mean of p crossing 1/2
    /// within 3 % of T_c, from the one `nngc eval --data … --by T --crossing p=0.5` command.
    private func checkClassifier(_ file: String, backend: String, epochs: Int) throws {
        let out = runFolder()
        let summary = try train(file, backend: backend, epochs: epochs, to: out)
        let testAcc = try #require((summary["test"] as? [String: Any])?["acc"] as? Double)
        #expect(testAcc >= 0.95)
        let r = try CLI.run(["eval", file, "--params", out + "/params.safetensors", "--backend", backend,
                             "--data", "ising(L = 16, temperatures = linspace(1.5, 3.0, 16), samples = 50, seed = 3)",
                             "--by", "T", "--crossing", "p=0.5", "--format", "json"])
        try #require(r.status == 0, "\(r.stderr)")
        let result = try json(Substring(r.stdout))
        #expect((result["groups"] as? [Any])?.count == 16)
        let crossing = try #require((result["crossings"] as? [[String: Any]])?.first)
        let at = try #require(crossing["at"] as? [Double])
        #expect(at.count == 1, "\(r.stdout)")
        let estimate = try #require(at.first)
        #expect(abs(estimate - Self.criticalTemperature) <= 0.03 * Self.criticalTemperature, "T_c estimate \(estimate)")
    }

    @Test(arguments: ["c", "interp"])
    func mlpFindsTheCriticalTemperature(_ backend: String) throws {
        let file = try reducedCopy("ising_mlp.nng", ["samples = 200, seed = 1": "samples = 24, seed = 1",
                                                     "samples = 100, seed = 2": "samples = 20, seed = 2"])
        try checkClassifier(file, backend: backend, epochs: 10)
    }

    @Test(arguments: ["c", "interp"])
    func cnnFindsTheCriticalTemperature(_ backend: String) throws {
        let file = try reducedCopy("ising_cnn.nng", ["samples = 200, seed = 1": "samples = 12, seed = 1",
                                                     "samples = 100, seed = 2": "samples = 10, seed = 2"])
        try checkClassifier(file, backend: backend, epochs: 6)
    }

    /// |Pearson correlation| of the one-neuron latent with the magnetization ≥ 0.9 on fresh
    /// configurations, and the latent-against-temperature plot is written.
    @Test(arguments: ["c", "interp"])
    func autoencoderLatentTracksTheMagnetization(_ backend: String) throws {
        let file = try reducedCopy("ising_autoencoder.nng", ["samples = 200, seed = 1": "samples = 20, seed = 1"])
        let out = runFolder()
        _ = try train(file, backend: backend, epochs: 10, to: out)
        let svg = out + "/latent.svg"
        let r = try CLI.run(["eval", file, "--params", out + "/params.safetensors", "--backend", backend,
                             "--data", "ising(L = 16, temperatures = linspace(1.0, 3.5, 26), samples = 20, seed = 3)",
                             "--format", "json"])
        try #require(r.status == 0, "\(r.stderr)")
        let outputs = try #require(try json(Substring(r.stdout))["outputs"] as? [String: Any])
        let corr = try #require(outputs["corr"] as? Double)
        #expect(abs(corr) >= 0.9, "corr \(corr)")

        let p = try CLI.run(["eval", file, "--params", out + "/params.safetensors", "--backend", backend,
                             "--data", "ising(L = 16, temperatures = linspace(1.0, 3.5, 6), samples = 10, seed = 3)",
                             "--by", "T", "--plot", "z=" + svg])
        try #require(p.status == 0, "\(p.stderr)")
        #expect(p.stdout.contains("wrote \(svg)"))
        let chart = try String(contentsOfFile: svg, encoding: .utf8)
        #expect(chart.hasPrefix("<svg"))
        #expect(chart.components(separatedBy: "<circle cx=").count - 1 >= 60)   // 60 samples (+ legend)
    }
}
