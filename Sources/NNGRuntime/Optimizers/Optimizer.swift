import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// The update rules of `OptimizerConfig` (declared with the train block in NNGIR).
///
/// Semantics follow PyTorch (torch.optim.SGD / Adam / AdamW, default flags), element by element
/// in the parameter's element type; scalar coefficients are computed in Double and rounded to
/// the element type once:
///
/// - `sgd`: g ← g + wd·w; if momentum μ ≠ 0: v ← g at the first step (PyTorch's
///   `momentum_buffer = clone(g)`), else v ← μ·v + g (dampening 0); then g ← g + μ·v with
///   Nesterov, else g ← v; finally w ← w − lr·g.
/// - `adam`: g ← g + wd·w (L2); m ← β1·m + (1−β1)·g; v ← β2·v + (1−β2)·(g·g); with t the
///   number of updates including this one, w ← w − (lr/(1−β1ᵗ))·(m / (√v/√(1−β2ᵗ) + eps)),
///   which is w − lr·m̂/(√v̂ + eps) written the way PyTorch evaluates it.
/// - `adamw`: w ← w·(1 − lr·wd) first (decoupled decay), then the Adam update without L2.
///   The default weight decay is 0, as the contract writes `adamw(…same…)` (PyTorch's default
///   is 0.01).
extension OptimizerConfig: CustomStringConvertible {
    public static func sgd(lr: Double = 0.01, momentum: Double = 0, nesterov: Bool = false, weightDecay: Double = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .sgd, lr: lr, momentum: momentum, nesterov: nesterov, weightDecay: weightDecay)
    }

    public static func adam(lr: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                            weightDecay: Double = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .adam, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    public static func adamw(lr: Double = 0.001, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                             weightDecay: Double = 0) -> OptimizerConfig {
        OptimizerConfig(kind: .adamw, lr: lr, beta1: beta1, beta2: beta2, eps: eps, weightDecay: weightDecay)
    }

    /// The per-parameter state tensors this optimizer keeps, by suffix (`W1.velocity`, `W1.m`, `W1.v`).
    public var slotNames: [String] {
        switch kind {
        case .sgd: return momentum != 0 ? ["velocity"] : []
        case .adam, .adamw: return ["m", "v"]
        }
    }

    /// Problems with the hyper-parameters (PyTorch's checks), as messages; empty when valid.
    public var problems: [String] {
        var out: [String] = []
        func check(_ ok: Bool, _ message: String) { if !ok { out.append(message) } }
        check(lr.isFinite && lr >= 0, "lr must be >= 0, got \(lr)")
        check(weightDecay.isFinite && weightDecay >= 0, "weight_decay must be >= 0, got \(weightDecay)")
        switch kind {
        case .sgd:
            check(momentum.isFinite && momentum >= 0, "momentum must be >= 0, got \(momentum)")
            check(!nesterov || momentum > 0, "nesterov needs a momentum > 0")
        case .adam, .adamw:
            check(beta1 >= 0 && beta1 < 1, "beta1 must be in [0, 1), got \(beta1)")
            check(beta2 >= 0 && beta2 < 1, "beta2 must be in [0, 1), got \(beta2)")
            check(eps.isFinite && eps >= 0, "eps must be >= 0, got \(eps)")
        }
        return out
    }

    public var description: String {
        switch kind {
        case .sgd: return "sgd(lr = \(lr), momentum = \(momentum), nesterov = \(nesterov), weight_decay = \(weightDecay))"
        case .adam, .adamw:
            return "\(kind.rawValue)(lr = \(lr), beta1 = \(beta1), beta2 = \(beta2), eps = \(eps), weight_decay = \(weightDecay))"
        }
    }
}

/// The state of an optimizer: the number of updates done and, per parameter, its state
/// tensors (same shape and element type as the parameter), keyed `"<param>.<slot>"`
/// (`W1.velocity`, `W1.m`, `W1.v`). A missing slot counts as zeros.
public struct OptimizerState: Sendable, Hashable {
    public var config: OptimizerConfig
    /// Updates done so far (Adam's t of the next update is step + 1).
    public var step: UInt64
    public var slots: [String: Tensor]

    /// The key of the step counter in `namedTensors` (a dot never occurs in a parameter name,
    /// so it cannot collide with a parameter or its slots).
    public static let stepKey = "optimizer.step"

    public init(config: OptimizerConfig, step: UInt64 = 0, slots: [String: Tensor] = [:]) {
        self.config = config
        self.step = step
        self.slots = slots
    }

    /// The initial state (step 0, zero slots) for `params`.
    public static func initial(_ config: OptimizerConfig, params: [String: Tensor]) -> OptimizerState {
        var s = OptimizerState(config: config)
        for (name, p) in params {
            for slot in config.slotNames { s.slots["\(name).\(slot)"] = Tensor.zeros(p.shape, dtype: p.dtype) }
        }
        return s
    }

    /// The state as named tensors for a checkpoint: every slot, plus `optimizer.step` as an f64
    /// scalar (exact up to 2^53 steps).
    public var namedTensors: [String: Tensor] {
        var out = slots
        out[OptimizerState.stepKey] = .scalar(Double(step), dtype: .f64)
        return out
    }

    /// Reads the state back from `namedTensors` (other entries, such as parameters, are ignored).
    public init(config: OptimizerConfig, namedTensors: [String: Tensor]) {
        self.config = config
        let s = namedTensors[OptimizerState.stepKey]?.scalarValue ?? 0
        self.step = s.isFinite && s >= 0 && s < 0x1p63 ? UInt64(Int64(s)) : 0
        let suffixes = Set(config.slotNames.map { "." + $0 })
        self.slots = namedTensors.filter { key, _ in
            guard let dot = key.lastIndex(of: "."), key != OptimizerState.stepKey else { return false }
            return suffixes.contains(String(key[dot...]))
        }
    }

    func slot(_ param: String, _ name: String, like p: Tensor) -> Tensor {
        if let t = slots["\(param).\(name)"], t.shape == p.shape { return t.converted(to: p.dtype) }
        return Tensor.zeros(p.shape, dtype: p.dtype)
    }
}

/// One optimizer step (the reference implementation; the C training step renders the same
/// `UpdateRule`): updates every parameter that has a gradient in `grads`, in place, with the
/// rule of `state.config` and the learning rate `lr`, then increments `state.step`. Parameters
/// without a gradient are left alone. A gradient of another element type is converted to the
/// parameter's.
public func update(params: inout [String: Tensor], grads: [String: Tensor], state: inout OptimizerState, lr: Double) {
    let rule = UpdateRule(state.config)
    let scalars = rule.stepScalars(lr: lr, updateNumber: state.step + 1)
    for name in params.keys.sorted() {
        guard let g = grads[name], let p = params[name], g.count == p.count else { continue }
        switch p.storage {
        case .f32: params[name] = apply(rule, Float.self, name: name, param: p, grad: g, state: &state, scalars: scalars)
        case .f64: params[name] = apply(rule, Double.self, name: name, param: p, grad: g, state: &state, scalars: scalars)
        }
    }
    state.step += 1
}

private func apply<T: NNGFloat>(_ rule: UpdateRule, _: T.Type, name: String, param: Tensor, grad: Tensor,
                                 state: inout OptimizerState, scalars: [String: Double]) -> Tensor {
    var arrays = ["w": param.elements(as: T.self), "g": grad.elements(as: T.self)]
    for slot in rule.slots { arrays[slot] = state.slot(name, slot, like: param).elements(as: T.self) }
    let stored = rule.apply(arrays, scalars: scalars, firstUpdate: state.step == 0)
    for slot in rule.slots { state.slots["\(name).\(slot)"] = Tensor(shape: param.shape, elements: stored[slot]!) }
    return Tensor(shape: param.shape, elements: stored["w"]!)
}
