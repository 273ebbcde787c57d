/* Quicksort of 400k integers: data-dependent branches and memory swaps. */
#include "common.h"

#define N 400000
static i32 values[N];

static void quicksort(i32 *v, i32 lo, i32 hi) {
    while (lo < hi) {
        i32 pivot = v[lo + (hi - lo) / 2];
        i32 i = lo, j = hi;
        while (i <= j) {
            while (v[i] < pivot) i++;
            while (v[j] > pivot) j--;
            if (i <= j) {
                i32 t = v[i]; v[i] = v[j]; v[j] = t;
                i++; j--;
            }
        }
        /* Recurse into the smaller half to bound the stack. */
        if (j - lo < hi - i) { quicksort(v, lo, j); lo = i; }
        else { quicksort(v, i, hi); hi = j; }
    }
}

EXPORT("run") u32 run(void) {
    u32 seed = 99;
    for (i32 i = 0; i < N; i++) values[i] = (i32)xorshift32(&seed);
    quicksort(values, 0, N - 1);
    u32 checksum = 0;
    for (i32 i = 0; i < N; i += 97) checksum = checksum * 31 + (u32)values[i];
    for (i32 i = 1; i < N; i++) if (values[i - 1] > values[i]) return 0;
    return checksum;
}
