#ifndef OTP_WORKER_THREAD_NAME_H
#define OTP_WORKER_THREAD_NAME_H

/// Names the calling thread, as `top -H` and debuggers show it (at most 15 bytes are kept).
void otp_thread_set_name(const char *name);

#endif
