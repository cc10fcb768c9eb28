// jemalloc (Debian's libjemalloc-dev) replaces the C library's malloc for every binary that
// links WorkerRuntime. Its own header redeclares malloc and friends, which clashes with
// glibc's in a Clang module, so only the one entry point we call is declared here.
#include <stddef.h>

int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);
