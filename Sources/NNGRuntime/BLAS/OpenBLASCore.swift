/// The OpenBLAS kernel family (a name `OPENBLAS_CORETYPE` accepts) for a set of CPU features.
///
/// OpenBLAS's own detection goes by vendor and model number, so a processor newer than the
/// library (Debian's 0.3.21 on a recent Xeon) falls back to `Prescott`, its slowest x86-64
/// kernels. Choosing from the features instead gives every processor the widest kernels it
/// can execute: the AVX-512 kernels need F, BW, DQ and VL (Skylake-X's set), the Haswell
/// kernels AVX2 and FMA. AMD's Zen processors get the Haswell kernels too: OpenBLAS's `Zen`
/// target runs the same kernels with other block sizes, and measured no faster on a Zen 3
/// (docs/benchmarks.md).
public func openBLASCore(for features: Set<CPUFeature>) -> String {
    if features.isSuperset(of: [.avx512f, .avx512bw, .avx512dq, .avx512vl, .avx2, .fma3]) { return "SkylakeX" }
    if features.isSuperset(of: [.avx2, .fma3]) { return "Haswell" }
    if features.contains(.avx) { return "Sandybridge" }
    if features.contains(.sse4_2) { return "Nehalem" }
    if features.contains(.ssse3) { return "Core2" }
    return "Prescott"
}
