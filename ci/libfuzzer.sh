#!/usr/bin/env bash
# Builds the libFuzzer entry points (ci/libfuzzer/*.swift) with
# `swiftc -sanitize=fuzzer`, against the package's libraries built with
# coverage instrumentation:
#   fuzz-decode        the binary decoder on arbitrary bytes
#   fuzz-validate      decode + validate + compile + instantiate (interpreter)
#   fuzz-differential  the differential oracle over generated modules
#                      (engines from WASMCHECK_ENGINES, default interp,wasmtime)
# Run them like any libFuzzer target, on one machine with -fork/-jobs:
#   .build-libfuzzer/fuzz-differential -fork=2 -max_len=4096 -max_total_time=3600 corpus/
# or on OSS-Fuzz/ClusterFuzz, which build and run such binaries themselves.
#
# Environment: SCRATCH (default .build-libfuzzer), CONFIGURATION (release).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build-libfuzzer}"
CONFIGURATION="${CONFIGURATION:-release}"
TARGETS="WasmSyntax WasmBinary WasmValidation WasmRuntime CWasmInterpreter WasmInterpreter WasmGenerator WasmFuzz"

echo "== building the libraries with coverage instrumentation ($SCRATCH)"
swift build -c "$CONFIGURATION" --scratch-path "$SCRATCH" --target WasmFuzz \
    -Xswiftc -sanitize=fuzzer -Xcc -fsanitize=fuzzer-no-link
BIN="$SCRATCH/$CONFIGURATION"
OBJECTS=()
for target in $TARGETS; do
    for object in "$BIN/$target.build/"*.o; do OBJECTS+=("$object"); done
done

for name in Decode Validate Differential; do
    out="$SCRATCH/fuzz-$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    echo "== $out"
    swiftc -O -sanitize=fuzzer -parse-as-library "ci/libfuzzer/$name.swift" \
        -I "$BIN/Modules" -Xcc -fmodule-map-file="$BIN/CWasmInterpreter.build/module.modulemap" \
        -I Sources/CWasmInterpreter/include "${OBJECTS[@]}" -o "$out"
done
echo "== smoke run"
"$SCRATCH/fuzz-decode" -runs=2000 2>&1 | tail -1
"$SCRATCH/fuzz-validate" -runs=500 2>&1 | tail -1
WASMCHECK_ENGINES="${WASMCHECK_ENGINES:-interp,interp}" "$SCRATCH/fuzz-differential" -runs=200 2>&1 | tail -1
