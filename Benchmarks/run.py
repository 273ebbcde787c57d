#!/usr/bin/env python3
"""Runs the benchmark kernels in every engine on this machine and prints time ratios.

    python3 Benchmarks/run.py [--repeat N] [kernel ...]

Engines: wasmcheck's interpreter and WasmKit 0.4.2 (one Swift process, KernelBench, release build),
wasm3 (PyPI pywasm3), wasmtime (PyPI wasmtime) and native C (gcc -O2). Each time is the best of N
runs of the kernel's `run` export (instantiation excluded); every engine must return the same
checksum. Ratios are relative to native C and to wasmcheck; the last line is the geometric mean.
"""
import argparse
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
KERNELS = ["fib", "sieve", "matmul", "sha256", "sort", "nbody"]


def best_of(n, fn):
    best, result = None, None
    for _ in range(n):
        t0 = time.perf_counter()
        result = fn()
        t = time.perf_counter() - t0
        best = t if best is None else min(best, t)
    return result, best


def run_swift(kernels, repeat):
    subprocess.run(["swift", "build", "-c", "release", "--package-path", HERE, "--product", "KernelBench"],
                   check=True, stdout=subprocess.DEVNULL)
    exe = os.path.join(HERE, ".build", "release", "KernelBench")
    out = subprocess.run([exe, "--repeat", str(repeat)] + [os.path.join(HERE, "kernels", k + ".wasm") for k in kernels],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)  # {engine: {kernel: [checksum, seconds]}}


def run_wasm3(kernels, repeat):
    try:
        import wasm3
    except ImportError:
        return None
    results = {}
    for k in kernels:
        data = open(os.path.join(HERE, "kernels", k + ".wasm"), "rb").read()
        env = wasm3.Environment()
        rt = env.new_runtime(64 * 1024 * 1024)
        rt.load(env.parse_module(data))
        fn = rt.find_function("run")
        results[k] = best_of(repeat, fn)
    return results


def run_wasmtime(kernels, repeat):
    try:
        import wasmtime
    except ImportError:
        return None
    results = {}
    for k in kernels:
        store = wasmtime.Store()
        module = wasmtime.Module.from_file(store.engine, os.path.join(HERE, "kernels", k + ".wasm"))
        instance = wasmtime.Instance(store, module, [])
        fn = instance.exports(store)["run"]
        r, t = best_of(repeat, lambda: fn(store))
        results[k] = (r & 0xFFFFFFFF, t)
    return results


def run_native(kernels, repeat):
    subprocess.run([os.path.join(HERE, "build-kernels.sh"), "--native"], check=True, stdout=subprocess.DEVNULL)
    results = {}
    for k in kernels:
        exe = os.path.join(ROOT, ".build-bench", "native", k)
        runs = [subprocess.run([exe], check=True, capture_output=True, text=True).stdout.split() for _ in range(repeat)]
        results[k] = (int(runs[0][0]), min(float(r[1]) for r in runs))
    return results


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("kernels", nargs="*", default=KERNELS)
    args = ap.parse_args()

    engines = {}
    engines["native"] = run_native(args.kernels, args.repeat)
    for name, res in run_swift(args.kernels, args.repeat).items():
        engines[name] = {k: tuple(v) for k, v in res.items()}
    for name, fn in (("wasm3", run_wasm3), ("wasmtime", run_wasmtime)):
        res = fn(args.kernels, args.repeat)
        if res is None:
            print(f"note: {name} not installed (pip install {'pywasm3' if name == 'wasm3' else name}); skipped", file=sys.stderr)
        else:
            engines[name] = res

    names = list(engines)
    print(f"{'kernel':8}" + "".join(f"{n:>14}" for n in names) + "   (seconds, best of %d)" % args.repeat)
    for k in args.kernels:
        sums = {engines[n][k][0] for n in names}
        flag = "" if len(sums) == 1 else "  CHECKSUM MISMATCH " + str({n: engines[n][k][0] for n in names})
        print(f"{k:8}" + "".join(f"{engines[n][k][1]:14.4f}" for n in names) + flag)
    print()
    for base in ("native", "wasmcheck"):
        if base not in engines:
            continue
        row = []
        for n in names:
            g = math.exp(sum(math.log(engines[n][k][1] / engines[base][k][1]) for k in args.kernels) / len(args.kernels))
            row.append(g)
        print(f"{'/' + base:8}" + "".join(f"{g:14.2f}" for g in row) + "   (geomean of time ratios)")


if __name__ == "__main__":
    main()
