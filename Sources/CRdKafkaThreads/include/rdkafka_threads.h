#ifndef OTP_WORKER_RDKAFKA_THREADS_H
#define OTP_WORKER_RDKAFKA_THREADS_H

/*
 * Nothing needs calling. Under ThreadSanitizer this target defines C11's thrd_*, mtx_*, cnd_*
 * and call_once over pthreads (see rdkafka_threads.c); in every other build it defines only
 * the first function below, so that its object file is never empty. It also names the
 * Kafka layer's own threads (thread_name.c).
 */

/// 1 when this build routes C11 threads through pthreads for ThreadSanitizer, else 0.
int otp_rdkafka_threads_interposed(void);

/// Names the calling thread, as `top -H` and debuggers show it (at most 15 bytes are kept).
void otp_thread_set_name(const char *name);

#endif
