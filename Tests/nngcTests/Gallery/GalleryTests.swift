import Foundation
import Testing

/// End-to-end tests of the gallery (`Graphs/`, described in `Graphs/README.md`): each graph
/// trains through the `nngc` binary and reaches its stated result, on both backends. Where a
/// test uses a reduced size (fewer epochs, fewer points), the test says so; the README gives
/// the numbers of the full-size runs.
enum Gallery {
    static func tempDir() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("nngc-gallery-\(UUID().uuidString)").path
    }

    /// Runs `nngc` with OpenBLAS single-threaded: these matrices are small, and BLAS threads
    /// competing with the parallel tests for the cores only slow every run down.
    static func run(_ arguments: [String]) throws -> CLIResult {
        try CLI.run(arguments, environment: ["OPENBLAS_NUM_THREADS": "1"])
    }

    struct Run {
        var summary: [String: Any]
        var folder: String
        var reported: [String: Double] { summary["reported"] as? [String: Double] ?? [:] }
        var test: [String: Double] { summary["test"] as? [String: Double] ?? [:] }
        func number(_ key: String) -> Double { (summary[key] as? NSNumber)?.doubleValue ?? .nan }

        /// history.csv as one dictionary per epoch (empty cells left out).
        func history() throws -> [[String: Double]] {
            let text = try String(contentsOfFile: folder + "/history.csv", encoding: .utf8)
            let lines = text.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
            let header = lines[0]
            return lines.dropFirst().map { row in
                var d: [String: Double] = [:]
                for (k, v) in zip(header, row) { if let x = Double(v) { d[k] = x } }
                return d
            }
        }
    }

    /// `nngc train FILE --format json ARGS…` into a fresh folder; returns the summary object.
    static func train(_ file: String, _ arguments: [String] = []) throws -> Run {
        let folder = tempDir()
        let r = try run(["train", file, "-o", folder, "--format", "json"] + arguments)
        #expect(r.status == 0, "\(r.stderr)")
        let last = r.stdout.split(separator: "\n").last.map(String.init) ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(last.utf8)) as? [String: Any]
        let summary = object?["summary"] as? [String: Any] ?? [:]
        #expect(!summary.isEmpty, "no summary in: \(last)\n\(r.stderr)")
        return Run(summary: summary, folder: folder)
    }

    /// Copies `Graphs/NAME` into a fresh folder, with `edit` applied to its text.
    static func variant(_ name: String, _ edit: (String) -> String) throws -> String {
        let text = try String(contentsOfFile: CLI.graph(name), encoding: .utf8)
        let dir = tempDir()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/" + name
        try Data(edit(text).utf8).write(to: URL(fileURLWithPath: path))
        return path
    }
}

@Suite struct GalleryChainTests {
    // The values of the worked example (loss 2.25, dloss/dw1 = -9, dloss/dw2 = -3) are tested
    // in GradientCommandTests and EvalCommandTests; here: the README shows the real output.
    @Test func readmeShowsTheGradientGraphAsPrinted() throws {
        let r = try Gallery.run(["compile", CLI.graph("chain.nng"), "--emit", "grad"])
        #expect(r.status == 0)
        let readme = try String(contentsOfFile: CLI.graph("README.md"), encoding: .utf8)
        #expect(readme.contains(r.stdout), "Graphs/README.md must show:\n\(r.stdout)")
    }
}

@Suite struct GalleryHookeTests {
    /// k by least squares, computed here from the CSV: (XᵀX)⁻¹Xᵀy with X the column of -x.
    static func leastSquaresK() throws -> Double {
        let text = try String(contentsOfFile: CLI.graph("data/hooke.csv"), encoding: .utf8)
        var xx = 0.0, xy = 0.0
        for line in text.split(separator: "\n").dropFirst() {
            let f = line.split(separator: ",").map { Double($0)! }
            let x = -f[0], y = f[1]
            xx += x * x
            xy += x * y
        }
        return xy / xx
    }

    @Test(arguments: ["c", "interp"])
    func recoversTheSpringConstant(_ backend: String) throws {   // full size
        let run = try Gallery.train(CLI.graph("hooke.nng"), ["--backend", backend])
        let k = try #require(run.reported["k"])
        let exact = try Self.leastSquaresK()
        #expect(abs(k - 3.7) / 3.7 < 0.01, "k = \(k)")
        #expect(abs(k - exact) / exact < 1e-6, "k = \(k), least squares \(exact)")
    }
}

@Suite struct GalleryXorTests {
    // Full size (2000 epochs) on the C backend for all ten seeds; the interpreter runs three
    // of them (0, 4, 9) to keep the test fast.
    static func seeds(_ backend: String) -> [Int] { backend == "c" ? Array(0..<10) : [0, 4, 9] }

    @Test(arguments: ["c", "interp"])
    func aSingleNeuronCannotLearnXor(_ backend: String) throws {
        for seed in Self.seeds(backend) {
            let run = try Gallery.train(CLI.graph("perceptron.nng"), ["--backend", backend, "--seed", "\(seed)"])
            let acc = try #require(run.reported["acc"])
            #expect(acc <= 0.75, "seed \(seed): acc \(acc)")
        }
    }

    @Test(arguments: ["c", "interp"])
    func aTwoLayerNetworkLearnsXorFromEverySeed(_ backend: String) throws {
        for seed in Self.seeds(backend) {
            let run = try Gallery.train(CLI.graph("xor.nng"), ["--backend", backend, "--seed", "\(seed)"])
            #expect(run.reported["acc"] == 1, "seed \(seed): \(run.reported)")
        }
    }

    /// `--seed N` replaces the block's seed, also for N = 0.
    @Test func seedOptionOverridesTheBlock() throws {
        func source(_ seed: Int) -> String {
            """
            graph g {
              input x: f64[B, 1]
              param w: f64[1, 3] = normal(std = 1)
              loss = mean((x @ w)^2)
              output loss
            }
            train {
              data = grid(x = linspace(0, 1, 4))
              optimizer = sgd(lr = 0.001)
              epochs = 1
              seed = \(seed)
            }
            """
        }
        func params(_ path: String, _ args: [String]) throws -> Data {
            let out = Gallery.tempDir()
            let r = try Gallery.run(["train", path, "-o", out, "--format", "json"] + args)
            #expect(r.status == 0, "\(r.stderr)")
            return try Data(contentsOf: URL(fileURLWithPath: out + "/params.safetensors"))
        }
        let five = CLI.temporaryFile(source(5)), zero = CLI.temporaryFile(source(0))
        let blockFive = try params(five, []), blockZero = try params(zero, [])
        #expect(blockFive != blockZero)
        #expect(try params(five, ["--seed", "0"]) == blockZero)
        #expect(try params(zero, ["--seed", "5"]) == blockFive)
    }
}

@Suite struct GalleryQHOTests {
    /// C backend: the file as it is, 800 of its 5000 epochs (the cosine schedule then spans 800).
    @Test func groundStateFitOnTheCBackend() throws {
        let run = try Gallery.train(CLI.graph("qho_fit.nng"), ["--backend", "c", "--epochs", "800"])
        let err = try #require(run.reported["gelu0"])
        #expect(err < 1e-2, "\(run.reported)")
    }

    /// Interpreter: reduced to the gelu network alone (the others removed), 51 grid points
    /// instead of 201, 500 epochs.
    @Test func groundStateFitOnTheInterpreter() throws {
        let path = try Gallery.variant("qho_fit.nng") { text in
            let others = try! NSRegularExpression(pattern: #"\b(p_sigmoid|p_tanh|p_relu|[str][Wb][123]|sigmoid\d|tanh\d|relu\d|loss)\b"#)
            let graphStart = text.range(of: "graph qho {")!.lowerBound
            let graphEnd = text.range(of: "\n}\n\ntrain {")!.lowerBound   // the graph's closing brace
            let body = text[graphStart..<graphEnd].split(separator: "\n", omittingEmptySubsequences: false).filter { line in
                let s = String(line)
                return others.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) == nil
                    && !s.trimmingCharacters(in: .whitespaces).hasPrefix("output")
            }.joined(separator: "\n")
            return String(text[..<graphStart]) + body + """

              loss = mse(p_gelu, psi)
              output loss, gelu0
            }

            train {
              minimize  = loss
              data      = grid(x = linspace(-5, 5, 51))
              optimizer = adam(lr = 0.01)
              schedule  = cosine(min_lr = 0.0001)
              epochs    = 500
              report    = [gelu0]
            }

            """
        }
        let run = try Gallery.train(path, ["--backend", "interp"])
        let err = try #require(run.reported["gelu0"])
        #expect(err < 1e-2, "\(run.reported)")
    }
}

@Suite struct GalleryDigitsTests {
    /// C: full size (20 epochs); interpreter: 10 epochs.
    @Test(arguments: ["c", "interp"])
    func heldOutAccuracyIsAtLeast95Percent(_ backend: String) throws {
        let run = try Gallery.train(CLI.graph("digits.nng"), ["--backend", backend] + (backend == "c" ? [] : ["--epochs", "10"]))
        let acc = try #require(run.test["acc"])
        #expect(acc >= 0.95, "test \(run.test)")
    }
}

@Suite struct GalleryMNISTTests {
    /// IDX bytes: magic (0, 0, 0x08 = u8, rank), big-endian u32 dimensions, then the data.
    static func idx(_ dims: [Int], _ bytes: [UInt8]) -> Data {
        var d = Data([0, 0, 0x08, UInt8(dims.count)])
        for n in dims { withUnsafeBytes(of: UInt32(n).bigEndian) { d.append(contentsOf: $0) } }
        d.append(contentsOf: bytes)
        return d
    }

    /// n synthetic 28×28 images of 4 classes: a bright 10×10 square in one quadrant
    /// (the class) on faint noise.
    static func synthetic(_ n: Int, seed: UInt64) -> (images: Data, labels: Data) {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 | 1
        func next() -> UInt64 { state ^= state << 13; state ^= state >> 7; state ^= state << 17; return state }
        var pixels: [UInt8] = [], labels: [UInt8] = []
        for i in 0..<n {
            let c = i % 4
            labels.append(UInt8(c))
            let (r0, c0) = (c / 2 * 14 + 2, c % 2 * 14 + 2)
            for r in 0..<28 {
                for col in 0..<28 {
                    let inside = (r0..<r0 + 10).contains(r) && (c0..<c0 + 10).contains(col)
                    pixels.append(inside ? UInt8(180 + next() % 76) : UInt8(next() % 60))
                }
            }
        }
        return (idx([n, 28, 28], pixels), idx([n], labels))
    }

    /// A small IDX set written here: 200 training and 40 test images, 5 epochs (of batch 64).
    @Test(arguments: ["c", "interp"])
    func trainsOnIDXFiles(_ backend: String) throws {
        let path = try Gallery.variant("mnist_mlp.nng") { $0 }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("data/mnist")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let train = Self.synthetic(200, seed: 1), test = Self.synthetic(40, seed: 2)
        try train.images.write(to: dir.appendingPathComponent("train-images-idx3-ubyte"))
        try train.labels.write(to: dir.appendingPathComponent("train-labels-idx1-ubyte"))
        try test.images.write(to: dir.appendingPathComponent("t10k-images-idx3-ubyte"))
        try test.labels.write(to: dir.appendingPathComponent("t10k-labels-idx1-ubyte"))
        let run = try Gallery.train(path, ["--backend", backend, "--epochs", "5"])
        let history = try run.history()
        #expect(history.count == 5)
        let first = try #require(history.first), last = try #require(history.last)
        #expect(last["train_loss"]! < first["train_loss"]! / 2, "\(history)")
        #expect(last["acc"]! > first["acc"]!, "\(history)")
        #expect(run.test["acc"]! >= 0.9, "\(run.test)")
    }
}

@Suite struct GalleryRegularizationTests {
    /// Final validation loss of each train block, 3000 of the 5000 epochs (the unregularised fit
    /// has overfitted well before). Early stopping keeps its best parameters, so its final
    /// validation loss is the run's best.
    static func finalValidationLoss(_ block: String, _ backend: String) throws -> Double {
        let run = try Gallery.train(CLI.graph("regularization.nng"), ["--train", block, "--backend", backend, "--epochs", "3000"])
        if block == "early" {
            #expect(run.summary["stopped_early"] as? Bool == true)
            return run.number("best_loss")
        }
        return try #require(try run.history().last?["val_loss"])
    }

    @Test(arguments: ["c", "interp"])
    func eachRegularisationLowersTheValidationLoss(_ backend: String) throws {
        let plain = try Self.finalValidationLoss("plain", backend)
        for block in ["decay", "dropout", "early"] {
            let v = try Self.finalValidationLoss(block, backend)
            #expect(v < 0.8 * plain, "\(block): \(v), plain: \(plain)")
        }
    }
}

@Suite struct GalleryParameterCountTests {
    @Test(arguments: [("mlp_3_64_64_1.nng", "4,481"), ("mlp_10_64_32_1.nng", "2,817"), ("mnist_mlp.nng", "79,510")])
    func compileReportsTheLectureCounts(_ file: String, _ count: String) throws {
        let r = try Gallery.run(["compile", CLI.graph(file)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("parameters: \(count)\n"), "\(r.stdout)")
    }

    /// They train too (5 of their 100 epochs here): the loss falls.
    @Test(arguments: ["mlp_3_64_64_1.nng", "mlp_10_64_32_1.nng"])
    func smallMLPsTrain(_ file: String) throws {
        let run = try Gallery.train(CLI.graph(file), ["--epochs", "5"])
        let h = try run.history()
        #expect(h.last!["train_loss"]! < h.first!["train_loss"]!)
    }
}

@Suite struct GalleryCheckTests {
    @Test(arguments: ["hooke.nng", "perceptron.nng", "qho_fit.nng", "digits.nng", "mnist_mlp.nng",
                      "regularization.nng", "mlp_3_64_64_1.nng", "mlp_10_64_32_1.nng"])
    func checksSilently(_ name: String) throws {
        let r = try Gallery.run(["check", CLI.graph(name)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.isEmpty)
    }
}
