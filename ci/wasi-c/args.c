// argv and environ as the program sees them.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

int main(int argc, char **argv) {
    printf("argc %d\n", argc);
    for (int i = 0; i < argc; i++) printf("argv[%d] = \"%s\" (%zu bytes)\n", i, argv[i], strlen(argv[i]));
    printf("argv[argc] is %s\n", argv[argc] == NULL ? "NULL" : "not NULL");
    int count = 0;
    for (char **e = environ; *e; e++) printf("environ[%d] = \"%s\"\n", count++, *e);
    printf("getenv(GREETING) = %s\n", getenv("GREETING") ? getenv("GREETING") : "(null)");
    printf("getenv(MISSING) = %s\n", getenv("MISSING") ? getenv("MISSING") : "(null)");
    printf("getenv(EMPTY) = \"%s\"\n", getenv("EMPTY") ? getenv("EMPTY") : "(null)");
    setenv("ADDED", "yes", 1);
    printf("getenv(ADDED) = %s\n", getenv("ADDED"));
    return 0;
}
