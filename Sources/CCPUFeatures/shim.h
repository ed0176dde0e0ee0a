// Google's cpu_features (Debian: libcpu-features-dev): the CPU's features from cpuid, with the
// operating system's support for the wider registers (XCR0) already taken into account.
#if defined(__x86_64__) || defined(__i386__)
#include <cpu_features/cpuinfo_x86.h>
#endif
