import NNGCore

/// The C rendering of an `UpdateRule` (Optimizers/UpdateRule.swift): the per-step scalars at the
/// top of `nngc_update`, then per parameter one loop whose body is the rule's statements and
/// stores. Parentheses follow the expression tree, so C evaluates exactly what the Swift
/// optimizer evaluates.
extension UpdateRule {
    /// `const T name = (T)(…);` for each per-step scalar; `lr`, `td` (the update number, as a
    /// double) and `first` are in scope.
    func cScalars(into w: inout CWriter) {
        for (name, value) in scalars {
            let c = value.c
            w.line("const T \(name) = (T)\(c.hasPrefix("(") ? c : "(\(c))");")
        }
        if !scalars.isEmpty { w.line("(void)\(scalars.map(\.name).joined(separator: "; (void)"));") }
    }

    /// The update loop of one parameter of `count` elements, with `w`, `g` and the slots
    /// declared as pointers by the caller. With `gradientScale` (a C scalar in scope), the rule
    /// reads `gradientScale * g[i]` wherever it reads the gradient.
    func cLoop(count: Int, dtype: DType, parallel: Bool, gradientScale: String? = nil, into w: inout CWriter) {
        if parallel { w.line("NNGC_PARALLEL_FOR") }
        w.open("for (int64_t i = 0; i < \(count); i++)")
        for (name, value) in statements { w.line("const T \(name) = \(value.c(dtype, gradientScale: gradientScale));") }
        for (array, local) in stores { w.line("\(array)[i] = \(local);") }
        w.close()
    }
}

extension UpdateRule.StepExpr {
    var c: String {
        switch self {
        case .lr: return "lr"
        case .updateNumber: return "td"
        case .constant(let v): return CText.double(v)
        case .binary(let op, let a, let b): return "(\(a.c) \(op.rawValue) \(b.c))"
        case .power(let a, let b): return "pow(\(a.c), \(b.c))"
        case .squareRoot(let a): return "sqrt(\(a.c))"
        }
    }
}

extension UpdateRule.Expr {
    func c(_ dtype: DType, gradientScale: String? = nil) -> String {
        func c(_ e: UpdateRule.Expr) -> String { e.c(dtype, gradientScale: gradientScale) }
        switch self {
        case .element("g") where gradientScale != nil: return "(\(gradientScale!) * g[i])"
        case .element(let name): return "\(name)[i]"
        case .local(let name), .scalar(let name): return name
        case .constant(let v): return CText.literal(v, dtype)
        case .binary(let op, let a, let b): return "(\(c(a)) \(op.rawValue) \(c(b)))"
        case .squareRoot(let a): return "sqrt\(dtype == .f32 ? "f" : "")(\(c(a)))"
        case .atFirstUpdate(let first, let otherwise): return "(first ? \(c(first)) : \(c(otherwise)))"
        }
    }
}
