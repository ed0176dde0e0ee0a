import Dispatch
import Foundation
import NNGCore
import NNGIR
import NNGTrain

/// The critical temperature of the 2-D Ising model with J = 1: 2 / ln(1 + √2) ≈ 2.269.
public let isingCriticalTemperature = 2 / log(1 + 2.0.squareRoot())

/// Equilibrium configurations of the 2-D Ising model (J = 1, no field, periodic L×L lattice).
///
/// Each temperature has its own chain (IsingChain) and its own random stream, so the result
/// does not depend on how many threads run the chains: `spec.thermalization` sweeps, then
/// one sample every `spec.interval` sweeps, each sample preceded by a global spin flip with
/// probability ½ (so the sign of m is independent between samples).
public struct IsingGenerator: Sendable {
    public var spec: IsingSpec

    public init(_ spec: IsingSpec) { self.spec = spec }

    /// `spins` [N, L·L] of ±1, `T` [N, 1] and `ordered` [N, 1] (1 where T < T_c), with
    /// N = temperatures · samples, temperature-major. `only`: the samples of those temperatures
    /// alone (a rank's block, DataLoader), the same values as in the whole set.
    public func generate(only block: Range<Int>? = nil) -> Dataset {
        let spec = spec, sites = spec.L * spec.L, samples = spec.samples
        let block = block ?? spec.temperatures.indices
        let temps = Array(spec.temperatures[block])
        let n = temps.count * samples
        var spins = [Double](repeating: 0, count: n * sites)
        spins.withUnsafeMutableBufferPointer { out in
            let buffer = UnsafeSendableBuffer(out)
            DispatchQueue.concurrentPerform(iterations: temps.count) { t in
                // Seeded by the temperature's index in the whole list, whatever the block.
                let step = UInt64(block.lowerBound + t)
                var chain = IsingChain(L: spec.L, temperature: temps[t], algorithm: spec.algorithm,
                                       seed: CounterRandom.bits(seed: spec.seed, step: step, stream: CounterRandom.key("ising"), index: 0))
                chain.thermalize(sweeps: spec.thermalization)
                for s in 0..<samples {
                    for _ in 0..<spec.interval { chain.sweep() }
                    chain.flipAllWithProbabilityHalf()
                    let base = (t * samples + s) * sites
                    for k in 0..<sites { buffer.base[base + k] = Double(chain.spins[k]) }
                }
            }
        }
        var tValues: [Double] = []
        var ordered: [Double] = []
        for t in temps {
            tValues += [Double](repeating: t, count: samples)
            ordered += [Double](repeating: t < isingCriticalTemperature ? 1 : 0, count: samples)
        }
        return Dataset(columns: [
            "spins": Tensor(shape: [n, sites], values: spins, dtype: .f64),
            "T": Tensor(shape: [n, 1], values: tValues, dtype: .f64),
            "ordered": Tensor(shape: [n, 1], values: ordered, dtype: .f64),
        ], count: n)
    }
}

/// A pointer shared by the chains; each writes its own disjoint rows.
private struct UnsafeSendableBuffer: @unchecked Sendable {
    let base: UnsafeMutableBufferPointer<Double>
    init(_ base: UnsafeMutableBufferPointer<Double>) { self.base = base }
}
