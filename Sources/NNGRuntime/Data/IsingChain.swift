import Foundation
import NNGIR
import NNGTrain

/// One Markov chain of the 2-D Ising model (J = 1, no field, periodic L×L) at one temperature.
///
/// Every update below leaves the Boltzmann distribution e^(−βH)/Z invariant, and what a sweep
/// does never depends on the current state (a stopping rule such as "grow Wolff clusters until
/// L² spins have flipped" does, and samples a colder distribution). `flipAllWithProbabilityHalf`
/// is the exact symmetry H(−s) = H(s) used as a move: it makes the sign of m of successive
/// samples independent for every algorithm (Metropolis alone never changes it below T_c).
struct IsingChain {
    let L: Int
    let beta: Double
    let algorithm: IsingAlgorithm
    var spins: [Int8]
    var rng: Xoshiro256
    /// Probability of a bond between aligned neighbours (Swendsen–Wang, Wolff): 1 − e^(−2β).
    let bondProbability: Double
    /// Metropolis acceptance of an energy increase of 4 and 8.
    let accept4: Double, accept8: Double
    /// Wolff clusters per sweep; fixed once thermalization ends (see `thermalize`).
    private(set) var clustersPerSweep = 1
    /// Work space: the Wolff stack, the Swendsen–Wang union–find forest and cluster signs.
    private var stack: [Int32] = []
    private var parent: [Int32] = []
    private var clusterFlip: [Int8] = []

    /// Below T_c the chain starts ordered with a random sign, above it from random spins.
    init(L: Int, temperature: Double, algorithm: IsingAlgorithm, seed: UInt64) {
        self.L = L
        self.beta = 1 / temperature
        self.algorithm = algorithm
        self.rng = Xoshiro256(seed: seed)
        self.bondProbability = -expm1(-2 * beta)
        self.accept4 = exp(-4 * beta)
        self.accept8 = exp(-8 * beta)
        let sites = L * L
        if temperature < isingCriticalTemperature {
            spins = [Int8](repeating: rng.coin() ? 1 : -1, count: sites)
        } else {
            spins = [Int8](repeating: 1, count: sites)
            for k in 0..<sites where rng.coin() { spins[k] = -1 }
        }
        switch algorithm {
        case .swendsenWang:
            parent = [Int32](repeating: 0, count: sites)
            clusterFlip = [Int8](repeating: 0, count: sites)
        case .wolff: stack.reserveCapacity(sites)
        case .metropolis: break
        }
    }

    /// Magnetisation per spin.
    var magnetization: Double { Double(spins.reduce(0) { $0 + Int($1) }) / Double(L * L) }

    /// Energy per spin, H/L² = −(1/L²) Σ over nearest-neighbour pairs of sᵢsⱼ.
    var energy: Double {
        var sum = 0
        for r in 0..<L {
            for c in 0..<L {
                let s = Int(spins[r * L + c])
                sum += s * (Int(spins[r * L + (c + 1) % L]) + Int(spins[((r + 1) % L) * L + c]))
            }
        }
        return -Double(sum) / Double(L * L)
    }

    /// `sweeps` sweeps before sampling. Wolff chooses its fixed number of clusters per sweep
    /// here: L² over the mean cluster size seen while thermalizing (1 without thermalization),
    /// so a sweep flips about L² spins on average, like one Metropolis pass.
    mutating func thermalize(sweeps: Int) {
        guard algorithm == .wolff, sweeps > 0 else {
            for _ in 0..<sweeps { sweep() }
            return
        }
        var flipped = 0, clusters = 0
        for _ in 0..<sweeps {
            for _ in 0..<clustersPerSweep { flipped += wolffCluster(); clusters += 1 }
            clustersPerSweep = max(1, Int((Double(L * L) * Double(clusters) / Double(flipped)).rounded()))
        }
    }

    mutating func sweep() {
        switch algorithm {
        case .swendsenWang: swendsenWangSweep()
        case .wolff: for _ in 0..<clustersPerSweep { _ = wolffCluster() }
        case .metropolis: metropolisSweep()
        }
    }

    mutating func flipAllWithProbabilityHalf() {
        guard rng.coin() else { return }
        for k in spins.indices { spins[k] = -spins[k] }
    }

    // MARK: Metropolis

    /// Single-spin Metropolis on the even sites, then on the odd sites (for odd L the two
    /// sets touch across the boundary; sequential updates are exact all the same).
    mutating func metropolisSweep() {
        let L = L, a4 = accept4, a8 = accept8
        var rng = rng
        spins.withUnsafeMutableBufferPointer { s in
            for parity in 0..<2 {
                for r in 0..<L {
                    let up = (r == 0 ? L - 1 : r - 1) * L, down = (r == L - 1 ? 0 : r + 1) * L, row = r * L
                    var c = (r + parity) & 1
                    while c < L {
                        let left = c == 0 ? L - 1 : c - 1, right = c == L - 1 ? 0 : c + 1
                        let h = Int(s[up + c]) + Int(s[down + c]) + Int(s[row + left]) + Int(s[row + right])
                        let dE = 2 * Int(s[row + c]) * h   // −8, −4, 0, 4 or 8
                        if dE <= 0 || rng.uniform() < (dE == 4 ? a4 : a8) { s[row + c] = -s[row + c] }
                        c += 2
                    }
                }
            }
        }
        self.rng = rng
    }

    // MARK: Wolff

    /// Grows one Wolff cluster from a random site, flipping it as it grows; returns its size.
    mutating func wolffCluster() -> Int {
        let L = L, p = bondProbability
        var rng = rng
        var stack = stack
        stack.removeAll(keepingCapacity: true)
        let size = spins.withUnsafeMutableBufferPointer { s -> Int in
            let seed = rng.below(L * L)
            let s0 = s[seed]
            s[seed] = -s0
            stack.append(Int32(seed))
            var size = 1
            func visit(_ n: Int) {
                guard s[n] == s0, rng.uniform() < p else { return }
                s[n] = -s0
                stack.append(Int32(n))
                size += 1
            }
            while let top = stack.popLast() {
                let k = Int(top), r = k / L, c = k % L
                visit((r == 0 ? L - 1 : r - 1) * L + c)
                visit((r == L - 1 ? 0 : r + 1) * L + c)
                visit(r * L + (c == 0 ? L - 1 : c - 1))
                visit(r * L + (c == L - 1 ? 0 : c + 1))
            }
            return size
        }
        self.stack = stack
        self.rng = rng
        return size
    }

    // MARK: Swendsen–Wang

    /// Bonds each aligned right and down neighbour pair with probability 1 − e^(−2β), finds
    /// the clusters (union–find) and flips each with probability ½.
    mutating func swendsenWangSweep() {
        let L = L, p = bondProbability
        var rng = rng
        parent.withUnsafeMutableBufferPointer { parent in
            spins.withUnsafeMutableBufferPointer { s in
                clusterFlip.withUnsafeMutableBufferPointer { flip in
                    for k in 0..<(L * L) { parent[k] = Int32(k); flip[k] = 0 }
                    func root(_ k: Int) -> Int {
                        var k = k
                        while Int(parent[k]) != k { parent[k] = parent[Int(parent[k])]; k = Int(parent[k]) }
                        return k
                    }
                    for r in 0..<L {
                        let row = r * L, down = (r == L - 1 ? 0 : r + 1) * L
                        for c in 0..<L {
                            let k = row + c, right = row + (c == L - 1 ? 0 : c + 1)
                            if s[k] == s[right], rng.uniform() < p { parent[root(k)] = Int32(root(right)) }
                            if s[k] == s[down + c], rng.uniform() < p { parent[root(k)] = Int32(root(down + c)) }
                        }
                    }
                    // flip[root]: 0 undecided, 1 keep, −1 flip.
                    for k in 0..<(L * L) {
                        let r = root(k)
                        if flip[r] == 0 { flip[r] = rng.coin() ? -1 : 1 }
                        s[k] *= flip[r]
                    }
                }
            }
        }
        self.rng = rng
    }
}
