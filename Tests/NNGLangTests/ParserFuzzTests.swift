import NNGCore
import Testing
@testable import NNGLang

private let validPrograms: [String] = [
    chainExample,
    xorExample,
    """
    fn mlp(x, w) {
      h: f32[B, 8] = relu(x @ w)
      return -h^2 / 2
    }
    graph g { input x: f32[B, 4]; param w: f32[4, 8] = normal(std = 0.1); y = mlp(x, w); output y }
    train fit {
      graph = g
      minimize = y
      data = npy(x = "x.npy")
      optimizer = adam(lr = 1e-3, beta1 = 0.9)
      report = [y]
      shuffle = true
    }
    """,
    """
    graph conv {
      input x: f64[N, 1, 8, 8]
      param k: f64[2, 1, 3, 3] = he
      param b: f64[2] = [0.5, -1.5]
      c = conv2d(x, k, stride = 1,
                 padding = 1)   # continued line
      s = sum(c, axes = [1, 2, 3]) + "str\\"ing\\n"
      output s
    }
    """,
]

private let soupPieces: [String] = [
    "graph", "fn", "train", "input", "param", "output", "return", "true", "false",
    "x", "y", "relu", "f32", "f64", "B", "12", "0", "1.5", ".5", "1e-3", "\"s\"", "\"a\\qb\"", "\"open",
    "{", "}", "(", ")", "[", "]", ",", ":", "=", "+", "-", "*", "/", "^", "@", ";", "\n", " ", "#c\n",
    "$", "é", "\u{FFFD}", "\t", "\r\n", "(((((", ")))))", "[[[[", "]]]]",
]

/// Splits a program into rough tokens (runs of word characters, or single other characters).
private func roughTokens(_ s: String) -> [String] {
    var out: [String] = []
    var word = ""
    for ch in s {
        if ch.isLetter || ch.isNumber || ch == "_" || ch == "." {
            word.append(ch)
        } else {
            if !word.isEmpty { out.append(word); word = "" }
            out.append(String(ch))
        }
    }
    if !word.isEmpty { out.append(word) }
    return out
}

private func mutate<T>(_ items: [T], _ rng: inout SplitMix64, extra: (inout SplitMix64) -> T) -> [T] {
    var a = items
    let edits = Int.random(in: 1...4, using: &rng)
    for _ in 0..<edits {
        let n = a.count
        switch Int.random(in: 0..<4, using: &rng) {
        case 0 where n > 0:
            a.remove(at: Int.random(in: 0..<n, using: &rng))
        case 1:
            a.insert(extra(&rng), at: Int.random(in: 0...n, using: &rng))
        case 2 where n > 0:
            let i = Int.random(in: 0..<n, using: &rng)
            a.insert(a[i], at: Int.random(in: 0...n, using: &rng))
        case 3 where n > 1:
            let i = Int.random(in: 0..<n, using: &rng), j = Int.random(in: 0..<n, using: &rng)
            a.swapAt(i, j)
        default:
            a.insert(extra(&rng), at: 0)
        }
    }
    return a
}

/// Parses and checks the invariants every parse must keep.
private func checkParse(_ text: String) -> Int {
    let file = SourceFile(path: "fuzz.nng", text: text)
    let (_, diagnostics) = parse(file)
    for d in diagnostics {
        #expect(!d.range.isNone && d.range.start >= 0 && d.range.start <= d.range.end && d.range.end <= file.bytes.count,
                "diagnostic '\(d.message)' at \(d.range) outside a file of \(file.bytes.count) bytes: \(text.debugDescription)")
        #expect(!d.message.isEmpty)
        _ = d.rendered(in: file)
    }
    #expect(diagnostics.count <= Parser.maxErrors + 1)
    return diagnostics.count
}

@Suite struct ParserFuzzTests {
    @Test func validProgramsHaveNoDiagnostics() {
        for p in validPrograms {
            let r = parse(SourceFile(path: "ok.nng", text: p))
            #expect(r.diagnostics.isEmpty, "\(r.diagnostics)")
        }
    }

    @Test func randomBytes() {
        var rng = SplitMix64(seed: 1)
        for _ in 0..<2_500 {
            let n = Int.random(in: 0...120, using: &rng)
            var bytes: [UInt8] = []
            for _ in 0..<n {
                // Bias towards ASCII so the parser gets past the lexer now and then.
                if Bool.random(using: &rng) {
                    bytes.append(UInt8.random(in: 0x09...0x7E, using: &rng))
                } else {
                    bytes.append(UInt8.random(in: 0...255, using: &rng))
                }
            }
            _ = checkParse(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func tokenSoup() {
        var rng = SplitMix64(seed: 2)
        for _ in 0..<2_500 {
            let n = Int.random(in: 0...60, using: &rng)
            var text = Bool.random(using: &rng) ? "graph g {\n" : ""
            for _ in 0..<n { text += soupPieces.randomElement(using: &rng)! }
            _ = checkParse(text)
        }
    }

    @Test func characterMutations() {
        var rng = SplitMix64(seed: 3)
        let alphabet = Array("{}()[],:=+-*/^@;#\"\\\n .0123456789eEabcxyz$é")
        for i in 0..<3_000 {
            let base = Array(validPrograms[i % validPrograms.count])
            let mutated = mutate(base, &rng) { alphabet.randomElement(using: &$0)! }
            _ = checkParse(String(mutated))
        }
    }

    @Test func tokenMutations() {
        var rng = SplitMix64(seed: 4)
        let tokenized = validPrograms.map(roughTokens)
        for i in 0..<3_000 {
            let base = tokenized[i % tokenized.count]
            let mutated = mutate(base, &rng) { soupPieces.randomElement(using: &$0)! }
            _ = checkParse(mutated.joined())
        }
    }

    @Test func pathologicalInputs() {
        let inputs = [
            String(repeating: "{", count: 50_000),
            String(repeating: "}", count: 50_000),
            "graph g {" + String(repeating: "(", count: 50_000),
            "graph g {\n y = " + String(repeating: "[", count: 50_000) + "\n}",
            "graph g {\n y = " + String(repeating: "-", count: 50_000) + "\n}",
            "graph g {\n y = x" + String(repeating: "^x", count: 50_000) + "\n}",
            "graph g {\n y = f(" + String(repeating: "a=1,", count: 20_000) + ")\n}",
            String(repeating: "graph ", count: 10_000),
            String(repeating: "train { graph = ", count: 10_000),
            String(repeating: "\"", count: 10_001),
            String(repeating: "fn f(", count: 10_000),
            String(repeating: "é", count: 10_000),
        ]
        for text in inputs {
            let count = checkParse(text)
            #expect(count >= 1)
        }
    }

    @Test func errorCountIsCapped() {
        let r = parse(SourceFile(path: "many.nng", text: String(repeating: "graph\n", count: 500)))
        #expect(r.diagnostics.count == 101)
        #expect(r.diagnostics[0].message == "expected a graph name after 'graph', found newline")
        #expect(r.diagnostics.last?.message == "too many errors; stopping here")
    }
}
