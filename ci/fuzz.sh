#!/usr/bin/env bash
# The differential fuzzer's self-test and regression replay, on a
# release build:
#  1. every planted bug (`interp!FAULT`) is found by `wasmcheck fuzz` at its
#     recorded seed within 60 s, and its case reduces to a module under 300
#     bytes: the wrapper faults (wrong i64.mul, NaN bits, memory bound, trap
#     kind, validator) and the faults inside operations (promote/demote NaN,
#     trunc at -2^31, i8x16 saturation, a validator hole outside the
#     generator's invalid-module rules), and the backend faults in the agent
#     (an x86-64 register clobber, an AArch64-only rotate slip);
#  2. an engine process that crashes or hangs is a finding, and the run
#     carries on to the requested number of cases: a memory-unsafe
#     interpreter (`interp!wild-read`) under `--fork 1` (quick form too), and
#     engine processes that crash or hang (`serve!crash`, `serve!hang`);
#  3. `wasmcheck repro corpora/regressions` (cases whose bug was fixed) must
#     find no divergence;
#  4. with wasmtime installed (PyPI), `wasmcheck fuzz --engines
#     interp,wasmtime` for FUZZ_TIME seconds (default 60), reporting exec/s
#     and any new finding (not a failure: triage them).
# `ci/fuzz.sh --quick` runs step 1 and the wild read (a few minutes): CI's test stage
# calls it so that the self-test cannot rot.
# Environment: SCRATCH (build directory, default .build), FUZZ_TIME.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build}"
FUZZ_TIME="${FUZZ_TIME:-60}"
QUICK=0
[ "${1:-}" = "--quick" ] && QUICK=1
swift build -c release --scratch-path "$SCRATCH" --product wasmcheck
swift build -c release --scratch-path "$SCRATCH" --product wasmcheck-agent
W="$SCRATCH/release/wasmcheck"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0

# fault:seed — the seed each fault is found at (PlantedFaultTests uses the
# same table); a change to the generator may move them: pick new ones
# with `wasmcheck fuzz --engines interp,interp!FAULT --stop-after 1`.
# Entries with an engine name are faults planted in a JIT backend, run in
# the agent: a register clobber in x86-64 code, an encoding slip only the
# AArch64 backend has (under qemu-aarch64).
FAULTS="int-op:2 nan-bits:1 memory-bound:1 trap-kind:1 validator:2 promote-nan:4 trunc-boundary:2 lane-saturation:13 validator-alignment:1"
FAULTS="$FAULTS jit-agent!x64-mul-clobber:1 jit-aarch64!a64-rotl-slip:1"

for entry in $FAULTS; do
    fault="${entry%%:*}"; seed="${entry##*:}"
    case "$fault" in
        *!*) engine="$fault" ;;
        *) engine="interp!$fault" ;;
    esac
    fault="${fault##*!}"
    if [ "${engine%%!*}" = jit-aarch64 ] && ! "$W" fuzz --engines "interp,jit-aarch64" --runs 1 -o "$WORK/probe" >/dev/null 2>&1; then
        echo "skip $fault: jit-aarch64 is not usable here (ci/build-agent.sh and qemu-aarch64)"; continue
    fi
    start=$(date +%s.%N)
    if "$W" fuzz --engines "interp,$engine" --seed "$seed" --time 60 --stop-after 1 --status-interval 60 \
            -o "$WORK/$fault" > "$WORK/$fault.log" 2>&1; then
        echo "FAIL $fault: no finding in 60 s (seed $seed)"; status=1; continue
    fi
    found=$(grep -m1 '^new finding: ' "$WORK/$fault.log" | sed 's/^new finding: //')
    [ -n "$found" ] || { echo "FAIL $fault: no finding stored (seed $seed)"; tail -3 "$WORK/$fault.log"; status=1; continue; }
    elapsed=$(awk "BEGIN { print $(date +%s.%N) - $start }")
    "$W" reduce "$found" -o "$WORK/$fault.wasm" --time 120 > "$WORK/$fault.reduce.log" 2>&1 || { echo "FAIL $fault: reduce"; status=1; continue; }
    size=$(wc -c < "$WORK/$fault.wasm")
    printf 'ok   %-20s seed %-20s found in %5.1f s (%s), reduced to %s bytes\n' "$fault" "$seed" "$elapsed" \
        "$(grep -m1 -o 'signature: .*' "$WORK/$fault.log" | cut -c12-)" "$size"
    [ "$size" -lt 300 ] || { echo "FAIL $fault: reduced case is $size bytes"; status=1; }
done
# A memory-unsafe tier (the interpreter's planted wild read): with --fork the
# crash is a stored finding, the child is restarted and the run completes;
# `repro` reproduces the crash (in child processes) and exits 1.
start=$(date +%s.%N)
"$W" fuzz --engines "interp,interp!wild-read" --fork 1 --seed 2 --runs 200 --status-interval 60 \
    -o "$WORK/wild-read" > "$WORK/wild-read.log" 2>&1 || true
elapsed=$(awk "BEGIN { print $(date +%s.%N) - $start }")
crash=$(grep -m1 '^new finding: .*/crash/' "$WORK/wild-read.log" | sed 's/^new finding: //')
if grep -q "^200 cases" "$WORK/wild-read.log" && [ -n "$crash" ]; then
    if "$W" repro "$crash" > "$WORK/wild-read.repro" 2>&1; then
        echo "FAIL wild-read: repro does not reproduce $crash"; cat "$WORK/wild-read.repro"; status=1
    elif grep -q "^DIVERGES .*: crash at .*same signature" "$WORK/wild-read.repro"; then
        printf 'ok   %-20s --fork 1: crash stored, %s, all 200 cases run in %.1f s; repro reproduces it\n' "wild-read" \
            "$(grep -o 'restarted [0-9]* times' "$WORK/wild-read.log" | head -1)" "$elapsed"
    else
        echo "FAIL wild-read: repro did not report the same crash"; cat "$WORK/wild-read.repro"; status=1
    fi
else
    echo "FAIL wild-read: no crash finding, or the run did not complete"; tail -5 "$WORK/wild-read.log"; status=1
fi
[ $QUICK = 1 ] && exit $status

for behaviour in crash hang; do
    "$W" fuzz --engines "interp,serve!$behaviour" --runs 150 --timeout 2 --status-interval 60 -o "$WORK/$behaviour" > "$WORK/$behaviour.log" 2>&1 || true
    if grep -q "^150 cases" "$WORK/$behaviour.log" && grep -q "new finding: .*/\(crash\|timeout\)/" "$WORK/$behaviour.log"; then
        echo "ok   serve!$behaviour: reported, $(grep -o 'restarted [0-9]* times' "$WORK/$behaviour.log" | head -1), run completed"
    else
        echo "FAIL serve!$behaviour"; tail -5 "$WORK/$behaviour.log"; status=1
    fi
done

if [ -d corpora/regressions ]; then
    "$W" repro corpora/regressions || { echo "FAIL: a fixed bug diverges again"; status=1; }
fi

if python3 -c "import wasmtime" 2>/dev/null; then
    "$W" fuzz --engines interp,wasmtime --time "$FUZZ_TIME" --status-interval 30 -o "$WORK/wasmtime" || true
else
    echo "== wasmtime not installed: no differential run against it"
fi
exit $status
