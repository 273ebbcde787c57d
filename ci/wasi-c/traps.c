// Traps: abort (unreachable), an out-of-bounds access, integer division by
// zero and overflow, an indirect call of the wrong type, stack overflow by
// deep recursion (of wasm frames, and of the C stack in linear memory).
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

__attribute__((noinline)) static int deep(int n) {
    if (n == -1) return 0;
    int r = deep(n + 1);
    return r * 3 + n;
}

__attribute__((noinline)) static int deep_with_array(int n) {
    volatile char frame[512];
    frame[n & 511] = (char)n;
    if (n == -1) return 0;
    return deep_with_array(n + 1) + frame[(n * 7) & 511];
}

static int takes_int(int x) { return x + 1; }

int main(int argc, char **argv) {
    const char *what = argc > 1 ? argv[1] : "abort";
    printf("before the trap (%s), flushed\n", what);
    fflush(stdout);
    printf("buffered, lost at the trap\n");
    fprintf(stderr, "stderr before the trap\n");
    volatile int zero = 0, minus_one = -1, big = INT_MAX;
    (void)big;
    if (strcmp(what, "abort") == 0) abort();
    if (strcmp(what, "oob") == 0) printf("%d\n", *(volatile int *)(uintptr_t)0xFFFFFFF0u);
    if (strcmp(what, "oob-store") == 0) *(volatile int *)(uintptr_t)(128u << 20) = 1;
    if (strcmp(what, "div0") == 0) printf("%d\n", big / zero);
    if (strcmp(what, "rem0") == 0) printf("%d\n", big % zero);
    volatile int min = INT_MIN;
    if (strcmp(what, "overflow") == 0) printf("%d\n", min / minus_one);
    if (strcmp(what, "indirect") == 0) {
        volatile void *p = (void *)takes_int;
        double (*wrong)(double) = (double (*)(double))p;
        printf("%f\n", wrong(1.0));
    }
    if (strcmp(what, "recursion") == 0) printf("%d\n", deep(0));
    if (strcmp(what, "c-stack") == 0) printf("%d\n", deep_with_array(0));
    if (strcmp(what, "unreachable") == 0) __builtin_trap();
    printf("no trap\n");
    return 0;
}
