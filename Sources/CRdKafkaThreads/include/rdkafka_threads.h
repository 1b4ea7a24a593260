#ifndef OTP_WORKER_RDKAFKA_THREADS_H
#define OTP_WORKER_RDKAFKA_THREADS_H

/*
 * Nothing needs calling. Under ThreadSanitizer this target defines C11's thrd_*, mtx_*, cnd_*
 * and call_once over pthreads (see rdkafka_threads.c); in every other build it defines only
 * the first function below, so that its object file is never empty.
 */

/// 1 when this build routes C11 threads through pthreads for ThreadSanitizer, else 0.
int otp_rdkafka_threads_interposed(void);

#endif
