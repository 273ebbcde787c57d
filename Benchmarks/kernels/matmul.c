/* Dense double matrix multiply: f64 arithmetic and strided memory access. */
#include "common.h"

#define N 160
static double a[N][N], b[N][N], c[N][N];

EXPORT("run") u32 run(void) {
    u32 seed = 12345;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            a[i][j] = (double)(xorshift32(&seed) % 1000) / 100.0;
            b[i][j] = (double)(xorshift32(&seed) % 1000) / 100.0;
        }
    for (int rep = 0; rep < 8; rep++)
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            double sum = rep;
            for (int k = 0; k < N; k++) sum += a[i][k] * b[k][j];
            c[i][j] = sum;
        }
    double total = 0;
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) total += c[i][j] * (double)((i ^ j) & 7);
    return (u32)(i64)total;
}
