/*
 * Names the calling thread. pthread_setname_np is a GNU extension that Swift's Glibc module
 * does not export, so dedicated threads are named through here.
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <string.h>

#include "thread_name.h"

void otp_thread_set_name(const char *name) {
    /* Linux refuses names longer than 15 bytes; a prefix is better than no name. */
    char shown[16];
    strncpy(shown, name, sizeof shown - 1);
    shown[sizeof shown - 1] = '\0';
#if defined(__APPLE__)
    pthread_setname_np(shown);
#else
    pthread_setname_np(pthread_self(), shown);
#endif
}
