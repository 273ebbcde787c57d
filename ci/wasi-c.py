#!/usr/bin/env python3
"""Builds the C programs in ci/wasi-c/ with clang-15 and Debian's wasi-libc
(wasm32-wasi, -O2) and runs each case under wasmtime (the reference) and
under `wasmcheck run` on each engine, comparing byte for byte.

    ci/wasi-c.py [--wasmcheck PATH] [--engines interpreter,jit] [--clang clang-15] [--build-dir DIR] [CASE ...]

What is compared, for every case and engine, with the reference:
- stdout, byte for byte;
- stderr, byte for byte when the program ends normally; after a trap, the
  program's own stderr (what precedes the runtime's "Error: ..." report)
  and the trap's kind (wasmtime's trap code against our "wasm trap: KIND");
- the exit status;
- the preopened directory after the run (names, types, file contents,
  symlink targets): every run gets a fresh copy of one template, with a file
  `outside` beside it that no run may reach.

The reference is PyPI wasmtime (50.0.1) through its Python API, run in a
child process that behaves as the `wasmtime run` CLI does
(src/commands/run.rs, `Run::load_main_module`): stdio inherited, argv[0] the
module's base name, a `proc_exit` status (I32Exit) becomes the process's
exit status, a trap prints `Error: ...` and exits with 134 (Unix,
128 + SIGABRT), any other error (e.g. `proc_exit(126)`, refused by
wasmtime-wasi's p1.rs: "exit with invalid exit status outside of [0..126)")
is returned from main and exits with 1. Both runtimes get the same pipes,
so buffering and the interleaving of stdout and stderr (cases that merge
them into one pipe) are compared as well.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = HERE / "wasi-c"
GUEST_DIR = "/sandbox"
TIMEOUT = 120

# wasmtime's trap codes as our trap kinds (ci/engines/wasmtime_engine.py has the full table).
TRAP_KINDS = {
    "STACK_OVERFLOW": "call stack exhausted",
    "MEMORY_OUT_OF_BOUNDS": "out of bounds memory access",
    "TABLE_OUT_OF_BOUNDS": "undefined element",
    "INDIRECT_CALL_TO_NULL": "uninitialized element",
    "BAD_SIGNATURE": "indirect call type mismatch",
    "INTEGER_OVERFLOW": "integer overflow",
    "INTEGER_DIVISION_BY_ZERO": "integer divide by zero",
    "BAD_CONVERSION_TO_INTEGER": "invalid conversion to integer",
    "UNREACHABLE": "unreachable",
    "OUT_OF_FUEL": "out of fuel",
}

STDIN_TEXT = b"first line\nsecond line, longer\n\nafter an empty line\n" + bytes(range(256)) * 40 + b"no newline at the end"


class Case:
    def __init__(self, name, program, args=(), env=(), stdin=b"", merged=False, sandbox=False):
        self.name, self.program, self.args, self.env = name, program, list(args), list(env)
        self.stdin, self.merged, self.sandbox = stdin, merged, sandbox


CASES = [
    Case("printf", "printf"),
    Case("streams", "streams", merged=True),
    Case("streams-apart", "streams"),
    Case("args", "args", args=["one", "two words", "", "caf\u00e9 \u20ac", "--flag=x", "-"],
         env=[("GREETING", "hello world"), ("EMPTY", ""), ("WITH_EQUALS", "a=b=c"), ("PATH", "/bin")]),
    Case("args-none", "args"),
    Case("stdin", "stdin", stdin=STDIN_TEXT),
    Case("stdin-empty", "stdin"),
    Case("files", "files", sandbox=True),
    Case("files-no-preopen", "files"),
    Case("memory", "memory"),
    Case("time", "time"),
    Case("return-0", "exits", args=["return", "0"]),
    Case("return-42", "exits", args=["return", "42"]),
    Case("exit-0", "exits", args=["exit", "0"]),
    Case("exit-3", "exits", args=["exit", "3"]),
    Case("exit-125", "exits", args=["exit", "125"]),
    Case("exit-126", "exits", args=["exit", "126"]),
    Case("exit-127", "exits", args=["exit", "127"]),
    Case("exit-255", "exits", args=["exit", "255"]),
    Case("exit-256", "exits", args=["exit", "256"]),
    Case("exit-minus-1", "exits", args=["exit", "-1"]),
    Case("_Exit-7", "exits", args=["_Exit", "7"]),
    Case("return-300", "exits", args=["return", "300"]),
    Case("trap-abort", "traps", args=["abort"]),
    Case("trap-oob-load", "traps", args=["oob"]),
    Case("trap-oob-store", "traps", args=["oob-store"]),
    Case("trap-div0", "traps", args=["div0"]),
    Case("trap-rem0", "traps", args=["rem0"]),
    Case("trap-overflow", "traps", args=["overflow"]),
    Case("trap-indirect", "traps", args=["indirect"]),
    Case("trap-unreachable", "traps", args=["unreachable"]),
    Case("trap-recursion", "traps", args=["recursion"]),
    Case("trap-c-stack", "traps", args=["c-stack"]),
    Case("no-trap", "traps", args=["none"], merged=True),
]


def build(clang: str, out: Path) -> dict:
    """Compiles every ci/wasi-c/*.c to OUT/NAME.wasm; Debian's wasi-libc is
    clang's default sysroot for wasm32-wasi (/usr/include/wasm32-wasi,
    /usr/lib/wasm32-wasi), and the compiler-rt builtins come with clang-15."""
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    if not shutil.which("wasm-ld"):  # clang-15 runs `wasm-ld`; Debian names it wasm-ld-15
        env["PATH"] = "/usr/lib/llvm-15/bin:" + env.get("PATH", "")
    modules = {}
    for source in sorted(SOURCES.glob("*.c")):
        wasm = out / (source.stem + ".wasm")
        # -lc-printscan-long-double: printf's %Lf (else wasi-libc aborts), on compiler-rt's binary128 builtins.
        cmd = [clang, "--target=wasm32-wasi", "-O2", "-Wall", "-Werror", "-o", str(wasm), str(source),
               "-lc-printscan-long-double"]
        run = subprocess.run(cmd, capture_output=True, text=True, env=env)
        if run.returncode != 0:
            raise SystemExit(f"build failed: {' '.join(cmd)}\n{run.stdout}{run.stderr}")
        modules[source.stem] = wasm
    return modules


def make_template(path: Path) -> None:
    path.mkdir()
    (path / "hello.txt").write_bytes(b"Hello from the template.\n")
    (path / "sub").mkdir()
    (path / "sub" / "a.txt").write_bytes(b"a\n")
    (path / "sub" / "b.txt").write_bytes(b"b" * 5000)


def snapshot(path: Path) -> list:
    """The directory's state: sorted names with types, contents' hashes, link targets."""
    entries = []
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            full = Path(dirpath) / name
            rel = str(full.relative_to(path))
            if full.is_symlink():
                entries.append(f"{rel} -> {os.readlink(full)}")
            elif full.is_dir():
                entries.append(f"{rel}/")
            else:
                data = full.read_bytes()
                entries.append(f"{rel} {len(data)} {hashlib.sha256(data).hexdigest()[:16]}")
    return entries


def reference_child(wasm: str, argv0: str, args: list, env: list, sandbox: str | None) -> None:
    """Runs the module in this process as `wasmtime run` does, then exits."""
    import wasmtime
    config = wasmtime.WasiConfig()
    config.argv = [argv0] + args
    config.env = env
    config.inherit_stdin()
    config.inherit_stdout()
    config.inherit_stderr()
    if sandbox:
        config.preopen_dir(sandbox, GUEST_DIR)
    engine = wasmtime.Engine()
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    store.set_wasi(config)
    module = wasmtime.Module.from_file(engine, wasm)
    try:
        instance = linker.instantiate(store, module)
        instance.exports(store)["_start"](store)
        status = 0
    except wasmtime.ExitTrap as exit:
        status = exit.code
    except wasmtime.Trap as trap:
        code = trap.trap_code.name if trap.trap_code is not None else "?"
        sys.stderr.write(f"Error: failed to run main module `{argv0}`\n\nCaused by:\n    0: failed to invoke command default\n"
                         f"    1: {trap.message}\nwasm trap code: {code}\n")
        status = 134
    except wasmtime.WasmtimeError as error:
        sys.stderr.write(f"Error: failed to run main module `{argv0}`\n\nCaused by:\n    0: failed to invoke command default\n"
                         f"    1: {error}\n")
        status = 1
    sys.stderr.flush()
    os._exit(status)


class Outcome:
    def __init__(self, status, stdout, stderr, tree):
        self.status, self.stdout, self.stderr, self.tree = status, stdout, stderr, tree

    def trap_kind(self, reference: bool):
        """(the program's stderr, the trap's kind) when the run ended in a trap, else None."""
        if self.status != 134:
            return None
        marker = b"Error: failed to run main module"
        at = self.stderr.rfind(marker)
        if at < 0:
            return None
        report = self.stderr[at:].decode(errors="replace")
        if reference:
            code = report.rsplit("wasm trap code: ", 1)[-1].strip()
            kind = TRAP_KINDS.get(code, code)
        else:
            kind = report.split("wasm trap: ", 1)[-1].split("\n")[0]
            kind = kind.split(" (")[0]  # the limit's explanation
        return self.stderr[:at], kind


def run_case(case: Case, command: list, workdir: Path, template: Path) -> Outcome:
    sandbox = None
    if workdir.exists():
        shutil.rmtree(workdir)
    workdir.mkdir(parents=True)
    (workdir / "outside").write_bytes(b"must not be reachable\n")
    if case.sandbox:
        sandbox = workdir / "sandbox"
        shutil.copytree(template, sandbox, symlinks=True)
    argv = command(case, str(sandbox) if sandbox else None)
    proc = subprocess.run(argv, input=case.stdin, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT if case.merged else subprocess.PIPE, timeout=TIMEOUT)
    tree = snapshot(sandbox) if sandbox else []
    if (workdir / "outside").read_bytes() != b"must not be reachable\n" or sorted(os.listdir(workdir)) != sorted(
            ["outside"] + (["sandbox"] if sandbox else [])):
        tree.append("!! the run changed the folder outside the preopen: " + " ".join(sorted(os.listdir(workdir))))
    return Outcome(proc.returncode, proc.stdout, proc.stderr or b"", tree)


def first_difference(name: str, a: bytes, b: bytes) -> str:
    if a == b:
        return ""
    i = next((i for i in range(min(len(a), len(b))) if a[i] != b[i]), min(len(a), len(b)))
    start = max(0, i - 40)
    return (f"{name} differs at byte {i} (reference {len(a)} bytes, ours {len(b)}):\n"
            f"      reference: {a[start:i + 60]!r}\n      ours:      {b[start:i + 60]!r}")


def compare(reference: Outcome, ours: Outcome) -> list:
    problems = []
    if reference.status != ours.status:
        problems.append(f"exit status: reference {reference.status}, ours {ours.status}")
    if d := first_difference("stdout", reference.stdout, ours.stdout):
        problems.append(d)
    ref_trap, our_trap = reference.trap_kind(True), ours.trap_kind(False)
    if ref_trap and our_trap:
        if d := first_difference("stderr before the trap", ref_trap[0], our_trap[0]):
            problems.append(d)
        # Ours may add the spec interpreter's detail ("uninitialized element 0").
        if ref_trap[1] != our_trap[1] and not our_trap[1].startswith(ref_trap[1] + " "):
            problems.append(f"trap: reference {ref_trap[1]!r}, ours {our_trap[1]!r}")
    elif ref_trap or our_trap or reference.status == 1:
        # A run that failed with an error: the runtimes' own reports differ
        # in wording; the program's stderr before them must not.
        ref_err = reference.stderr.split(b"Error: ")[0]
        our_err = ours.stderr.split(b"Error: ")[0]
        if d := first_difference("stderr before the error", ref_err, our_err):
            problems.append(d)
        if bool(ref_trap) != bool(our_trap):
            problems.append(f"trap: reference {ref_trap and ref_trap[1]!r}, ours {our_trap and our_trap[1]!r}")
    elif d := first_difference("stderr", reference.stderr, ours.stderr):
        problems.append(d)
    if reference.tree != ours.tree:
        problems.append("directory after the run:\n      reference: " + "\n                 ".join(reference.tree)
                        + "\n      ours:      " + "\n                 ".join(ours.tree))
    return problems


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--reference-child":
        wasm, argv0, count = sys.argv[2], sys.argv[3], int(sys.argv[4])
        rest = sys.argv[5:]
        args, rest = rest[:count], rest[count:]
        sandbox = rest[0] or None
        env = [tuple(item.split("=", 1)) for item in rest[1:]]
        reference_child(wasm, argv0, args, env, sandbox)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wasmcheck", default=str(ROOT / ".build" / "debug" / "wasmcheck"))
    parser.add_argument("--engines", default="interpreter,jit", help="comma-separated engines of `wasmcheck run`")
    parser.add_argument("--clang", default=os.environ.get("CLANG", "clang-15"))
    parser.add_argument("--build-dir", help="where the .wasm files go (default: a temporary folder)")
    parser.add_argument("cases", nargs="*", help="only these cases (default: all)")
    options = parser.parse_args()
    try:
        import wasmtime  # noqa: F401
    except ImportError:
        raise SystemExit("needs PyPI wasmtime (pip install wasmtime==50.0.1)")
    engines = [e for e in options.engines.split(",") if e]
    wasmcheck = os.path.abspath(options.wasmcheck)
    cases = [c for c in CASES if not options.cases or c.name in options.cases]
    if not cases:
        raise SystemExit("no such case; cases: " + " ".join(c.name for c in CASES))

    with tempfile.TemporaryDirectory(prefix="wasi-c-") as temp:
        temp = Path(temp)
        modules = build(options.clang, Path(options.build_dir) if options.build_dir else temp / "build")
        template = temp / "template"
        make_template(template)

        def reference_command(case, sandbox):
            wasm = str(modules[case.program])
            return ([sys.executable, str(Path(__file__).resolve()), "--reference-child", wasm, Path(wasm).name,
                     str(len(case.args))] + case.args + [sandbox or ""] + [f"{k}={v}" for k, v in case.env])

        def wasmcheck_command(engine):
            def command(case, sandbox):
                argv = [wasmcheck, "run", "--engine", engine]
                if sandbox:
                    argv += ["--dir", f"{sandbox}::{GUEST_DIR}"]
                for k, v in case.env:
                    argv += ["--env", f"{k}={v}"]
                return argv + [str(modules[case.program])] + case.args
            return command

        rows, failed = [], 0
        for case in cases:
            reference = run_case(case, reference_command, temp / "run", template)
            for engine in engines:
                ours = run_case(case, wasmcheck_command(engine), temp / "run", template)
                problems = compare(reference, ours)
                rows.append((case.name, engine, reference.status, problems))
                if problems:
                    failed += 1
                    print(f"DIFFERS {case.name} [{engine}]")
                    for p in problems:
                        print("    " + p)
        print()
        print("| case | engine | wasmtime's exit status | result |")
        print("| --- | --- | --- | --- |")
        for name, engine, status, problems in rows:
            result = "identical" if not problems else "differs: " + problems[0].split("\n")[0]
            print(f"| {name} | {engine} | {status} | {result} |")
        print()
        print(f"{len(rows) - failed}/{len(rows)} runs identical to wasmtime "
              f"({len(cases)} cases x {len(engines)} engines, {len(modules)} programs)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
