#ifndef WASMCHECK_AGENT_RUNTIME_H
#define WASMCHECK_AGENT_RUNTIME_H

/*
 * The C runtime of `wasmcheck-agent` (docs/agent-protocol.md): one store on
 * the CWasmVM layout (CWasmVM.h) that the agent's wire loop drives, with the
 * builtins in C. The host (AgentEngine, in Swift) validates, links and
 * compiles; this file only allocates, runs code and checks what the wire
 * gives it (every handle is looked up in the store's registry before use,
 * so a bad handle is an error, never a stray pointer).
 *
 * Everything is prefixed `wvm_agent_`: it links with CWasmVM's Layout.c and
 * NativeStack.c, in the SwiftPM product and in ci/build-agent.sh's builds.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "CWasmVM.h"

/* The results of the store's operations (besides their outputs). */
typedef enum wvm_agent_result {
    wvm_agent_ok = 0,
    /* A bad request: unknown handle, index out of range, bad argument.
     * `wvm_agent_message` says which. */
    wvm_agent_bad_request = 1,
    /* An allocation the agent cannot make (memory, table, code). */
    wvm_agent_exhausted = 2,
    /* The operation trapped: the trap code and detail are in the outputs. */
    wvm_agent_trapped = 3,
} wvm_agent_result;

typedef struct wvm_agent_store wvm_agent_store;

/* Makes a host call: arguments in slots[0..<parameterSlots], results
 * written to slots[0..<resultSlots] (the slots have room for the larger).
 * Returns 0 or a WVMTrapCode (WVMTrapHost when the host trapped). */
typedef int32_t (*wvm_agent_host_call)(void *context, uint32_t hostIndex, uint64_t *slots, uint32_t parameterSlots,
                                       uint32_t resultSlots);

/* A store with `valueStackSlots` slots of value stack (at least 1024) and
 * `nativeStackLimit` as the lowest native stack address code may use
 * (wvm_agent_native_stack_limit). Null when it cannot be allocated. */
wvm_agent_store *wvm_agent_store_create(uint64_t callDepthLimit, uint64_t valueStackSlots,
                                        const void *nativeStackLimit);
void wvm_agent_store_destroy(wvm_agent_store *store);

/* The message of the last `wvm_agent_bad_request` / `wvm_agent_exhausted`. */
const char *wvm_agent_message(const wvm_agent_store *store);

/* Installs the function `callHost` (and invoke of a host function) uses. */
void wvm_agent_set_host_call(wvm_agent_store *store, wvm_agent_host_call call, void *context);

/* The lowest native stack address code may use, for a thread whose stack
 * is the main thread's and `anchor` the address of a local near its top:
 * anchor - RLIMIT_STACK (8 MiB when unlimited) + a 256 KiB reserve for the
 * C code (builtins, host calls) that runs below code's frames. */
const void *wvm_agent_native_stack_limit(const void *anchor);

/* configure: frees everything made so far and starts a fresh store whose
 * GC heap holds at most `maxHeapBytes` (1 GiB until configured).
 * Refused (bad request) while an invocation runs (from a host call). */
wvm_agent_result wvm_agent_configure(wvm_agent_store *store, uint64_t callDepthLimit, uint64_t valueStackSlots,
                                     uint64_t maxHeapBytes);

/* load-code: maps `count` bytes read+write, copies them, remaps them
 * read+execute and flushes the instruction cache. */
wvm_agent_result wvm_agent_load_code(wvm_agent_store *store, const void *bytes, uint64_t count, uint64_t *base);

wvm_agent_result wvm_agent_new_memory(wvm_agent_store *store, uint64_t minPages, uint64_t maxPages,
                                      uint8_t pageSizeLog2, bool is64, WVMMemory **memory);
wvm_agent_result wvm_agent_new_table(wvm_agent_store *store, uint64_t minimum, uint64_t maximum, bool is64,
                                     uint64_t initial, WVMTable **table);
wvm_agent_result wvm_agent_new_global(wvm_agent_store *store, uint64_t lo, uint64_t hi, uint64_t **cell);
wvm_agent_result wvm_agent_new_host_function(wvm_agent_store *store, int64_t typeID, uint32_t parameterSlots,
                                             uint32_t resultSlots, uint32_t hostIndex, WVMFunctionHeader **header);

/* One function of new-instance: an import (`header`) or a defined one. */
typedef struct wvm_agent_function_spec {
    bool defined;
    uint64_t header;      /* import: the handle of its header */
    uint64_t entryOffset; /* defined: entry at codeBase + entryOffset */
    int64_t typeID;
    uint32_t parameterSlots, resultSlots;
} wvm_agent_function_spec;

/* new-instance: a vmctx with its function index space; `headers` (count
 * entries, caller-allocated) receives the header of each function. */
wvm_agent_result wvm_agent_new_instance(wvm_agent_store *store, uint64_t codeBase, uint32_t count,
                                        const wvm_agent_function_spec *functions, WVMInstance **vmctx,
                                        WVMFunctionHeader **headers);

/* The index spaces finish-instance gives, as decoded from the wire. */
typedef struct wvm_agent_u64_list {
    uint32_t count;
    const uint64_t *items;
} wvm_agent_u64_list;

typedef struct wvm_agent_byte_list {
    uint32_t count;
    const uint8_t *bytes;
} wvm_agent_byte_list;

typedef struct wvm_agent_instance_parts {
    wvm_agent_u64_list tables, memories, globals, tags, typeIDs;
    uint32_t elementCount;
    const wvm_agent_u64_list *elements;
    uint32_t dataCount;
    const wvm_agent_byte_list *datas;
} wvm_agent_instance_parts;

/* finish-instance: validates the handles, copies the segments (the
 * instance owns them) and fills the vmctx. Once per instance. */
wvm_agent_result wvm_agent_finish_instance(wvm_agent_store *store, uint64_t vmctx,
                                           const wvm_agent_instance_parts *parts);

/* declare-type: type `typeID` (the next one: IDs are declared in order
 * from 0; repeating one unchanged is accepted), `supertypeID` (-1: none)
 * its declared supertype, `kind` 0 func, 1 struct, 2 array, and the
 * storages of its fields (struct) or its element (array: exactly 1). */
wvm_agent_result wvm_agent_declare_type(wvm_agent_store *store, int64_t typeID, int64_t supertypeID, uint8_t kind,
                                        const uint8_t *storages, uint32_t storageCount);

/* new-tag: a tag of type `typeID` whose exceptions carry `payloadSlots`
 * slots; `*identity` is what vmctx->tags holds for it. */
wvm_agent_result wvm_agent_new_tag(wvm_agent_store *store, int64_t typeID, uint32_t payloadSlots, uint64_t *identity);

/* new-object: a struct (length 0) or array of the declared type `typeID`
 * with its field slots (exactly as many as the type needs). Never collects.
 * A full heap is a trap (`*trap`: ResourceExhausted), as an allocation
 * of a constant expression in the Swift store. */
wvm_agent_result wvm_agent_new_object(wvm_agent_store *store, int64_t typeID, uint64_t length, const uint64_t *slots,
                                      uint32_t slotCount, uint64_t *bits, int32_t *trap);

/* reference-kind: what any 64-bit value is as a reference of this store. */
enum {
    WVM_AGENT_REFERENCE_NULL = 0,
    WVM_AGENT_REFERENCE_FUNCTION = 1,
    WVM_AGENT_REFERENCE_STRUCT = 2,
    WVM_AGENT_REFERENCE_ARRAY = 3,
    WVM_AGENT_REFERENCE_EXCEPTION = 4,
    WVM_AGENT_REFERENCE_I31 = 5,
    WVM_AGENT_REFERENCE_HOST = 6,
    WVM_AGENT_REFERENCE_OTHER = 7,
};
uint8_t wvm_agent_reference_kind(wvm_agent_store *store, uint64_t bits);

/* For tests and diagnostics: the bottom of the value stack (where invoke
 * puts the arguments) and the GC heap's counters. */
uint64_t *wvm_agent_value_stack_bottom(wvm_agent_store *store);
typedef struct wvm_agent_heap_statistics {
    uint64_t bytes;       /* allocated, hidden words included */
    uint64_t objects;     /* live or not yet swept */
    uint64_t collections; /* run so far */
} wvm_agent_heap_statistics;
wvm_agent_heap_statistics wvm_agent_heap_stats(const wvm_agent_store *store);

/* invoke: runs the function of `header` with `argumentCount` argument
 * slots (must be its parameterSlots). On ok, `*resultCount` result slots
 * are at `*results` (the value stack: valid until the next invocation);
 * on trapped, `*trap` and `*detail` (UINT64_MAX: none). */
wvm_agent_result wvm_agent_invoke(wvm_agent_store *store, uint64_t header, bool hasFuel, uint64_t fuel,
                                  const uint64_t *arguments, uint32_t argumentCount, const uint64_t **results,
                                  uint32_t *resultCount, int32_t *trap, uint64_t *detail);

/* Read access for the wire: the registered object of a handle, or null. */
WVMMemory *wvm_agent_memory(wvm_agent_store *store, uint64_t handle);
WVMTable *wvm_agent_table(wvm_agent_store *store, uint64_t handle);
uint64_t *wvm_agent_global(wvm_agent_store *store, uint64_t handle);

/* memory-read: the bytes at [offset, offset + count), bounds checked. */
wvm_agent_result wvm_agent_memory_bytes(wvm_agent_store *store, uint64_t memory, uint64_t offset, uint64_t count,
                                        const uint8_t **bytes);

/* memory-write: copies `count` bytes to [offset, offset + count), bounds
 * checked (nothing is written when the range is out of bounds). */
wvm_agent_result wvm_agent_memory_write(wvm_agent_store *store, uint64_t memory, uint64_t offset, const uint8_t *bytes,
                                        uint64_t count);

/* table-init, elem-drop, memory-init, data-drop as the host drives them:
 * indices checked against the instance; traps as the builtins. */
wvm_agent_result wvm_agent_table_init(wvm_agent_store *store, uint64_t vmctx, uint32_t table, uint32_t segment,
                                      uint64_t destination, uint32_t source, uint32_t count, int32_t *trap);
wvm_agent_result wvm_agent_elem_drop(wvm_agent_store *store, uint64_t vmctx, uint32_t segment);
wvm_agent_result wvm_agent_memory_init(wvm_agent_store *store, uint64_t vmctx, uint32_t memory, uint32_t segment,
                                       uint64_t destination, uint32_t source, uint32_t count, int32_t *trap);
wvm_agent_result wvm_agent_data_drop(wvm_agent_store *store, uint64_t vmctx, uint32_t segment);

/* ContentHash (Sources/WasmEngines/ContentHash.swift): CRC-32 (IEEE) in
 * the high 32 bits, Adler-32 in the low 32 bits. */
uint64_t wvm_agent_content_hash(const void *bytes, size_t count);

#endif
