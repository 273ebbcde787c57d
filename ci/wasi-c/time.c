// Clocks and randomness as properties, never values.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

static int64_t ns(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

int main(void) {
    struct timespec real, mono1, mono2, res;
    printf("realtime: %d\n", clock_gettime(CLOCK_REALTIME, &real));
    printf("realtime after 2020 and before 2200: %d\n", real.tv_sec > 1577836800 && real.tv_sec < 7258118400LL);
    printf("time(NULL) within 5 s of it: %d\n", llabs((long long)time(NULL) - (long long)real.tv_sec) <= 5);
    clock_gettime(CLOCK_MONOTONIC, &mono1);
    volatile uint64_t spin = 0;
    for (int i = 0; i < 1000000; i++) spin += i;
    clock_gettime(CLOCK_MONOTONIC, &mono2);
    printf("monotonic does not go back: %d\n", ns(mono2) >= ns(mono1));
    printf("getres monotonic: %d, resolution within (0, 1 ms]: %d\n", clock_getres(CLOCK_MONOTONIC, &res),
           ns(res) > 0 && ns(res) <= 1000000);
    struct timespec before, after, nap = {0, 20 * 1000 * 1000};
    clock_gettime(CLOCK_MONOTONIC, &before);
    printf("nanosleep 20 ms: %d\n", nanosleep(&nap, NULL));
    clock_gettime(CLOCK_MONOTONIC, &after);
    printf("slept at least 20 ms: %d\n", ns(after) - ns(before) >= 20 * 1000 * 1000);
    struct tm tm;
    time_t fixed = 1700000000;
    gmtime_r(&fixed, &tm);
    char text[64];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %A %j", &tm);
    printf("gmtime(1700000000): %s\n", text);
    unsigned char a[32], b[32], zero[32] = {0};
    printf("getentropy: %d %d\n", getentropy(a, sizeof a), getentropy(b, sizeof b));
    printf("two draws differ: %d, not all zero: %d\n", memcmp(a, b, sizeof a) != 0, memcmp(a, zero, sizeof a) != 0);
    unsigned char large[256];
    printf("getentropy 257 bytes: %d\n", getentropy(large, 257) == -1);
    uint32_t r1 = arc4random(), r2 = arc4random();
    printf("arc4random: uniform below 10: %d, two draws differ: %d\n", arc4random_uniform(10) < 10, r1 != r2 || r1 != arc4random());
    return 0;
}
