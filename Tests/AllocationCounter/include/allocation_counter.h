#ifndef ALLOCATION_COUNTER_H
#define ALLOCATION_COUNTER_H

/// Counts the heap allocations (malloc, calloc, realloc, posix_memalign, aligned_alloc,
/// memalign) made by the calling thread between start and stop. Linked into the test
/// executable, this file's malloc & co. take the place of the C library's for the whole
/// process and forward to glibc's own (__libc_malloc & co.), counting only while asked.

void allocation_counter_start(void);
/// The allocations since allocation_counter_start on this thread; counting stops.
long long allocation_counter_stop(void);

#endif
