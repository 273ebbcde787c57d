#!/usr/bin/env bash
# Builds wasmcheck-agent (docs/agent-protocol.md): for the host (x86-64) with
# `cc`, and for AArch64 with `aarch64-linux-gnu-gcc -static` when that
# cross compiler exists (run under qemu-aarch64 by --engine jit-aarch64).
#
#   ci/build-agent.sh            # writes .build/agent/wasmcheck-agent-<arch>
#   AGENT_OUT=dir ci/build-agent.sh
#   CC=clang ci/build-agent.sh   # another host compiler
#
set -euo pipefail
cd "$(dirname "$0")/.."

out="${AGENT_OUT:-.build/agent}"
mkdir -p "$out"
sources=(Sources/CWasmVM/*.c Sources/wasmcheck-agent/*.c)
flags=(-O2 -std=c11 -Wall -Wextra)

host_cc="${CC:-cc}"
host_arch=$(uname -m)
"$host_cc" "${flags[@]}" -I Sources/CWasmVM/include "${sources[@]}" -o "$out/wasmcheck-agent-$host_arch"
echo "build-agent: wrote $out/wasmcheck-agent-$host_arch ($host_cc)"

cross=aarch64-linux-gnu-gcc
if [ "$host_arch" != aarch64 ] && command -v "$cross" >/dev/null 2>&1; then
    # Static: qemu-aarch64 runs it without an AArch64 sysroot.
    "$cross" "${flags[@]}" -static -I Sources/CWasmVM/include "${sources[@]}" -o "$out/wasmcheck-agent-aarch64"
    echo "build-agent: wrote $out/wasmcheck-agent-aarch64 ($cross)"
elif [ "$host_arch" != aarch64 ]; then
    echo "build-agent: $cross not found; no AArch64 agent"
fi
