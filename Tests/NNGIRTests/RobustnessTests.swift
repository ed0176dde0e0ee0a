import Testing
import NNGCore
import NNGIR
import NNGLang

/// Mutated programs (deleted, duplicated or replaced characters) never crash the checker,
/// and every graph it accepts prints to text that it accepts again.
@Test func mutatedProgramsDoNotCrash() {
    var rng = SplitMix64(seed: 42)
    let replacements: [String] = ["0", "-1", "9223372036854775807", "[", "]", "(", ")", ",", "x", "B", "@", "^", "=", "\n", "f64", "1e308", "relu(", "sum(", "-"]
    var accepted = 0
    for source in roundTripPrograms {
        let chars = Array(source)
        for _ in 0..<150 {
            var c = chars
            let i = Int(rng.next() % UInt64(c.count))
            switch rng.next() % 3 {
            case 0: c.remove(at: i)
            case 1: c.insert(c[i], at: i)
            default: c.replaceSubrange(i...i, with: Array(replacements[Int(rng.next() % UInt64(replacements.count))]))
            }
            let file = SourceFile(path: "m.nng", text: String(c))
            let (module, parseErrors) = parse(file)
            _ = checkModule(module)
            guard parseErrors.isEmpty else { continue }
            for name in module.graphs.map(\.name.name) {
                for dtype in [nil, DType.f64] {
                    guard let g = lowerGraph(module, graphName: name, dtype: dtype).graph else { continue }
                    accepted += 1
                    let text = printGraph(g)
                    let again = lowerSource(text)
                    #expect(again.diagnostics.isEmpty, "\(again.diagnostics)\n\(text)")
                }
            }
        }
    }
    #expect(accepted > 0)
}
