#!/usr/bin/env bash
# The project's test command (README): unit and integration tests, then the
# conformance gate: the official 2.0 and 3.0 suites on every engine in release
# mode, compared with the checked-in baselines (ci/conformance.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

testsuite/fetch.sh

echo "== the agent for AArch64 (static, run under qemu-aarch64; the native one is a SwiftPM product)"
ci/build-agent.sh

echo "== swift test"
mkdir -p .build
swift test 2>&1 | tee .build/test.log | grep -E "^(✘|error:)|Test run with|failed after" | tail -40
status=${PIPESTATUS[0]}
[ "$status" -eq 0 ] || { echo "swift test failed ($status); full log in .build/test.log"; exit "$status"; }

echo "== conformance gate (every engine, WebAssembly 2.0 and 3.0, release; see ci/conformance.sh)"
ci/conformance.sh

echo "== fuzzer self-test: every planted fault is found and reduced at its recorded seed (ci/fuzz.sh --quick)"
ci/fuzz.sh --quick

echo "== the official WASI test suite on every tier: interpreter, jit, jit-agent, jit-aarch64 (ci/wasi-testsuite.py)"
python3 ci/wasi-testsuite.py --wasmcheck .build/release/wasmcheck

echo "== C programs (clang-15, wasi-libc) under wasmtime and our tiers, byte for byte (ci/wasi-c.py)"
if ! command -v clang-15 >/dev/null || [ ! -f /usr/lib/wasm32-wasi/libc.a ]; then
    echo "skipped: needs clang-15, lld-15 and Debian's wasi-libc (/usr/lib/wasm32-wasi/libc.a); .ci/run installs them"
elif ! python3 -c "import wasmtime" 2>/dev/null; then
    echo "skipped: needs PyPI wasmtime, the reference; .ci/run installs it"
else
    python3 ci/wasi-c.py --wasmcheck .build/release/wasmcheck
fi

echo "== regression corpus replay (cases whose bug was fixed must not diverge again)"
if compgen -G "corpora/regressions/*.wasm" >/dev/null; then
    .build/release/wasmcheck repro corpora/regressions
else
    echo "corpora/regressions is empty"
fi
