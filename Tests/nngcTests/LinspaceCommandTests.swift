import Foundation
import Testing

/// `linspace` in a graph on both backends: its values, derivatives with respect to a value made
/// from it (the collocation points of Graphs/pinn_oscillator.nng), and printing.
@Suite struct LinspaceCommandTests {
    static let source = """
    graph g {
      param a: f64[] = 2
      x  = linspace(0, 1, 5)
      y  = sum(a * x^3)
      dy = grad(y, x)
      d2 = grad(sum(dy), x)
      output y, dy, d2
    }
    """

    /// y = Σ a x³ on x = 0, ¼, ½, ¾, 1 (a = 2): y = 3.125, dy = 6x², d²y = 12x — exact in binary.
    @Test(arguments: ["c", "interp"])
    func valuesAndDerivatives(_ backend: String) throws {
        let r = try CLI.run(["eval", CLI.temporaryFile(Self.source), "--backend", backend, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        let object = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let outputs = try #require(object?["outputs"] as? [String: Any])
        #expect((outputs["y"] as? NSNumber)?.doubleValue == 3.125)
        #expect(outputs["dy"] as? [Double] == [0, 0.375, 1.5, 3.375, 6])
        #expect(outputs["d2"] as? [Double] == [0, 3, 6, 9, 12])
    }

    /// The printed graph holds the points as a list literal and evaluates to the same values.
    @Test func printedGraphReadsBack() throws {
        let printed = try CLI.run(["compile", CLI.temporaryFile(Self.source), "--emit", "ir"])
        #expect(printed.status == 0, "\(printed.stderr)")
        #expect(printed.stdout.contains("[0, 0.25, 0.5, 0.75, 1]"), "\(printed.stdout)")
        let original = try CLI.run(["eval", CLI.temporaryFile(Self.source)])
        let reread = try CLI.run(["eval", CLI.temporaryFile(printed.stdout)])
        #expect(reread.status == 0, "\(reread.stderr)")
        #expect(reread.stdout == original.stdout)
    }

    /// `--size M=N` chooses the count of `linspace(0, 1, M)`.
    @Test func countFromTheCommandLine() throws {
        let path = CLI.temporaryFile("graph g {\n  x = linspace(0, 1, M)\n  s = sum(x)\n  output s\n}")
        let r = try CLI.run(["eval", path, "--size", "M=11"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "s = 5.5\n")
    }
}
