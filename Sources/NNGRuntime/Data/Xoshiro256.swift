import NNGCore

/// xoshiro256** seeded by SplitMix64 (CounterRandom.mix): a fast, deterministic stream for the
/// Monte Carlo chains of the `ising` source.
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

    /// Uniform in [0, 1) with 53 random bits.
    @inline(__always) mutating func uniform() -> Double { Double(next() >> 11) * 0x1.0p-53 }

    /// A fair coin.
    @inline(__always) mutating func coin() -> Bool { next() >> 63 == 1 }

    /// Uniform in 0..<n (n ≪ 2⁶⁴, so the modulo bias is negligible).
    @inline(__always) mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    @inline(__always) private func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 { (x << k) | (x >> (64 - k)) }
}
