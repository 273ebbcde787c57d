#define _GNU_SOURCE
#include <pthread.h>

#include "CWasmVM.h"

/* pthread_getattr_np is a GNU extension that Swift's Glibc module does not
 * show; the JIT's entry needs the running thread's stack bounds. */
void *wvm_thread_stack_low(uintptr_t *size) {
    pthread_attr_t attributes;
    void *low = 0;
    size_t bytes = 0;
    *size = 0;
    if (pthread_getattr_np(pthread_self(), &attributes) != 0) return 0;
    if (pthread_attr_getstack(&attributes, &low, &bytes) != 0) low = 0;
    pthread_attr_destroy(&attributes);
    *size = bytes;
    return low;
}
