"""wasi-testsuite runtime adapter for `wasmcheck run` (the official
runner's adapter format: see wasi-testsuite/adapters/wasmtime.py).

    python3 test-runner/wasi_test_runner.py -r /path/to/ci/engines/wasmcheck_wasi.py -t tests/c/testsuite/wasm32-wasip1 ...

WASMCHECK names the command (default: `wasmcheck` on PATH); WASMCHECK_ENGINE
picks the tier (`interpreter`, the default, `jit`, or the JIT's code in the
agent process: `jit-agent`, `jit-aarch64` under qemu-aarch64).
"""
import os
import shlex
import subprocess
from typing import Dict, List, Optional, Tuple

WASMCHECK = shlex.split(os.getenv("WASMCHECK", "wasmcheck"))
ENGINE = os.getenv("WASMCHECK_ENGINE", "interpreter")


def get_name() -> str:
    return f"wasmcheck-{ENGINE}"


def get_version() -> str:
    # `wasmcheck --version` is not defined; the help text proves the binary runs.
    subprocess.run(WASMCHECK + ["run", "--help"], capture_output=True, check=True)
    return "0.1.0"


def get_timeout_seconds() -> float:
    # The runner's default is 5 s; code under qemu-user runs 10-50 times slower.
    return 30.0 if ENGINE == "jit-aarch64" else 5.0


def get_wasi_versions() -> List[str]:
    return ["wasm32-wasip1"]


def get_wasi_worlds() -> List[str]:
    return ["wasi:cli/command"]


def compute_argv(test_path: str,
                 args_env_root: Tuple[List[str], Dict[str, str], Optional[str]],
                 proposals: List[str],
                 wasi_world: str,
                 wasi_version: str) -> List[str]:
    del proposals, wasi_world, wasi_version  # preview 1 command modules only
    args, env, root = args_env_root
    argv = WASMCHECK + ["run", "--engine", ENGINE]
    for k, v in env.items():
        argv += ["--env", f"{k}={v}"]
    if root:
        argv += ["--dir", f"{root}::/"]
    argv += [test_path]
    argv += args
    return argv
