// Reading stdin: line by line with getline, then what is left with fread.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void) {
    char *line = NULL;
    size_t capacity = 0;
    ssize_t length;
    int lines = 0;
    while (lines < 3 && (length = getline(&line, &capacity, stdin)) > 0) {
        lines++;
        printf("line %d (%zd bytes): ", lines, length);
        for (ssize_t i = length - 1; i >= 0; i--)
            if (line[i] != '\n') putchar(line[i]);
        putchar('\n');
    }
    free(line);
    unsigned long sum = 0, total = 0, newlines = 0;
    unsigned char buffer[777];
    size_t n;
    while ((n = fread(buffer, 1, sizeof buffer, stdin)) > 0) {
        for (size_t i = 0; i < n; i++) {
            sum = sum * 31 + buffer[i];
            newlines += buffer[i] == '\n';
        }
        total += n;
    }
    printf("rest: %lu bytes, %lu newlines, checksum %lu, eof %d, error %d\n", total, newlines, sum, feof(stdin),
           ferror(stdin));
    printf("getchar after eof: %d\n", getchar());
    return 0;
}
