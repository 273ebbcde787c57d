#!/usr/bin/env python3
"""wasmtime behind wasmcheck's engine protocol (docs/engine-protocol.md).

Reads one JSON request per line on stdin and answers one JSON line on
stdout, so that `wasmcheck fuzz --engines interp,wasmtime` can compare our
interpreter with an independent engine and `wasmcheck wast --engine
wasmtime` can run the official suites on it. Needs the PyPI package
`wasmtime`. Speaks protocol versions 1 and 2 (2 adds `configure`,
`get-global` and host references `host:N`).

Values cross the boundary as bit patterns. The wasmtime Python API turns
floats into Python floats (which can quiet a signalling NaN) and cannot
describe GC reference types (asking the C API for their kind aborts), so
calls, globals and tables go through the raw C API (`wasmtime._ffi`);
parameter types are read with `wasmtime_valtype_new`, and a result's
reference kind from the raw value's kind.

Host values (`host:N`) are externrefs whose data is N + 1; for an anyref
parameter they are internalized, and results are told apart by
externalizing again, through a two-function module in the same store (the
C API has no `any.convert_extern`).

wasmtime has one trap code where the spec has several messages (table out
of bounds for `call_indirect` is "undefined element"; null references of
`call_ref`, `struct.get`, `array.len` ... are named apart): the opcode at
the trapping frame's module offset picks the message.

Options: --strategy cranelift|winch, --fuel N (per call; 0 = no fuel),
--max-wasm-stack BYTES. Before `configure`, every feature wasmtime has is
enabled with the command line's fuel; `configure` makes a fresh engine and
store with the features asked for (those wasmtime cannot switch off stay
on) and its own fuel (none if absent), keeping the strategy.
"""

import argparse
import base64
import ctypes
import json
import sys
import zlib

import wasmtime
from wasmtime import _ffi as ffi

PROTOCOL_VERSIONS = [1, 2]


def _shared_memory_as_extern(self):
    union = ffi.wasmtime_extern_union(sharedmemory=self.ptr())
    return ffi.wasmtime_extern_t(ffi.WASMTIME_EXTERN_SHAREDMEMORY, union)


# wasmtime-py 50 passes a pointer to the shared memory's pointer when a
# SharedMemory is an import (ctypes rejects it): pass the pointer itself.
wasmtime.SharedMemory._as_extern = _shared_memory_as_extern

# The raw value kinds of wasmtime's C API (wasmtime/val.h).
KIND_I32, KIND_I64, KIND_F32, KIND_F64, KIND_V128 = 0, 1, 2, 3, 4
KIND_FUNCREF, KIND_EXTERNREF, KIND_ANYREF, KIND_EXNREF = 5, 6, 7, 8
REF_KIND_OF_HIERARCHY = {"func": KIND_FUNCREF, "extern": KIND_EXTERNREF, "any": KIND_ANYREF, "exn": KIND_EXNREF}
HIERARCHY_OF_KIND = {v: k for k, v in REF_KIND_OF_HIERARCHY.items()}

# Proposals wasmtime implements that we can switch, by our feature names.
CONFIG_FEATURES = {
    "tail-call": "wasm_tail_call", "reference-types": "wasm_reference_types", "simd": "wasm_simd",
    "bulk-memory": "wasm_bulk_memory", "multi-value": "wasm_multi_value", "multi-memory": "wasm_multi_memory",
    "memory64": "wasm_memory64", "relaxed-simd": "wasm_relaxed_simd", "exceptions": "wasm_exceptions",
    "function-references": "wasm_function_references", "gc": "wasm_gc", "wide-arithmetic": "wasm_wide_arithmetic",
    "custom-page-sizes": "wasm_custom_page_sizes", "threads": "wasm_threads",
}
# Always on in wasmtime (the C API cannot switch them off).
BASE_FEATURES = ["mutable-globals", "sign-extension", "saturating-float-to-int", "extended-const"]
# Features that need others in wasmtime (and in the proposals).
IMPLIED_FEATURES = {
    "relaxed-simd": ["simd"], "function-references": ["reference-types"],
    "gc": ["function-references", "reference-types"], "exceptions": ["reference-types"],
}
# Features a compiler strategy does not support (wasmtime 50).
STRATEGY_LACKS = {"winch": {"relaxed-simd", "function-references", "gc"}}
# Features wasmtime does not implement, by the words its errors name them with.
UNAVAILABLE_FEATURE_MARKERS = {"legacy-exceptions": ["legacy_exceptions", "legacy exceptions"]}
# The messages with which wasmtime turns down a module that is valid but
# beyond its implementation, each named: a broad match (any message with
# "limit" or "not supported" in it) would also swallow real validation
# disagreements, such as "size minimum must not be greater than maximum".
UNSUPPORTED_MESSAGES = [
    "unsupported feature: ",                                   # Cranelift's WasmError::Unsupported
    "feature is not supported on this compiler configuration",  # e.g. GC or exceptions under Winch
    "gc types are disallowed",                                 # no GC heap (Winch)
    "heap types are not supported yet",
    "continuation references are unsupported",
    "legacy-exceptions not supported",
    "greater than implementation limits",                      # wasmparser's implementation limits
    "is unsupported in this pooling allocator configuration",
    "not yet implemented",
]
# The component model's async features need reference types; we never use them.
COMPONENT_SWITCHES = ["wasmtime_config_wasm_component_model_async_set",
                      "wasmtime_config_wasm_component_model_more_async_builtins_set",
                      "wasmtime_config_wasm_component_model_async_stackful_set"]

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
    "UNCAUGHT_EXCEPTION": ("trap", "uncaught exception"),
}

# wasmtime has one code for failures the spec names apart; the opcode at
# the trapping frame's offset tells which (opcode, or (0xFB, sub-opcode)).
CALL_INDIRECT_OPS = {0x11, 0x13}  # call_indirect, return_call_indirect
CALL_REF_OPS = {0x14, 0x15}  # call_ref, return_call_ref
GC_STRUCT_OPS = {0x02, 0x03, 0x04, 0x05}  # struct.get(_s/_u), struct.set
GC_ARRAY_OPS = set(range(0x0B, 0x14))  # array.get .. array.init_elem
GC_I31_OPS = {0x1D, 0x1E}  # i31.get_s/u


def refine_by_opcode(code, data, offset):
    """The trap kind of `code` raised at byte `offset` of module `data`, or
    None if the byte there is not an instruction that raises it."""
    if not 0 <= offset < len(data):
        return None
    op = data[offset]
    sub = None
    if op in (0xFB, 0xFC) and offset + 1 < len(data):
        sub, shift, i = 0, 0, offset + 1
        while i < len(data):
            sub |= (data[i] & 0x7F) << shift
            shift += 7
            i += 1
            if data[i - 1] & 0x80 == 0:
                break
    if code == "TABLE_OUT_OF_BOUNDS":
        if op in CALL_INDIRECT_OPS:
            return "undefined element"
        if op in (0x25, 0x26) or (op == 0xFC and sub in (0x0C, 0x0E, 0x11)):
            return "out of bounds table access"
        if op == 0xFB and sub in (0x08, 0x13):  # array.new_elem, array.init_elem
            return "out of bounds table access"
        return None
    if code == "NULL_REFERENCE":
        if op in CALL_REF_OPS:
            return "null function reference"
        if op == 0xD4:  # ref.as_non_null
            return "null reference"
        if op == 0x0A:  # throw_ref
            return "null exception reference"
        if op == 0xFB and sub in GC_STRUCT_OPS:
            return "null structure reference"
        if op == 0xFB and sub in GC_ARRAY_OPS:
            return "null array reference"
        if op == 0xFB and sub in GC_I31_OPS:
            return "null i31 reference"
        return None
    if code == "INDIRECT_CALL_TO_NULL":
        if op in CALL_INDIRECT_OPS:
            return "uninitialized element"
        if op in CALL_REF_OPS:
            return "null function reference"
        return None
    return None

MAX_TABLE_ENTRIES = 4096

# The externrefs this adapter makes for host values carry N + 1 as their
# data (an externref made by `extern.convert_any` has no data).
NO_FINALIZER = ctypes.CFUNCTYPE(None, ctypes.c_void_p)()

# wasmtime's heap type kinds (wasmtime_heaptype_kind_t) -> hierarchy.
HEAPTYPE_HIERARCHY = {0: "extern", 1: "extern", 2: "func", 3: "func", 4: "func",
                      5: "any", 6: "any", 7: "any", 8: "any", 9: "any", 10: "any", 11: "any", 12: "any",
                      13: "exn", 14: "exn", 15: "exn"}
VALTYPE_REF = 5

# Conversions between the extern and any hierarchies, which the C API lacks.
CONVERT_WAT = """(module
  (func (export "internalize") (param externref) (result anyref) (any.convert_extern (local.get 0)))
  (func (export "externalize") (param anyref) (result externref) (extern.convert_any (local.get 0))))"""

TABLE64_WAT = '(module (table (export "table64") i64 10 20 funcref))'


class BadRequest(Exception):
    pass


RESOURCE_MESSAGES = [
    "out of memory", "failed to allocate", "cannot allocate memory", "insufficient resources",
    "exceeds memory limits", "exceeds table limits", "maximum concurrent", "allocation size too large",
]


def classify_message(message):
    """An outcome for a failure that carries no trap code."""
    text = message.lower()
    if "thrown wasm exception" in text or "uncaught exception" in text:
        return ("trap", "uncaught exception")
    if "out of fuel" in text:
        return ("exhausted", "out of fuel")
    if "stack overflow" in text or "call stack exhausted" in text:
        return ("exhausted", "call stack exhausted")
    # wasmtime's own resource limits, by their messages (a broader match
    # would turn a wrong trap into an excused exhaustion).
    if any(known in text for known in RESOURCE_MESSAGES):
        return ("exhausted", "resource exhausted")
    return ("trap", message.strip().splitlines()[-1].strip() if message.strip() else "wasmtime error")


def one_line(message, limit=500):
    return " ".join(message.split())[:limit]


class Engine:
    def __init__(self, strategy, fuel, max_wasm_stack):
        self.strategy = strategy
        self.max_wasm_stack = max_wasm_stack
        # Before `configure`: every feature, the command line's fuel.
        self.build(set(CONFIG_FEATURES), fuel or None)

    def build(self, wanted, fuel):
        """A fresh engine and store with the features `wanted` (our names)
        that wasmtime can switch; answers the features enabled."""
        enabled = set(name for name in wanted if name in CONFIG_FEATURES)
        changed = True
        while changed:
            changed = False
            for name in list(enabled):
                for implied in IMPLIED_FEATURES.get(name, []):
                    if implied not in enabled:
                        enabled.add(implied)
                        changed = True
        # What the compiler cannot do stays off, and so does what needs it
        # (enabling it would abort in wasm_engine_new_with_config).
        lacking = STRATEGY_LACKS.get(self.strategy, set())
        enabled = set(name for name in enabled
                      if name not in lacking and not lacking.intersection(IMPLIED_FEATURES.get(name, [])))
        config = wasmtime.Config()
        for name, attribute in CONFIG_FEATURES.items():
            setattr(config, attribute, name in enabled)
        config.wasm_component_model = False
        for switch in COMPONENT_SWITCHES:
            if hasattr(ffi, switch):
                getattr(ffi, switch)(config.ptr(), False)
        if "threads" in enabled:
            config.shared_memory = True
        if self.strategy == "winch":
            # wasmtime-py's setter knows only "auto" and "cranelift"; the C
            # enum wasmtime_strategy_t has WASMTIME_STRATEGY_WINCH = 2.
            ffi.wasmtime_config_strategy_set(config.ptr(), 2)
        elif self.strategy:
            config.strategy = self.strategy
        self.fuel = fuel
        if fuel is not None:
            config.consume_fuel = True
        if self.max_wasm_stack:
            config.max_wasm_stack = self.max_wasm_stack
        self.engine = wasmtime.Engine(config)
        self.enabled = enabled
        self.requested = set(wanted)
        self.features = BASE_FEATURES + sorted(enabled)
        self.convert_module = None
        self.reset()
        return self.features

    def reset(self):
        self.store = wasmtime.Store(self.engine)
        self.modules = []  # (wasmtime.Module, bytes)
        self.instances = []  # (module id, [(name, extern)] in export order)
        self.registered = {}
        self.spectest = None
        self.converters = None

    def context(self):
        return self.store._context()

    def refuel(self):
        if self.fuel is not None:
            self.store.set_fuel(self.fuel)

    # -- compile and instantiate

    def compile(self, data):
        try:
            module = wasmtime.Module(self.engine, data)
        except wasmtime.WasmtimeError as e:
            message = str(e)
            lower = message.lower()
            if any(known in lower for known in UNSUPPORTED_MESSAGES):
                kind = "unsupported"
            elif any(marker in lower for name in self.requested - self.enabled
                     for marker in UNAVAILABLE_FEATURE_MARKERS.get(name, [])):
                # A feature the client asked for that wasmtime lacks.
                kind = "unsupported"
            else:
                kind = "unknown"
            return {"rejected": {"kind": kind, "message": one_line(message)}}
        self.modules.append((module, data))
        return {"module": len(self.modules) - 1}

    def spectest_exports(self):
        """The official suite's `spectest` module (interpreter/host/spectest.ml),
        one per store."""
        if self.spectest is None:
            store = self.store
            i32, i64, f32, f64 = (wasmtime.ValType.i32(), wasmtime.ValType.i64(),
                                  wasmtime.ValType.f32(), wasmtime.ValType.f64())

            def func(params):
                return wasmtime.Func(store, wasmtime.FuncType(params, []), lambda *args: None)

            def glob(t, v):
                return wasmtime.Global(store, wasmtime.GlobalType(t, False), v)

            # 666.6 rounds to the same f32 (0x4426a666) from the decimal
            # and from the double.
            self.spectest = {
                "print": func([]), "print_i32": func([i32]), "print_i64": func([i64]),
                "print_f32": func([f32]), "print_f64": func([f64]),
                "print_i32_f32": func([i32, f32]), "print_f64_f64": func([f64, f64]),
                "global_i32": glob(i32, 666), "global_i64": glob(i64, 666),
                "global_f32": glob(f32, 666.6), "global_f64": glob(f64, 666.6),
                "table": wasmtime.Table(store, wasmtime.TableType(wasmtime.ValType.funcref(), wasmtime.Limits(10, 20)), None),
                "memory": wasmtime.Memory(store, wasmtime.MemoryType(wasmtime.Limits(1, 2))),
            }
            # `table64` (i64-addressed): the C API's table limits are 32-bit,
            # so a module of this store defines it.
            if "memory64" in self.enabled:
                module = wasmtime.Module(self.engine, wasmtime.wat2wasm(TABLE64_WAT))
                self.spectest["table64"] = wasmtime.Instance(store, module, []).exports(store)["table64"]
            if "threads" in self.enabled:
                self.spectest["shared_memory"] = wasmtime.SharedMemory(
                    self.engine, wasmtime.MemoryType(wasmtime.Limits(1, 2), shared=True))
        return self.spectest

    def instantiate(self, module_id, policy):
        module, _ = self.lookup(self.modules, module_id, "module")
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
            outcome, kind = self.trap_outcome(trap, module_id)
            return {outcome: kind}
        except wasmtime.WasmtimeError as e:
            message = str(e)
            if "import" in message.lower():
                return {"unlinkable": one_line(message)}
            outcome, kind = classify_message(message)
            return {outcome: kind}
        # The instance's exports, in the module's order (`instance_export_nth`).
        self.instances.append((module_id, list(instance.exports(self.store)._extern_map.items())))
        return {"instance": len(self.instances) - 1}

    def register(self, instance_id, name):
        self.registered[name] = dict(self.lookup(self.instances, instance_id, "instance")[1])
        return {}

    def trap_outcome(self, trap, module_id):
        code = trap.trap_code
        if code is None or code.name not in TRAP_CODES:
            return classify_message(trap.message)
        outcome, kind = TRAP_CODES[code.name]
        if code.name in ("TABLE_OUT_OF_BOUNDS", "NULL_REFERENCE", "INDIRECT_CALL_TO_NULL"):
            try:
                frames = trap.frames
            except Exception:
                frames = []
            if frames:
                offset = frames[0].module_offset
                # The frame does not say which module: try the called one first.
                order = [module_id] if module_id is not None else []
                order += [i for i in range(len(self.modules) - 1, -1, -1) if i != module_id]
                for i in order:
                    refined = refine_by_opcode(code.name, self.modules[i][1], offset)
                    if refined is not None:
                        return outcome, refined
        return outcome, kind

    # -- values

    def converter(self, name):
        """The exported function `name` of CONVERT_WAT in this store."""
        if self.converters is None:
            if self.convert_module is None:
                self.convert_module = wasmtime.Module(self.engine, wasmtime.wat2wasm(CONVERT_WAT))
            instance = wasmtime.Instance(self.store, self.convert_module, [])
            self.converters = instance.exports(self.store)
        return self.converters[name]

    def convert(self, name, raw, kind):
        """Calls converter `name` on `raw`; the result (rooted) in a new raw value."""
        params = (ffi.wasmtime_val_t * 1)()
        params[0] = raw
        results = (ffi.wasmtime_val_t * 1)()
        trap = ctypes.POINTER(ffi.wasm_trap_t)()
        self.refuel()
        func = self.converter(name)
        error = ffi.wasmtime_func_call(self.context(), ctypes.byref(func._func), params, 1, results, 1, ctypes.byref(trap))
        if error:
            raise RuntimeError("converting a reference: %s" % wasmtime.WasmtimeError._from_ptr(error))
        if trap:
            raise RuntimeError("converting a reference: %s" % wasmtime.Trap._from_ptr(trap).message)
        return results[0]

    def host_externref(self, raw, n):
        ctypes.memset(ctypes.addressof(raw), 0, ctypes.sizeof(raw))
        raw.kind = KIND_EXTERNREF
        if not ffi.wasmtime_externref_new(self.context(), ctypes.c_void_p(n + 1), NO_FINALIZER, ctypes.byref(raw.of.externref)):
            raise RuntimeError("wasmtime_externref_new failed")

    def host_number(self, externref):
        """N of a host value's externref; None for other externrefs."""
        data = ffi.wasmtime_externref_data(self.context(), ctypes.byref(externref))
        return data - 1 if data else None

    def set_raw(self, raw, value, hierarchy=None):
        """Fills `raw` with the wire value `value` for a parameter of the
        reference hierarchy `hierarchy` (None: not a reference or unknown)."""
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
            # A null takes the parameter's type.
            raw.kind = REF_KIND_OF_HIERARCHY[hierarchy or text[5:]]
        elif t == "ref" and isinstance(text, str) and text.startswith("host:") and text[5:].isdigit():
            n = int(text[5:])
            if not 0 <= n < 1 << 32:
                raise BadRequest("cannot pass %r" % (value,))
            if hierarchy == "any":
                # An anyref parameter gets the internalized host value.
                extern = ffi.wasmtime_val_t()
                self.host_externref(extern, n)
                try:
                    converted = self.convert("internalize", extern, KIND_ANYREF)
                finally:
                    ffi.wasmtime_val_unroot(ctypes.byref(extern))
                ctypes.memmove(ctypes.addressof(raw), ctypes.addressof(converted), ctypes.sizeof(raw))
            elif hierarchy in (None, "extern"):
                self.host_externref(raw, n)
            else:
                raise BadRequest("cannot pass %r to a %sref parameter" % (value, hierarchy))
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
            if raw.of.externref.store_id == 0:
                return "null:extern"
            n = self.host_number(raw.of.externref)
            return "host:%d" % n if n is not None else "extern"
        if kind == KIND_EXNREF:
            return "exn" if raw.of.exnref.store_id != 0 else "null:exn"
        if kind == KIND_ANYREF:
            ref = raw.of.anyref
            if ref.store_id == 0:
                return "null:any"
            context = self.context()
            if ffi.wasmtime_anyref_is_struct(context, ctypes.byref(ref)):
                return "struct"
            if ffi.wasmtime_anyref_is_array(context, ctypes.byref(ref)):
                return "array"
            # wasmtime_anyref_is_i31 answers true for structs and
            # internalized externs too (wasmtime 50): an internalized host
            # value is told by externalizing it again.
            extern = self.convert("externalize", raw, KIND_EXTERNREF)
            try:
                n = self.host_number(extern.of.externref) if extern.of.externref.store_id else None
            finally:
                ffi.wasmtime_val_unroot(ctypes.byref(extern))
            if n is not None:
                return "host:%d" % n
            v = ctypes.c_int32()
            if ffi.wasmtime_anyref_i31_get_s(context, ctypes.byref(ref), ctypes.byref(v)):
                return "i31:%d" % v.value
        return "other"

    @staticmethod
    def hierarchy(valtype):
        """The reference hierarchy of a wasmtime.ValType; None for numbers."""
        out = ffi.wasmtime_valtype_t()
        ffi.wasmtime_valtype_new(valtype.ptr(), ctypes.byref(out))
        try:
            if out.kind != VALTYPE_REF:
                return None
            return HEAPTYPE_HIERARCHY.get(out.reftype.heaptype.kind)
        finally:
            ffi.wasmtime_valtype_delete(ctypes.byref(out))

    # -- calls and state

    def export(self, instance_id, name, kinds):
        for export_name, value in self.lookup(self.instances, instance_id, "instance")[1]:
            if export_name == name and isinstance(value, kinds):
                return value
        what = kinds.__name__ if isinstance(kinds, type) else kinds[0].__name__
        raise BadRequest("no exported %s %r" % (what.lower(), name))

    def invoke(self, instance_id, name, args):
        func = self.export(instance_id, name, wasmtime.Func)
        module_id = self.instances[instance_id][0]
        ty = func.type(self.store)
        param_types = ty.params
        nparams, nresults = len(param_types), len(ty.results)
        if len(args) != nparams:
            raise BadRequest("%s takes %d arguments, got %d" % (name, nparams, len(args)))
        params = (ffi.wasmtime_val_t * max(nparams, 1))()
        try:
            for i, value in enumerate(args):
                hierarchy = self.hierarchy(param_types[i]) if value.get("type") == "ref" else None
                self.set_raw(params[i], value, hierarchy)
            results = (ffi.wasmtime_val_t * max(nresults, 1))()
            trap = ctypes.POINTER(ffi.wasm_trap_t)()
            self.refuel()
            error = ffi.wasmtime_func_call(self.context(), ctypes.byref(func._func), params, nparams,
                                           results, nresults, ctypes.byref(trap))
        finally:
            for i in range(nparams):
                if params[i].kind >= KIND_FUNCREF:
                    ffi.wasmtime_val_unroot(ctypes.byref(params[i]))
        if error:
            outcome, kind = classify_message(str(wasmtime.WasmtimeError._from_ptr(error)))
            return {outcome: kind}
        if trap:
            outcome, kind = self.trap_outcome(wasmtime.Trap._from_ptr(trap), module_id)
            return {outcome: kind}
        values = []
        for i in range(nresults):
            values.append(self.get_raw(results[i]))
        return {"results": values}

    def get_global(self, instance_id, name):
        value = self.export(instance_id, name, wasmtime.Global)
        raw = ffi.wasmtime_val_t()
        ffi.wasmtime_global_get(self.context(), ctypes.byref(value._global), ctypes.byref(raw))
        return {"value": self.get_raw(raw)}

    def memory_bytes(self, memory):
        if isinstance(memory, wasmtime.SharedMemory):
            size, pointer = memory.data_len(), (lambda: memory.data_ptr())
        else:
            size, pointer = memory.data_len(self.store), (lambda: memory.data_ptr(self.store))
        if size == 0:
            return b""
        return ctypes.string_at(pointer(), size)

    def snapshot(self, instance_id):
        exports = []
        context = self.context()
        raw = ffi.wasmtime_val_t()
        for name, value in self.lookup(self.instances, instance_id, "instance")[1]:
            if isinstance(value, wasmtime.Func):
                exports.append({"name": name, "kind": "function"})
            elif isinstance(value, wasmtime.Global):
                ffi.wasmtime_global_get(context, ctypes.byref(value._global), ctypes.byref(raw))
                exports.append({"name": name, "kind": "global", "value": self.get_raw(raw)})
            elif isinstance(value, (wasmtime.Memory, wasmtime.SharedMemory)):
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
        if name.startswith("host:"):
            return "e"
        return {"func": "f", "extern": "e", "struct": "s", "array": "a", "exn": "x"}.get(name, "o")

    def read_memory(self, instance_id, name, offset, length):
        data = self.memory_bytes(self.export(instance_id, name, (wasmtime.Memory, wasmtime.SharedMemory)))
        if offset < 0 or length < 0 or offset + length > len(data):
            raise BadRequest("bytes %d..%d are outside memory %r" % (offset, offset + length, name))
        return {"bytes": base64.b64encode(data[offset:offset + length]).decode("ascii")}

    @staticmethod
    def lookup(items, index, what):
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(items):
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
    if op in ("configure", "get-global") and state["version"] < 2:
        return {"error": {"code": "unknown-op", "message": "%s needs protocol version 2" % op}}
    if op == "configure":
        features = request.get("features")
        if not isinstance(features, list) or not all(isinstance(f, str) for f in features):
            raise BadRequest('no "features"')
        fuel = request.get("fuel")
        if fuel is not None:
            if not isinstance(fuel, str) or not fuel.isdigit():
                raise BadRequest('bad "fuel"')
            fuel = int(fuel)
        return {"features": engine.build(set(features), fuel)}
    if op == "get-global":
        return engine.get_global(request.get("instance"), request["export"])
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
