import NNGCore
import NNGLang

extension Lowerer {
    /// `grad(y, x)` through the autodiff pass: ∂y/∂x appended to the graph built so far.
    mutating func differentiateInLowering(y: NodeID, x: NodeID) throws(DiagnosticsError) -> NodeID {
        try differentiate(&graph, output: y, wrt: [x])[0]
    }
}
