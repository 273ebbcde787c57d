#!/usr/bin/env bash
# The conformance gate: runs the official WebAssembly 2.0 and 3.0 suites (3.0: root, legacy/, custom/
# and proposals/) on every engine wasmcheck has, compares each run with its checked-in baseline
# (testsuite/baselines/<engine>-<suite>.json) and fails on any regression: a directive that fails now
# and is not a failure the baseline lists, or a script with fewer passing directives than recorded.
# Listed failures pass; improvements are listed (raise the baseline with UPDATE_BASELINES=1).
# Writes JSON and JUnit reports per run, and an HTML page when not sharded.
#
# Environment (all optional):
#   WASMCHECK         the wasmcheck binary (default: build it with `swift build -c release`)
#   ENGINES           engines to gate (default: `wasmcheck wast --list-engines`, plus wasmtime when
#                     PyPI wasmtime is installed)
#   SHARD             I/N: run only this shard of each suite (a CI matrix job); merge the shards'
#                     reports with ci/merge-conformance.sh
#   REPORTS           folder for the reports (default: .build/conformance)
#   JOBS              scripts run in parallel (default: the number of processors)
#   UPDATE_BASELINES  1: rewrite the baselines with this run's outcomes instead of gating
set -euo pipefail
cd "$(dirname "$0")/.."

testsuite/fetch.sh >/dev/null
if [ -z "${WASMCHECK:-}" ]; then
    # Every product: wasmcheck, and wasmcheck-agent for the jit-agent engine.
    swift build -c release
    WASMCHECK=.build/release/wasmcheck
fi
# Every engine of the catalog that CI gates, and wasmtime when its Python package is there (its
# baselines are of the version .ci/run installs).
if [ -z "${ENGINES:-}" ]; then
    ENGINES=$("$WASMCHECK" wast --list-engines)
    if python3 -c "import wasmtime" 2>/dev/null; then ENGINES="$ENGINES wasmtime"; fi
fi
REPORTS=${REPORTS:-.build/conformance}
JOBS=${JOBS:-$(getconf _NPROCESSORS_ONLN)}
SHARD=${SHARD:-}
mkdir -p "$REPORTS"

# name, --features, folder
SUITES=(
    "wasm-2.0 wasm2 testsuite/official/wasm-2.0"
    "wasm-3.0 wasm3 testsuite/official/wasm-3.0"
)

status=0
reports=()
for engine in $ENGINES; do
    for entry in "${SUITES[@]}"; do
        read -r suite features folder <<<"$entry"
        baseline="testsuite/baselines/$engine-$suite.json"
        tag="$engine-$suite${SHARD:+-shard-${SHARD/\//-of-}}"
        echo "== conformance: $engine on $suite (--features $features${SHARD:+, shard $SHARD}), baseline $baseline"
        args=(wast --engine "$engine" --features "$features" --suite "$suite" -j "$JOBS"
              --skip-list testsuite/skiplist.txt --baseline "$baseline"
              --json "$REPORTS/$tag.json" --junit "$REPORTS/$tag.xml")
        [ -n "$SHARD" ] && args+=(--shard "$SHARD")
        if [ "${UPDATE_BASELINES:-0}" = 1 ]; then
            args+=(--update-baseline)
        elif [ ! -f "$baseline" ]; then
            echo "no baseline for $engine on $suite: create it with UPDATE_BASELINES=1 ENGINES=$engine ci/conformance.sh"
            status=1
            continue
        fi
        "$WASMCHECK" "${args[@]}" "$folder" || status=1
        reports+=("$REPORTS/$tag.json")
    done
done

# The gate must be able to fail: an engine with an injected fault (a test-only engine name)
# has to be caught. One script is enough; run it in one job only.
if [ "${UPDATE_BASELINES:-0}" != 1 ] && { [ -z "$SHARD" ] || [ "${SHARD%%/*}" = 1 ]; }; then
    echo "== gate self-check: an engine with an injected fault must fail the gate"
    set +e
    "$WASMCHECK" wast --features wasm2 --engine "interpreter!i32-off-by-one" \
        --baseline testsuite/baselines/interpreter-wasm-2.0.json testsuite/official/wasm-2.0/i32.wast \
        >"$REPORTS/gate-self-check.log" 2>&1
    code=$?
    set -e
    regressions=$(grep -c '^REGRESSION' "$REPORTS/gate-self-check.log" || true)
    if [ "$code" = 1 ] && [ "$regressions" -gt 0 ]; then
        echo "ok: the faulty engine failed the gate with $regressions regressions"
    else
        echo "the gate did not catch the faulty engine (exit $code, $regressions regressions); see $REPORTS/gate-self-check.log"
        status=1
    fi
fi

if [ -z "$SHARD" ] && [ "${#reports[@]}" -gt 0 ]; then
    "$WASMCHECK" merge-reports "${reports[@]}" -o "$REPORTS/conformance.json" --html "$REPORTS/conformance.html" >/dev/null \
        && echo "reports: $REPORTS/conformance.html, $REPORTS/*.json, $REPORTS/*.xml"
fi
exit "$status"
