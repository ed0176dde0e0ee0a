import Foundation
import Testing

/// Sizes are parameters on the command line: `--size L=N` changes the lattice of the Ising
/// graphs everywhere (types, params, reshapes, the ising sources), and size errors are caught
/// before anything runs, with a caret.
@Suite struct SizeCommandTests {
    /// x is [B, L·L], W is [L·L, 1]: L must be bound before anything is checked.
    static let squareGraph = """
    graph g {
      input x: f64[B, L*L]
      param W: f64[L*L, 1] = he
      y = sum(x @ W)
      output y
    }
    """

    /// `Graphs/ising_cnn.nng` with fewer samples (the test stays fast).
    private func smallCNN() throws -> String {
        var text = try String(contentsOfFile: CLI.graph("ising_cnn.nng"), encoding: .utf8)
        for (from, to) in ["samples = 200, seed = 1": "samples = 8, seed = 1", "samples = 100, seed = 2": "samples = 4, seed = 2"] {
            try #require(text.contains(from))
            text = text.replacingOccurrences(of: from, with: to)
        }
        return CLI.temporaryFile(text, name: "ising_cnn.nng")
    }

    @Test func oneFlagChangesTheLattice() throws {
        let file = try smallCNN()
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-sizes-\(UUID().uuidString)").path
        let r = try CLI.run(["train", file, "--size", "L=4", "--epochs", "1", "-o", out])
        try #require(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("trained ising_cnn: 1 epochs, "))
        let params = out + "/params.safetensors"
        let e = try CLI.run(["eval", file, "--params", params, "--data", "ising(L = 4, temperatures = [1.5, 3], samples = 5)", "--by", "T"])
        #expect(e.status == 0, "\(e.stderr)")
        #expect(e.stdout.split(separator: "\n").map { $0.split(separator: " ").prefix(2).joined(separator: " ") } == ["T n", "1.5 5", "3 5"])
        // The trained W1 is [8·2·2, 32]; an 8×8 lattice needs [128, 32].
        let wrong = try CLI.run(["eval", file, "--params", params, "--data", "ising(L = 8, temperatures = [1.5], samples = 5)"])
        #expect(wrong.status == 1)
        #expect(wrong.stderr == "error: \(params): param 'W1' is f32[128, 32], but the value given has shape [32, 32]\n")
    }

    @Test func printedIRHasTheSizesFilledIn() throws {
        let r = try CLI.run(["compile", CLI.graph("ising_cnn.nng"), "--size", "L=4", "--emit", "ir", "--backend", "interp"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.contains("input spins: f32[B, 16]"))
        #expect(lines.contains("param W1: f32[32, 32] = he"))
        #expect(lines.contains("x: f32[B, 1, 4, 4] = reshape(spins, [B, 1, 4, 4])"))
        #expect(lines.contains("a: f32[B, 8, 2, 2] = maxpool2d(t3, size = 2, stride = 2)"))
        // Without --size, L is the train block's: ising(L = 16).
        let d = try CLI.run(["compile", CLI.graph("ising_mlp.nng"), "--emit", "ir", "--backend", "interp"])
        #expect(d.stdout.contains("  param W1: f32[256, 64] = he\n"))
    }

    @Test func sizeErrorsHaveCarets() throws {
        let file = CLI.temporaryFile(Self.squareGraph)
        let r = try CLI.run(["check", file])
        #expect(r.status == 1)
        #expect(r.stderr == """
        \(file):3:16: error: parameter 'W' is f64[L*L, 1]: the size of 'L' is not bound; give --size L=N, or a data source that binds it
            param W: f64[L*L, 1] = he
                         ^~~

        """)
        #expect(try CLI.run(["check", file, "--size", "L=3"]).status == 0)
        let odd = try CLI.run(["check", CLI.graph("ising_cnn.nng"), "--size", "L=15"])
        #expect(odd.status == 1)
        #expect(odd.stderr.hasPrefix("\(CLI.graph("ising_cnn.nng")):15:21: error: dimension L/2 is 15/2, not a whole number\n"))
    }

    @Test func dataThatContradictsASizeIsRefusedBeforeTraining() throws {
        let file = CLI.temporaryFile(Self.squareGraph + """

        train {
          data = csv("d.csv", x = [0, 1, 2, 3])
          epochs = 1
        }
        """)
        let csv = (file as NSString).deletingLastPathComponent + "/d.csv"
        try Data("1,2,3,4\n5,6,7,8\n".utf8).write(to: URL(fileURLWithPath: csv))
        let r = try CLI.run(["train", file, "--size", "L=3", "-o", (file as NSString).deletingLastPathComponent + "/run"])
        #expect(r.status == 1)
        #expect(r.stderr == """
        \(file):8:27: error: column data for 'x' has shape [2, 4] but input 'x' is f64[B, 9]
            data = csv("d.csv", x = [0, 1, 2, 3])
                                    ^~~~~~~~~~~~
        note: input 'x' is declared f64[B, L*L] at line 2, with L = 3 (--size or a data source binds it)

        """)
        #expect(try CLI.run(["train", file, "--size", "L=2", "-o", (file as NSString).deletingLastPathComponent + "/run"]).status == 0)
    }
}
