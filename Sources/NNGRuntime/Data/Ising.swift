import Dispatch
import Foundation
import NNGCore
import NNGIR

/// The critical temperature of the 2-D Ising model with J = 1: 2 / ln(1 + √2) ≈ 2.269.
public let isingCriticalTemperature = 2 / log(1 + 2.0.squareRoot())

/// Equilibrium configurations of the 2-D Ising model (J = 1, no field, periodic L×L lattice).
///
/// Each temperature has its own chain and its own random stream (so the result does not
/// depend on how many threads run the chains): a cold start (all +1) below T_c, a random
/// start above, `thermalization` sweeps, then one sample every `spacing` sweeps. A sweep is
/// one Metropolis pass over the lattice followed by Wolff cluster updates until at least L²
/// spins have been flipped, so it costs about the same at every temperature: near T_c a
/// single cluster may be most of the lattice, far above T_c clusters are tiny.
public struct IsingGenerator: Sendable {
    public var spec: IsingSpec
    public var thermalization: Int
    public var spacing: Int

    public init(_ spec: IsingSpec, thermalization: Int = 200, spacing: Int = 10) {
        self.spec = spec
        self.thermalization = thermalization
        self.spacing = spacing
    }

    /// `spins` [N, L·L] of ±1, `T` [N, 1] and `ordered` [N, 1] (1 where T < T_c), with
    /// N = temperatures · samples, temperature-major.
    public func generate() -> Dataset {
        let L = spec.L, sites = L * L, samples = spec.samples
        let temps = spec.temperatures
        let n = temps.count * samples
        var spins = [Double](repeating: 0, count: n * sites)
        spins.withUnsafeMutableBufferPointer { out in
            let buffer = UnsafeSendableBuffer(out)
            DispatchQueue.concurrentPerform(iterations: temps.count) { t in
                var chain = IsingChain(L: L, temperature: temps[t],
                                       seed: CounterRandom.bits(seed: spec.seed, step: UInt64(t), stream: CounterRandom.key("ising"), index: 0))
                for _ in 0..<thermalization { chain.sweep() }
                for s in 0..<samples {
                    for _ in 0..<max(1, spacing) { chain.sweep() }
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

/// One Markov chain of the Ising model at one temperature.
struct IsingChain {
    let L: Int
    let beta: Double
    var spins: [Int8]
    var rng: Xoshiro256
    /// Probability of adding an aligned neighbour to a Wolff cluster: 1 − e^(−2β).
    let pAdd: Double
    /// Metropolis acceptance of an energy increase of 4 and 8.
    let accept4: Double, accept8: Double
    private var stack: [Int32]

    init(L: Int, temperature: Double, seed: UInt64) {
        self.L = L
        self.beta = 1 / temperature
        self.rng = Xoshiro256(seed: seed)
        self.pAdd = 1 - exp(-2 * beta)
        self.accept4 = exp(-4 * beta)
        self.accept8 = exp(-8 * beta)
        self.stack = []
        stack.reserveCapacity(L * L)
        if temperature < isingCriticalTemperature {
            spins = [Int8](repeating: 1, count: L * L)
        } else {
            spins = [Int8](repeating: 1, count: L * L)
            for k in 0..<(L * L) where rng.next() & 1 == 0 { spins[k] = -1 }
        }
    }

    /// Magnetisation per spin.
    var magnetization: Double { Double(spins.reduce(0) { $0 + Int($1) }) / Double(L * L) }

    mutating func sweep() {
        metropolisSweep()
        var flipped = 0
        while flipped < L * L { flipped += wolffCluster() }
    }

    @inline(__always) func neighbours(_ k: Int) -> (Int, Int, Int, Int) {
        let r = k / L, c = k % L
        let up = (r == 0 ? L - 1 : r - 1) * L + c
        let down = (r == L - 1 ? 0 : r + 1) * L + c
        let left = r * L + (c == 0 ? L - 1 : c - 1)
        let right = r * L + (c == L - 1 ? 0 : c + 1)
        return (up, down, left, right)
    }

    mutating func metropolisSweep() {
        for k in 0..<(L * L) {
            let (a, b, c, d) = neighbours(k)
            let h = Int(spins[a]) + Int(spins[b]) + Int(spins[c]) + Int(spins[d])
            let dE = 2 * Int(spins[k]) * h   // −8, −4, 0, 4 or 8
            if dE <= 0 || (dE == 4 ? rng.uniform() < accept4 : rng.uniform() < accept8) {
                spins[k] = -spins[k]
            }
        }
    }

    /// Grows and flips one Wolff cluster; returns its size.
    mutating func wolffCluster() -> Int {
        let seed = Int(rng.next() % UInt64(L * L))
        let s0 = spins[seed]
        spins[seed] = -s0
        stack.removeAll(keepingCapacity: true)
        stack.append(Int32(seed))
        var size = 1
        while let top = stack.popLast() {
            let (a, b, c, d) = neighbours(Int(top))
            if spins[a] == s0, rng.uniform() < pAdd { spins[a] = -s0; stack.append(Int32(a)); size += 1 }
            if spins[b] == s0, rng.uniform() < pAdd { spins[b] = -s0; stack.append(Int32(b)); size += 1 }
            if spins[c] == s0, rng.uniform() < pAdd { spins[c] = -s0; stack.append(Int32(c)); size += 1 }
            if spins[d] == s0, rng.uniform() < pAdd { spins[d] = -s0; stack.append(Int32(d)); size += 1 }
        }
        return size
    }
}

/// xoshiro256** seeded by SplitMix64 (CounterRandom.mix): a fast, deterministic stream.
struct Xoshiro256 {
    var s: (UInt64, UInt64, UInt64, UInt64)

    init(seed: UInt64) {
        var x = seed
        func next() -> UInt64 { x = x &+ 0x9E37_79B9_7F4A_7C15; return CounterRandom.mix(x) }
        s = (next(), next(), next(), next())
    }

    @inline(__always) mutating func next() -> UInt64 {
        let result = rotl(s.1 &* 5, 7) &* 9
        let t = s.1 << 17
        s.2 ^= s.0
        s.3 ^= s.1
        s.1 ^= s.2
        s.0 ^= s.3
        s.2 ^= t
        s.3 = rotl(s.3, 45)
        return result
    }

    @inline(__always) mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
