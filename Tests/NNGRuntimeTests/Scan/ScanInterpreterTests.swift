import Foundation
import NNGCore
import NNGIR
@testable import NNGRuntime
import Testing

/// The interpreter's loop against values computed by hand.
@Suite struct ScanInterpreterTests {
    func run(_ source: String, _ inputs: [String: Tensor], params: [String: Tensor] = [:]) throws -> [String: [Double]] {
        let g = try lowered(source)
        let p = params.isEmpty ? ParameterInitializer.initialValues(of: g, seed: 1) : params
        var r: [String: [Double]] = [:]
        for (n, v) in try Interpreter(graph: g).outputs(inputs: inputs, params: p, options: RunOptions()) { r[n] = v.doubles }
        return r
    }

    static let sums = """
    fn add(s, x) { return s + x }
    fn acc(s, x) { return [s + x, s * x] }
    graph g {
      input xs: f64[4, 2]
      s0 = broadcast(0, [2])
      prefix = scan(add, s0, xs)
      suffix = scan(add, s0, xs, reverse = true)
      total = scan(add, s0, xs, final = true)
      columns = scan(add, broadcast(0, [4]), xs, axis = 1)
      before = scan(acc, s0 + 1, xs, carries = 1, result = 1)
      output prefix, suffix, total, columns, before
    }
    """

    @Test func prefixSumsForwardBackwardAndAlongAnotherAxis() throws {
        let v = try run(Self.sums, ["xs": tensorT([4, 2], [1, 10, 2, 20, 3, 30, 4, 40])])
        #expect(v["prefix"] == [1, 10, 3, 30, 6, 60, 10, 100])
        // reverse: stacked outputs stay at the index of their step.
        #expect(v["suffix"] == [10, 100, 9, 90, 7, 70, 4, 40])
        #expect(v["total"] == [10, 100])
        #expect(v["columns"] == [1, 11, 2, 22, 3, 33, 4, 44])
        // Per-step output s * x with the carry before the step: s = 1, 2, 4, 7 (and 1, 11, 31, 61).
        let before: [Double] = [1, 10, 4, 220, 12, 930, 28, 2440]
        #expect(v["before"] == before)
    }

    @Test func aLoopWithoutSequencesRunsItsLength() throws {
        let v = try run("""
        fn grow(s, t) { return [s * 2, t + s] }
        graph g {
          input s0: f64[2]
          input t0: f64[2]
          powers = scan(grow, s0, t0, length = 4)
          sums = scan(grow, s0, t0, length = 4, result = 1)
          back = scan(grow, s0, t0, length = 3, reverse = true, final = true)
          output powers, sums, back
        }
        """, ["s0": tensorT([2], [1, 3]), "t0": tensorT([2], [10, 20])])
        #expect(v["powers"] == [2, 6, 4, 12, 8, 24, 16, 48])
        #expect(v["sums"] == [11, 23, 13, 29, 17, 41, 25, 65])
        #expect(v["back"] == [8, 24])
    }

    @Test func rnnAgreesWithAHandWrittenLoop() throws {
        let source = """
        fn cell(h, x) { return tanh(x @ Wx + h @ Wh + b) }
        graph rnn {
          input xs: f64[2, 3, 2]
          input h0: f64[2, 4]
          param Wx: f64[2, 4] = xavier
          param Wh: f64[4, 4] = xavier
          param b: f64[4] = 0.1
          hs = scan(cell, h0, xs, axis = 1)
          last = scan(cell, h0, xs, axis = 1, final = true)
          output hs, last
        }
        """
        let g = try lowered(source)
        let params = ParameterInitializer.initialValues(of: g, seed: 5)
        let xs = randomT([2, 3, 2], seed: "xs"), h0 = randomT([2, 4], seed: "h0")
        let v = try run(source, ["xs": xs, "h0": h0], params: params)
        let wx = params["Wx"]!.doubles, wh = params["Wh"]!.doubles, b = params["b"]!.doubles
        var expected: [Double] = Array(repeating: 0, count: 24)
        for n in 0..<2 {
            var h = Array(h0.doubles[(n * 4)..<(n * 4 + 4)])
            for t in 0..<3 {
                let x = Array(xs.doubles[(n * 6 + t * 2)..<(n * 6 + t * 2 + 2)])
                var next = [Double](repeating: 0, count: 4)
                for j in 0..<4 {
                    var z = b[j]
                    for k in 0..<2 { z += x[k] * wx[k * 4 + j] }
                    for k in 0..<4 { z += h[k] * wh[k * 4 + j] }
                    next[j] = tanh(z)
                }
                h = next
                for j in 0..<4 { expected[(n * 3 + t) * 4 + j] = h[j] }
            }
        }
        #expect(zip(v["hs"]!, expected).allSatisfy { abs($0 - $1) < 1e-14 })
        let last: [Double] = Array(expected[8..<12]) + Array(expected[20..<24])
        #expect(zip(v["last"]!, last).allSatisfy { abs($0 - $1) < 1e-14 })
    }

    @Test func printedGraphReadsBackToTheSameValues() throws {
        let g = try lowered(Self.sums)
        let again = try lowered(printGraph(g))
        let feed = ["xs": randomT([4, 2], seed: "xs")]
        let a = try Interpreter(graph: g).outputs(inputs: feed, params: [:], options: RunOptions())
        let b = try Interpreter(graph: again).outputs(inputs: feed, params: [:], options: RunOptions())
        #expect(a.map(\.name) == b.map(\.name))
        #expect(a.map(\.value.doubles) == b.map(\.value.doubles))
    }

    @Test func aFailureInTheBodyNamesTheStep() throws {
        let source = """
        fn f(s, k) { return s + one_hot(k, classes = 2) }
        graph g {
          input ks: f64[3]
          s0 = broadcast(0, [2])
          out = scan(f, s0, ks, final = true)
          output out
        }
        """
        do {
            _ = try run(source, ["ks": tensorT([3], [0, 1, 5])])
            Issue.record("no error")
        } catch let e as DiagnosticsError {
            let d = e.diagnostics[0]
            #expect(d.message == "one_hot label 5 is outside [0, 2)")
            // Where it happened: in the body (line 1), with the step in a note.
            #expect(SourceFile(path: "test.nng", text: source).lineColumn(of: d.range.start).line == 1)
            #expect(d.notes == ["note: in step 2 of the scan"])
        }
    }
}
