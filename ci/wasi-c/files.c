// File I/O inside the preopened directory /sandbox (a fresh copy of a
// template for every run): create, write, read back, seek, stat, readdir,
// rename, unlink, mkdir/rmdir, and the errors the sandbox must give.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void check(const char *what, int result) {
    if (result < 0) printf("%s: -1 (%s)\n", what, strerror(errno));
    else printf("%s: ok\n", what);
}

static int compare(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static void list(const char *path) {
    DIR *dir = opendir(path);
    if (!dir) {
        printf("opendir %s: %s\n", path, strerror(errno));
        return;
    }
    char *names[64];
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(dir)) != NULL && count < 64) {
        char type = entry->d_type == DT_DIR ? 'd' : entry->d_type == DT_REG ? 'f' : entry->d_type == DT_LNK ? 'l' : '?';
        char *name = malloc(strlen(entry->d_name) + 3);
        sprintf(name, "%s/%c", entry->d_name, type);
        names[count++] = name;
    }
    closedir(dir);
    qsort(names, count, sizeof(char *), compare);
    printf("ls %s:", path);
    for (int i = 0; i < count; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
}

static void show_stat(const char *path) {
    struct stat st;
    if (stat(path, &st) < 0) {
        printf("stat %s: %s\n", path, strerror(errno));
        return;
    }
    const char *type = S_ISDIR(st.st_mode) ? "dir" : S_ISREG(st.st_mode) ? "file" : S_ISLNK(st.st_mode) ? "link" : "other";
    printf("stat %s: %s, size %lld, mtime set %d\n", path, type, S_ISREG(st.st_mode) ? (long long)st.st_size : -1LL,
           st.st_mtim.tv_sec > 1000000000);
}

static void try_open(const char *path, int flags) {
    errno = 0;
    int fd = open(path, flags, 0644);
    if (fd < 0) {
        printf("open %s: %s\n", path, strerror(errno));
    } else {
        printf("open %s: ok\n", path);
        close(fd);
    }
}

int main(void) {
    list("/sandbox");
    show_stat("/sandbox/hello.txt");
    show_stat("/sandbox/sub");

    // Read a file of the template.
    FILE *in = fopen("/sandbox/hello.txt", "r");
    if (!in) {
        printf("fopen /sandbox/hello.txt: %s\n", strerror(errno));
        try_open("/sandbox/../outside", O_RDONLY);
        try_open("x", O_RDONLY);
        list(".");
        return 1;
    }
    char text[256] = {0};
    size_t n = fread(text, 1, sizeof text - 1, in);
    fclose(in);
    printf("read %zu bytes: %s", n, text);

    // Create, write, seek, read back.
    int fd = open("/sandbox/new.bin", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("open new.bin: %s\n", fd >= 0 ? "ok" : strerror(errno));
    for (int i = 0; i < 1000; i++) {
        char line[32];
        int len = snprintf(line, sizeof line, "record %04d\n", i);
        write(fd, line, len);
    }
    printf("tell after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
    printf("seek end: %lld\n", (long long)lseek(fd, 0, SEEK_END));
    printf("seek set 12*500: %lld\n", (long long)lseek(fd, 12 * 500, SEEK_SET));
    char record[13] = {0};
    printf("read: %zd [%.11s]\n", read(fd, record, 12), record);
    printf("seek cur -24: %lld\n", (long long)lseek(fd, -24, SEEK_CUR));
    read(fd, record, 12);
    printf("record: [%.11s]\n", record);
    printf("seek past end: %lld\n", (long long)lseek(fd, 100, SEEK_END));
    printf("write past end: %zd\n", write(fd, "tail", 4));
    printf("seek negative: %lld (%s)\n", (long long)lseek(fd, -1, SEEK_SET), strerror(errno));
    printf("pwrite: %zd, pread: ", pwrite(fd, "PATCHED", 7, 0));
    char head[8] = {0};
    pread(fd, head, 7, 0);
    printf("[%s]\n", head);
    struct stat st;
    fstat(fd, &st);
    printf("fstat size %lld\n", (long long)st.st_size);
    check("ftruncate 100", ftruncate(fd, 100));
    fstat(fd, &st);
    printf("size after truncate %lld\n", (long long)st.st_size);
    check("fsync", fsync(fd));
    close(fd);
    printf("read of a closed fd: %zd (%s)\n", read(fd, record, 1), strerror(errno));

    // Reading a write-only descriptor, writing a read-only one.
    fd = open("/sandbox/hello.txt", O_RDONLY);
    printf("write to O_RDONLY: %zd (%s)\n", write(fd, "x", 1), strerror(errno));
    printf("ftruncate O_RDONLY: %d (%s)\n", ftruncate(fd, 0), strerror(errno));
    close(fd);
    fd = open("/sandbox/new.bin", O_WRONLY);
    printf("read from O_WRONLY: %zd (%s)\n", read(fd, record, 1), strerror(errno));
    close(fd);
    fd = open("/sandbox/sub", O_RDONLY | O_DIRECTORY);
    printf("read from a directory: %zd (%s)\n", read(fd, record, 1), strerror(errno));
    printf("write to a directory: %zd (%s)\n", write(fd, record, 1), strerror(errno));
    printf("seek a directory: %lld (%s)\n", (long long)lseek(fd, 0, SEEK_CUR), strerror(errno));
    close(fd);

    // Append mode and stdio on a file.
    FILE *out = fopen("/sandbox/log.txt", "w");
    fprintf(out, "first %d\n", 1);
    fclose(out);
    out = fopen("/sandbox/log.txt", "a");
    fprintf(out, "second %g\n", 2.5);
    fclose(out);
    in = fopen("/sandbox/log.txt", "r");
    char buf[64];
    while (fgets(buf, sizeof buf, in)) printf("log: %s", buf);
    fclose(in);

    // Directories, rename, unlink.
    check("mkdir dir1", mkdir("/sandbox/dir1", 0755));
    check("mkdir dir1 again", mkdir("/sandbox/dir1", 0755));
    check("mkdir missing/parent", mkdir("/sandbox/missing/parent", 0755));
    check("rename log.txt -> dir1/log2.txt", rename("/sandbox/log.txt", "/sandbox/dir1/log2.txt"));
    check("rename missing", rename("/sandbox/nothing", "/sandbox/else"));
    check("rmdir dir1 (not empty)", rmdir("/sandbox/dir1"));
    list("/sandbox");
    list("/sandbox/dir1");
    check("unlink dir1/log2.txt", unlink("/sandbox/dir1/log2.txt"));
    check("unlink again", unlink("/sandbox/dir1/log2.txt"));
    check("unlink a directory", unlink("/sandbox/sub"));
    check("rmdir a file", rmdir("/sandbox/new.bin"));
    check("rmdir dir1", rmdir("/sandbox/dir1"));
    check("rename file over dir", rename("/sandbox/new.bin", "/sandbox/sub"));
    check("rename dir into itself", rename("/sandbox/sub", "/sandbox/sub/inner"));
    check("access hello.txt R_OK", access("/sandbox/hello.txt", R_OK));
    check("access missing F_OK", access("/sandbox/missing", F_OK));

    // Errors: missing files, escapes, absolute paths outside the preopen.
    try_open("/sandbox/missing.txt", O_RDONLY);
    try_open("/sandbox/hello.txt", O_CREAT | O_EXCL | O_WRONLY);
    try_open("/sandbox/sub", O_WRONLY);
    try_open("/sandbox/hello.txt/x", O_RDONLY);
    try_open("/sandbox/../outside", O_RDONLY);
    try_open("/sandbox/sub/../../outside", O_RDONLY);
    try_open("/sandbox/sub/../hello.txt", O_RDONLY);
    try_open("/etc/passwd", O_RDONLY);
    try_open("../x", O_RDONLY);
    try_open("x", O_RDONLY);
    check("chdir /sandbox/sub", chdir("/sandbox/sub"));
    try_open("a.txt", O_RDONLY);
    try_open("../hello.txt", O_RDONLY);
    try_open("../../outside", O_RDONLY);
    char cwd[256];
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : strerror(errno));

    // Symbolic links: inside is fine, leading outside is not.
    check("symlink inside", symlink("hello.txt", "/sandbox/link"));
    char target[64] = {0};
    ssize_t len = readlink("/sandbox/link", target, sizeof target - 1);
    printf("readlink: %zd [%s]\n", len, len > 0 ? target : "");
    try_open("/sandbox/link", O_RDONLY);
    check("symlink absolute", symlink("/etc/passwd", "/sandbox/abs"));
    try_open("/sandbox/abs", O_RDONLY);
    check("symlink up", symlink("../outside", "/sandbox/up"));
    try_open("/sandbox/up", O_RDONLY);
    struct stat lst;
    check("lstat link", lstat("/sandbox/link", &lst));
    printf("lstat is link: %d\n", S_ISLNK(lst.st_mode));
    list("/sandbox");
    return 0;
}
