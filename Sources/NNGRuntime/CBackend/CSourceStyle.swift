/// Where generated C runs, which decides its prelude and how strict its text must be.
enum CSourceStyle: Equatable, Sendable {
    /// Compiled in this process (TinyCC, the optimised tier): its own typedefs and the prototypes
    /// of the functions registered with the compiler (`CExternals`), `static` helpers.
    case inProcess
    /// A standalone C library (`nngc export --format c`): the system headers, helpers that are
    /// `static inline` (no warning when unused), every kernel parameter used, and GEMM from
    /// <cblas.h> or, without BLAS, a plain loop of its own.
    case library(blas: Bool)
}
