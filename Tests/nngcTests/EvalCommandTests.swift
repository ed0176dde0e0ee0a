import Foundation
import Testing

@Suite struct EvalCommandTests {
    @Test func chainExampleGivesTheContractsLoss() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "loss = 2.25\n")
    }

    @Test func jsonOutputFollowsTheContract() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "{\"outputs\": {\"loss\": 2.25}}\n")
    }

    @Test func paramsCanBeReplacedWithSet() throws {
        // w1 = 1: z = 2, h = 2, yhat = 3, loss = 0.
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--set", "w1=1"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "loss = 0\n")
    }

    @Test func dtypeOverrideComputesInF32() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--dtype", "f32"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout == "loss = 2.25\n")
    }

    @Test func feedFileBindsBatchSymbol() throws {
        let feed = CLI.temporaryFile(#"{"x": [[0, 0], [0, 1], [1, 0], [1, 1]], "y": [[0], [1], [1], [0]]}"#, name: "feed.json")
        let r = try CLI.run(["eval", CLI.graph("xor.nng"), "--feed", feed, "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"outputs\": {\"loss\": "))
        #expect(r.stdout.contains("\"acc\": "))
    }

    @Test func unknownFedNameSuggestsTheClosest() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "xx=2", "--set", "y=3"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("graph 'chain' has no input or param 'xx'; did you mean 'x'?"))
    }

    @Test func missingInputIsAnErrorNotACrash() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("'y'"))
    }

    @Test func wrongShapeFedIsRefused() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=[1,2]", "--set", "y=3"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("'x'"))
    }

    @Test func raggedValueIsRefused() throws {
        let r = try CLI.run(["eval", CLI.graph("xor.nng"), "--set", "x=[[1,2],[3]]", "--set", "y=[[1],[0]]"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("ragged array: a list of 1 where 2 were expected"))
    }

    @Test func paramOfWrongShapeIsRefused() throws {
        let r = try CLI.run(["eval", CLI.graph("chain.nng"), "--set", "x=2", "--set", "y=3", "--set", "w1=[1,2]"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("param 'w1' is f64[], but the value given has shape [2]"))
    }

    @Test func badUsageExitsWithTwo() throws {
        #expect(try CLI.run(["eval"]).status == 2)
        #expect(try CLI.run(["frobnicate"]).status == 2)
        #expect(try CLI.run(["eval", CLI.graph("chain.nng"), "--dtype", "f16"]).status == 2)
        #expect(try CLI.run(["eval", CLI.graph("chain.nng"), "--size", "B"]).status == 2)
    }

    @Test func missingFileIsAUserError() throws {
        let r = try CLI.run(["eval", "/nonexistent/model.nng"])
        #expect(r.status == 1)
        #expect(r.stderr.contains("no such file: '/nonexistent/model.nng'"))
    }
}
