import CBLASDispatch
import Foundation
@testable import NNGRuntime
import Testing

/// The BLAS kernels are chosen from the CPU's features, and the loaded library runs them.
@Suite struct BLASLibraryTests {
    /// The kernel table, one processor class per row.
    @Test func kernelsFollowTheFeatures() {
        let sse: Set<CPUFeature> = [.sse3, .ssse3, .sse4_2]
        let haswell = sse.union([.avx, .avx2, .fma3])
        let skylakeX = haswell.union([.avx512f, .avx512bw, .avx512dq, .avx512vl])
        #expect(openBLASCore(for: skylakeX) == "SkylakeX")  // Xeon with AVX-512
        #expect(openBLASCore(for: haswell) == "Haswell")  // Haswell…, Zen 1–4 without AVX-512
        // AVX-512F alone (Knights Landing) lacks BW/DQ/VL, which the SkylakeX kernels use.
        #expect(openBLASCore(for: haswell.union([.avx512f])) == "Haswell")
        // AVX-512 the OS does not save (cpu_features then reports none of it) is no AVX-512.
        #expect(openBLASCore(for: haswell.union([.avx512bw, .avx512dq, .avx512vl])) == "Haswell")
        #expect(openBLASCore(for: sse.union([.avx, .avx2])) == "Sandybridge")  // AVX2 without FMA
        #expect(openBLASCore(for: sse.union([.avx])) == "Sandybridge")
        #expect(openBLASCore(for: sse) == "Nehalem")
        #expect(openBLASCore(for: [.sse3, .ssse3]) == "Core2")
        #expect(openBLASCore(for: []) == "Prescott")
    }

    /// cpu_features agrees with the kernel's view of this processor (/proc/cpuinfo's flags,
    /// which also leave out what the OS does not support).
    @Test func hostFeaturesAgreeWithProcCpuinfo() throws {
        let text = try String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)
        let line = try #require(text.split(separator: "\n").first { $0.hasPrefix("flags") })
        let flags = Set(line.split(separator: ":")[1].split(separator: " ").map(String.init))
        let names: [CPUFeature: String] = [.sse3: "pni", .fma3: "fma"]
        for feature in CPUFeature.allCases {
            #expect(Set<CPUFeature>.host.contains(feature) == flags.contains(names[feature] ?? feature.rawValue),
                    "\(feature)")
        }
    }

    /// The library runs the kernels nngc chose (OpenBLAS ignores a name it does not know).
    @Test func loadedLibraryRunsTheChosenKernels() {
        let library = BLASLibrary.shared
        #expect(library.config.hasPrefix("OpenBLAS"))
        if case .features(let core, let features) = library.choice {
            #expect(core == openBLASCore(for: .host))
            #expect(features == .host)
            #expect(library.core.lowercased() == core.lowercased())
        }
        #expect(library.description.contains("BLAS kernels: \(library.core)"))
    }

    /// Products from 2²⁴ multiply-adds up run on every processor, smaller ones on one.
    @Test func threadsPerProduct() {
        let policy = BLASLibrary.shared.threads
        _ = BLASLibrary.shared
        if policy.userThreads != nil {
            #expect(nngc_blas_threads_for(1024, 1024, 1024) == 0)
            return
        }
        let side = Int64(policy.parallelMinWork).cubeRootCeiling
        #expect(nngc_blas_threads_for(64, 784, 100) == 1)  // the MNIST MLP's largest product
        #expect(nngc_blas_threads_for(1, 1, 1) == 1)
        #expect(nngc_blas_threads_for(side, side, side) == Int32(policy.maxThreads))
        #expect(nngc_blas_threads_for(256, 1024, 784) == Int32(policy.maxThreads))  // the wide MLP's
    }

    @Test func threadPolicyFromTheEnvironment() {
        let chosen = BLASThreadPolicy.fromEnvironment([:], processors: 2)
        #expect(chosen == BLASThreadPolicy(userThreads: nil, maxThreads: 2, parallelMinWork: 1 << 24))
        #expect(BLASThreadPolicy.fromEnvironment(["OPENBLAS_NUM_THREADS": "1"], processors: 2).userThreads == 1)
        #expect(BLASThreadPolicy.fromEnvironment(["OMP_NUM_THREADS": "3"], processors: 2).userThreads == 3)
        #expect(BLASThreadPolicy.fromEnvironment(["OPENBLAS_NUM_THREADS": ""], processors: 2).userThreads == nil)
        #expect(BLASThreadPolicy.fromEnvironment(["NNGC_BLAS_PARALLEL_MIN": "1000"], processors: 2).parallelMinWork == 1000)
    }
}

extension Int64 {
    /// The smallest n with n³ ≥ self.
    var cubeRootCeiling: Int64 {
        var n = Int64(Foundation.cbrt(Double(self)).rounded(.down))
        while n * n * n < self { n += 1 }
        return n
    }
}
