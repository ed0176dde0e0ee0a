import CCPUFeatures

/// The instruction-set extensions that decide which BLAS kernels can run, read with cpuid
/// (through Google's cpu_features) and counted only when the operating system saves the
/// registers they use (XCR0): a kernel chosen from these never meets an illegal instruction.
public enum CPUFeature: String, CaseIterable, Sendable {
    case sse3, ssse3, sse4_2, avx, avx2, fma3, avx512f, avx512bw, avx512dq, avx512vl
}

extension Set where Element == CPUFeature {
    /// The features of the processor running this process (empty on other architectures).
    public static let host: Set<CPUFeature> = {
        #if arch(x86_64) || arch(i386)
        let f = GetX86Info().features
        let flags: [(CPUFeature, Int32)] = [
            (.sse3, f.sse3), (.ssse3, f.ssse3), (.sse4_2, f.sse4_2), (.avx, f.avx), (.avx2, f.avx2),
            (.fma3, f.fma3), (.avx512f, f.avx512f), (.avx512bw, f.avx512bw), (.avx512dq, f.avx512dq),
            (.avx512vl, f.avx512vl),
        ]
        return Set(flags.filter { $0.1 != 0 }.map(\.0))
        #else
        return []
        #endif
    }()
}
