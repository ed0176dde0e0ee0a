import Foundation
import Testing

// Hostile inputs (issue 14): sizes that do not fit, values no output needs, data sources sized
// in the file and broken data are clear errors with exit 1 (or work), identically on both
// backends — never a trap, an abort or a silent success on one backend only.

private func eval(_ source: String, _ args: [String], backend: String) throws -> CLIResult {
    try CLI.run(["eval", CLI.temporaryFile(source), "--backend", backend] + args)
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
        let results = try ["interp", "c"].map { try eval(source, ["--set", "x=[1,2,3]"], backend: $0) }
        for r in results {
            #expect(r.status == 1)
            #expect(firstLine(r) == "3:11: error: a value of shape [99999999999999, 3] is too large", "\(r.stderr)")
        }
        #expect(firstLine(results[0]) == firstLine(results[1]))
    }

    @Test func theMemoryBudgetRefusesBeforeAllocating() throws {
        let source = "graph g {\n  input x: f32[3]\n  y = sum(broadcast(x, [100, 3]))\n  output y\n}\n"
        for backend in ["interp", "c"] {
            let r = try eval(source, ["--set", "x=[1,2,3]", "--max-memory", "1K"], backend: backend)
            #expect(r.status == 1)
            #expect(firstLine(r) == "3:11: error: a value of shape [100, 3] needs 1,200 bytes, more than the memory budget of 1,024 bytes (--max-memory)", "\(r.stderr)")
            let fits = try eval(source, ["--set", "x=[1,2,3]", "--max-memory", "1M"], backend: backend)
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
        for backend in ["interp", "c"] {
            let r = try eval(source, ["--set", "x=[0.5]"], backend: backend)
            #expect(r.status == 0, "\(backend): \(r.stderr)")
            #expect(r.stdout.contains("y = [1]"), "\(r.stdout)")
        }
    }

    @Test func dataSourcesSizedBeyondLimitsAreRefusedWithTheirLine() throws {
        func train(_ data: String) throws -> CLIResult {
            let source = """
            graph g {
              input x: f32[B, 1]
              param w: f32[1, 1] = zeros
              loss = mean(x @ w)
              output loss
            }
            train {
              data     = \(data)
              minimize = loss
              epochs   = 1
            }
            """
            let dir = NSTemporaryDirectory() + "nngc-hostile-\(UUID().uuidString)"
            return try CLI.run(["train", CLI.temporaryFile(source), "-o", dir])
        }
        let grid = try train("grid(x = linspace(0, 1, 1000000000000))")
        #expect(grid.status == 1)
        #expect(firstLine(grid).hasPrefix("8:38: error: 'count' of 'linspace' must be at most 2147483647, got "), "\(grid.stderr)")
        for L in ["100000", "3037000500"] {
            let ising = try train("ising(L = \(L))")
            #expect(ising.status == 1)
            #expect(firstLine(ising) == "8:24: error: 'L' of 'ising' must be at most 46340, got \(L)", "\(ising.stderr)")
        }
    }

    @Test func aNonFiniteCSVCellStopsTrainingWithFileLineAndColumn() throws {
        let source = """
        graph g {
          input x: f32[B, 1]
          param w: f32[1, 1] = zeros
          loss = mean(x @ w)
          output loss
        }
        train {
          data     = csv("d.csv", x = [1])
          minimize = loss
          epochs   = 1
        }
        """
        let path = CLI.temporaryFile(source)
        let csv = (path as NSString).deletingLastPathComponent + "/d.csv"
        try Data("a,b\n1,2\n3,nan\n".utf8).write(to: URL(fileURLWithPath: csv))
        let r = try CLI.run(["train", path, "-o", NSTemporaryDirectory() + "nngc-hostile-\(UUID().uuidString)"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("d.csv:3:3: 'nan' is not a finite number (column 1)"), "\(r.stderr)")
    }
}
