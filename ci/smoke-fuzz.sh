#!/usr/bin/env bash
# The decoder/validator/translator smoke fuzz at scale (release build):
#   ci/smoke-fuzz.sh [INPUTS] [SEED]      default: 1,000,000 inputs
# Every input either compiles or is rejected as malformed/invalid; a crash
# or a hang fails the run.
set -euo pipefail
cd "$(dirname "$0")/.."
export WASMCHECK_FUZZ_INPUTS=${1:-1000000}
[ -n "${2:-}" ] && export WASMCHECK_FUZZ_SEED=$2
swift test -c release --filter "CompileSmokeFuzzTests|DecoderSmokeFuzzTests" 2>&1 | grep -E "smoke fuzz|✘|Test run|error"
