#!/usr/bin/env bash
# The project's test command (README): unit and integration tests, then the
# official 2.0 suite on the interpreter in release mode, gated on conformance.
set -euo pipefail
cd "$(dirname "$0")/.."

testsuite/fetch.sh

echo "== swift test"
swift test 2>&1 | tee .build-test.log | grep -E "^(✘|error:)|Test run with|passed after|failed after" | tail -40
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "swift test failed ($status)"; exit "$status"; }

echo "== spec suite (WebAssembly 2.0, interpreter, release)"
swift build -c release --product wasmcheck
.build/release/wasmcheck wast --features wasm2 --skip-list testsuite/skiplist.txt testsuite/official/wasm-2.0
