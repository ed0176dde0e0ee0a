import Foundation
import NNGCore
import NNGIR
import NNGTrain
import NNGLang
import NNGRuntime
import Testing

/// 10,000 random and mutated sources through the whole front end (parse, check every graph
/// and fn, lower, print, re-lower) and, for small accepted graphs, the interpreter: each one
/// must end in success or diagnostics — never a crash, trap or hang.
@Suite struct FrontendFuzzTests {
    static let seeds: [String] = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Graphs")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: root.path)) ?? []
        let graphs = files.filter { $0.hasSuffix(".nng") }.sorted().compactMap {
            try? String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)
        }
        return graphs + [
            """
            fn block(x, w) { h = relu(x @ w); return h / (1 + sum(h, axes = [1], keepdims = true)) }
            graph g {
              input x: f64[B, 3]
              input t: f64[B]
              param w: f64[3, 3] = he
              param v: f64[3, 4] = uniform(low = -1, high = 1)
              z = block(x, w) @ v
              c = concat([z, -z], axis = 1)
              s = slice(c, axis = 1, start = 2, end = 6)
              p = pad(s, axis = 0, before = 1, after = 0)
              m = maximum(mean(p, axes = [0]), minimum(p, 0.5))
              l = cross_entropy(m, one_hot(t, classes = 4)) + logsumexp(m) - max(m)
              r = reshape(transpose(m), [-1]) ^ 2
              output l, r
            }
            """,
            """
            graph conv {
              input x: f32[N, 1, 6, 6]
              param k: f32[2, 1, 3, 3] = xavier
              y = maxpool2d(relu(conv2d(x, k, stride = 1, padding = 1)), size = 2)
              a = avgpool2d(y, size = 3, stride = 3)
              d = dropout(softmax(reshape(a, [N, 2]), axis = -1), p = 0.25)
              out = mse(d, bernoulli(sigmoid(d))) + bce_logits(d, step(d)) + mean(log_softmax(d))
              output out
            }
            """,
        ]
    }()

    static let vocabulary = [
        "graph", "fn", "train", "input", "param", "output", "return", "true", "false", "g", "x", "y", "W", "B",
        "f32", "f64", "{", "}", "(", ")", "[", "]", ",", ":", "=", "+", "-", "*", "/", "^", "@", ";", "\n", " ",
        "0", "1", "2.5", ".5", "1e-3", "-1", "\"s\"", "relu", "sum", "axes", "keepdims", "reshape", "concat",
        "softmax", "conv2d", "maxpool2d", "one_hot", "classes", "grad", "dropout", "where", "#c\n", "xavier", "zeros",
    ]

    @Test func tenThousandSourcesNeverCrash() throws {
        var rng = FuzzRandom(seed: 2024)
        var accepted = 0, evaluated = 0
        for i in 0..<10_000 {
            let source: String
            switch i % 6 {
            case 0, 1, 2: source = mutate(Self.seeds[rng.below(Self.seeds.count)], times: 1 + rng.below(4), rng: &rng)
            case 3: source = (0..<rng.below(80)).map { _ in Self.vocabulary[rng.below(Self.vocabulary.count)] }.joined(separator: rng.below(2) == 0 ? " " : "")
            case 4: source = String(decoding: (0..<rng.below(200)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }, as: UTF8.self)
            default: source = shuffleLines(Self.seeds[rng.below(Self.seeds.count)], rng: &rng)
            }
            let frontend = Frontend(file: SourceFile(path: "fuzz.nng", text: source))
            let diagnostics = frontend.check()
            for d in diagnostics where !d.range.isNone {
                #expect(d.range.start <= frontend.file.bytes.count, "diagnostic out of range for source #\(i)")
            }
            guard diagnostics.isEmpty, frontend.module.graphs.count == 1, let graph = try? frontend.graph() else { continue }
            accepted += 1
            let reprinted = Frontend(file: SourceFile(path: "printed.nng", text: printGraph(graph)))
            #expect((try? reprinted.graph()) != nil, "printed graph of source #\(i) does not check:\n\(printGraph(graph))")
            if evaluate(graph, rng: &rng) { evaluated += 1 }
        }
        #expect(accepted > 300)
        #expect(evaluated > 100)
    }

    /// Runs small graphs on the interpreter with random inputs; a diagnostic is fine, a crash is not.
    private func evaluate(_ graph: Graph, rng: inout FuzzRandom) -> Bool {
        let sizes = Dictionary(uniqueKeysWithValues: graph.symbols.map { ($0, 2) })
        let total = graph.nodes.reduce(0) { $0 + ($1.type.shape.resolved(sizes).elementCount ?? .max / 2) }
        guard total < 100_000 else { return false }
        var inputs: [String: Tensor] = [:]
        for (name, id) in graph.inputs {
            guard let shape = graph[id].type.shape.resolved(sizes).concrete else { return false }
            let values = (0..<shape.reduce(1, *)).map { _ in Double(rng.below(5)) - 1 }
            inputs[name] = Tensor(shape: shape, values: values, dtype: graph.dtype)
        }
        let params = ParameterInitializer.initialValues(of: graph, seed: 1)
        _ = try? Interpreter(graph: graph).run(inputs: inputs, params: params, options: RunOptions(training: true))
        return true
    }

    private func mutate(_ source: String, times: Int, rng: inout FuzzRandom) -> String {
        var chars = Array(source.unicodeScalars)
        for _ in 0..<times where !chars.isEmpty {
            let i = rng.below(chars.count)
            switch rng.below(4) {
            case 0: chars.remove(at: i)
            case 1: chars.insert(chars[rng.below(chars.count)], at: i)
            case 2: chars.swapAt(i, rng.below(chars.count))
            default:
                let token = Self.vocabulary[rng.below(Self.vocabulary.count)]
                chars.replaceSubrange(i...i, with: Array(token.unicodeScalars))
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: chars)
        return String(out)
    }

    private func shuffleLines(_ source: String, rng: inout FuzzRandom) -> String {
        var lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 else { return source }
        for _ in 0..<2 { lines.swapAt(rng.below(lines.count), rng.below(lines.count)) }
        return lines.joined(separator: "\n")
    }
}

/// Reproducible fuzzing (the seed is fixed; a failure names the source index).
struct FuzzRandom {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func next() -> UInt64 { generator.next() }
    mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
}
