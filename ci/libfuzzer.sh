#!/usr/bin/env bash
# Builds the libFuzzer entry points (ci/libfuzzer/*.swift) with
# `swiftc -sanitize=fuzzer`, against the package's libraries built with
# coverage instrumentation:
#   fuzz-decode        the binary decoder on arbitrary bytes
#   fuzz-validate      decode + validate + compile + instantiate (interpreter)
#   fuzz-differential  the differential oracle over generated modules
#                      (engines from WASMCHECK_ENGINES, default interp,jit)
# Run them like any libFuzzer target, on one machine with -fork/-jobs:
#   .build-libfuzzer/fuzz-differential -fork=2 -max_len=4096 -max_total_time=3600 corpus/
# or on OSS-Fuzz/ClusterFuzz, which build and run such binaries themselves.
#
# Environment: SCRATCH (default .build-libfuzzer), CONFIGURATION (release),
# SANITIZER (e.g. address: added to -sanitize=fuzzer), OUT (where the
# binaries go; default SCRATCH; ci/oss-fuzz/build.sh sets it).
set -euo pipefail
cd "$(dirname "$0")/.."
SCRATCH="${SCRATCH:-.build-libfuzzer}"
CONFIGURATION="${CONFIGURATION:-release}"
echo "== building the libraries with coverage instrumentation ($SCRATCH)"
swift build -c "$CONFIGURATION" --scratch-path "$SCRATCH" --target WasmFuzz \
    -Xswiftc -sanitize=fuzzer${SANITIZER:+,$SANITIZER} -Xcc -fsanitize=fuzzer-no-link${SANITIZER:+,$SANITIZER}
BIN="$SCRATCH/$CONFIGURATION"
# Every library WasmFuzz needs was just built (and nothing else with a
# main): link all of their objects, and let swiftc see their C modules.
OBJECTS=()
MODULE_MAPS=()
for build in "$BIN"/*.build; do
    for object in "$build"/*.o; do [ -e "$object" ] && OBJECTS+=("$object"); done
    [ -e "$build/module.modulemap" ] && MODULE_MAPS+=(-Xcc "-fmodule-map-file=$build/module.modulemap")
done
for target in CWasmVM CWasmInterpreter; do MODULE_MAPS+=(-I "Sources/$target/include"); done
MODULE_MAPS+=(-Xcc "-fmodule-map-file=Sources/CZlib/module.modulemap")

mkdir -p "${OUT:-$SCRATCH}"
for name in Decode Validate Differential; do
    out="${OUT:-$SCRATCH}/fuzz-$(echo "$name" | tr '[:upper:]' '[:lower:]')"
    echo "== $out"
    swiftc -O -sanitize=fuzzer${SANITIZER:+,$SANITIZER} -parse-as-library "ci/libfuzzer/$name.swift" \
        -I "$BIN/Modules" "${MODULE_MAPS[@]}" "${OBJECTS[@]}" -lz -o "$out"
done
[ "${SKIP_SMOKE:-0}" = 1 ] && exit 0
echo "== smoke run"
"$SCRATCH/fuzz-decode" -runs=2000 2>&1 | tail -1
"$SCRATCH/fuzz-validate" -runs=500 2>&1 | tail -1
WASMCHECK_ENGINES="${WASMCHECK_ENGINES:-interp,jit}" "$SCRATCH/fuzz-differential" -runs=200 2>&1 | tail -1
