import Foundation
import Testing

@Suite struct CheckAndCompileTests {
    @Test(arguments: ["chain.nng", "xor.nng"])
    func everyGalleryGraphChecksSilently(_ name: String) throws {
        let r = try CLI.run(["check", CLI.graph(name)])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.isEmpty && r.stderr.isEmpty)
    }

    @Test func brokenFileGetsACaretDiagnosticAndStatusOne() throws {
        let path = CLI.temporaryFile("""
        graph g {
          input x: f32[B, 784]
          param W1: f32[748, 100] = zeros
          h = relu(x @ W1)
          output h
        }
        """)
        let r = try CLI.run(["check", path])
        #expect(r.status == 1)
        let lines = r.stderr.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "\(path):4:14: error: matmul needs a[1] == b[0], got f32[B, 784] @ f32[748, 100]")
        #expect(lines[1] == "    h = relu(x @ W1)")
        #expect(lines[2] == "               ^")
    }

    @Test func checkJSONListsDiagnostics() throws {
        let path = CLI.temporaryFile("graph g {\n  input x: f32[2]\n  y = relu(q)\n  output y\n}\n")
        let r = try CLI.run(["check", path, "--format", "json"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\"ok\": false"))
        #expect(r.stdout.contains("\"line\": 3, \"column\": 12"))
    }

    @Test func emittedIRParsesBackAndEvaluatesTheSame() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("nngc-emit-\(UUID().uuidString)").path
        let r = try CLI.run(["compile", CLI.graph("chain.nng"), "--emit", "ir", "-o", dir])
        #expect(r.status == 0, "\(r.stderr)")
        let printed = dir + "/chain.ir.nng"
        let again = try CLI.run(["eval", printed, "--set", "x=2", "--set", "y=3"])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout == "loss = 2.25\n")
    }

    @Test func compileReportsParameterCount() throws {
        let r = try CLI.run(["compile", CLI.graph("xor.nng")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("parameters: 33"))
    }

    @Test func emitIRToStdoutIsValidNNG() throws {
        let r = try CLI.run(["compile", CLI.graph("xor.nng"), "--emit", "ir"])
        #expect(r.status == 0, "\(r.stderr)")
        let path = CLI.temporaryFile(r.stdout, name: "printed.nng")
        #expect(try CLI.run(["check", path]).status == 0)
    }
}

@Suite struct BackendSelectionTests {
    @Test func bothBackendsPrintTheSameOutputs() throws {
        let feed = CLI.graph("data/xor_inputs.json")
        let c = try CLI.run(["eval", CLI.graph("xor.nng"), "--feed", feed, "--backend", "c"])
        let interp = try CLI.run(["eval", CLI.graph("xor.nng"), "--feed", feed, "--backend", "interp"])
        #expect(c.status == 0 && interp.status == 0, "\(c.stderr)\(interp.stderr)")
        #expect(c.stdout == interp.stdout)
        #expect(c.stdout.hasPrefix("loss = "))
    }

    @Test func emitCWritesTheForwardFunction() throws {
        let r = try CLI.run(["compile", CLI.graph("xor.nng"), "--emit", "c", "--size", "B=4"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("int nngc_forward("))
        #expect(r.stderr.contains("for B = 4"))
        #expect(r.stderr.contains("arena: "))
    }

    @Test func reportInJSON() throws {
        let r = try CLI.run(["compile", CLI.graph("chain.nng"), "--format", "json"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("{\"graph\": \"chain\""))
        #expect(r.stdout.contains("\"parameters\": 2"))
    }

    @Test func unknownEmitKindIsUsageError() throws {
        let r = try CLI.run(["compile", CLI.graph("chain.nng"), "--emit", "llvm"])
        #expect(r.status == 2)
        #expect(r.stderr.contains("unknown --emit kind 'llvm'"))
    }
}
