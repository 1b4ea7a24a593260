// The worker's allocator: jemalloc on Linux, configured here.
//
// glibc's malloc does badly on the worker's pattern: buffers allocated on the cooperative
// pool's threads are freed on the event-loop and librdkafka threads, so one thread's cache
// of free chunks fills while another's stays empty, and nearly every call goes to the locked
// arena. jemalloc returns such frees to their arena in batches (docs/benchmarks.md, "The
// allocator").
#if defined(__linux__)
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stddef.h>
#include <stdlib.h>

#include "otp_allocator.h"

// Read by jemalloc when it starts; MALLOC_CONF in the environment still overrides it.
// One arena: the worker runs on two cores' worth of threads, and every extra arena keeps its
// own dirty pages, which costs resident memory and gains no speed. Freed pages go back to the
// system after two seconds instead of ten, and at once once purged.
const char *malloc_conf = "narenas:1,dirty_decay_ms:2000,muzzy_decay_ms:0";

// From jemalloc (declared here so the build needs only the library, not its header).
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp, size_t newlen);

const char *otp_allocator_malloc_provider(void) {
    Dl_info info;
    void *(*resolved)(size_t) = malloc;
    if (dladdr((void *)resolved, &info) == 0 || info.dli_fname == NULL) return NULL;
    return info.dli_fname;
}

const char *otp_allocator_jemalloc_version(void) {
    const char *version = NULL;
    size_t length = sizeof(version);
    if (mallctl("version", &version, &length, NULL, 0) != 0) return NULL;
    return version;
}

unsigned otp_allocator_jemalloc_arenas(void) {
    unsigned arenas = 0;
    size_t length = sizeof(arenas);
    if (mallctl("opt.narenas", &arenas, &length, NULL, 0) != 0) return 0;
    return arenas;
}
#else
#include <stddef.h>

#include "otp_allocator.h"

const char *otp_allocator_malloc_provider(void) { return NULL; }
const char *otp_allocator_jemalloc_version(void) { return NULL; }
unsigned otp_allocator_jemalloc_arenas(void) { return 0; }
#endif
