import Foundation
import Testing

@Suite struct GradientCommandTests {
    @Test(arguments: ["c", "interp"])
    func chainGradientsAreExact(_ backend: String) throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--grad", "loss", "--backend", backend])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "loss = 2.25\ndloss/dw1 = -9\ndloss/dw2 = -3\n")
    }

    @Test func gradJSONFollowsTheContract() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--grad", "loss", "--wrt", "x,w2", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\"outputs\": {\"loss\": 2.25}, \"grad\": {\"of\": \"loss\", \"wrt\": {\"x\": -2.25, \"w2\": -3}}}\n")
    }

    @Test func printedGradientGraphReadsAsTheChainRule() throws {
        let r = try CLI.run(["compile", CLI.graph("chain.nng"), "--emit", "grad"])
        #expect(r.status == 0, "\(r.stderr)")
        for line in ["dloss_dyhat: f64[] = 2 * t1", "dloss_dh: f64[] = dloss_dyhat * w2", "dloss_dw1: f64[] = dloss_dz * x",
                     "output loss, dloss_dw1, dloss_dw2"] {
            #expect(r.stdout.contains(line), "missing \(line) in\n\(r.stdout)")
        }
        // It parses back and evaluates to the same values.
        let path = CLI.temporaryFile(r.stdout, name: "chain.grad.nng")
        let again = try CLI.run(["eval", path, "--set", "x=2", "--set", "y=3"])
        #expect(again.stdout == "loss = 2.25\ndloss_dw1 = -9\ndloss_dw2 = -3\n", "\(again.stderr)")
    }

    static var galleryFiles: [String] {
        let folder = CLI.packageRoot.appendingPathComponent("Graphs").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".nng") }.sorted()
    }

    @Test func gradcheckOfTheChainExample() throws {
        let r = try CLI.run(["gradcheck", CLI.graph("chain.nng"), "--format", "json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"of\": \"loss\", \"pass\": true, \"wrt\": {\"w1\": {"))
    }

    /// Every graph of the gallery that has parameters and an output to differentiate (the
    /// train block's `minimize`, or its only scalar output) passes the check.
    @Test(arguments: galleryFiles)
    func gradcheckPassesOnEveryGalleryGraph(_ name: String) throws {
        let check = try CLI.run(["check", CLI.graph(name), "--format", "json"])
        #expect(check.status == 0)
        for graph in try Self.graphNames(CLI.graph(name)) {
            let r = try CLI.run(["gradcheck", CLI.graph(name), "--graph", graph, "--format", "json"])
            if r.stderr.contains("no scalar output to differentiate") || r.stderr.contains("several scalar outputs") { continue }
            #expect(r.status == 0, "\(name) graph \(graph): \(r.stdout)\(r.stderr)")
            #expect(r.stdout.contains("\"pass\": true"))
        }
    }

    /// The names of the graphs of a file: its `graph NAME {` lines.
    static func graphNames(_ path: String) throws -> [String] {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        return text.split(separator: "\n").compactMap { line in
            let words = line.split(separator: " ")
            return line.hasPrefix("graph ") && words.count >= 2 ? String(words[1]) : nil
        }
    }

    @Test func gradcheckFailsAtAKinkWithStatusOne() throws {
        // x = 0 puts relu exactly at its kink: the symbolic derivative (step(0) = 0) and the
        // central difference (1/2 of the slope) disagree, and the check must say so.
        let r = try CLI.run(["gradcheck", CLI.graph("chain.nng"), "--set", "x=0", "--set", "y=3", "--wrt", "w1"])
        #expect(r.status == 0, "w1's gradient is x·… = 0 on both sides: \(r.stdout)")
        let kink = try CLI.run(["gradcheck", CLI.graph("chain.nng"), "--set", "x=1", "--set", "y=3", "--set", "w1=0", "--wrt", "w1"])
        #expect(kink.status == 1, "\(kink.stdout)\(kink.stderr)")
        #expect(kink.stdout.contains("FAILED: w1"))
    }

    @Test func unknownGradOutputSuggestsOne() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--grad", "los"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("unknown output 'los'; did you mean 'loss'?"))
    }
}
