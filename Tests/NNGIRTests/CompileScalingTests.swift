import Foundation
import Testing
import NNGCore
@testable import NNGIR
import NNGLang

// Compilation is linear in the program (issue 14): fn inlining shares identical work, deep
// chains of fns neither overflow the stack nor take polynomial time, and every bound that
// keeps a hostile file linear is refused with a diagnostic. Sizes are counted where the work is
// countable (nodes); the phases that are linear by construction get one generous time ratio
// between n and 8n (linear gives 8, the old n^1.8 gradient lookup 42, a quadratic phase 64,
// the cubic recursion check 512): wide enough apart that a loaded machine does not blur them.

/// `fn f0(x) { return x }`, then `fn f<i>(x) { return BODY }` with `PREV` standing for
/// `f<i-1>`, and a graph summing `f<n>(x)`.
private func fnChain(_ n: Int, body: String, base: String = "x") -> String {
    var lines = ["fn f0(x) { return \(base) }"]
    for i in 1...max(1, n) { lines.append("fn f\(i)(x) { return \(body.replacingOccurrences(of: "PREV", with: "f\(i - 1)")) }") }
    lines.append("graph g {\n  input x: f32[4]\n  y = sum(f\(n)(x))\n  output y\n}")
    return lines.joined(separator: "\n")
}

private func lower(_ source: String, limits: LoweringLimits = LoweringLimits()) -> (graph: Graph?, diagnostics: [Diagnostic], file: SourceFile) {
    let file = SourceFile(path: "scale.nng", text: source)
    let (module, parseDiagnostics) = parse(file)
    #expect(parseDiagnostics.isEmpty, "\(parseDiagnostics)")
    var options = LoweringOptions()
    options.limits = limits
    let (g, ds) = lowerGraph(module, options: options)
    return (g, ds, file)
}

@Test func callsOnTheSameArgumentsShareOneInlinedCopy() throws {
    // 2⁴⁰ copies without sharing; one per level with it.
    let g = try #require(lower(fnChain(40, body: "PREV(x) + PREV(x)")).graph)
    #expect(g.nodes.count == 42)  // input, 40 additions, sum
}

@Test func identicalOperationsInsideFnBodiesAreOneNode() throws {
    // The two `x * 2` are different expressions; hash-consing makes them (and the constant) one.
    let g = try #require(lower(fnChain(40, body: "PREV(x * 2) + PREV(x * 2)")).graph)
    #expect(g.nodes.count == 1 + 1 + 2 * 40 + 1)  // input, the constant 2, a product and a sum per level, sum
}

@Test func callsThatDrawRandomNumbersAreNotShared() throws {
    let source = """
    fn r(x) { return dropout(x) }
    fn twice(x) { return r(x) + r(x) }
    graph g {
      input x: f32[4]
      y = sum(twice(x))
      output y
    }
    """
    let g = try #require(lower(source).graph)
    let streams = g.nodes.compactMap { n -> UInt64? in if case .dropout(_, let s) = n.op { return s } else { return nil } }
    #expect(streams == [0, 1])
}

@Test func exponentialInliningIsRefusedAtTheNodeLimit() {
    var limits = LoweringLimits()
    limits.maxNodes = 1000
    let (graph, ds, file) = lower(fnChain(30, body: "PREV(x) + PREV(x)", base: "dropout(x)"), limits: limits)
    #expect(graph == nil)
    #expect(ds.count == 1)
    let d = ds[0]
    #expect(d.message.hasPrefix("inlining 'f") && d.message.hasSuffix("' makes the graph larger than 1000 operations"), "\(d.message)")
    #expect(d.notes.contains("note: every call of a fn adds a copy of its body; calls that draw random numbers cannot share one"))
    #expect(d.position(in: file) != nil)
}

@Test func deepFnChainsLowerWithoutOverflowingTheStack() throws {
    // 1,600 levels overflowed the 8 MiB main-thread stack of a debug build before lowering ran
    // on a stack of its own.
    let g = try #require(lower(fnChain(3000, body: "PREV(x) * 1")).graph)
    #expect(g.nodes.count == 3000 + 3)  // input, the shared constant 1, a product per level, sum
    let file = SourceFile(path: "scale.nng", text: fnChain(3000, body: "PREV(x) * 1"))
    #expect(checkModule(parse(file).module).isEmpty)
}

@Test func fnNestingBeyondTheDepthLimitIsRefused() {
    var limits = LoweringLimits()
    limits.maxDepth = 100
    let (graph, ds, file) = lower(fnChain(300, body: "PREV(x) * 1"), limits: limits)
    #expect(graph == nil)
    #expect(ds.map(\.message) == ["fn calls nested too deeply (more than 100 levels of expressions)"])
    // The ten innermost calls and a count of the others, not one note per level.
    #expect(ds.first?.notes.count == 11)
    #expect(ds.first?.notes.last == "note: … and 39 outer calls")
    #expect(ds.first?.position(in: file) != nil)
}

@Test func didYouMeanStopsAfterItsBudget() {
    var limits = LoweringLimits()
    limits.suggestionBudget = 100
    var lines = ["graph g {", "  input x: f32[4]"]
    for i in 0..<48 { lines.append("  v\(i) = x") }
    lines += ["  a = v1x", "  b = v2x", "  c = v3x", "  output x", "}"]
    let (_, ds, _) = lower(lines.joined(separator: "\n"), limits: limits)
    // 49, then 50 names in scope (with the failed `a`): two hints fit 100 comparisons, a third does not.
    #expect(ds.map(\.message) == [
        "unknown name 'v1x'; did you mean 'v1'?",
        "unknown name 'v2x'; did you mean 'v2'?",
        "unknown name 'v3x'",
    ])
}

@Test func didYouMeanAmongEquallyCloseOperationsIsDeterministic() {
    // 'max' and 'min' are both one edit away; the candidates come from a dictionary, whose
    // order changes from process to process, so they are sorted first.
    let (_, ds, _) = lower("graph g {\n  input x: f32[4]\n  y = mix(x)\n  output y\n}")
    #expect(ds.map(\.message) == ["unknown operation 'mix'; did you mean 'max'?"])
}

/// The smallest of five wall-clock times of `body`.
private func fastest(_ body: () -> Void) -> Double {
    (0..<5).map { _ in
        let start = DispatchTime.now().uptimeNanoseconds
        body()
        return Double(DispatchTime.now().uptimeNanoseconds - start)
    }.min()!
}

@Test func checkingAFnChainIsLinear() {
    func check(_ n: Int) -> Double {
        let module = parse(SourceFile(path: "c.nng", text: fnChain(n, body: "PREV(x) * 1"))).module
        return fastest { #expect(checkModule(module).isEmpty) }
    }
    let ratio = check(1600) / check(200)
    #expect(ratio < 24, "checking 8× the levels took \(ratio)× the time")
}

@Test func gradientOfManyParamsIsLinear() throws {
    func differentiate(_ n: Int) throws -> Double {
        var lines = ["graph g {", "  input x: f32[4]", "  v0 = x"]
        for i in 1...n { lines += ["  param p\(i): f32[4] = zeros", "  v\(i) = v\(i - 1) * p\(i)"] }
        lines += ["  loss = sum(v\(n))", "  output loss", "}"]
        let g = try #require(lower(lines.joined(separator: "\n")).graph)
        return try fastest { _ = try? gradientGraph(g, of: "loss", wrt: nil) }
    }
    let ratio = try differentiate(2400) / differentiate(300)
    #expect(ratio < 24, "differentiating 8× the params took \(ratio)× the time")
}
