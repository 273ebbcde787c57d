#!/usr/bin/env bash
# Combines the shard reports of ci/conformance.sh (CI matrix jobs) into one JSON report, a JUnit
# report and the HTML page, and gates the merged runs on every baseline of the engines that ran.
# --require-all: a script of a baseline that no shard reported is a regression (a lost shard).
#
#   ci/merge-conformance.sh REPORTS_IN OUT     (defaults: .build/conformance, .build/conformance/merged)
# Environment: WASMCHECK (default: build it), ENGINES (default: every engine).
set -euo pipefail
cd "$(dirname "$0")/.."
in=${1:-.build/conformance}
out=${2:-$in/merged}
if [ -z "${WASMCHECK:-}" ]; then
    swift build -c release --product wasmcheck
    WASMCHECK=.build/release/wasmcheck
fi
ENGINES=${ENGINES:-$("$WASMCHECK" wast --list-engines)}
mkdir -p "$out"

shopt -s nullglob
reports=("$in"/*-shard-*.json)
[ "${#reports[@]}" -gt 0 ] || { echo "no shard reports in $in"; exit 2; }
baselines=()
for engine in $ENGINES; do
    for suite in wasm-2.0 wasm-3.0; do baselines+=(--baseline "testsuite/baselines/$engine-$suite.json"); done
done
exec "$WASMCHECK" merge-reports "${reports[@]}" -o "$out/conformance.json" --junit "$out/conformance.xml" \
    --junit-granularity file --html "$out/conformance.html" "${baselines[@]}" --require-all
