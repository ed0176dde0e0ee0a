import NNGIR
import NNGTrain

/// An optimizer's update, written once as expressions and rendered to both backends: the Swift
/// optimizer evaluates it (`UpdateRule+Evaluation.swift`), the C training step prints it
/// (`CBackend/CUpdateRule.swift`). Both compute every operation in the same order and precision,
/// so the two agree bit for bit by construction.
///
/// A rule has two parts:
/// - per-step scalars, computed in Double from the learning rate and the update number, then
///   rounded once to the element type (Adam's bias corrections, AdamW's decay factor);
/// - per-element statements over the parameter `w`, its gradient `g` and the optimizer's slots,
///   each defining a local value, then the stores of locals back into `w` and the slots.
///
/// Semantics follow PyTorch (torch.optim.SGD / Adam / AdamW, default flags), documented on
/// `OptimizerConfig` (Optimizer.swift).
struct UpdateRule: Sendable {
    enum Operator: String, Sendable { case add = "+", subtract = "-", multiply = "*", divide = "/" }

    /// A per-step scalar, evaluated in Double.
    indirect enum StepExpr: Sendable {
        /// The learning rate of this step.
        case lr
        /// The number of this update, counting from 1 (Adam's t).
        case updateNumber
        case constant(Double)
        case binary(Operator, StepExpr, StepExpr)
        case power(StepExpr, StepExpr)
        case squareRoot(StepExpr)
    }

    /// A per-element value, evaluated in the element type.
    indirect enum Expr: Sendable {
        /// The element of a per-parameter array: `w`, `g` or a slot (`velocity`, `m`, `v`).
        case element(String)
        /// A value defined by an earlier statement.
        case local(String)
        /// A hyper-parameter, rounded to the element type.
        case constant(Double)
        /// A per-step scalar of `scalars`, by name.
        case scalar(String)
        case binary(Operator, Expr, Expr)
        case squareRoot(Expr)
        /// `first` at the first update of the run, else `otherwise` (SGD's momentum buffer
        /// starts as the gradient, as PyTorch's `momentum_buffer = clone(g)`).
        case atFirstUpdate(Expr, otherwise: Expr)
    }

    var scalars: [(name: String, value: StepExpr)] = []
    var statements: [(name: String, value: Expr)] = []
    /// Arrays written back (`w` or a slot), each from a local.
    var stores: [(array: String, local: String)] = []
    /// The optimizer's per-parameter state arrays.
    var slots: [String] = []

    init(_ config: OptimizerConfig) {
        switch config.kind {
        case .sgd: self = UpdateRule.sgd(config)
        case .adam, .adamw: self = UpdateRule.adam(config)
        }
        slots = config.slotNames
    }

    private init() {}

    /// g ← g + wd·w; with momentum μ: v ← g at the first update, else μ·v + g; then g ← g + μ·v
    /// with Nesterov, else g ← v; finally w ← w − lr·g.
    private static func sgd(_ c: OptimizerConfig) -> UpdateRule {
        var r = UpdateRule()
        r.let("gi", c.weightDecay != 0 ? .element("g") + .constant(c.weightDecay) * .element("w") : .element("g"))
        var step = Expr.local("gi")
        if c.momentum != 0 {
            r.let("vi", .atFirstUpdate(.local("gi"), otherwise: .constant(c.momentum) * .element("velocity") + .local("gi")))
            r.stores.append(("velocity", "vi"))
            step = c.nesterov ? .local("gi") + .constant(c.momentum) * .local("vi") : .local("vi")
        }
        r.scalars.append(("lrT", .lr))
        r.let("wn", .element("w") - .scalar("lrT") * step)
        r.stores.append(("w", "wn"))
        return r
    }

    /// Adam (L2 weight decay added to g) and AdamW (w ← w·(1 − lr·wd) first):
    /// m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·g²;
    /// w ← w − (lr/(1−β1ᵗ))·(m / (√v/√(1−β2ᵗ) + eps)), PyTorch's way of writing lr·m̂/(√v̂ + eps).
    private static func adam(_ c: OptimizerConfig) -> UpdateRule {
        var r = UpdateRule()
        let t = StepExpr.updateNumber
        r.scalars = [
            ("stepSize", .binary(.divide, .lr, .binary(.subtract, .constant(1), .power(.constant(c.beta1), t)))),
            ("bc2", .squareRoot(.binary(.subtract, .constant(1), .power(.constant(c.beta2), t)))),
        ]
        let decoupled = c.kind == .adamw && c.weightDecay != 0
        if decoupled { r.scalars.append(("decay", .binary(.subtract, .constant(1), .binary(.multiply, .lr, .constant(c.weightDecay))))) }
        r.let("wi", decoupled ? .element("w") * .scalar("decay") : .element("w"))
        r.let("gi", c.kind == .adam && c.weightDecay != 0 ? .element("g") + .constant(c.weightDecay) * .local("wi") : .element("g"))
        r.let("mi", .constant(c.beta1) * .element("m") + .constant(1 - c.beta1) * .local("gi"))
        r.let("vi", .constant(c.beta2) * .element("v") + .constant(1 - c.beta2) * (.local("gi") * .local("gi")))
        r.let("denom", .squareRoot(.local("vi")) / .scalar("bc2") + .constant(c.eps))
        r.let("wn", .local("wi") - .scalar("stepSize") * (.local("mi") / .local("denom")))
        r.stores = [("m", "mi"), ("v", "vi"), ("w", "wn")]
        return r
    }

    private mutating func `let`(_ name: String, _ value: Expr) { statements.append((name, value)) }
}

extension UpdateRule.Expr {
    static func + (a: Self, b: Self) -> Self { .binary(.add, a, b) }
    static func - (a: Self, b: Self) -> Self { .binary(.subtract, a, b) }
    static func * (a: Self, b: Self) -> Self { .binary(.multiply, a, b) }
    static func / (a: Self, b: Self) -> Self { .binary(.divide, a, b) }
}
