#!/usr/bin/env python3
"""wasmtime behind wasmcheck's engine protocol (docs/engine-protocol.md).

Reads one JSON request per line on stdin and answers one JSON line on
stdout, so that `wasmcheck fuzz --engines interp,wasmtime` can compare our
interpreter with an independent engine. Needs the PyPI package `wasmtime`.

Values cross the boundary as bit patterns. The wasmtime Python API turns
floats into Python floats (which can quiet a signalling NaN) and cannot
describe GC reference types (asking the C API for their kind aborts), so
calls, globals and tables go through the raw C API (`wasmtime._ffi`) and
reference types are taken from the request or from the raw value's kind.

Options: --strategy cranelift|winch, --fuel N (per call; 0 = no fuel),
--max-wasm-stack BYTES.
"""

import argparse
import base64
import ctypes
import json
import sys
import zlib

import wasmtime
from wasmtime import _ffi as ffi

PROTOCOL_VERSIONS = [1]

# The raw value kinds of wasmtime's C API (wasmtime/val.h).
KIND_I32, KIND_I64, KIND_F32, KIND_F64, KIND_V128 = 0, 1, 2, 3, 4
KIND_FUNCREF, KIND_EXTERNREF, KIND_ANYREF, KIND_EXNREF = 5, 6, 7, 8
REF_KIND_OF_HIERARCHY = {"func": KIND_FUNCREF, "extern": KIND_EXTERNREF, "any": KIND_ANYREF, "exn": KIND_EXNREF}
HIERARCHY_OF_KIND = {v: k for k, v in REF_KIND_OF_HIERARCHY.items()}

# Proposals wasmtime implements that we enable, by our feature names.
CONFIG_FEATURES = {
    "tail-call": "wasm_tail_call", "reference-types": "wasm_reference_types", "simd": "wasm_simd",
    "bulk-memory": "wasm_bulk_memory", "multi-value": "wasm_multi_value", "multi-memory": "wasm_multi_memory",
    "memory64": "wasm_memory64", "relaxed-simd": "wasm_relaxed_simd", "exceptions": "wasm_exceptions",
    "function-references": "wasm_function_references", "gc": "wasm_gc", "wide-arithmetic": "wasm_wide_arithmetic",
    "custom-page-sizes": "wasm_custom_page_sizes", "threads": "wasm_threads",
}
# Always on in wasmtime.
BASE_FEATURES = ["mutable-globals", "sign-extension", "saturating-float-to-int", "extended-const"]

# wasmtime trap codes -> (outcome, wasmcheck trap kind name).
TRAP_CODES = {
    "STACK_OVERFLOW": ("exhausted", "call stack exhausted"),
    "MEMORY_OUT_OF_BOUNDS": ("trap", "out of bounds memory access"),
    "HEAP_MISALIGNED": ("trap", "unaligned atomic"),
    "TABLE_OUT_OF_BOUNDS": ("trap", "out of bounds table access"),
    "INDIRECT_CALL_TO_NULL": ("trap", "uninitialized element"),
    "BAD_SIGNATURE": ("trap", "indirect call type mismatch"),
    "INTEGER_OVERFLOW": ("trap", "integer overflow"),
    "INTEGER_DIVISION_BY_ZERO": ("trap", "integer divide by zero"),
    "BAD_CONVERSION_TO_INTEGER": ("trap", "invalid conversion to integer"),
    "UNREACHABLE": ("trap", "unreachable"),
    "INTERRUPT": ("exhausted", "resource exhausted"),
    "OUT_OF_FUEL": ("exhausted", "out of fuel"),
    "NULL_REFERENCE": ("trap", "null reference"),
    "ARRAY_OUT_OF_BOUNDS": ("trap", "out of bounds array access"),
    "ALLOCATION_TOO_LARGE": ("exhausted", "resource exhausted"),
    "CAST_FAILURE": ("trap", "cast failure"),
    "ATOMIC_WAIT_NON_SHARED_MEMORY": ("trap", "expected shared memory"),
}

MAX_TABLE_ENTRIES = 4096


class BadRequest(Exception):
    pass


def classify_message(message):
    """An outcome for a failure that carries no trap code."""
    text = message.lower()
    if "thrown wasm exception" in text or "uncaught exception" in text:
        return ("trap", "uncaught exception")
    if "out of fuel" in text:
        return ("exhausted", "out of fuel")
    if "stack overflow" in text or "call stack exhausted" in text:
        return ("exhausted", "call stack exhausted")
    if "out of memory" in text or "allocation" in text or "exceeds" in text or "resource" in text:
        return ("exhausted", "resource exhausted")
    return ("trap", message.strip().splitlines()[-1].strip() if message.strip() else "wasmtime error")


def trap_outcome(trap):
    code = trap.trap_code
    if code is not None and code.name in TRAP_CODES:
        return TRAP_CODES[code.name]
    return classify_message(trap.message)


class Engine:
    def __init__(self, strategy, fuel, max_wasm_stack):
        config = wasmtime.Config()
        for attribute in CONFIG_FEATURES.values():
            setattr(config, attribute, True)
        if strategy:
            config.strategy = strategy
        self.fuel = fuel
        if fuel:
            config.consume_fuel = True
        if max_wasm_stack:
            config.max_wasm_stack = max_wasm_stack
        self.engine = wasmtime.Engine(config)
        self.features = BASE_FEATURES + sorted(CONFIG_FEATURES)
        self.reset()

    def reset(self):
        self.store = wasmtime.Store(self.engine)
        self.modules = []
        self.instances = []  # lists of (name, extern) in export order
        self.registered = {}
        self.spectest = None

    def context(self):
        return self.store._context()

    def refuel(self):
        if self.fuel:
            self.store.set_fuel(self.fuel)

    # -- compile and instantiate

    def compile(self, data):
        try:
            module = wasmtime.Module(self.engine, data)
        except wasmtime.WasmtimeError as e:
            message = str(e)
            lower = message.lower()
            if "unsupported" in lower or "not supported" in lower or "not implemented" in lower or "limit" in lower:
                kind = "unsupported"
            else:
                kind = "unknown"
            return {"rejected": {"kind": kind, "message": " ".join(message.split())[:500]}}
        self.modules.append(module)
        return {"module": len(self.modules) - 1}

    def spectest_exports(self):
        if self.spectest is None:
            store = self.store
            i32, i64, f32, f64 = (wasmtime.ValType.i32(), wasmtime.ValType.i64(),
                                  wasmtime.ValType.f32(), wasmtime.ValType.f64())

            def func(params):
                return wasmtime.Func(store, wasmtime.FuncType(params, []), lambda *args: None)

            def glob(t, v):
                return wasmtime.Global(store, wasmtime.GlobalType(t, False), v)

            self.spectest = {
                "print": func([]), "print_i32": func([i32]), "print_i64": func([i64]),
                "print_f32": func([f32]), "print_f64": func([f64]),
                "print_i32_f32": func([i32, f32]), "print_f64_f64": func([f64, f64]),
                "global_i32": glob(i32, 666), "global_i64": glob(i64, 666),
                "global_f32": glob(f32, 666.6), "global_f64": glob(f64, 666.6),
                "table": wasmtime.Table(store, wasmtime.TableType(wasmtime.ValType.funcref(), wasmtime.Limits(10, 20)), None),
                "memory": wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, 2))),
            }
        return self.spectest

    def instantiate(self, module_id, policy):
        module = self.lookup(self.modules, module_id, "module")
        imports = []
        for item in module.imports:
            value = None
            if policy == "spectest" and item.module == "spectest":
                value = self.spectest_exports().get(item.name)
            if value is None:
                value = self.registered.get(item.module, {}).get(item.name)
            if value is None:
                return {"unlinkable": "unknown import: %s.%s" % (item.module, item.name)}
            imports.append(value)
        self.refuel()
        try:
            instance = wasmtime.Instance(self.store, module, imports)
        except wasmtime.Trap as trap:
            outcome, kind = trap_outcome(trap)
            return {outcome: kind}
        except wasmtime.WasmtimeError as e:
            message = str(e)
            if "import" in message.lower():
                return {"unlinkable": " ".join(message.split())[:500]}
            outcome, kind = classify_message(message)
            return {outcome: kind}
        # The instance's exports, in the module's order (`instance_export_nth`).
        self.instances.append(list(instance.exports(self.store)._extern_map.items()))
        return {"instance": len(self.instances) - 1}

    def register(self, instance_id, name):
        self.registered[name] = dict(self.lookup(self.instances, instance_id, "instance"))
        return {}

    # -- values

    def set_raw(self, raw, value):
        ctypes.memset(ctypes.addressof(raw), 0, ctypes.sizeof(raw))
        t, text = value.get("type"), value.get("value")
        if t in ("i32", "f32"):
            raw.kind = KIND_I32 if t == "i32" else KIND_F32
            ctypes.c_uint32.from_address(ctypes.addressof(raw.of)).value = int(text)
        elif t in ("i64", "f64"):
            raw.kind = KIND_I64 if t == "i64" else KIND_F64
            ctypes.c_uint64.from_address(ctypes.addressof(raw.of)).value = int(text)
        elif t == "v128":
            raw.kind = KIND_V128
            ctypes.memmove(ctypes.addressof(raw.of), bytes.fromhex(text), 16)
        elif t == "ref" and isinstance(text, str) and text.startswith("null:") and text[5:] in REF_KIND_OF_HIERARCHY:
            raw.kind = REF_KIND_OF_HIERARCHY[text[5:]]
        else:
            raise BadRequest("cannot pass %r" % (value,))

    def get_raw(self, raw):
        """The wire value of a raw value (which is then unrooted)."""
        kind = raw.kind
        address = ctypes.addressof(raw.of)
        try:
            if kind == KIND_I32:
                return {"type": "i32", "value": str(ctypes.c_uint32.from_address(address).value)}
            if kind == KIND_I64:
                return {"type": "i64", "value": str(ctypes.c_uint64.from_address(address).value)}
            if kind == KIND_F32:
                return {"type": "f32", "value": str(ctypes.c_uint32.from_address(address).value)}
            if kind == KIND_F64:
                return {"type": "f64", "value": str(ctypes.c_uint64.from_address(address).value)}
            if kind == KIND_V128:
                return {"type": "v128", "value": ctypes.string_at(address, 16).hex()}
            return {"type": "ref", "value": self.ref_name(raw)}
        finally:
            ffi.wasmtime_val_unroot(ctypes.byref(raw))

    def ref_name(self, raw):
        kind = raw.kind
        if kind == KIND_FUNCREF:
            return "func" if raw.of.funcref.store_id != 0 else "null:func"
        if kind == KIND_EXTERNREF:
            return "extern" if raw.of.externref.store_id != 0 else "null:extern"
        if kind == KIND_EXNREF:
            return "exn" if raw.of.exnref.store_id != 0 else "null:exn"
        if kind == KIND_ANYREF:
            ref = raw.of.anyref
            if ref.store_id == 0:
                return "null:any"
            context = self.context()
            # wasmtime_anyref_is_i31 answers true for structs too (wasmtime
            # 50): ask for the i31 value instead, after the object kinds.
            if ffi.wasmtime_anyref_is_struct(context, ctypes.byref(ref)):
                return "struct"
            if ffi.wasmtime_anyref_is_array(context, ctypes.byref(ref)):
                return "array"
            v = ctypes.c_int32()
            if ffi.wasmtime_anyref_i31_get_s(context, ctypes.byref(ref), ctypes.byref(v)):
                return "i31:%d" % v.value
        return "other"

    # -- calls and state

    def export(self, instance_id, name, kind):
        for export_name, value in self.lookup(self.instances, instance_id, "instance"):
            if export_name == name and isinstance(value, kind):
                return value
        raise BadRequest("no exported %s %r" % (kind.__name__.lower(), name))

    def invoke(self, instance_id, name, args):
        func = self.export(instance_id, name, wasmtime.Func)
        ty = func.type(self.store)
        nparams, nresults = len(ty.params), len(ty.results)
        if len(args) != nparams:
            raise BadRequest("%s takes %d arguments, got %d" % (name, nparams, len(args)))
        params = (ffi.wasmtime_val_t * max(nparams, 1))()
        for i, value in enumerate(args):
            self.set_raw(params[i], value)
        results = (ffi.wasmtime_val_t * max(nresults, 1))()
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        self.refuel()
        error = ffi.wasmtime_func_call(self.context(), ctypes.byref(func._func), params, nparams,
                                       results, nresults, ctypes.byref(trap))
        if error:
            outcome, kind = classify_message(str(wasmtime.WasmtimeError._from_ptr(error)))
            return {outcome: kind}
        if trap:
            outcome, kind = trap_outcome(wasmtime.Trap._from_ptr(trap))
            return {outcome: kind}
        return {"results": [self.get_raw(results[i]) for i in range(nresults)]}

    def memory_bytes(self, memory):
        size = memory.data_len(self.store)
        if size == 0:
            return b""
        return ctypes.string_at(memory.data_ptr(self.store), size)

    def snapshot(self, instance_id):
        exports = []
        context = self.context()
        raw = ffi.wasmtime_val_t()
        for name, value in self.lookup(self.instances, instance_id, "instance"):
            if isinstance(value, wasmtime.Func):
                exports.append({"name": name, "kind": "function"})
            elif isinstance(value, wasmtime.Global):
                ffi.wasmtime_global_get(context, ctypes.byref(value._global), ctypes.byref(raw))
                exports.append({"name": name, "kind": "global", "value": self.get_raw(raw)})
            elif isinstance(value, wasmtime.Memory):
                data = self.memory_bytes(value)
                digest = (zlib.crc32(data) << 32) | zlib.adler32(data)
                exports.append({"name": name, "kind": "memory", "size": len(data), "hash": "%016x" % digest})
            elif isinstance(value, wasmtime.Table):
                size = ffi.wasmtime_table_size(context, ctypes.byref(value._table))
                letters = []
                for i in range(min(size, MAX_TABLE_ENTRIES)):
                    if ffi.wasmtime_table_get(context, ctypes.byref(value._table), i, ctypes.byref(raw)):
                        letters.append(self.letter(self.get_raw(raw)["value"]))
                    else:
                        letters.append("o")
                exports.append({"name": name, "kind": "table", "size": size, "entries": "".join(letters)})
            else:
                exports.append({"name": name, "kind": "tag"})
        return {"exports": exports}

    @staticmethod
    def letter(name):
        if name.startswith("null:"):
            return "n"
        if name.startswith("i31:"):
            return "i"
        return {"func": "f", "extern": "e", "struct": "s", "array": "a", "exn": "x"}.get(name, "o")

    def read_memory(self, instance_id, name, offset, length):
        data = self.memory_bytes(self.export(instance_id, name, wasmtime.Memory))
        if offset < 0 or length < 0 or offset + length > len(data):
            raise BadRequest("bytes %d..%d are outside memory %r" % (offset, offset + length, name))
        return {"bytes": base64.b64encode(data[offset:offset + length]).decode("ascii")}

    @staticmethod
    def lookup(items, index, what):
        if not isinstance(index, int) or not 0 <= index < len(items):
            raise BadRequest("unknown %s %r" % (what, index))
        return items[index]


def handle(engine, request, state):
    op = request.get("op")
    if op != "hello" and state.get("version") is None:
        raise BadRequest('the first request must be "hello"')
    if op == "hello":
        offered = [v for v in request.get("versions", []) if v in PROTOCOL_VERSIONS]
        if not offered:
            return {"error": {"code": "unsupported-version", "message": "this engine speaks versions %s" % PROTOCOL_VERSIONS}}
        state["version"] = max(offered)
        return {"version": state["version"], "engine": "wasmtime %s (Python API)" % wasmtime_version(),
                "features": engine.features}
    if op == "compile":
        return engine.compile(base64.b64decode(request["bytes"], validate=True))
    if op == "instantiate":
        return engine.instantiate(request.get("module"), request.get("imports", "registered"))
    if op == "register":
        return engine.register(request.get("instance"), request["name"])
    if op == "invoke":
        return engine.invoke(request.get("instance"), request["export"], request.get("args", []))
    if op == "snapshot":
        return engine.snapshot(request.get("instance"))
    if op == "read-memory":
        return engine.read_memory(request.get("instance"), request["export"], int(request["offset"]), int(request["length"]))
    if op == "reset":
        engine.reset()
        return {}
    if op == "quit":
        return {}
    return {"error": {"code": "unknown-op", "message": "unknown op %r" % (op,)}}


def wasmtime_version():
    try:
        from importlib.metadata import version
        return version("wasmtime")
    except Exception:
        return "?"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--strategy", choices=["cranelift", "winch"], default=None)
    parser.add_argument("--fuel", type=int, default=1_000_000_000)
    parser.add_argument("--max-wasm-stack", type=int, default=None)
    options = parser.parse_args()
    engine = Engine(options.strategy, options.fuel, options.max_wasm_stack)
    state = {}
    for line in sys.stdin:
        if not line.strip():
            continue
        request_id = None
        request = None
        try:
            request = json.loads(line)
            request_id = request.get("id")
            answer = handle(engine, request, state)
        except (BadRequest, KeyError, ValueError, TypeError) as e:
            answer = {"error": {"code": "bad-request", "message": str(e)}}
        except Exception as e:  # an adapter bug, not a crash of wasmtime
            answer = {"error": {"code": "internal", "message": "%s: %s" % (type(e).__name__, e)}}
        answer = dict([("id", request_id)] + list(answer.items()))
        sys.stdout.write(json.dumps(answer, separators=(",", ":")) + "\n")
        sys.stdout.flush()
        if isinstance(request, dict) and request.get("op") == "quit":
            break


if __name__ == "__main__":
    main()
