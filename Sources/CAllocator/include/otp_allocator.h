#ifndef OTP_ALLOCATOR_H
#define OTP_ALLOCATOR_H

/// The shared object that provides `malloc` to this process (as the dynamic linker resolved
/// it), or NULL when that cannot be told. The executable's own path means a sanitizer's
/// allocator, linked into it.
const char *otp_allocator_malloc_provider(void);

/// jemalloc's version when jemalloc is linked, else NULL.
const char *otp_allocator_jemalloc_version(void);

/// jemalloc's arena count (`opt.narenas`), or 0 when jemalloc is not linked.
unsigned otp_allocator_jemalloc_arenas(void);

#endif
