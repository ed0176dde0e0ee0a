import Foundation
import Testing

// Hostile inputs (issue 14): sizes that do not fit, values no output needs, data sources sized
// in the file and broken data are clear errors with exit 1 (or work), identically on both
// backends — never a trap, an abort or a silent success on one backend only.

private func eval(_ source: String, _ args: [String], backend: String) throws -> CLIResult {
    try CLI.run(["eval", CLI.temporaryFile(source), "--backend", backend] + args)
}

/// `nngc eval` of `source` on the interpreter, then on the C backend.
private func evalOnBothBackends(_ source: String, _ args: [String]) throws -> [CLIResult] {
    try ["interp", "c"].map { try eval(source, args, backend: $0) }
}

/// The first line of stderr without the temporary file's path.
private func firstLine(_ r: CLIResult) -> String {
    let line = r.stderr.split(separator: "\n").first.map(String.init) ?? ""
    guard let colon = line.range(of: ".nng:") else { return line }
    return String(line[colon.upperBound...])
}

@Suite struct HostileInputTests {
    @Test func aValueTooLargeIsRefusedIdenticallyOnBothBackends() throws {
        let source = "graph g {\n  input x: f32[3]\n  y = sum(broadcast(x, [99999999999999, 3]))\n  output y\n}\n"
        let results = try evalOnBothBackends(source, ["--set", "x=[1,2,3]"])
        for r in results {
            #expect(r.status == 1)
            #expect(firstLine(r) == "3:11: error: a value of shape [99999999999999, 3] is too large", "\(r.stderr)")
        }
        #expect(firstLine(results[0]) == firstLine(results[1]))
    }

    @Test func theMemoryBudgetRefusesBeforeAllocating() throws {
        let source = "graph g {\n  input x: f32[3]\n  y = sum(broadcast(x, [100, 3]))\n  output y\n}\n"
        for r in try evalOnBothBackends(source, ["--set", "x=[1,2,3]", "--max-memory", "1K"]) {
            #expect(r.status == 1)
            #expect(firstLine(r) == "3:11: error: a value of shape [100, 3] needs 1,200 bytes, more than the memory budget of 1,024 bytes (--max-memory)", "\(r.stderr)")
        }
        for fits in try evalOnBothBackends(source, ["--set", "x=[1,2,3]", "--max-memory", "1M"]) {
            #expect(fits.status == 0, "\(fits.stderr)")
        }
        let bad = try eval(source, ["--set", "x=[1,2,3]", "--max-memory", "lots"], backend: "c")
        #expect(bad.status != 0 && bad.stderr.contains("--max-memory expects a positive size such as 512M or 8G, got 'lots'"))
    }

    @Test func aSymbolSizeWhoseElementCountOverflowsIsRefused() throws {
        let r = try CLI.run(["compile", CLI.graph("xor.nng"), "--size", "B=4611686018427387904"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("xor.nng:5:9: error: a value of shape [4611686018427387904, 2] is too large"), "\(r.stderr)")
    }

    @Test func valuesNoOutputUsesAreNotEvaluatedOnEitherBackend() throws {
        let source = "graph g {\n  input x: f32[1]\n  u = one_hot(x, 3)\n  y = x * 2\n  output y\n}\n"
        for r in try evalOnBothBackends(source, ["--set", "x=[0.5]"]) {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("y = [1]"), "\(r.stdout)")
        }
    }

    @Test func dataSourcesSizedBeyondLimitsAreRefusedWithTheirLine() throws {
        let grid = try trainLinear(data: "grid(x = linspace(0, 1, 1000000000000))")
        #expect(grid.status == 1)
        #expect(firstLine(grid).hasPrefix("8:38: error: 'count' of 'linspace' must be at most 2147483647, got "), "\(grid.stderr)")
        for L in ["100000", "3037000500"] {
            let ising = try trainLinear(data: "ising(L = \(L))")
            #expect(ising.status == 1)
            #expect(firstLine(ising) == "8:24: error: 'L' of 'ising' must be at most 46340, got \(L)", "\(ising.stderr)")
        }
    }

    @Test func aNonFiniteCSVCellStopsTrainingWithFileLineAndColumn() throws {
        let r = try trainLinear(data: "csv(\"d.csv\", x = [1])", files: ["d.csv": "a,b\n1,2\n3,nan\n"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("d.csv:3:3: 'nan' is not a finite number (column 1)"), "\(r.stderr)")
    }
}

extension HostileInputTests {
    @Test func nonFiniteConstantsWorkOnBothBackends() throws {
        let source = "graph g {\n  input x: f32[2]\n  y = x * (0/0) + 1e308 * 10\n  z = x - 1e308 * 10\n  output y\n  output z\n}\n"
        for r in try evalOnBothBackends(source, ["--set", "x=[1,2]"]) {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("y = [nan, nan]") && r.stdout.contains("z = [-inf, -inf]"), "\(r.stdout)")
        }
    }

    @Test func theConv2dWeightGradientMultipliesPaddedZerosOnBothBackends() throws {
        // Every weight meets the NaN of z at output (0, 0), through a padded zero or not: 0·NaN = NaN.
        let source = """
        graph g {
          input x: f64[1, 1, 2, 2]
          input z: f64[1, 1, 2, 2]
          param w: f64[1, 1, 3, 3] = ones
          y = conv2d(x, w, padding = 1)
          L = sum(y * z)
          output L
        }
        """
        let args = ["--set", "x=[[[[1, 2], [2, 3]]]]", "--set", "z=[[[[nan, 1], [1, 1]]]]", "--grad", "L", "--wrt", "w"]
        for r in try evalOnBothBackends(source, args) {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("dL/dw = [[[[nan, nan, nan], [nan, nan, nan], [nan, nan, nan]]]]"), "\(r.stdout)")
        }
    }

    @Test func wrtAcceptsAnAliasAsGradDoes() throws {
        let source = "graph g {\n  input x: f32[2]\n  param c: f32[2] = ones\n  d = c\n  L = sum(x * d)\n  output L\n}\n"
        for r in try evalOnBothBackends(source, ["--set", "x=[1,2]", "--grad", "L", "--wrt", "d"]) {
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.contains("dL/dd = [1, 2]"), "\(r.stdout)")
        }
        let typo = try eval(source, ["--set", "x=[1,2]", "--grad", "L", "--wrt", "dd"], backend: "c")
        #expect(typo.status == 1 && typo.stderr.contains("unknown name 'dd' to differentiate with respect to; did you mean 'd'?"), "\(typo.stderr)")
    }

    @Test func severalUnnamedTrainBlocksAreRefusedByCheckAndTrainAlike() throws {
        let block = "train {\n  data = grid(x = linspace(0, 1, 4))\n  epochs = 1\n}\n"
        let path = CLI.temporaryFile(linearGraph + block + block)
        let message = "error: a file with several train blocks must name each (train NAME { … }) so that --train can choose"
        for args in [["check", path], ["train", path, "-o", path + ".run"]] {
            let r = try CLI.run(args)
            #expect(r.status == 1)
            #expect(r.stderr.contains(".nng:7:1: \(message)") && r.stderr.contains(".nng:11:1: \(message)"), "\(r.stderr)")
        }
        #expect(!FileManager.default.fileExists(atPath: path + ".run"))
    }

    /// Errors about the file as a whole point at where the choice arises: the second of several
    /// named train blocks (a note gives the other), the graph with several scalar outputs.
    @Test func wholeFileChoicesCarryALocation() throws {
        let block = { (name: String) in "train \(name) {\n  data = grid(x = linspace(0, 1, 4))\n  epochs = 1\n}\n" }
        let trains = CLI.temporaryFile(linearGraph + block("a") + block("b"))
        let train = try CLI.run(["train", trains, "-o", trains + ".run"])
        #expect(train.status == 1)
        #expect(train.stderr.contains(".nng:11:7: error: the file has several train blocks (a, b): choose one with --train"), "\(train.stderr)")
        #expect(train.stderr.contains("note: train block 'a' is at line 7"), "\(train.stderr)")
        let twoScalars = CLI.temporaryFile(linearGraph.replacingOccurrences(of: "  output loss\n", with: "  output loss\n  s = sum(x)\n  output s\n"))
        for args in [["gradcheck", twoScalars, "--set", "x=[[1]]"], ["compile", twoScalars, "--emit", "grad"]] {
            let r = try CLI.run(args)
            #expect(r.status == 1)
            #expect(r.stderr.contains(".nng:1:7: error: graph 'g' has several scalar outputs (loss, s): choose one with --of"), "\(r.stderr)")
        }
    }

    @Test func checkReportsWhatTrainWouldRefuse() throws {
        let path = CLI.temporaryFile(linearGraph + "train {\n  data = gridd(x = linspace(0, 1, 4))\n  minimize = los\n  epochs = 1\n}\n")
        let r = try CLI.run(["check", path])
        #expect(r.status == 1)
        #expect(r.stderr.contains(".nng:8:10: error: unknown data source 'gridd'; did you mean 'grid'?"), "\(r.stderr)")
        #expect(r.stderr.contains(".nng:9:14: error: 'los' is not an output of graph 'g'; did you mean 'loss'?"), "\(r.stderr)")
    }

    @Test func nonFiniteDataIsReadWhenTheSourceOptsIn() throws {
        let r = try trainLinear(data: "csv(\"d.csv\", x = [1], allow_nonfinite = true)", files: ["d.csv": "a,b\n1,2\n3,nan\n"])
        // The file is read; training then stops at the NaN loss it causes.
        #expect(r.status == 1)
        #expect(r.stderr.contains("the loss became NaN") && !r.stderr.contains("is not a finite number"), "\(r.stderr)")
    }

    @Test func aFolderInThePlaceOfAFileIsRefusedBeforeTraining() throws {
        let path = CLI.temporaryFile(linearGraph + "train {\n  data = grid(x = linspace(0, 1, 4))\n  epochs = 1\n}\n")
        let run = (path as NSString).deletingLastPathComponent + "/run"
        try FileManager.default.createDirectory(atPath: run + "/params.safetensors", withIntermediateDirectories: true)
        let r = try CLI.run(["train", path, "-o", run])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: cannot write '\(run)/params.safetensors': a folder is in its place"), "\(r.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: run) == ["params.safetensors"])
    }

    @Test func aMisshapedParamsFileIsNamed() throws {
        let path = CLI.temporaryFile(linearGraph + "train {\n  data = grid(x = linspace(0, 1, 4))\n  epochs = 1\n}\n")
        let run = (path as NSString).deletingLastPathComponent + "/run"
        #expect(try CLI.run(["train", path, "-o", run]).status == 0)
        let other = CLI.temporaryFile("graph g {\n  input x: f32[2]\n  param w: f32[3] = zeros\n  y = sum(x) + sum(w)\n  output y\n}\n")
        let r = try CLI.run(["eval", other, "--params", run + "/params.safetensors", "--set", "x=[1,2]"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("error: \(run)/params.safetensors: param 'w' is f32[3], but the value given has shape [1, 1]"), "\(r.stderr)")
    }
}

/// A one-input linear model (lines 1–6), for train blocks appended after it.
private let linearGraph = """
graph g {
  input x: f32[B, 1]
  param w: f32[1, 1] = zeros
  loss = mean(x @ w)
  output loss
}

"""

/// `nngc train` of a one-input linear model on `data` (the train block's `data` value, on line
/// 8 from column 14), with `files` (name → text) written beside the model.
private func trainLinear(data: String, files: [String: String] = [:]) throws -> CLIResult {
    let source = linearGraph + """
    train {
      data     = \(data)
      minimize = loss
      epochs   = 1
    }
    """
    let path = CLI.temporaryFile(source)
    let dir = (path as NSString).deletingLastPathComponent
    for (name, text) in files {
        try Data(text.utf8).write(to: URL(fileURLWithPath: dir + "/" + name))
    }
    return try CLI.run(["train", path, "-o", dir + "/run"])
}
