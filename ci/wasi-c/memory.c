// malloc, realloc, calloc and free of large and many blocks; memory.grow
// through sbrk, and what a failed allocation returns.
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t checksum(const unsigned char *p, size_t n) {
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

int main(void) {
    size_t size = 16 << 20;
    unsigned char *block = malloc(size);
    printf("malloc 16 MiB: %s\n", block ? "ok" : "NULL");
    for (size_t i = 0; i < size; i++) block[i] = (unsigned char)(i * 7 + (i >> 12));
    printf("checksum %08x\n", checksum(block, size));
    block = realloc(block, 64 << 20);
    printf("realloc 64 MiB: %s, first 16 MiB kept: checksum %08x\n", block ? "ok" : "NULL", checksum(block, size));
    memset(block + size, 0xAB, (64 << 20) - size);
    printf("checksum 64 MiB %08x\n", checksum(block, 64 << 20));
    block = realloc(block, 1000);
    printf("realloc down: checksum %08x\n", checksum(block, 1000));
    free(block);
    unsigned char *zeros = calloc(1 << 20, 8);
    size_t nonzero = 0;
    for (size_t i = 0; i < (8u << 20); i++) nonzero += zeros[i] != 0;
    printf("calloc 8 MiB: %zu non-zero bytes\n", nonzero);
    free(zeros);
    // Many small blocks, freed in a scrambled order, then reused.
    void *blocks[4096];
    for (int i = 0; i < 4096; i++) {
        blocks[i] = malloc(1 + (i * 37) % 2000);
        memset(blocks[i], i, 1 + (i * 37) % 2000);
    }
    for (int i = 0; i < 4096; i++) free(blocks[(i * 1237) % 4096]);
    for (int i = 0; i < 100; i++) blocks[i] = malloc(100000);
    printf("100 x 100000: %s\n", blocks[99] ? "ok" : "NULL");
    for (int i = 0; i < 100; i++) free(blocks[i]);
    // Through volatile pointers: clang may otherwise drop an allocation
    // whose result is only compared with NULL, and assume it succeeded.
    errno = 0;
    void *volatile huge = malloc(SIZE_MAX - 4096);
    printf("malloc(SIZE_MAX - 4096): %s, errno %s\n", huge ? "not NULL" : "NULL", errno == ENOMEM ? "ENOMEM" : "other");
    void *volatile big = calloc(SIZE_MAX / 2, 4);
    printf("calloc overflow: %s\n", big ? "not NULL" : "NULL");
    // A block larger than what is left below 4 GiB once the heap is this big.
    errno = 0;
    void *volatile too_big = malloc((size_t)3 << 30);
    printf("malloc 3 GiB: %s, errno %s\n", too_big ? "not NULL" : "NULL", errno == ENOMEM ? "ENOMEM" : "other");
    free(too_big);
    free(huge);
    free(big);
    printf("memory pages now: %zu\n", __builtin_wasm_memory_size(0));
    return 0;
}
