import Foundation
import Testing

/// `nngc --version` says which BLAS library and kernels matrix products run on, and why.
@Suite struct VersionTests {
    @Test func namesTheLibraryAndTheKernelsChosenFromTheCPU() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "", "OPENBLAS_NUM_THREADS": ""])
        #expect(r.status == 0)
        let lines = r.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "nngc 0.1.0")
        #expect(lines.contains { $0.hasPrefix("BLAS: OpenBLAS ") && $0.hasSuffix("(libopenblas.so.0)") })
        let kernels = try #require(lines.first { $0.hasPrefix("BLAS kernels: ") })
        #expect(kernels.contains(", chosen from the CPU's features ("), "\(kernels)")
        #expect(lines.contains { $0.hasPrefix("BLAS threads: ") })
    }

    /// An explicit OPENBLAS_CORETYPE is the user's choice and is kept.
    @Test func keepsTheUsersCoreType() throws {
        let r = try CLI.run(["--version"], environment: ["OPENBLAS_CORETYPE": "Prescott", "OPENBLAS_NUM_THREADS": "1"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("BLAS kernels: Prescott, set by OPENBLAS_CORETYPE\n"), "\(r.stdout)")
        #expect(r.stdout.contains("BLAS threads: 1 (set in the environment)"), "\(r.stdout)")
    }
}
