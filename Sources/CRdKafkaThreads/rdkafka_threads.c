/*
 * C11 threads over pthreads, in ThreadSanitizer builds only (librdkafka imports thrd_create,
 * thrd_join, mtx_*, cnd_* and call_once; thrd_current is pthread_self already).
 *
 * Debian's librdkafka starts its threads with thrd_create and locks with mtx_lock. glibc
 * (2.34+) implements those by calling its internal pthread functions directly, past the
 * sanitizer's pthread interceptors: a thread the sanitizer never saw start crashes it at
 * the first intercepted call (a SEGV inside its runtime), and a lock it never saw taken
 * makes every callback into Swift look like a race.
 *
 * Defined in the executable, these take precedence over glibc's versioned definitions for
 * librdkafka's references (an unversioned global definition satisfies a versioned
 * reference), so librdkafka's threads and locks go through the intercepted pthread calls.
 * glibc's own mtx_t and cnd_t are pthread_mutex_t and pthread_cond_t with another name
 * (same size, the same casts glibc makes), so objects initialised here stay valid.
 */
#include "rdkafka_threads.h"

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OTP_INTERPOSE_C11_THREADS 1
#endif
#endif

#ifdef OTP_INTERPOSE_C11_THREADS

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <threads.h>

_Static_assert(sizeof(mtx_t) == sizeof(pthread_mutex_t), "mtx_t is not a pthread mutex");
_Static_assert(sizeof(cnd_t) == sizeof(pthread_cond_t), "cnd_t is not a pthread condition");
_Static_assert(sizeof(thrd_t) == sizeof(pthread_t), "thrd_t is not a pthread_t");
_Static_assert(sizeof(once_flag) == sizeof(pthread_once_t), "once_flag is not a pthread_once_t");

int otp_rdkafka_threads_interposed(void) { return 1; }

static int thrd_result(int rc) {
        switch (rc) {
        case 0: return thrd_success;
        case ENOMEM: return thrd_nomem;
        case ETIMEDOUT: return thrd_timedout;
        case EBUSY: return thrd_busy;
        default: return thrd_error;
        }
}

struct otp_thrd_start {
        thrd_start_t func;
        void *arg;
};

static void *otp_thrd_trampoline(void *p) {
        struct otp_thrd_start start = *(struct otp_thrd_start *)p;
        free(p);
        return (void *)(intptr_t)start.func(start.arg);
}

int thrd_create(thrd_t *thr, thrd_start_t func, void *arg) {
        struct otp_thrd_start *start = malloc(sizeof *start);
        if (!start) return thrd_nomem;
        start->func = func;
        start->arg = arg;
        int rc = pthread_create((pthread_t *)thr, NULL, otp_thrd_trampoline, start);
        if (rc) free(start);
        return thrd_result(rc);
}

int thrd_join(thrd_t thr, int *res) {
        void *value = NULL;
        int rc = pthread_join((pthread_t)thr, &value);
        if (rc == 0 && res) *res = (int)(intptr_t)value;
        return thrd_result(rc);
}

int thrd_detach(thrd_t thr) { return thrd_result(pthread_detach((pthread_t)thr)); }

int mtx_init(mtx_t *m, int type) {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        if (type & mtx_recursive) pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_RECURSIVE);
        int rc = pthread_mutex_init((pthread_mutex_t *)m, &attr);
        pthread_mutexattr_destroy(&attr);
        return thrd_result(rc);
}

void mtx_destroy(mtx_t *m) { pthread_mutex_destroy((pthread_mutex_t *)m); }
int mtx_lock(mtx_t *m) { return thrd_result(pthread_mutex_lock((pthread_mutex_t *)m)); }
int mtx_trylock(mtx_t *m) { return thrd_result(pthread_mutex_trylock((pthread_mutex_t *)m)); }
int mtx_unlock(mtx_t *m) { return thrd_result(pthread_mutex_unlock((pthread_mutex_t *)m)); }

int mtx_timedlock(mtx_t *restrict m, const struct timespec *restrict deadline) {
        return thrd_result(pthread_mutex_timedlock((pthread_mutex_t *)m, deadline));
}

void call_once(once_flag *flag, void (*func)(void)) { pthread_once((pthread_once_t *)flag, func); }

int cnd_init(cnd_t *c) { return thrd_result(pthread_cond_init((pthread_cond_t *)c, NULL)); }
void cnd_destroy(cnd_t *c) { pthread_cond_destroy((pthread_cond_t *)c); }
int cnd_signal(cnd_t *c) { return thrd_result(pthread_cond_signal((pthread_cond_t *)c)); }
int cnd_broadcast(cnd_t *c) { return thrd_result(pthread_cond_broadcast((pthread_cond_t *)c)); }

int cnd_wait(cnd_t *c, mtx_t *m) {
        return thrd_result(pthread_cond_wait((pthread_cond_t *)c, (pthread_mutex_t *)m));
}

int cnd_timedwait(cnd_t *restrict c, mtx_t *restrict m, const struct timespec *restrict deadline) {
        return thrd_result(pthread_cond_timedwait((pthread_cond_t *)c, (pthread_mutex_t *)m, deadline));
}

#else

int otp_rdkafka_threads_interposed(void) { return 0; }

#endif
