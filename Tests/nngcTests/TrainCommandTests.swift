import Foundation
import Testing

@Suite struct TrainCommandTests {
    private func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nngc-run-\(UUID().uuidString)").path
    }

    /// The loss chart names its run: the graph, and the train block when the file has several
    /// (regularization.nng's four charts were all titled "poly").
    @Test func lossChartTitleNamesTheTrainBlock() throws {
        let decay = tempDir(), dropout = tempDir(), xor = tempDir()
        for (args, out) in [(["regularization.nng", "--train", "decay"], decay),
                            (["regularization.nng", "--train", "dropout"], dropout), (["xor.nng"], xor)] {
            let r = try CLI.run(["train", CLI.graph(args[0])] + args.dropFirst() + ["--epochs", "2", "-o", out])
            #expect(r.status == 0, "\(r.stderr)")
        }
        func title(_ dir: String) throws -> String {
            let svg = try String(contentsOfFile: dir + "/loss.svg", encoding: .utf8)
            guard let start = svg.range(of: "<text class=\"title\""), let open = svg[start.upperBound...].firstIndex(of: ">"),
                  let close = svg[open...].range(of: "</text>") else { return "" }
            return String(svg[svg.index(after: open)..<close.lowerBound])
        }
        #expect(try title(decay) == "poly (train decay): loss per epoch")
        #expect(try title(dropout) == "poly_dropout (train dropout): loss per epoch")
        #expect(try title(xor) == "xor: loss per epoch")
    }

    @Test(arguments: ["c", "interp"])
    func xorTrainsAndWritesTheFourFiles(_ backend: String) throws {
        let out = tempDir()
        let r = try CLI.run(["train", CLI.graph("xor.nng"), "-o", out, "--backend", backend])
        #expect(r.status == 0, "\(r.stderr)")
        // Not a terminal: one plain line per epoch, then the summary.
        #expect(r.stdout.contains("epoch 2000/2000  step 2000  loss "))
        #expect(r.stdout.contains("trained xor: 2000 epochs, 2000 steps"))
        #expect(r.stdout.contains("  acc 1\n"))
        for file in ["params.safetensors", "checkpoint.safetensors", "history.csv", "loss.svg"] {
            #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file) missing")
        }
        let history = try String(contentsOfFile: out + "/history.csv", encoding: .utf8)
        #expect(history.hasPrefix("epoch,step,train_loss,val_loss,acc,lr,seconds\n"))
        #expect(history.split(separator: "\n").count == 2001)
        // The trained parameters load back into eval.
        let e = try CLI.run(["eval", CLI.graph("xor.nng"), "--params", out + "/params.safetensors",
                             "--feed", CLI.graph("data/xor_inputs.json")])
        #expect(e.stdout.contains("acc = 1\n"), "\(e.stdout)\(e.stderr)")
    }

    @Test func resumeContinuesToTheSameParameters() throws {
        let straight = tempDir(), split = tempDir()
        #expect(try CLI.run(["train", CLI.graph("xor.nng"), "-o", straight, "--epochs", "40", "--format", "json"]).status == 0)
        #expect(try CLI.run(["train", CLI.graph("xor.nng"), "-o", split, "--epochs", "15", "--format", "json"]).status == 0)
        let r = try CLI.run(["train", CLI.graph("xor.nng"), "--resume", split, "--epochs", "40", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"epoch\": 16, "))
        let a = try Data(contentsOf: URL(fileURLWithPath: straight + "/params.safetensors"))
        let b = try Data(contentsOf: URL(fileURLWithPath: split + "/params.safetensors"))
        #expect(a == b)
    }

    @Test func jsonProgressHasOneObjectPerEpochAndASummary() throws {
        let r = try CLI.run(["train", CLI.graph("xor.nng"), "-o", tempDir(), "--epochs", "3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        #expect(lines[0].hasPrefix("{\"epoch\": 1, \"step\": 1, \"train_loss\": "))
        #expect(lines[3].hasPrefix("{\"summary\": {\"epochs\": 3, "))
    }

    @Test func badDataIsRefusedBeforeTraining() throws {
        let path = CLI.temporaryFile("""
        graph g {
          input x: f64[B, 2]
          input y: f64[B, 1]
          param w: f64[2, 1] = zeros
          loss = mse(x @ w, y)
          output loss
        }
        train {
          data   = csv("missing.csv", x = [0, 1], y = [2])
          epochs = 1
        }
        """)
        let out = tempDir()
        let r = try CLI.run(["train", path, "-o", out])
        #expect(r.status == 1)
        #expect(r.stderr.contains("missing.csv"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing may be written when the data is bad")
    }
}
