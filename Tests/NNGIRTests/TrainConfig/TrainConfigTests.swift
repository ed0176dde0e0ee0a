import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
import Testing

private let graphText = """
graph g {
  input x: f32[B, 2]
  input y: f32[B, 1]
  param W: f32[2, 1] = zeros
  p    = sigmoid(x @ W)
  loss = bce(p, y)
  acc  = accuracy(p, y)
  output loss, acc, p
}

"""

/// Reads the (only) train block of `graphText + train`, with the lowered graph.
private func readConfig(_ train: String, epochs: Int? = nil) -> (TrainConfig?, [Located]) {
    let file = SourceFile(path: "test.nng", text: graphText + train)
    let (module, parseDiagnostics) = parse(file)
    precondition(parseDiagnostics.isEmpty, "\(parseDiagnostics)")
    let (config, _, ds) = loadTrainSetup(module, epochsOverride: epochs)
    return (config, ds.map { d in
        let (l, c) = d.position(in: file) ?? (0, 0)
        return Located(d.message, l - 9, c)   // lines counted from the train block's first line
    })
}

private func errorsOf(_ train: String) -> [Located] { readConfig(train).1 }

@Suite struct TrainConfigTests {
    @Test func fullBlock() throws {
        let (config, ds) = readConfig("""
        train fit {
          graph      = g
          minimize   = loss
          data       = csv("xor.csv", x = [0, 1], y = [2], header = false)
          validation = 0.2
          test       = [npy(x = "tx.npy"), idx(y = "ty.idx")]
          optimizer  = adam(lr = 0.01, beta2 = 0.99, weight_decay = 1e-4)
          schedule   = step(every = 10, gamma = 0.5)
          batch      = 32
          epochs     = 100
          shuffle    = false
          seed       = 7
          early_stop = 5
          report     = [acc]
        }
        """)
        #expect(ds.isEmpty)
        let c = try #require(config)
        #expect(c.name == "fit")
        #expect(c.graph == "g")
        #expect(c.minimize == "loss")
        #expect(c.data.sources.map(\.kind) == [.csv(path: "xor.csv", columns: ["x": [0, 1], "y": [2]], header: .absent)])
        #expect(c.validation == .fraction(0.2))
        guard case .data(let t)? = c.test else { Issue.record("test is not a source"); return }
        #expect(t.sources.map(\.kind) == [.npy(["x": "tx.npy"]), .idx(["y": "ty.idx"])])
        #expect(c.optimizer == OptimizerConfig(kind: .adam, lr: 0.01, beta2: 0.99, weightDecay: 1e-4))
        #expect(c.schedule == .step(every: 10, gamma: 0.5))
        #expect(c.batch == 32)
        #expect(c.length == .epochs(100))
        #expect(c.shuffle == false)
        #expect(c.seed == 7)
        #expect(c.earlyStop == 5)
        #expect(c.report == ["acc"])
    }

    @Test func defaults() throws {
        let (config, ds) = readConfig("""
        train {
          minimize = loss
          data  = [grid(x = linspace(-1, 1, 5)), grid(y = linspace(0, 1, 5))]
          steps = 10
        }
        """)
        #expect(ds.isEmpty)
        let c = try #require(config)
        #expect(c.name == nil)
        #expect(c.minimize == "loss")
        #expect(c.optimizer == OptimizerConfig(kind: .sgd, lr: 0.01))
        #expect(c.schedule == .constant)
        #expect(c.batch == nil)
        #expect(c.length == .steps(10))
        #expect(c.shuffle)
        #expect(c.seed == 0)
        #expect(c.report.isEmpty)
        guard case .grid(let g) = c.data.sources[0].kind else { Issue.record("not a grid"); return }
        #expect(g["x"]!.values == [-1, -0.5, 0, 0.5, 1])
    }

    /// `mesh` keeps its axes in the order written: the first varies slowest.
    @Test func meshSource() throws {
        let (config, ds) = readConfig("train {\n  minimize = loss\n  data = mesh(y = linspace(0, 1, 2), x = linspace(-1, 1, 3))\n  epochs = 1\n}")
        #expect(ds.isEmpty, "\(ds)")
        let c = try #require(config)
        #expect(c.data.sources[0].kind == .mesh([MeshAxis("y", Linspace(0, 1, 2)), MeshAxis("x", Linspace(-1, 1, 3))]))
        #expect(c.data.sources[0].names == ["x", "y"])
        #expect(c.data.sources[0].sourceName == "mesh")
    }

    @Test func optimizerDefaults() {
        let sgd = OptimizerConfig(kind: .sgd)
        #expect(sgd.lr == 0.01 && sgd.momentum == 0 && !sgd.nesterov && sgd.weightDecay == 0)
        let adamw = OptimizerConfig(kind: .adamw)
        #expect(adamw.lr == 0.001 && adamw.beta1 == 0.9 && adamw.beta2 == 0.999 && adamw.eps == 1e-8)
    }

    @Test func isingSource() throws {
        let source = """
        graph h {
          input spins: f32[B, 64]
          input ordered: f32[B, 1]
          param W: f32[64, 1] = zeros
          loss = bce_logits(spins @ W, ordered)
          output loss
        }
        train {
          data = ising(L = 8, temperatures = [1.5, 3], samples = 10, seed = 3)
          validation = ising(L = 8, temperatures = linspace(1, 3, 3), samples = 2, thermalization = 0, interval = 3, algorithm = metropolis)
          optimizer = adam
          schedule = cosine(min_lr = 1e-5)
          epochs = 3
        }
        """
        let (module, _) = parse(SourceFile(path: "t.nng", text: source))
        let (config, _, ds) = loadTrainSetup(module)
        #expect(ds.isEmpty, "\(ds)")
        let c = try #require(config)
        #expect(c.data.sources[0].kind == .ising(IsingSpec(L: 8, temperatures: [1.5, 3], samples: 10, seed: 3)))
        guard case .data(let v)? = c.validation, case .ising(let s) = v.sources[0].kind else { Issue.record("no ising"); return }
        #expect(s.temperatures == [1, 2, 3] && s.samples == 2 && s.seed == 0 && s.L == 8)
        #expect(s.thermalization == 0 && s.interval == 3 && s.algorithm == .metropolis)
        #expect(IsingSpec().thermalization == 200 && IsingSpec().interval == 10 && IsingSpec().algorithm == .swendsenWang)
        #expect(c.optimizer.kind == .adam && c.optimizer.lr == 0.001)
        #expect(c.schedule == .cosine(minLR: 1e-5))
    }

    @Test func schedules() {
        #expect(Schedule.constant.lr(base: 0.1, epoch: 50, totalEpochs: 100) == 0.1)
        let step = Schedule.step(every: 10, gamma: 0.5)
        #expect(step.lr(base: 0.1, epoch: 9, totalEpochs: 100) == 0.1)
        #expect(step.lr(base: 0.1, epoch: 10, totalEpochs: 100) == 0.05)
        #expect(step.lr(base: 0.1, epoch: 25, totalEpochs: 100) == 0.025)
        let cos = Schedule.cosine(minLR: 0.001)
        #expect(cos.lr(base: 0.1, epoch: 0, totalEpochs: 100) == 0.1)
        #expect(abs(cos.lr(base: 0.1, epoch: 50, totalEpochs: 100) - 0.0505) < 1e-12)
        #expect(abs(cos.lr(base: 0.1, epoch: 100, totalEpochs: 100) - 0.001) < 1e-12)
    }

    @Test func epochsOverride() throws {
        let (config, ds) = readConfig("train {\n  minimize = loss\n  data = grid(x = linspace(0, 1, 3), y = linspace(0, 1, 3))\n  steps = 5\n}", epochs: 9)
        #expect(ds.isEmpty)
        #expect(config?.length == .epochs(9))
    }

    @Test func selectingTrainBlocks() {
        let text = graphText + """
        train a { minimize = loss; data = grid(x = linspace(0, 1, 3), y = linspace(0, 1, 3)); epochs = 1 }
        train b { minimize = loss; data = grid(x = linspace(0, 1, 3), y = linspace(0, 1, 3)); epochs = 2 }
        """
        let (module, _) = parse(SourceFile(path: "t.nng", text: text))
        let several = selectTrainBlock(module, name: nil).1
        #expect(several.map(\.message) == ["the file has several train blocks (a, b): choose one with --train"])
        #expect(several.map { module.file.lineColumn(of: $0.range.start).line } == [module.file.lineColumn(of: module.trains[1].range.start).line])
        #expect(several.first?.notes == ["note: train block 'a' is at line \(module.file.lineColumn(of: module.trains[0].range.start).line)"])
        #expect(selectTrainBlock(module, name: "c").1.map(\.message) == ["no train block named 'c'; did you mean 'a'?"])
        #expect(selectTrainBlock(module, name: "b").0?.name?.name == "b")
        let (config, _, ds) = loadTrainSetup(module, trainName: "b")
        #expect(ds.isEmpty)
        #expect(config?.length == .epochs(2))
        let (empty, _) = parse(SourceFile(path: "t.nng", text: graphText))
        #expect(selectTrainBlock(empty, name: nil).1.map(\.message) == ["the file has no train block"])
    }

    // MARK: Errors, with exact messages and positions (line 1 = the `train` line).

    static let okData = "data = grid(x = linspace(0, 1, 3), y = linspace(0, 1, 3))"

    struct Bad: CustomTestStringConvertible, Sendable {
        var name: String
        var train: String
        var expected: [Located]
        var testDescription: String { name }
    }

    static let bad: [Bad] = [
        Bad(name: "unknown key", train: "train {\n  minimize = loss\n  \(okData)\n  epoch = 3\n}",
            expected: [Located("unknown train setting 'epoch'; did you mean 'epochs'?", 4, 3),
                       Located("the train block needs 'epochs' or 'steps'", 1, 1)]),
        Bad(name: "duplicate key", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  epochs = 4\n}",
            expected: [Located("'epochs' is set twice", 5, 3)]),
        Bad(name: "minimize not an output", train: "train {\n  minimize = los\n  \(okData)\n  epochs = 3\n}",
            expected: [Located("'los' is not an output of graph 'g'; did you mean 'loss'?", 2, 14)]),
        Bad(name: "minimize not scalar", train: "train {\n  minimize = p\n  \(okData)\n  epochs = 3\n}",
            expected: [Located("'minimize' needs a scalar output, but 'p' is f32[B, 1]", 2, 14)]),
        Bad(name: "minimize missing", train: "train t {\n  \(okData)\n  epochs = 3\n}",
            expected: [Located("the train block does not say what to minimize: add 'minimize = OUTPUT'", 1, 7)]),
        Bad(name: "report non-output", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  report = [acc, ac]\n}",
            expected: [Located("'ac' is not an output of graph 'g'; did you mean 'acc'?", 5, 18)]),
        Bad(name: "report twice", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  report = [acc, acc]\n}",
            expected: [Located("'acc' is reported twice", 5, 18)]),
        Bad(name: "report non-scalar", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  report = p\n}",
            expected: [Located("'report' needs a scalar output, but 'p' is f32[B, 1]", 5, 12)]),
        Bad(name: "fraction out of range", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  validation = 1.5\n}",
            expected: [Located("'validation' must be a fraction in (0, 1) or a data source, got 1.5", 5, 16)]),
        Bad(name: "fractions too large", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  validation = 0.6\n  test = 0.5\n}",
            expected: [Located("validation and test fractions leave no training data (0.6 + 0.5 >= 1)", 6, 10)]),
        Bad(name: "epochs and steps", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  steps = 10\n}",
            expected: [Located("'epochs' and 'steps' cannot both be given", 5, 3)]),
        Bad(name: "non-positive batch", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  batch = 0\n}",
            expected: [Located("'batch' must be a positive integer, got 0", 5, 11)]),
        Bad(name: "fractional epochs", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 2.5\n}",
            expected: [Located("'epochs' must be a positive integer, got 2.5", 4, 12)]),
        Bad(name: "unknown optimizer", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  optimizer = adm(lr = 0.1)\n}",
            expected: [Located("unknown optimizer 'adm'; did you mean 'adam'? (sgd, adam, adamw)", 5, 15)]),
        Bad(name: "unknown optimizer argument", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  optimizer = sgd(lr = 0.1, momentun = 0.9)\n}",
            expected: [Located("unknown argument 'momentun' for 'sgd'; did you mean 'momentum'?", 5, 29)]),
        Bad(name: "negative lr", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  optimizer = adamw(lr = -0.1)\n}",
            expected: [Located("'lr' of 'adamw' must be positive, got -0.1", 5, 26)]),
        Bad(name: "beta out of range", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  optimizer = adam(beta1 = 1)\n}",
            expected: [Located("'beta1' of 'adam' must be in [0, 1), got 1", 5, 28)]),
        Bad(name: "nesterov without momentum", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  optimizer = sgd(nesterov = true)\n}",
            expected: [Located("nesterov momentum needs 'momentum' > 0", 5, 30)]),
        Bad(name: "unknown schedule", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  schedule = cosin(min_lr = 0)\n}",
            expected: [Located("unknown schedule 'cosin'; did you mean 'cosine'? (constant, step, cosine)", 5, 14)]),
        Bad(name: "step without every", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  schedule = step(gamma = 0.5)\n}",
            expected: [Located("missing argument 'every' for 'step'", 5, 14)]),
        Bad(name: "unknown source", train: "train {\n  minimize = loss\n  data = csb(\"a.csv\", x = [0, 1], y = [2])\n  epochs = 3\n}",
            expected: [Located("unknown data source 'csb'; did you mean 'csv'? (csv, npy, idx, grid, mesh, ising)", 3, 10)]),
        Bad(name: "unbound input", train: "train {\n  minimize = loss\n  data = csv(\"a.csv\", x = [0, 1])\n  epochs = 3\n}",
            expected: [Located("input 'y' is not bound by the data", 3, 10)]),
        Bad(name: "not an input", train: "train {\n  minimize = loss\n  data = csv(\"a.csv\", x = [0, 1], y = [2], yy = [3])\n  epochs = 3\n}",
            expected: [Located("'yy' is not an input of graph 'g'; did you mean 'y'?", 3, 44)]),
        Bad(name: "bound twice", train: "train {\n  minimize = loss\n  data = [csv(\"a.csv\", x = [0, 1], y = [2]), npy(y = \"y.npy\")]\n  epochs = 3\n}",
            expected: [Located("input 'y' is bound twice", 3, 50)]),
        Bad(name: "negative column", train: "train {\n  minimize = loss\n  data = csv(\"a.csv\", x = [0, -1], y = [2])\n  epochs = 3\n}",
            expected: [Located("a column of 'csv' must be a non-negative integer (0-based), got -1", 3, 31)]),
        Bad(name: "csv without path", train: "train {\n  minimize = loss\n  data = csv(x = [0, 1], y = [2])\n  epochs = 3\n}",
            expected: [Located("'csv' needs a file path: csv(\"data.csv\", x = [0, 1])", 3, 10)]),
        Bad(name: "bad header", train: "train {\n  minimize = loss\n  data = csv(\"a.csv\", x = [0, 1], y = [2], header = yes)\n  epochs = 3\n}",
            expected: [Located("'header' of 'csv' must be auto, true or false", 3, 53)]),
        Bad(name: "npy positional", train: "train {\n  minimize = loss\n  data = npy(\"x.npy\")\n  epochs = 3\n}",
            expected: [Located("'npy' binds inputs by name: npy(x = \"x.npy\")", 3, 14)]),
        Bad(name: "validation unbound", train: "train {\n  minimize = loss\n  \(okData)\n  validation = npy(x = \"vx.npy\")\n  epochs = 3\n}",
            expected: [Located("input 'y' is not bound by the validation data", 4, 16)]),
        Bad(name: "early stop without validation", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  early_stop = 4\n}",
            expected: [Located("'early_stop' needs a validation set: add 'validation = SOURCE' or a fraction", 5, 3)]),
        Bad(name: "bad temperature", train: "train {\n  minimize = loss\n  data = [ising(temperatures = [1, -2]), grid(x = linspace(0, 1, 3))]\n  epochs = 3\n}",
            expected: [Located("a temperature must be positive, got -2", 3, 36)]),
        Bad(name: "ising algorithm", train: "train {\n  minimize = loss\n  data = [ising(algorithm = wolf), grid(x = linspace(0, 1, 3))]\n  epochs = 3\n}",
            expected: [Located("unknown algorithm 'wolf'; did you mean 'wolff'? (swendsen_wang, wolff, metropolis)", 3, 29)]),
        Bad(name: "ising interval", train: "train {\n  minimize = loss\n  data = [ising(interval = 0), grid(x = linspace(0, 1, 3))]\n  epochs = 3\n}",
            expected: [Located("'interval' of 'ising' must be a positive integer, got 0", 3, 28)]),
        Bad(name: "linspace count", train: "train {\n  minimize = loss\n  data = grid(x = linspace(0, 1, 0), y = linspace(0, 1, 3))\n  epochs = 3\n}",
            expected: [Located("'count' of 'linspace' must be a positive integer, got 0", 3, 34)]),
        Bad(name: "mesh positional", train: "train {\n  minimize = loss\n  data = mesh(linspace(0, 1, 3))\n  epochs = 3\n}",
            expected: [Located("'mesh' binds inputs by name: mesh(x = linspace(0, 1, 21), t = linspace(0, 1, 11))", 3, 15)]),
        Bad(name: "mesh too large", train: "train {\n  minimize = loss\n  data = mesh(x = linspace(0, 1, 100000), y = linspace(0, 1, 100000))\n  epochs = 3\n}",
            expected: [Located("'mesh' has too many points (more than 2147483647)", 3, 47)]),
        Bad(name: "mesh empty", train: "train {\n  minimize = loss\n  data = mesh()\n  epochs = 3\n}",
            expected: [Located("'mesh' binds no input: add NAME = linspace(A, B, N)", 3, 10)]),
        Bad(name: "unknown graph", train: "train {\n  graph = gg\n  minimize = loss\n  \(okData)\n  epochs = 3\n}",
            expected: [Located("no graph named 'gg'; did you mean 'g'?", 2, 11)]),
        Bad(name: "seed", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  seed = -1\n}",
            expected: [Located("'seed' must be a non-negative integer, got -1", 5, 10)]),
        Bad(name: "shuffle", train: "train {\n  minimize = loss\n  \(okData)\n  epochs = 3\n  shuffle = 1\n}",
            expected: [Located("'shuffle' must be true or false", 5, 13)]),
    ]

    @Test(arguments: bad) func badBlock(_ c: Bad) {
        #expect(errorsOf(c.train) == c.expected)
    }

    @Test func renderedWithCaret() {
        let text = graphText + "train {\n  minimize = loss\n  \(TrainConfigTests.okData)\n  epochs = 3\n  batch = -4\n}"
        let file = SourceFile(path: "m.nng", text: text)
        let (module, _) = parse(file)
        let (_, _, ds) = loadTrainSetup(module)
        #expect(ds.map { $0.rendered(in: file) } == ["""
        m.nng:14:11: error: 'batch' must be a positive integer, got -4
            batch = -4
                    ^~
        """])
    }

    @Test func optimizerOnItsOwn() {
        let (sgd, d1) = readOptimizer(SourceFile(path: "--optimizer", text: "sgd(lr = 0.05, momentum = 0.9)"))
        #expect(d1.isEmpty)
        #expect(sgd == OptimizerConfig(kind: .sgd, lr: 0.05, momentum: 0.9))
        let (adam, d2) = readOptimizer(SourceFile(path: "--optimizer", text: "adam(0.01)"))
        #expect(d2.isEmpty)
        #expect(adam == OptimizerConfig(kind: .adam, lr: 0.01))
        let (bad, d3) = readOptimizer(SourceFile(path: "--optimizer", text: "sgd(momentum = 1.5)"))
        #expect(bad == nil)
        #expect(d3.map(\.message) == ["'momentum' of 'sgd' must be in [0, 1), got 1.5"])
    }
}
