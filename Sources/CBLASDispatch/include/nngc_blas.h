#ifndef NNGC_BLAS_H
#define NNGC_BLAS_H

/// nngc's matrix products: CBLAS's sgemm and dgemm (same signatures, enums passed as int),
/// forwarded to the BLAS library that BLASLibrary.swift loads at start-up, each product on
/// as many of the library's threads as its size pays for. The interpreter and the generated
/// C (registered under the names cblas_sgemm/cblas_dgemm) both call these.

/// Installs the library's cblas_sgemm, cblas_dgemm and thread-count setter (NULL: the
/// library keeps its own thread count and nngc never changes it). Products of at least
/// `parallel_min_work` multiply-adds (m·n·k) run on `max_threads` threads, smaller ones on one.
void nngc_blas_install(void *sgemm, void *dgemm, void *set_threads, int max_threads, long long parallel_min_work);

/// The number of threads a product of m·n·k multiply-adds runs on (1 before installation,
/// and 0 when the library's own thread count is kept).
int nngc_blas_threads_for(long long m, long long n, long long k);

void nngc_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc);
void nngc_dgemm(int order, int trans_a, int trans_b, int m, int n, int k, double alpha,
                const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc);

/// Their addresses, for registering them with the C compiler of generated code.
void *nngc_sgemm_address(void);
void *nngc_dgemm_address(void);

#endif
