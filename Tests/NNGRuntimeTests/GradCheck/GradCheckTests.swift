import NNGCore
import NNGIR
import NNGLang
@testable import NNGRuntime
import Testing

@Suite struct GradCheckChainTests {
    @Test func chainExampleGradientsAreExact() throws {
        let g = try lowered(chainSource)
        let gg = try gradientGraph(g, of: "loss", wrt: nil)
        print(printGraph(gg))
        let out = try Interpreter(graph: gg).outputs(inputs: ["x": scalarT(2), "y": scalarT(3)],
                                                     params: ["w1": scalarT(0.5), "w2": scalarT(1.5)], options: RunOptions())
        let byName = Dictionary(uniqueKeysWithValues: out.map { ($0.name, $0.value.doubles[0]) })
        #expect(byName["loss"] == 2.25)
        #expect(byName["dloss_dw1"] == -9)
        #expect(byName["dloss_dw2"] == -3)
    }
}
