import NNGCore
import NNGIR

/// Binding a graph's symbols to sizes from the values fed to it: what every backend does before
/// it runs (the interpreter, the compiled graph, the compiled training step), so it belongs to
/// the graph, not to one backend.
extension Graph {
    /// Checks the fed inputs and params against their declared types and returns the size of
    /// every symbol of the graph: bound by the fed inputs, else taken from `options.symbolSizes`.
    /// The diagnostics point at the declarations. `params` is nil for a caller that holds the
    /// parameters itself, in slots of their declared (concrete) shapes: the training step.
    public func symbolBindings(inputs: [String: Tensor], params: [String: Tensor]?, options: RunOptions) throws(DiagnosticsError) -> [String: Int] {
        var diagnostics: [Diagnostic] = []
        var bound: [String: (size: Int, from: String)] = [:]

        func check(_ kind: String, _ name: String, _ id: NodeID, _ value: Tensor?) {
            let node = nodes[id]
            guard let value else {
                diagnostics.append(Diagnostic(kind == "input" ? "input '\(name)' is not fed" : "param '\(name)' has no value",
                                              at: node.range))
                return
            }
            let count: Int? = switch value.storage {
            case .f32(let a): a.count
            case .f64(let a): a.count
            }
            guard let n = ShapeMath.checkedCount(value.shape), n == count else {
                diagnostics.append(Diagnostic("\(kind) '\(name)' has \(count ?? 0) values for shape \(ShapeMath.describe(value.shape))",
                                              at: node.range))
                return
            }
            let dims = node.type.shape.dims
            let mismatch = dims.count != value.rank || zip(dims, value.shape).contains { d, v in d.value.map { $0 != v } ?? false }
            if mismatch {
                diagnostics.append(Diagnostic("\(kind) '\(name)' expects \(node.type), got shape \(ShapeMath.describe(value.shape))",
                                              at: node.range))
                return
            }
            for (d, v) in zip(dims, value.shape) {
                guard case .symbol(let s) = d else { continue }
                if let b = bound[s] {
                    if b.size != v {
                        diagnostics.append(Diagnostic("symbol '\(s)' is \(b.size) from \(b.from) but \(v) from \(kind) '\(name)'",
                                                      at: node.range))
                    }
                } else {
                    bound[s] = (v, "\(kind) '\(name)'")
                }
            }
        }

        for (name, id) in self.inputs { check("input", name, id, inputs[name]) }
        if let params { for (name, id) in self.params { check("param", name, id, params[name]) } }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }

        var sizes = bound.mapValues(\.size)
        for s in symbols where sizes[s] == nil {
            let range = nodes.first { $0.type.shape.symbols.contains(s) }?.range ?? .none
            if let v = options.symbolSizes[s] {
                if v < 0 {
                    diagnostics.append(Diagnostic("symbol '\(s)' cannot have the negative size \(v)", at: range))
                } else {
                    sizes[s] = v
                }
            } else {
                diagnostics.append(Diagnostic("symbol '\(s)' has no size; feed an input that has it or give --size \(s)=N",
                                              at: range))
            }
        }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        // A product dimension (`2*B`) binds nothing; it must agree with the symbols' sizes.
        func checkProducts(_ kind: String, _ name: String, _ id: NodeID, _ value: Tensor?) {
            let node = nodes[id]
            guard let value, node.type.shape.rank == value.rank else { return }
            for (d, v) in zip(node.type.shape.dims, value.shape) {
                guard case .product = d, let want = d.resolved(sizes).value, want != v else { continue }
                let bindings = d.symbols.map { "\($0) = \(sizes[$0]!)" }.joined(separator: ", ")
                diagnostics.append(Diagnostic("\(kind) '\(name)' expects \(node.type) = \(node.type.dtype)\(node.type.shape.resolved(sizes)) (\(bindings)), got shape \(ShapeMath.describe(value.shape))",
                                              at: node.range))
                return
            }
        }
        for (name, id) in self.inputs { checkProducts("input", name, id, inputs[name]) }
        if let params { for (name, id) in self.params { checkProducts("param", name, id, params[name]) } }
        if !diagnostics.isEmpty { throw DiagnosticsError(diagnostics) }
        try checkValueSizes(sizes)
        return sizes
    }

    /// Refuses a binding of the graph's symbols under which some value would not fit: more than
    /// `Int32.max` elements (BLAS indexes with 32-bit integers; no element count may overflow),
    /// or more bytes than `MemoryBudget`. Both backends call it before allocating anything, so
    /// they refuse the same values with the same diagnostic at the value's line.
    public func checkValueSizes(_ sizes: [String: Int]) throws(DiagnosticsError) {
        let elementSize = dtype.byteSize
        for node in nodes {
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
