#!/usr/bin/env python3
"""Runs the benchmark kernels in every engine on this machine and prints time ratios.

    python3 Benchmarks/run.py [--repeat N] [kernel ...]

Engines: wasmcheck's interpreter and JIT and WasmKit 0.4.2 (one Swift process, KernelBench,
release build), wasm3 (PyPI pywasm3), wasmtime with Cranelift and with Winch (PyPI wasmtime) and
native C (gcc -O2). Each time is the best of N runs of the kernel's `run` export (instantiation
excluded); every engine must return the same checksum. Ratios are relative to native C, to
wasmcheck's interpreter and to wasmtime; the last lines are geometric means.

Then compile time: every module of a corpus of real compiler output (default: the WASI test
suite's Rust programs, ../shared/wasi-testsuite) compiled by each engine that compiles ahead of
running, as seconds per MB of code section (best of N per module, summed).
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


def wasmtime_engine(strategy):
    import wasmtime
    config = wasmtime.Config()
    if strategy == "winch":
        # wasmtime-py's setter knows only "auto" and "cranelift"; the C enum
        # wasmtime_strategy_t has WASMTIME_STRATEGY_WINCH = 2.
        from wasmtime import _ffi
        _ffi.wasmtime_config_strategy_set(config.ptr(), 2)
    else:
        config.strategy = strategy
    return wasmtime.Engine(config)


def run_wasmtime(kernels, repeat, strategy="cranelift"):
    try:
        import wasmtime
    except ImportError:
        return None
    results = {}
    engine = wasmtime_engine(strategy)
    for k in kernels:
        store = wasmtime.Store(engine)
        module = wasmtime.Module.from_file(engine, os.path.join(HERE, "kernels", k + ".wasm"))
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
    ap.add_argument("--corpus", default=os.path.join(ROOT, "..", "shared", "wasi-testsuite", "tests", "rust",
                                                     "testsuite", "wasm32-wasip1"))
    ap.add_argument("kernels", nargs="*", default=KERNELS)
    args = ap.parse_args()

    engines = {}
    engines["native"] = run_native(args.kernels, args.repeat)
    for name, res in run_swift(args.kernels, args.repeat).items():
        engines[name] = {k: tuple(v) for k, v in res.items()}
    for name, fn in (("wasm3", run_wasm3), ("wasmtime", run_wasmtime),
                     ("winch", lambda k, r: run_wasmtime(k, r, "winch"))):
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
    for base in ("native", "wasmcheck", "wasmtime"):
        if base not in engines:
            continue
        row = []
        for n in names:
            g = math.exp(sum(math.log(engines[n][k][1] / engines[base][k][1]) for k in args.kernels) / len(args.kernels))
            row.append(g)
        print(f"{'/' + base:8}" + "".join(f"{g:14.2f}" for g in row) + "   (geomean of time ratios)")
    if os.path.isdir(args.corpus):
        compile_times(args.corpus, args.repeat)


def code_section_bytes(data):
    """The size of a module's code section (id 10), from its section headers."""
    def leb(i):
        result, shift = 0, 0
        while True:
            b = data[i]
            i += 1
            result |= (b & 0x7F) << shift
            shift += 7
            if b < 0x80:
                return result, i
    i = 8
    while i < len(data):
        section = data[i]
        size, i = leb(i + 1)
        if section == 10:
            return size
        i += size
    return 0


def compile_times(corpus, repeat):
    files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".wasm"))
    exe = os.path.join(HERE, ".build", "release", "KernelBench")
    ours = json.loads(subprocess.run([exe, "--compile", "--repeat", str(repeat)] + files,
                                     check=True, capture_output=True, text=True).stdout)
    code = {f: code_section_bytes(open(f, "rb").read()) for f in files}
    totals = {}
    for engine, per_file in ours.items():
        ok = [f for f in files if per_file[f][0] == 1]
        totals[engine] = (sum(per_file[f][1] for f in ok), sum(code[f] for f in ok), len(ok))
    try:
        import wasmtime
        for strategy in ("cranelift", "winch"):
            engine = wasmtime_engine(strategy)
            seconds = 0.0
            for f in files:
                data = open(f, "rb").read()
                seconds += best_of(repeat, lambda: wasmtime.Module(engine, data))[1]
            totals["wasmtime" if strategy == "cranelift" else "winch"] = (seconds, sum(code.values()), len(files))
    except ImportError:
        pass
    print()
    print(f"compile time, {len(files)} modules of {corpus} ({sum(code.values()) / 1e6:.2f} MB of code)")
    for engine, (seconds, size, count) in totals.items():
        per_mb = seconds / (size / 1e6) if size else float("nan")
        print(f"  {engine:14} {per_mb:8.4f} s/MB  ({count} modules compiled, {seconds:.3f} s)")


if __name__ == "__main__":
    main()
