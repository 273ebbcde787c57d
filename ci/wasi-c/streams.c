// stdout and stderr: buffering and interleaving as the guest's libc does it
// (run with both streams on one pipe), isatty, and unbuffered writes.
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int main(void) {
    printf("isatty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
    printf("stdout 1 (buffered)\n");
    fprintf(stderr, "stderr 1\n");
    printf("stdout 2 (buffered)\n");
    fflush(stdout);
    fprintf(stderr, "stderr 2 after flush\n");
    write(1, "raw stdout\n", 11);
    write(2, "raw stderr\n", 11);
    setvbuf(stdout, NULL, _IONBF, 0);
    printf("unbuffered ");
    fprintf(stderr, "between ");
    printf("stdout\n");
    setvbuf(stdout, NULL, _IOLBF, 0);
    printf("line buffered, no newline yet ... ");
    fprintf(stderr, "stderr 3\n");
    printf("newline\n");
    char big[10000];
    memset(big, 'x', sizeof big);
    fwrite(big, 1, sizeof big, stdout);
    fputc('\n', stdout);
    fputs("stderr last\n", stderr);
    printf("stdout last, flushed at exit");
    return 0;
}
