#include "nngc_blas.h"
#include <stdatomic.h>
#include <stddef.h>

typedef void (*sgemm_fn)(int, int, int, int, int, int, float, const float *, int, const float *, int, float, float *, int);
typedef void (*dgemm_fn)(int, int, int, int, int, int, double, const double *, int, const double *, int, double, double *, int);
typedef void (*set_threads_fn)(int);

static sgemm_fn library_sgemm;
static dgemm_fn library_dgemm;
static set_threads_fn library_set_threads;
static int threads_max = 1;
static long long parallel_work = 0;
/// The count last given to the library: setting it again on every call would be wasted work.
static atomic_int threads_now;

void nngc_blas_install(void *sgemm, void *dgemm, void *set_threads, int max_threads, long long parallel_min_work) {
    library_sgemm = (sgemm_fn)sgemm;
    library_dgemm = (dgemm_fn)dgemm;
    library_set_threads = (set_threads_fn)set_threads;
    threads_max = max_threads < 1 ? 1 : max_threads;
    parallel_work = parallel_min_work;
    if (library_set_threads) {
        library_set_threads(1);
        atomic_store(&threads_now, 1);
    }
}

int nngc_blas_threads_for(long long m, long long n, long long k) {
    if (library_sgemm != NULL && library_set_threads == NULL) return 0;
    return threads_max > 1 && m * n * k >= parallel_work ? threads_max : 1;
}

static void use_threads_for(long long m, long long n, long long k) {
    if (library_set_threads == NULL) return;
    int wanted = nngc_blas_threads_for(m, n, k);
    if (atomic_exchange(&threads_now, wanted) != wanted) library_set_threads(wanted);
}

void nngc_sgemm(int order, int trans_a, int trans_b, int m, int n, int k, float alpha,
                const float *a, int lda, const float *b, int ldb, float beta, float *c, int ldc) {
    use_threads_for(m, n, k);
    library_sgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void nngc_dgemm(int order, int trans_a, int trans_b, int m, int n, int k, double alpha,
                const double *a, int lda, const double *b, int ldb, double beta, double *c, int ldc) {
    use_threads_for(m, n, k);
    library_dgemm(order, trans_a, trans_b, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void *nngc_sgemm_address(void) { return (void *)nngc_sgemm; }
void *nngc_dgemm_address(void) { return (void *)nngc_dgemm; }
