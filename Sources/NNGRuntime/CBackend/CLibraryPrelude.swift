import NNGCore

// The prelude of a standalone C library: it must compile warning-free under
// `-std=c99 -Wall -Wextra -pedantic` and as C++, so it includes the real headers (whose
// uint64_t and CBLAS prototypes TinyCC's prelude would clash with) and declares every helper
// `static inline` (unused ones draw no warning).
extension CCodeGenerator {
    func libraryPrelude() -> String {
        var w = CWriter()
        w.line("#include <math.h>")
        w.line("#include <stdint.h>")
        w.line("#include <string.h>")
        if style == .library(blas: true) { w.line("#include <cblas.h>") }
        w.line("#define NNGC_INLINE static inline")
        w.line("#define NNGC_PARALLEL_FOR")
        var text = w.text + helpers(qualifier: "NNGC_INLINE")
        if style == .library(blas: false) { text += plainGemm }
        return text
    }

    /// `--no-blas`: C = alpha·op(A)·op(B) + beta·C in row-major order with CBLAS's arguments
    /// (111: no transpose, 112: transpose); C is not read when beta is 0 (it may hold garbage).
    private var plainGemm: String {
        """
        NNGC_INLINE void nngc_gemm(int order, int transa, int transb, int m, int n, int k, T alpha, const T* a, int lda,
                                   const T* b, int ldb, T beta, T* c, int ldc) {
          int i, j, p;
          (void)order;
          for (i = 0; i < m; i++) {
            for (j = 0; j < n; j++) {
              T s = 0;
              for (p = 0; p < k; p++) s += (transa == 112 ? a[p * lda + i] : a[i * lda + p]) * (transb == 112 ? b[j * ldb + p] : b[p * ldb + j]);
              c[i * ldc + j] = beta == 0 ? alpha * s : alpha * s + beta * c[i * ldc + j];
            }
          }
        }

        """
    }
}
