// MPI for nngc's data-parallel training (docs/distributed.md). OpenMPI's handles
// (MPI_COMM_WORLD, MPI_DOUBLE, MPI_SUM, MPI_IN_PLACE) are macros Swift cannot import, so the
// few calls nngc makes are wrapped here as static inline functions.
#include <mpi.h>

/// MPI_Init_thread with calls serialized by the caller (training calls MPI from one thread at a
/// time, not necessarily the main one). Returns MPI_SUCCESS (0) or an error code.
static inline int nngc_mpi_init(void) {
    int provided = 0;
    return MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, &provided);
}

static inline int nngc_mpi_initialized(void) {
    int flag = 0;
    MPI_Initialized(&flag);
    return flag;
}

static inline int nngc_mpi_rank(void) {
    int rank = 0;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    return rank;
}

static inline int nngc_mpi_size(void) {
    int size = 1;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    return size;
}

/// Sums `count` elements over every rank, in place; every rank receives the same sum.
static inline int nngc_mpi_allreduce_sum_f64(double* buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
}

static inline int nngc_mpi_allreduce_sum_f32(float* buffer, int count) {
    return MPI_Allreduce(MPI_IN_PLACE, buffer, count, MPI_FLOAT, MPI_SUM, MPI_COMM_WORLD);
}

/// Every rank's `mine` into `all` (one int per rank, in rank order).
static inline int nngc_mpi_allgather_int(int mine, int* all) {
    return MPI_Allgather(&mine, 1, MPI_INT, all, 1, MPI_INT, MPI_COMM_WORLD);
}

/// Every rank's `count` doubles concatenated in rank order into `all` (rank r's at
/// `displacements[r]`, `counts[r]` of them).
static inline int nngc_mpi_allgatherv_f64(const double* mine, int count, double* all,
                                          const int* counts, const int* displacements) {
    return MPI_Allgatherv(mine, count, MPI_DOUBLE, all, counts, displacements, MPI_DOUBLE, MPI_COMM_WORLD);
}

/// Rank 0's `count` bytes to every rank.
static inline int nngc_mpi_broadcast_bytes(void* buffer, int count) {
    return MPI_Bcast(buffer, count, MPI_BYTE, 0, MPI_COMM_WORLD);
}

static inline int nngc_mpi_barrier(void) {
    return MPI_Barrier(MPI_COMM_WORLD);
}

/// Ends every process of the job (mpirun reports it and exits non-zero).
static inline void nngc_mpi_abort(int code) {
    MPI_Abort(MPI_COMM_WORLD, code);
}

static inline int nngc_mpi_finalize(void) {
    return MPI_Finalize();
}
