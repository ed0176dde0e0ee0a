// mremap(2), a Linux call that Swift's Glibc module does not export (glibc declares it only
// under _GNU_SOURCE): ArenaMemory grows an arena with it, without copying.
#include <stddef.h>

extern void *mremap(void *old_address, size_t old_size, size_t new_size, int flags, ...);

/// `mremap` with MREMAP_MAYMOVE (1): the mapping may move; MAP_FAILED ((void *)-1) on failure.
static inline void *nngc_mremap_may_move(void *address, size_t old_size, size_t new_size) {
    return mremap(address, old_size, new_size, 1);
}
