#!/usr/bin/env bash
# Builds the benchmark kernels to freestanding wasm32 (committed in kernels/*.wasm)
# and to native executables for the "native C" baseline.
#   Benchmarks/build-kernels.sh            # wasm (needs clang-15, lld-15)
#   Benchmarks/build-kernels.sh --native   # also native gcc -O2 builds into .build-bench/native/
#   Benchmarks/build-kernels.sh --aarch64  # also AArch64 gcc -O2 -static builds into .build-bench/aarch64/
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
clang=${CLANG:-clang-15}
command -v wasm-ld >/dev/null || export PATH="/usr/lib/llvm-15/bin:$PATH"
for c in "$here"/kernels/*.c; do
    name=$(basename "$c" .c)
    "$clang" --target=wasm32 -O2 -nostdlib -fno-builtin-memset -Wl,--no-entry -Wl,--export-dynamic \
        -Wl,-z,stack-size=1048576 -o "$here/kernels/$name.wasm" "$c"
done
# The native builds: gcc for this machine (--native), or aarch64-linux-gnu-gcc, static, to run under
# qemu-aarch64 (--aarch64, for run-aarch64.py). The kernels export `run`; a tiny driver calls it and
# prints the checksum and time.
case "${1:-}" in
    --native) cc=(gcc); out="$here/../.build-bench/native" ;;
    --aarch64) cc=(aarch64-linux-gnu-gcc -static); out="$here/../.build-bench/aarch64" ;;
    *) exit 0 ;;
esac
mkdir -p "$out"
cat > "$out/driver.c" <<MAIN
#include <stdio.h>
#include <time.h>
unsigned int run(void);
int main(void) {
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned int r = run();
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%u %.6f\\n", r, (b.tv_sec - a.tv_sec) + (b.tv_nsec - a.tv_nsec) / 1e9);
    return 0;
}
MAIN
for c in "$here"/kernels/*.c; do
    name=$(basename "$c" .c)
    "${cc[@]}" -O2 -Dexport_name\(x\)=used -o "$out/$name" "$c" "$out/driver.c" -lm
done
