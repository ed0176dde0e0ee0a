import NNGCore
import NNGIR
import NNGTrain
@testable import NNGRuntime
import Testing

/// Each optimizer on loss = Σ (w − t)², t = [1, 0, −1], w₀ = [0.5, −1.5, 2], with the learning
/// rates 0.1, 0.05, 0.02 at steps 1, 2, 3. The expected parameters after each step were computed
/// with numpy from the textbook formulas (PyTorch semantics; Adam as lr·m̂/(√v̂ + eps)).
@Suite struct OptimizerTests {
    static let target: [Double] = [1, 0, -1]
    static let start: [Double] = [0.5, -1.5, 2]
    static let rates: [Double] = [0.1, 0.05, 0.02]

    static let cases: [(String, OptimizerConfig, [[Double]])] = [
        ("sgd", .sgd(lr: 1), [[0.6, -1.2, 1.4], [0.64, -1.08, 1.16], [0.6544, -1.0368000000000002, 1.0735999999999999]]),
        ("sgdWeightDecay", .sgd(lr: 1, weightDecay: 0.01),
         [[0.5995, -1.1985, 1.3980000000000001], [0.63925025, -1.0780507499999998, 1.1575010000000001],
          [0.65355238995, -1.0347131098499998, 1.0709694598000001]]),
        ("momentum", .sgd(lr: 1, momentum: 0.9),
         [[0.6, -1.2, 1.4], [0.685, -0.945, 0.8899999999999999], [0.7282000000000001, -0.8153999999999999, 0.6307999999999999]]),
        ("nesterov", .sgd(lr: 1, momentum: 0.9, nesterov: true),
         [[0.69, -0.9299999999999999, 0.8599999999999999], [0.7894, -0.6317999999999999, 0.26359999999999983],
          [0.8300296, -0.5099111999999999, 0.019822399999999796]]),
        ("momentumWeightDecay", .sgd(lr: 1, momentum: 0.5, weightDecay: 0.1),
         [[0.595, -1.185, 1.38], [0.6562749999999999, -0.9818250000000001, 0.9801],
          [0.6809664499999999, -0.8999533500000001, 0.8189558]]),
        ("adam", .adam(),
         [[0.599999999, -1.4000000003333333, 1.9000000001666666], [0.6494062886704166, -1.3501195313128067, 1.8500513537907277],
          [0.668942926982937, -1.3302118150559512, 1.8300914030436592]]),
        ("adamL2", .adam(weightDecay: 0.1),
         [[0.5999999989473684, -1.4000000003174602, 1.9000000001612902], [0.6492969085870466, -1.3501195312887724, 1.8500523158179065],
          [0.6687446316956255, -1.3302118150285933, 1.8300931062192192]]),
        ("adamw", .adamw(weightDecay: 0.1),
         [[0.594999999, -1.3850000003333331, 1.8800000001666666], [0.641479609625377, -1.3282184988646455, 1.8206635942393106],
          [0.6597743780041286, -1.3056722236879985, 1.7970715487208209]]),
        ("adamBetas", .adam(beta1: 0.5, beta2: 0.75, eps: 1e-3),
         [[0.5999000999001, -1.4000333222259247, 1.9000166638893519], [0.6484695909784729, -1.350409595795354, 1.8501939552068014],
          [0.667415177069974, -1.3306755043461127, 1.830318370545586]]),
    ]

    static func gradient(_ w: Tensor) -> Tensor {
        Tensor(shape: w.shape, values: zip(w.doubles, target).map { 2 * ($0 - $1) }, dtype: w.dtype)
    }

    @Test(arguments: DType.allCases, 0..<cases.count)
    func threeUpdates(_ dtype: DType, _ k: Int) {
        let (name, config, expected) = Self.cases[k]
        var params = ["w": Tensor(shape: [3], values: Self.start, dtype: dtype)]
        var state = OptimizerState.initial(config, params: params)
        let tol = dtype == .f64 ? 1e-12 : 2e-6
        for (s, lr) in Self.rates.enumerated() {
            update(params: &params, grads: ["w": Self.gradient(params["w"]!)], state: &state, lr: lr)
            #expect(state.step == UInt64(s + 1))
            for (i, (got, want)) in zip(params["w"]!.doubles, expected[s]).enumerated() {
                #expect(abs(got - want) <= tol * max(1, abs(want)), "\(name) \(dtype) step \(s + 1) w[\(i)]: \(got) vs \(want)")
            }
            #expect(params["w"]!.dtype == dtype)
        }
    }

    /// Two steps, a round trip of the state through named tensors, one more step: the same as
    /// three uninterrupted steps, bit for bit.
    @Test(arguments: 0..<cases.count)
    func resumeFromNamedTensors(_ k: Int) {
        let config = Self.cases[k].1
        var a = ["w": Tensor(shape: [3], values: Self.start, dtype: .f64)]
        var sa = OptimizerState.initial(config, params: a)
        for lr in Self.rates { update(params: &a, grads: ["w": Self.gradient(a["w"]!)], state: &sa, lr: lr) }

        var b = ["w": Tensor(shape: [3], values: Self.start, dtype: .f64)]
        var sb = OptimizerState.initial(config, params: b)
        for lr in Self.rates.prefix(2) { update(params: &b, grads: ["w": Self.gradient(b["w"]!)], state: &sb, lr: lr) }
        let saved = sb.namedTensors
        #expect(saved[OptimizerState.stepKey]?.scalarValue == 2)
        for slot in config.slotNames { #expect(saved["w.\(slot)"] != nil) }
        var sc = OptimizerState(config: config, namedTensors: saved.merging(["w": b["w"]!]) { x, _ in x })
        #expect(sc == sb)
        update(params: &b, grads: ["w": Self.gradient(b["w"]!)], state: &sc, lr: Self.rates[2])
        #expect(a == b)
    }

    @Test func parametersWithoutGradientAreLeftAlone() {
        var params = ["w": Tensor(shape: [3], values: Self.start, dtype: .f64), "frozen": .scalar(3, dtype: .f64)]
        var state = OptimizerState.initial(.adam(), params: params)
        update(params: &params, grads: ["w": Self.gradient(params["w"]!)], state: &state, lr: 0.1)
        #expect(params["frozen"] == .scalar(3, dtype: .f64))
        #expect(state.slots["frozen.m"] == .scalar(0, dtype: .f64))
    }

    @Test func invalidHyperParameters() {
        #expect(OptimizerConfig.sgd(lr: 0.1).problems.isEmpty)
        #expect(OptimizerConfig.sgd(lr: -1).problems.count == 1)
        #expect(OptimizerConfig.sgd(lr: 0.1, nesterov: true).problems == ["nesterov needs a momentum > 0"])
        #expect(OptimizerConfig.adam(beta1: 1).problems.count == 1)
        #expect(OptimizerConfig.adamw(eps: -1, weightDecay: -1).problems.count == 2)
        #expect(OptimizerConfig.sgd(lr: 0.1, momentum: 0.9).slotNames == ["velocity"])
        #expect(OptimizerConfig.sgd(lr: 0.1).slotNames.isEmpty)
        #expect(OptimizerConfig.adamw().slotNames == ["m", "v"])
    }
}
