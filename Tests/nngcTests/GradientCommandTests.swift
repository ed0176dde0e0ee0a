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

    @Test(arguments: ["chain.nng", "xor.nng"])
    func gradcheckPassesOnEveryGalleryGraph(_ name: String) throws {
        let r = try CLI.run(["gradcheck", CLI.graph(name), "--format", "json"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"of\": \"loss\", \"pass\": true, \"wrt\": {"))
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
