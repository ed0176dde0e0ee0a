import Testing
@testable import NNGRuntime

@Suite struct TinyCCTests {
    @Test func compilesAndCallsAFunction() throws {
        let src = """
        double exp(double);
        double f(double x) { return 2 * x + exp(0.0) + 0x1.8p+1; }
        """
        let m = try TinyCCModule(source: src, symbols: CExternals.addresses)
        let p = try #require(m.symbol("f"))
        let f = unsafeBitCast(p, to: (@convention(c) (Double) -> Double).self)
        #expect(f(1.5) == 7)
    }

    @Test func externalsResolve() {
        for (name, _) in CExternals.prototypes { #expect(CExternals.addresses[name] != nil, "\(name)") }
    }

    @Test func reportsTheOffendingLine() {
        let src = "int ok(void) { return 1; }\nint bad(void) { return undefined_thing + 1; }\n"
        do {
            _ = try TinyCCModule(source: src, symbols: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error.message.contains("undefined_thing"))
            #expect(error.message.contains("2 | int bad(void)"))
        }
    }
}
