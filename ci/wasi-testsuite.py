#!/usr/bin/env python3
"""Runs the official WASI test suite (wasi-testsuite, prebuilt wasm32-wasip1
tests for C, Rust and AssemblyScript) on `wasmcheck run`, once per tier, and
prints pass counts per language and tier with every failure.

    ci/wasi-testsuite.py [--suite DIR] [--wasmcheck PATH] [--engine interpreter --engine jit ...]

Tiers: interpreter, jit (in process), jit-agent (the JIT's code in the agent
process), jit-aarch64 (the AArch64 agent under qemu-aarch64; by default only
when ci/build-agent.sh has built it and qemu-aarch64 is installed).

How it runs the tests:
- The suite is copied to a temporary folder first. The tests write into
  their `fs-tests.dir` preopen, and the shared checkout (../shared/wasi-testsuite)
  must stay pristine (it is read-only data for several checkouts).
- The official runner (test-runner/, with our adapter ci/engines/wasmcheck_wasi.py)
  is used when a Python >= 3.12 with `colorama` is found ($WASI_TESTSUITE_PYTHON,
  python3.13, python3.12, or a pyenv version): it needs 3.12 (`str in StrEnum`
  in test_suite_runner.py raises TypeError on 3.11, this machine's python3).
- Otherwise the tests run here, with the official runner's semantics for the
  legacy test specs every wasm32-wasip1 test uses (test_case.py, test_suite_runner.py):
  argv from the adapter's compute_argv; `root` relative to the spec; `*.cleanup`
  entries removed from the root before and after each test; stdin, stdout and
  stderr are pipes; an expected `stdout`/`stderr` is compared with that many
  characters read from the stream; the exit code must equal `exit_code`
  (default 0); the adapter's timeout (default 5 s) applies.
"""
import argparse
import glob
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
ADAPTER = HERE / "engines" / "wasmcheck_wasi.py"
LANGUAGES = ["c", "rust", "assemblyscript"]


def find_python() -> str | None:
    """A Python that can run the official runner (>= 3.12 with colorama)."""
    candidates = [os.environ.get("WASI_TESTSUITE_PYTHON"), "python3.13", "python3.12"]
    candidates += sorted(glob.glob(os.path.expanduser("~/.pyenv/versions/3.1[2-9]*/bin/python3")), reverse=True)
    for c in candidates:
        if not c:
            continue
        exe = shutil.which(c) or (c if os.path.isfile(c) else None)
        if not exe:
            continue
        check = "import sys, colorama; assert sys.version_info >= (3, 12)"
        if subprocess.run([exe, "-c", check], capture_output=True).returncode == 0:
            return exe
    return None


def aarch64_available() -> bool:
    """Whether `--engine jit-aarch64` can run: the agent that ci/build-agent.sh
    builds (or $WASMCHECK_AGENT_AARCH64) and qemu-aarch64."""
    agent = os.environ.get("WASMCHECK_AGENT_AARCH64") or str(ROOT / ".build" / "agent" / "wasmcheck-agent-aarch64")
    qemu = os.environ.get("WASMCHECK_QEMU_AARCH64") or shutil.which("qemu-aarch64")
    if not (os.access(agent, os.X_OK) and qemu):
        print("jit-aarch64: skipped (no AArch64 agent: ci/build-agent.sh; or no qemu-aarch64)")
        return False
    return True


def load_adapter():
    spec = importlib.util.spec_from_file_location("wasmcheck_wasi", ADAPTER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def cleanup(root: Path) -> None:
    """test_suite_runner._cleanup_test_output: remove `*.cleanup` entries."""
    for f in root.glob("**/*.cleanup"):
        if f.is_symlink():
            continue
        if f.is_file():
            f.unlink()
        elif f.is_dir():
            shutil.rmtree(f)


def run_own(suite_dir: Path, adapter) -> dict:
    """Runs one suite folder with the official runner's legacy semantics."""
    results = {}
    timeout = float(adapter.get_timeout_seconds()) if hasattr(adapter, "get_timeout_seconds") else 5.0
    for wasm in sorted(suite_dir.glob("*.wasm")):
        spec_path = wasm.with_suffix(".json")
        config = json.loads(spec_path.read_text()) if spec_path.exists() else {}
        root = spec_path.parent / config["root"] if config.get("root") else None
        if root:
            cleanup(root)
        argv = adapter.compute_argv(str(wasm), [config.get("args", []), config.get("env", {}), root],
                                    [], "wasi:cli/command", "wasm32-wasip1")
        failures = []
        try:
            proc = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            out, err = proc.communicate(timeout=timeout)
            for name, text in (("stdout", out), ("stderr", err)):
                if config.get(name) is not None and text[:len(config[name])] != config[name]:
                    failures.append(f"{name}: expected {config[name]!r}, got {text!r}")
            if proc.returncode != config.get("exit_code", 0):
                failures.append(f"expected exit code {config.get('exit_code', 0)}, got {proc.returncode}"
                                + (f"\n==STDOUT==\n{out}" if out else "") + (f"\n==STDERR==\n{err}" if err else ""))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            failures.append("timeout expired")
        if root:
            cleanup(root)
        results[wasm.stem] = failures
    return results


def run_official(python: str, suite_dir: Path, workdir: Path) -> dict:
    """Runs one suite folder with the official runner; failures by test."""
    log = workdir / f"report-{os.getpid()}.json"
    run = subprocess.run([python, str(workdir / "test-runner" / "wasi_test_runner.py"), "-r", str(ADAPTER),
                    "-t", str(suite_dir), "--disable-colors", "--json-output-location", str(log)],
                   cwd=workdir, capture_output=True, text=True)
    if not log.exists():
        raise SystemExit(f"the official runner failed on {suite_dir}:\n{run.stdout}{run.stderr}")
    report = json.loads(log.read_text())
    results = {}
    for suite in report["results"]:
        for test in suite["tests"]:
            results[test["name"]] = [f"{f.get('type', '')}: {f.get('message', '')}" if isinstance(f, dict) else str(f)
                                     for f in test["failures"]] if test["outcome"] != "pass" else []
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--suite", default=str(ROOT.parent / "shared" / "wasi-testsuite"))
    parser.add_argument("--wasmcheck", default=str(ROOT / ".build" / "debug" / "wasmcheck"))
    parser.add_argument("--engine", action="append", choices=["interpreter", "jit", "jit-agent", "jit-aarch64"],
                        help="a tier to run (repeatable; default: interpreter, jit, jit-agent, and jit-aarch64"
                             " when its agent and qemu-aarch64 are found)")
    parser.add_argument("--own-runner", action="store_true", help="do not use the official runner even if it can run")
    options = parser.parse_args()
    # The runner runs the adapter from each test's folder: a relative path would not resolve there.
    options.wasmcheck = os.path.abspath(options.wasmcheck)
    engines = options.engine or ["interpreter", "jit", "jit-agent"] + (["jit-aarch64"] if aarch64_available() else [])
    python = None if options.own_runner else find_python()
    print(f"runner: {'official (' + python + ')' if python else 'ci/wasi-testsuite.py (official semantics)'}")

    failed = 0
    with tempfile.TemporaryDirectory(prefix="wasi-testsuite-") as temp:
        workdir = Path(temp) / "wasi-testsuite"
        shutil.copytree(options.suite, workdir, symlinks=True)
        for path in workdir.rglob("*"):  # a checkout's files are writable; the shared copy's are not
            if not path.is_symlink():
                path.chmod(path.stat().st_mode | 0o200)
        table = []
        for engine in engines:
            os.environ["WASMCHECK"] = options.wasmcheck
            os.environ["WASMCHECK_ENGINE"] = engine
            adapter = load_adapter()
            for language in LANGUAGES:
                suite_dir = workdir / "tests" / language / "testsuite" / "wasm32-wasip1"
                results = run_official(python, suite_dir, workdir) if python else run_own(suite_dir, adapter)
                passed = sum(1 for f in results.values() if not f)
                table.append((language, engine, passed, len(results)))
                for name, failures in sorted(results.items()):
                    if failures:
                        failed += 1
                        print(f"FAIL {language}/{name} [{engine}]")
                        for f in failures:
                            print("    " + f.replace("\n", "\n    "))
        print()
        print("| language | tier | passed |")
        print("| --- | --- | --- |")
        for language, engine, passed, total in table:
            print(f"| {language} | {engine} | {passed}/{total} |")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
