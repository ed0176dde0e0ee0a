import Foundation
import Testing

/// `nngc eval --data SOURCE [--by COLUMN [--crossing OUT=LEVEL] [--plot OUT=FILE.svg]]`, the
/// command that reads T_c off the Ising classifiers, on a small graph whose answers are known.
@Suite struct IsingEvalDataTests {
    /// y = a·x − 1 per sample (a = 1), s = Σ y over the samples fed (`CLI.lineGraph`).
    private let line = CLI.temporaryFile(CLI.lineGraph, name: "line.nng")

    @Test func groupsByAColumnAndFindsTheCrossing() throws {
        let r = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--by", "x",
                             "--crossing", "y=0.25", "--crossing", "y"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == """
        x    n  y     s
        0    1  -1    -1
        0.5  1  -0.5  -0.5
        1    1  0     0
        1.5  1  0.5   0.5
        2    1  1     1
        y crosses 0.25 at x = 1.2500
        y crosses 0.5 at x = 1.5000

        """)
        let j = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--by", "x", "--crossing", "y=0",
                             "--set", "a=2", "--format", "json"])
        #expect(j.status == 0, "\(j.stderr)")
        #expect(j.stdout.hasPrefix("{\"by\": \"x\", \"groups\": [{\"x\": 0, \"n\": 1, \"y\": -1, \"s\": -1}, "))
        #expect(j.stdout.hasSuffix("\"crossings\": [{\"output\": \"y\", \"level\": 0, \"at\": [0.5]}]}\n"))
    }

    @Test func withoutGroupingSummarisesTheWholeData() throws {
        let r = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 4, 5))"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "y = 1 (mean of 5 samples)\ns = 5\n")
    }

    @Test func isingColumnsThatAreNoInputsCanGroup() throws {
        let file = CLI.temporaryFile("""
        graph mag {
          input spins: f64[B, 16]
          m = mean(spins, axes = [1], keepdims = true)
          a = abs(m)
          output a
        }
        """, name: "mag.nng")
        let svg = (file as NSString).deletingLastPathComponent + "/a.svg"
        let r = try CLI.run(["eval", file, "--data", "ising(L = 4, temperatures = [1, 5], samples = 20)", "--by", "T",
                             "--plot", "a=" + svg, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        // Cold and ordered at T = 1; |m| small at T = 5.
        let object = try #require(JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let groups = try #require(object["groups"] as? [[String: Any]])
        #expect(groups.count == 2)
        #expect((groups[0]["T"] as? Double) == 1 && (groups[0]["n"] as? Double) == 20)
        #expect((groups[0]["a"] as? Double ?? 0) > 0.9)
        #expect((groups[1]["a"] as? Double ?? 1) < 0.5)
        #expect(try String(contentsOfFile: svg, encoding: .utf8).contains("data-series=\"samples\""))
    }

    @Test func mistakesAreReported() throws {
        let noColumn = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--by", "T"])
        #expect(noColumn.status == 1)
        #expect(noColumn.stderr.contains("--by T: the data has no column 'T' (it has x)"), "\(noColumn.stderr)")

        let badSource = try CLI.run(["eval", line, "--data", "gird(x = linspace(0, 2, 5))"])
        #expect(badSource.status == 1)
        #expect(badSource.stderr.hasPrefix("--data:1:1: error: unknown data source 'gird'; did you mean 'grid'?"), "\(badSource.stderr)")

        let unbound = try CLI.run(["eval", line, "--data", "ising(L = 4)"])
        #expect(unbound.status == 1)
        #expect(unbound.stderr.contains("input 'x' is not bound by the data"), "\(unbound.stderr)")

        let notOutput = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--by", "x", "--crossing", "yy=0"])
        #expect(notOutput.status == 1)
        #expect(notOutput.stderr.contains("'yy' is not an output of graph 'line'; did you mean 'y'?"), "\(notOutput.stderr)")

        let inputSet = try CLI.run(["eval", line, "--data", "grid(x = linspace(0, 2, 5))", "--set", "x=[[1]]"])
        #expect(inputSet.status == 1)
        #expect(inputSet.stderr.contains("input 'x' is bound by --data"), "\(inputSet.stderr)")

        for usage in [["--by", "x"], ["--data", "grid(x = linspace(0, 1, 2))", "--crossing", "y"],
                      ["--data", "grid(x = linspace(0, 1, 2))", "--by", "x", "--crossing", "y=abc"],
                      ["--data", "grid(x = linspace(0, 1, 2))", "--by", "x", "--plot", "y"],
                      ["--data", "grid(x = linspace(0, 1, 2))", "--grad", "s"]] {
            let r = try CLI.run(["eval", line] + usage)
            #expect(r.status == 2, "\(usage): \(r.stderr)")
        }
    }
}
