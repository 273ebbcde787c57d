/* Freestanding helpers shared by the benchmark kernels (no libc). */
#ifndef WASMCHECK_KERNELS_COMMON_H
#define WASMCHECK_KERNELS_COMMON_H
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;
typedef long long i64;

#define EXPORT(name) __attribute__((export_name(name)))

/* A small deterministic generator so inputs are the same in every engine. */
static inline u32 xorshift32(u32 *state) {
    u32 x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    *state = x;
    return x;
}
#endif
