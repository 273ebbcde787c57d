// Exit statuses: exit(N), a return from main, _Exit without flushing.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv) {
    const char *how = argc > 1 ? argv[1] : "return";
    int code = argc > 2 ? atoi(argv[2]) : 0;
    printf("exiting by %s with %d\n", how, code);
    fprintf(stderr, "to stderr before exit\n");
    if (strcmp(how, "exit") == 0) exit(code);
    if (strcmp(how, "_Exit") == 0) _Exit(code);  // buffered stdout is lost
    return code;
}
