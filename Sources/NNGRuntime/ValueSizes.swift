import NNGCore
import NNGIR

extension Interpreter {
    /// Refuses a binding of the graph's symbols under which some value would not fit: more than
    /// `Int32.max` elements (BLAS indexes with 32-bit integers; no element count may overflow),
    /// or more bytes than `MemoryBudget`. Both backends call it before allocating anything, so
    /// they refuse the same values with the same diagnostic at the value's line.
    public func checkValueSizes(_ sizes: [String: Int]) throws(DiagnosticsError) {
        let elementSize = graph.dtype.byteSize
        for node in graph.nodes {
            guard let shape = node.type.shape.resolved(sizes).concrete else {
                // Every symbol bound but a product (`B^5`) overflowed.
                if node.type.shape.symbols.allSatisfy({ sizes[$0] != nil }) {
                    throw DiagnosticsError(Diagnostic("a value of shape \(node.type.shape) is too large with \(node.type.shape.symbols.map { "\($0) = \(sizes[$0]!)" }.joined(separator: ", "))", at: node.range))
                }
                continue
            }
            let what = "a value of shape \(ShapeMath.describe(shape))"
            guard let count = ShapeMath.checkedCount(shape) else {
                throw DiagnosticsError(Diagnostic("\(what) is too large", at: node.range))
            }
            if let refusal = MemoryBudget.refusal(what, elements: count, elementSize: elementSize) {
                throw DiagnosticsError(Diagnostic(refusal, at: node.range))
            }
        }
    }
}
