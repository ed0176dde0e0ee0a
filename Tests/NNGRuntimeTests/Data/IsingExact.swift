import Foundation

/// Exact thermodynamics of the 2-D Ising model on the periodic L×L lattice (J = 1, no field,
/// H = −Σ sᵢsⱼ over nearest-neighbour pairs), the reference the sampler is tested against.
enum IsingExact {
    /// Per-spin values at one temperature.
    struct Thermodynamics {
        /// ln Z of the whole lattice.
        var logZ: Double
        /// ⟨H⟩ / L².
        var energy: Double
        /// β²(⟨H²⟩ − ⟨H⟩²) / L².
        var specificHeat: Double
    }

    // MARK: Kaufman's partition function of the finite torus

    /// B. Kaufman, Phys. Rev. 76, 1232 (1949), for an L×L torus with K = β:
    ///
    ///     Z = ½ (2 sinh 2K)^(L²/2) (Z₁ + Z₂ + Z₃ + Z₄),
    ///     Z₁ = Π 2 cosh(L γ₂ᵣ₊₁/2), Z₂ = Π 2 sinh(L γ₂ᵣ₊₁/2),
    ///     Z₃ = Π 2 cosh(L γ₂ᵣ/2),   Z₄ = Π 2 sinh(L γ₂ᵣ/2)     (r = 0 … L−1),
    ///     cosh γₖ = cosh 2K coth 2K − cos(πk/L) (k ≥ 1),  γ₀ = 2K + ln tanh K.
    ///
    /// γ₀ changes sign at T_c, so Z₄ is negative above it. Everything is carried as logarithms
    /// with their first and second K-derivatives (analytic, no finite differences), which give
    /// the energy and the specific heat; f64 is enough because no product is ever formed.
    static func kaufman(L: Int, temperature: Double) -> Thermodynamics {
        let K = 1 / temperature, u = 2 * K, N = Double(L * L)
        let sinhU = sinh(u), coshU = cosh(u)
        // ln of the prefactor ½(2 sinh 2K)^(N/2) and its K-derivatives.
        let prefactor = LogTerm(log: -log(2.0) + N / 2 * log(2 * sinhU), sign: 1,
                                d1: N * coshU / sinhU, d2: -2 * N / (sinhU * sinhU))
        var terms = [LogTerm](repeating: LogTerm(log: 0, sign: 1, d1: 0, d2: 0), count: 4)
        for k in 0..<(2 * L) {
            let (g, g1, g2) = gamma(k, L: L, K: K)
            let x = LogTerm.Argument(value: Double(L) / 2 * g, d1: Double(L) / 2 * g1, d2: Double(L) / 2 * g2)
            let odd = k % 2 == 1
            terms[odd ? 0 : 2].multiply(by: .twoCosh(x))
            terms[odd ? 1 : 3].multiply(by: .twoSinh(x))
        }
        let sum = LogTerm.sum(terms)
        let logZ = prefactor.log + sum.log
        let d1 = prefactor.d1 + sum.d1, d2 = prefactor.d2 + sum.d2
        return Thermodynamics(logZ: logZ, energy: -d1 / N, specificHeat: K * K * d2 / N)
    }

    /// γₖ and its first two K-derivatives.
    private static func gamma(_ k: Int, L: Int, K: Double) -> (Double, Double, Double) {
        let u = 2 * K, sinhU = sinh(u), coshU = cosh(u)
        if k == 0 {
            return (2 * K + log(tanh(K)), 2 + 2 / sinhU, -4 * coshU / (sinhU * sinhU))
        }
        // c = cosh 2K coth 2K − cos θ = sinh u + 1/sinh u − cos θ.
        let c = sinhU + 1 / sinhU - cos(Double.pi * Double(k) / Double(L))
        let c1 = 2 * coshU * (1 - 1 / (sinhU * sinhU))
        let c2 = 4 * (sinhU - 1 / sinhU + 2 * coshU * coshU / (sinhU * sinhU * sinhU))
        let g = acosh(c), sinhG = (c * c - 1).squareRoot()
        let g1 = c1 / sinhG
        return (g, g1, (c2 - c * g1 * g1) / sinhG)
    }

    /// ln|Z| of a signed quantity Z with d ln|Z|/dK and d² ln|Z|/dK².
    private struct LogTerm {
        var log: Double, sign: Double, d1: Double, d2: Double

        /// x(K) with its K-derivatives.
        struct Argument { var value: Double, d1: Double, d2: Double }

        /// 2 cosh x: ln = |x| + ln(1 + e^(−2|x|)), (ln)′ = tanh x · x′.
        static func twoCosh(_ x: Argument) -> LogTerm {
            let t = tanh(x.value), a = abs(x.value)
            return LogTerm(log: a + log1p(exp(-2 * a)), sign: 1,
                           d1: t * x.d1, d2: (1 - t * t) * x.d1 * x.d1 + t * x.d2)
        }

        /// 2 sinh x: ln|·| = |x| + ln(1 − e^(−2|x|)), (ln)′ = coth x · x′.
        static func twoSinh(_ x: Argument) -> LogTerm {
            let ct = 1 / tanh(x.value), a = abs(x.value)
            return LogTerm(log: a + log1p(-exp(-2 * a)), sign: x.value < 0 ? -1 : 1,
                           d1: ct * x.d1, d2: (1 - ct * ct) * x.d1 * x.d1 + ct * x.d2)
        }

        mutating func multiply(by f: LogTerm) {
            log += f.log
            sign *= f.sign
            d1 += f.d1
            d2 += f.d2
        }

        /// ln|Σ Zᵢ| and its derivatives, scaled by the largest term so nothing overflows.
        static func sum(_ terms: [LogTerm]) -> LogTerm {
            let top = terms.map(\.log).max()!
            var s = 0.0, s1 = 0.0, s2 = 0.0
            for t in terms {
                let w = t.sign * Foundation.exp(t.log - top)
                s += w
                s1 += w * t.d1
                s2 += w * (t.d2 + t.d1 * t.d1)
            }
            return LogTerm(log: top + Foundation.log(abs(s)), sign: s < 0 ? -1 : 1,
                           d1: s1 / s, d2: s2 / s - (s1 / s) * (s1 / s))
        }
    }

    // MARK: Onsager's infinite lattice

    /// Energy per spin of the infinite lattice (Onsager 1944):
    /// −coth 2K [1 + (2/π)(2 tanh² 2K − 1) K₁(q)], q = 2 sinh 2K / cosh² 2K,
    /// with the complete elliptic integral K₁(q) = π / (2 AGM(1, √(1 − q²))).
    static func onsagerEnergy(temperature: Double) -> Double {
        let u = 2 / temperature
        let q = 2 * sinh(u) / (cosh(u) * cosh(u))
        var a = 1.0, b = (1 - q * q).squareRoot()
        while abs(a - b) > 1e-16 * a { (a, b) = ((a + b) / 2, (a * b).squareRoot()) }
        let ellipticK = Double.pi / (2 * a)
        let t = tanh(u)
        return -(1 / t) * (1 + 2 / Double.pi * (2 * t * t - 1) * ellipticK)
    }

    // MARK: Exact enumeration

    /// Every one of the 2^(L²) configurations, counted by (energy, magnetisation) (L ≤ 5).
    struct Enumeration {
        let L: Int
        /// (H, M) → number of configurations.
        let counts: [Pair: Double]
        struct Pair: Hashable { var energy: Int, magnetization: Int }

        init(L: Int) {
            precondition(L * L <= 25)
            self.L = L
            var counts: [Pair: Double] = [:]
            let n = L * L
            for bits in 0..<(1 << n) {
                func s(_ r: Int, _ c: Int) -> Int { bits >> (((r + L) % L) * L + (c + L) % L) & 1 == 1 ? 1 : -1 }
                var h = 0, m = 0
                for r in 0..<L {
                    for c in 0..<L {
                        h -= s(r, c) * (s(r, c + 1) + s(r + 1, c))
                        m += s(r, c)
                    }
                }
                counts[Pair(energy: h, magnetization: m), default: 0] += 1
            }
            self.counts = counts
        }

        /// Boltzmann averages at `temperature`: per-spin thermodynamics and ⟨|m|⟩, ⟨m²⟩,
        /// P(m > 0) of the magnetisation per spin m = M / L².
        func averages(temperature: Double) -> (Thermodynamics, absM: Double, m2: Double, positive: Double) {
            let beta = 1 / temperature, N = Double(L * L)
            let ground = counts.keys.map(\.energy).min()!
            var z = 0.0, e = 0.0, e2 = 0.0, absM = 0.0, m2 = 0.0, positive = 0.0
            for (pair, count) in counts {
                let w = count * exp(-beta * Double(pair.energy - ground))
                let E = Double(pair.energy), m = Double(pair.magnetization) / N
                z += w; e += w * E; e2 += w * E * E
                absM += w * abs(m); m2 += w * m * m
                if pair.magnetization > 0 { positive += w }
            }
            e /= z; e2 /= z
            let thermo = Thermodynamics(logZ: log(z) - beta * Double(ground), energy: e / N,
                                        specificHeat: beta * beta * (e2 - e * e) / N)
            return (thermo, absM / z, m2 / z, positive / z)
        }
    }
}
