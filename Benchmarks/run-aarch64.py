#!/usr/bin/env python3
"""The benchmark kernels on AArch64 under qemu-user: the JIT's AArch64 code (jit-aarch64, in the
agent under qemu-aarch64) against the same C built natively for AArch64 (aarch64-linux-gnu-gcc -O2
-static) under the same qemu, with the x86-64 JIT in the agent (jit-agent) for reference.

    python3 Benchmarks/run-aarch64.py [--repeat N] [kernel ...]

qemu-user translates AArch64 to x86-64 code, so absolute times say little; the ratio of the two
AArch64 runs under one qemu is what this measures. Each time is the best of N runs of the kernel's
`run` export (for the wasm engines, `wasmcheck invoke --time`: compilation and instantiation
excluded, one pipe round trip included); every run must return the checksum of native C.
Needs qemu-user, gcc-aarch64-linux-gnu, clang-15 and lld-15 (Debian; Benchmarks/build-kernels.sh builds both the
wasm and the native kernels), the agents (ci/build-agent.sh) and a release
build of wasmcheck.
"""
import argparse
import math
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS = ["fib", "sieve", "matmul", "sha256", "sort", "nbody"]
QEMU = os.environ.get("WASMCHECK_QEMU_AARCH64", "qemu-aarch64")


def build_native():
    subprocess.run([os.path.join(HERE, "build-kernels.sh"), "--aarch64"], check=True, stdout=subprocess.DEVNULL)
    return os.path.join(ROOT, ".build-bench", "aarch64")


def run_native(out, kernel, repeat):
    runs = [subprocess.run([QEMU, os.path.join(out, kernel)], check=True, capture_output=True, text=True).stdout.split()
            for _ in range(repeat)]
    return int(runs[0][0]), min(float(r[1]) for r in runs)


def run_wasm(engine, kernel, repeat):
    wasmcheck = os.path.join(ROOT, ".build", "release", "wasmcheck")
    best, checksum = None, None
    for _ in range(repeat):
        p = subprocess.run([wasmcheck, "invoke", "--time", "--engine", engine, os.path.join(HERE, "kernels", kernel + ".wasm"),
                            "run"], capture_output=True, text=True)
        if p.returncode != 0:
            sys.exit(f"{engine} failed on {kernel}: {p.stderr.strip()}")
        checksum = int(p.stdout.split()[0]) & 0xFFFFFFFF
        t = float(re.search(r"time: ([0-9.]+) s", p.stderr).group(1))
        best = t if best is None else min(best, t)
    return checksum, best


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("kernels", nargs="*", default=KERNELS)
    args = ap.parse_args()
    out = build_native()
    rows, ratios = [], []
    print(f"{'kernel':8} {'native AArch64':>15} {'jit-aarch64':>12} {'ratio':>7} {'jit-agent (x86-64)':>19}")
    for k in args.kernels:
        native_sum, native_t = run_native(out, k, args.repeat)
        arm_sum, arm_t = run_wasm("jit-aarch64", k, args.repeat)
        x86_sum, x86_t = run_wasm("jit-agent", k, args.repeat)
        if not (native_sum == arm_sum == x86_sum):
            sys.exit(f"{k}: checksums differ: native {native_sum}, jit-aarch64 {arm_sum}, jit-agent {x86_sum}")
        ratios.append(arm_t / native_t)
        print(f"{k:8} {native_t:14.3f}s {arm_t:11.3f}s {arm_t / native_t:7.2f} {x86_t:18.3f}s")
    print(f"geomean jit-aarch64 / native AArch64 (both under qemu): {math.exp(sum(map(math.log, ratios)) / len(ratios)):.2f}")


if __name__ == "__main__":
    main()
