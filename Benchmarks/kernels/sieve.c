/* Sieve of Eratosthenes: byte loads/stores and tight loops. */
#include "common.h"

#define N 2000000
static unsigned char composite[N + 1];

EXPORT("run") u32 run(void) {
    u32 checksum = 0;
    for (int round = 0; round < 4; round++) {
        for (u32 i = 0; i <= N; i++) composite[i] = 0;
        u32 count = 0;
        for (u32 i = 2; i <= N; i++) {
            if (composite[i]) continue;
            count++;
            for (u32 j = i + i; j <= N; j += i) composite[j] = 1;
        }
        checksum = checksum * 31 + count;
    }
    return checksum;
}
