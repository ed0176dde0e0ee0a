import RealModule

/// Counter-based random numbers: every sample is a pure function of
/// (seed, step, stream, index), so any backend can reproduce it exactly and
/// in any order. The mixing is SplitMix64's finaliser applied to a combined key;
/// the C backend must use the same constants and steps.
public enum CounterRandom {
    @inline(__always)
    public static func mix(_ x: UInt64) -> UInt64 {
        var z = x &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// 64 random bits for one element of one random operation at one step.
    @inline(__always)
    public static func bits(seed: UInt64, step: UInt64, stream: UInt64, index: UInt64) -> UInt64 {
        mix(mix(mix(mix(seed) ^ step) ^ stream) ^ index)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    @inline(__always)
    public static func uniform(seed: UInt64, step: UInt64, stream: UInt64, index: UInt64) -> Double {
        Double(bits(seed: seed, step: step, stream: stream, index: index) >> 11) * 0x1.0p-53
    }

    /// A standard normal sample (Box–Muller on elements 2i and 2i+1 of the stream).
    public static func normal(seed: UInt64, step: UInt64, stream: UInt64, index: UInt64) -> Double {
        let u1 = uniform(seed: seed, step: step, stream: stream, index: 2 &* index)
        let u2 = uniform(seed: seed, step: step, stream: stream, index: 2 &* index &+ 1)
        let r = (-2 * Double.log(1 - u1)).squareRoot()
        return r * Double.cos(2 * Double.pi * u2)
    }

    /// A stable 64-bit key for a name (FNV-1a), so that a parameter's initial
    /// values depend on its name and the seed, not on declaration order.
    public static func key(_ name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 {
            h ^= UInt64(b)
            h = h &* 0x0000_0100_0000_01B3
        }
        return h
    }
}

/// SplitMix64 as a sequential generator, for reproducible fuzzing, random graphs and
/// benchmarks (the same mixing as `CounterRandom`, over a running counter).
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return CounterRandom.mix(state &- 0x9E37_79B9_7F4A_7C15)
    }
}
