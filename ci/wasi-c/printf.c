// printf, snprintf, strtod, strtol and qsort: libc's formatting and parsing,
// integer and floating point (the long-double paths of printf run here).
#include <float.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int compare_doubles(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(void) {
    // Integers.
    printf("%d %d %d %u %x %X %o\n", 0, INT_MAX, INT_MIN, UINT_MAX, 0xdeadbeef, 0xcafe, 0755);
    printf("%lld %llu %llx %" PRId64 " %" PRIu64 "\n", LLONG_MIN, ULLONG_MAX, 0x123456789abcdefULL,
           INT64_MAX, UINT64_MAX);
    printf("[%5d] [%-5d] [%05d] [%+d] [% d] [%#x] [%#o] [%.3d] [%hhd] [%hd] [%zu]\n", 42, 42, 42, 42, 42,
           255, 8, 7, (signed char)300, (short)70000, sizeof(long double));
    // Floating point: every conversion, the special values, the edges.
    double values[] = {0.0, -0.0, 1.0, -1.5, 0.1, 1.0 / 3.0, 123456789.125, 1e-300, 1e300, DBL_MAX, DBL_MIN,
                       4.9406564584124654e-324, 2.5, 3.5, 1e21, 1e-7, M_PI, INFINITY, -INFINITY, NAN};
    for (size_t i = 0; i < sizeof values / sizeof values[0]; i++) {
        double v = values[i];
        printf("%f|%.0f|%.10f|%e|%.3E|%g|%G|%.17g|%a|%A|%10.4g|%-12.2e|\n", v, v, v, v, v, v, v, v, v, v, v, v);
    }
    printf("%f %g %e\n", -NAN, (double)FLT_MAX, (double)FLT_EPSILON);
    printf("%Lf %Lg %La\n", 1.0L / 3.0L, LDBL_MAX, LDBL_MIN);
    float f = 16777217.0f;
    printf("%.9g %a\n", f, (double)f);
    // Strings and characters.
    printf("[%s] [%10s] [%-10s] [%.3s] [%c%c%c] [%%] [%5.1s]\n", "hello", "right", "left", "truncate", 'a', 66,
           '\n' + 'A' - '\n', "xyz");
    printf("%s\n", "UTF-8: caf\xc3\xa9 \xe2\x82\xac");
    // snprintf: truncation and the return value.
    char small[8];
    int n = snprintf(small, sizeof small, "%s-%d", "abcdefgh", 12345);
    printf("snprintf %d [%s]\n", n, small);
    n = snprintf(NULL, 0, "%.100f", 1.0);
    printf("snprintf length %d\n", n);
    // strtod / strtol.
    const char *numbers[] = {"3.14159", "-0", "1e400", "-1e-400", "0x1.8p3", "inf", "-INFINITY", "nan", "NaN(123)",
                             "  42abc", "abc", "1.7976931348623157e308", "2.2250738585072011e-308", ".5e-3", ""};
    for (size_t i = 0; i < sizeof numbers / sizeof numbers[0]; i++) {
        char *end;
        double d = strtod(numbers[i], &end);
        printf("strtod(\"%s\") = %.17g, rest \"%s\", signbit %d\n", numbers[i], d, end, signbit(d) != 0);
    }
    const char *integers[] = {"0", "-2147483648", "2147483648", "0x7fffffff", "0777", "z", "99999999999999999999"};
    for (size_t i = 0; i < sizeof integers / sizeof integers[0]; i++) {
        char *end;
        long l = strtol(integers[i], &end, 0);
        long long ll = strtoll(integers[i], NULL, 0);
        unsigned long ul = strtoul(integers[i], NULL, 36);
        printf("strtol(\"%s\") = %ld %lld %lu, rest \"%s\"\n", integers[i], l, ll, ul, end);
    }
    // qsort: doubles and strings.
    double sortme[64];
    uint32_t state = 12345;
    for (int i = 0; i < 64; i++) {
        state = state * 1103515245u + 12345u;
        sortme[i] = (double)(int32_t)state / 1000.0;
    }
    qsort(sortme, 64, sizeof(double), compare_doubles);
    for (int i = 0; i < 64; i += 8) printf("%g ", sortme[i]);
    printf("\n");
    const char *words[] = {"pear", "apple", "fig", "banana", "cherry", "date", "Apple", "elderberry"};
    qsort(words, 8, sizeof(char *), compare_strings);
    for (int i = 0; i < 8; i++) printf("%s%s", words[i], i < 7 ? "," : "\n");
    // libm.
    printf("%.17g %.17g %.17g %.17g %.17g\n", sqrt(2.0), exp(1.0), log(10.0), sin(1.0), pow(2.0, 0.5));
    printf("%.9g %.9g\n", sqrtf(2.0f), expf(1.0f));
    return 0;
}
