#!/usr/bin/env bash
# The differential fuzzer's self-test and regression replay, on a
# release build:
#  1. every planted bug (`interp!FAULT`) is found by `wasmcheck fuzz` within
#     60 s and its case reduces to a module under 300 bytes;
#  2. an engine process that crashes or hangs is a finding, and the run
#     carries on to the requested number of cases;
#  3. `wasmcheck repro corpora/regressions` (cases whose bug was fixed) must
#     find no divergence;
#  4. with wasmtime installed (PyPI), `wasmcheck fuzz --engines
#     interp,wasmtime` for FUZZ_TIME seconds (default 60), reporting exec/s
#     and any new finding (not a failure: triage them).
# Environment: SCRATCH (build directory, default .build), FUZZ_TIME.
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build}"
FUZZ_TIME="${FUZZ_TIME:-60}"
swift build -c release --scratch-path "$SCRATCH" --product wasmcheck
W="$SCRATCH/release/wasmcheck"
WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
status=0

for fault in int-op nan-bits memory-bound trap-kind validator; do
    start=$(date +%s)
    if "$W" fuzz --engines "interp,interp!$fault" --time 60 --stop-after 1 --status-interval 60 -o "$WORK/$fault" > "$WORK/$fault.log" 2>&1; then
        echo "FAIL $fault: no finding in 60 s"; status=1; continue
    fi
    found=$(grep -m1 '^new finding: ' "$WORK/$fault.log" | sed 's/^new finding: //')
    [ -n "$found" ] || { echo "FAIL $fault: no finding stored"; status=1; continue; }
    "$W" reduce "$found" -o "$WORK/$fault.wasm" --time 120 > "$WORK/$fault.reduce.log" 2>&1 || { echo "FAIL $fault: reduce"; status=1; continue; }
    size=$(wc -c < "$WORK/$fault.wasm")
    echo "ok   $fault: found in $(( $(date +%s) - start )) s, reduced to $size bytes"
    [ "$size" -lt 300 ] || { echo "FAIL $fault: reduced case is $size bytes"; status=1; }
done

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
