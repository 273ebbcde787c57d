/*
 * wasmcheck-agent: runs JIT code out of process for the host's AgentEngine,
 * speaking docs/agent-protocol.md on stdin/stdout. It cannot decode,
 * validate or compile WebAssembly: it loads code, allocates store objects
 * and calls functions (AgentRuntime.h), nothing more.
 *
 * stdout carries only frames, written with write(2) (no stdio buffering);
 * diagnostics go to stderr.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "AgentRuntime.h"
#include "Wire.h"

#define AGENT_PROTOCOL_VERSION 1u
#define AGENT_IN 0
#define AGENT_OUT 1

/* Requests (agent-protocol.md, "Requests") and host-call frames. */
enum {
    OP_HELLO = 0x01,
    OP_CONFIGURE = 0x02,
    OP_QUIT = 0x03,
    OP_LOAD_CODE = 0x10,
    OP_NEW_MEMORY = 0x11,
    OP_NEW_TABLE = 0x12,
    OP_NEW_GLOBAL = 0x13,
    OP_NEW_HOST_FUNCTION = 0x14,
    OP_NEW_INSTANCE = 0x15,
    OP_FINISH_INSTANCE = 0x16,
    OP_DECLARE_TYPE = 0x17,
    OP_NEW_OBJECT = 0x18,
    OP_NEW_TAG = 0x19,
    OP_INVOKE = 0x20,
    OP_MEMORY_INFO = 0x30,
    OP_MEMORY_READ = 0x31,
    OP_MEMORY_HASH = 0x32,
    OP_TABLE_READ = 0x33,
    OP_GLOBAL_READ = 0x34,
    OP_REFERENCE_KIND = 0x35,
    OP_MEMORY_WRITE = 0x36,
    OP_TABLE_INIT = 0x40,
    OP_ELEM_DROP = 0x41,
    OP_MEMORY_INIT = 0x42,
    OP_DATA_DROP = 0x43,
    OP_HOST_CALL = 0x80,
    OP_HOST_RETURN = 0x81,
    OP_HOST_TRAP = 0x82,
};

#if defined(__x86_64__)
#define AGENT_ARCH 1
#elif defined(__aarch64__)
#define AGENT_ARCH 2
#else
#error "wasmcheck-agent: the protocol knows x86-64 and AArch64 only"
#endif

/* The agent's one store. */
static wvm_agent_store *store;

/* ---------------------------------------------------------------------------
 * Answers.
 */

/* Writes a frame; a host that stopped reading ends the agent. */
static void send_frame(uint8_t status, const void *head, size_t headLength, const void *tail, size_t tailLength) {
    if (!wire_write_frame(AGENT_OUT, status, head, headLength, tail, tailLength)) {
        fprintf(stderr, "wasmcheck-agent: cannot write to the host; exiting\n");
        exit(1);
    }
}

static void answer_error(const char *message) {
    size_t length = strlen(message);
    uint8_t prefix[4] = {(uint8_t)length, (uint8_t)(length >> 8), (uint8_t)(length >> 16), (uint8_t)(length >> 24)};
    send_frame(WIRE_ERROR, prefix, sizeof prefix, message, length);
}

static void answer_exhausted(void) { send_frame(WIRE_EXHAUSTED, NULL, 0, NULL, 0); }

/* An ok answer with the body `w` (exhausted when it could not be built). */
static void answer_ok(wire_writer *w) {
    if (w->failed) answer_exhausted();
    else send_frame(WIRE_OK, w->data, w->length, NULL, 0);
    wire_writer_free(w);
}

static void answer_empty(void) { send_frame(WIRE_OK, NULL, 0, NULL, 0); }

static void answer_u64(uint64_t value) {
    wire_writer w = {0};
    wire_put_u64(&w, value);
    answer_ok(&w);
}

static void answer_trap(int32_t code, uint64_t detail) {
    wire_writer w = {0};
    wire_put_u32(&w, (uint32_t)code);
    wire_put_u64(&w, detail);
    if (w.failed) answer_exhausted();
    else send_frame(WIRE_TRAP, w.data, w.length, NULL, 0);
    wire_writer_free(&w);
}

/* The answer of a store operation that failed. */
static void answer_failure(wvm_agent_result result) {
    if (result == wvm_agent_exhausted) answer_exhausted();
    else answer_error(wvm_agent_message(store));
}

/* A body that is short or too long for its request. */
static void answer_bad_body(const char *request) {
    char message[96];
    snprintf(message, sizeof message, "%s: malformed body", request);
    answer_error(message);
}

/* ---------------------------------------------------------------------------
 * Requests. Each parses its whole body first (wire_done), then acts.
 */

static void op_hello(wire_reader *r) {
    uint32_t version = wire_u32(r);
    if (!wire_done(r)) {
        answer_bad_body("hello");
        return;
    }
    if (version != AGENT_PROTOCOL_VERSION) {
        answer_error("hello: unsupported protocol version");
        return;
    }
    wire_writer w = {0};
    wire_put_u32(&w, AGENT_PROTOCOL_VERSION);
    wire_put_u8(&w, AGENT_ARCH);
    wire_put_u8(&w, (uint8_t)sizeof(void *));
    answer_ok(&w);
}

/* EngineConfiguration.maxHeapBytes's default. */
#define AGENT_DEFAULT_MAX_HEAP_BYTES ((uint64_t)1 << 30)

static void op_configure(wire_reader *r) {
    uint64_t callDepthLimit = wire_u64(r), valueStackSlots = wire_u64(r);
    /* A host of the previous protocol sends no heap limit: the default. */
    uint64_t maxHeapBytes = r->left == 0 ? AGENT_DEFAULT_MAX_HEAP_BYTES : wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("configure");
        return;
    }
    wvm_agent_result result = wvm_agent_configure(store, callDepthLimit, valueStackSlots, maxHeapBytes);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_empty();
}

static void op_load_code(wire_reader *r) {
    uint64_t n = wire_u64(r);
    const uint8_t *bytes = wire_bytes(r, n);
    if (!wire_done(r)) {
        answer_bad_body("load-code");
        return;
    }
    uint64_t base;
    wvm_agent_result result = wvm_agent_load_code(store, bytes, n, &base);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64(base);
}

static void op_new_memory(wire_reader *r) {
    uint64_t minPages = wire_u64(r), maxPages = wire_u64(r);
    uint8_t pageSizeLog2 = wire_u8(r), is64 = wire_u8(r);
    if (!wire_done(r)) {
        answer_bad_body("new-memory");
        return;
    }
    WVMMemory *memory;
    wvm_agent_result result = wvm_agent_new_memory(store, minPages, maxPages, pageSizeLog2, is64 != 0, &memory);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64((uint64_t)(uintptr_t)memory);
}

static void op_new_table(wire_reader *r) {
    uint64_t minimum = wire_u64(r), maximum = wire_u64(r);
    uint8_t is64 = wire_u8(r);
    uint64_t initial = wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("new-table");
        return;
    }
    WVMTable *table;
    wvm_agent_result result = wvm_agent_new_table(store, minimum, maximum, is64 != 0, initial, &table);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64((uint64_t)(uintptr_t)table);
}

static void op_new_global(wire_reader *r) {
    uint64_t lo = wire_u64(r), hi = wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("new-global");
        return;
    }
    uint64_t *cell;
    wvm_agent_result result = wvm_agent_new_global(store, lo, hi, &cell);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64((uint64_t)(uintptr_t)cell);
}

static void op_new_host_function(wire_reader *r) {
    int64_t typeID = (int64_t)wire_u64(r);
    uint32_t parameterSlots = wire_u32(r), resultSlots = wire_u32(r), hostIndex = wire_u32(r);
    if (!wire_done(r)) {
        answer_bad_body("new-host-function");
        return;
    }
    WVMFunctionHeader *header;
    wvm_agent_result result =
        wvm_agent_new_host_function(store, typeID, parameterSlots, resultSlots, hostIndex, &header);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64((uint64_t)(uintptr_t)header);
}

/* Parses the function list of new-instance into `specs` (count entries). */
static void read_function_specs(wire_reader *r, uint32_t count, wvm_agent_function_spec *specs) {
    for (uint32_t i = 0; i < count && !r->bad; i++) {
        wvm_agent_function_spec *f = &specs[i];
        uint8_t kind = wire_u8(r);
        *f = (wvm_agent_function_spec){0};
        if (kind == 0) {
            f->header = wire_u64(r);
        } else if (kind == 1) {
            f->defined = true;
            f->entryOffset = wire_u64(r);
            f->typeID = (int64_t)wire_u64(r);
            f->parameterSlots = wire_u32(r);
            f->resultSlots = wire_u32(r);
        } else {
            r->bad = true; /* neither an import nor a definition */
        }
    }
}

static void op_new_instance(wire_reader *r) {
    uint64_t codeBase = wire_u64(r);
    uint32_t count = wire_u32(r);
    /* Each function takes at least 9 bytes: bounds the allocations. */
    if (!wire_fits(r, count, 9)) {
        answer_bad_body("new-instance");
        return;
    }
    wvm_agent_function_spec *specs = calloc(count ? count : 1, sizeof *specs);
    WVMFunctionHeader **headers = calloc(count ? count : 1, sizeof *headers);
    if (!specs || !headers) {
        free(specs);
        free(headers);
        answer_exhausted();
        return;
    }
    read_function_specs(r, count, specs);
    if (!wire_done(r)) {
        answer_bad_body("new-instance");
    } else {
        WVMInstance *vmctx;
        wvm_agent_result result = wvm_agent_new_instance(store, codeBase, count, specs, &vmctx, headers);
        if (result != wvm_agent_ok) {
            answer_failure(result);
        } else {
            wire_writer w = {0};
            wire_put_u64(&w, (uint64_t)(uintptr_t)vmctx);
            wire_put_u32(&w, count);
            for (uint32_t i = 0; i < count; i++) wire_put_u64(&w, (uint64_t)(uintptr_t)headers[i]);
            answer_ok(&w);
        }
    }
    free(specs);
    free(headers);
}

/* The decoded body of finish-instance; every array is owned. */
typedef struct finish_lists {
    wvm_agent_instance_parts parts;
    uint64_t *lists[5];
    wvm_agent_u64_list *elements;
    uint64_t **elementItems;
    wvm_agent_byte_list *datas;
} finish_lists;

static void free_finish_lists(finish_lists *f) {
    for (int i = 0; i < 5; i++) free(f->lists[i]);
    if (f->elementItems) {
        for (uint32_t i = 0; i < f->parts.elementCount; i++) free(f->elementItems[i]);
    }
    free(f->elementItems);
    free(f->elements);
    free(f->datas);
}

/* A `u32 count + u64 each` list into `*items` (owned); false when out of
 * memory (a short body only sets r->bad). */
static bool read_u64_list(wire_reader *r, wvm_agent_u64_list *list, uint64_t **items) {
    uint32_t count = wire_u32(r);
    if (!wire_fits(r, count, 8)) {
        r->bad = true;
        return true;
    }
    *items = malloc((count ? count : 1) * sizeof(uint64_t));
    if (!*items) return false;
    for (uint32_t i = 0; i < count; i++) (*items)[i] = wire_u64(r);
    *list = (wvm_agent_u64_list){count, *items};
    return true;
}

/* The segments of finish-instance; false when out of memory. */
static bool read_segments(wire_reader *r, finish_lists *f) {
    uint32_t elementCount = wire_u32(r);
    /* Each element segment takes at least its 4-byte count. */
    if (!wire_fits(r, elementCount, 4)) {
        r->bad = true;
        return true;
    }
    f->elements = calloc(elementCount ? elementCount : 1, sizeof *f->elements);
    f->elementItems = calloc(elementCount ? elementCount : 1, sizeof *f->elementItems);
    if (!f->elements || !f->elementItems) return false;
    f->parts.elementCount = elementCount;
    for (uint32_t i = 0; i < elementCount && !r->bad; i++) {
        if (!read_u64_list(r, &f->elements[i], &f->elementItems[i])) return false;
    }
    f->parts.elements = f->elements;
    uint32_t dataCount = wire_u32(r);
    if (!wire_fits(r, dataCount, 4)) {
        r->bad = true;
        return true;
    }
    f->datas = calloc(dataCount ? dataCount : 1, sizeof *f->datas);
    if (!f->datas) return false;
    f->parts.dataCount = dataCount;
    for (uint32_t i = 0; i < dataCount && !r->bad; i++) {
        uint32_t n = wire_u32(r);
        /* Data bytes stay in the request body; the store copies them. */
        f->datas[i] = (wvm_agent_byte_list){n, wire_bytes(r, n)};
    }
    f->parts.datas = f->datas;
    return true;
}

static void op_finish_instance(wire_reader *r) {
    uint64_t vmctx = wire_u64(r);
    finish_lists f = {0};
    wvm_agent_u64_list *lists[5] = {&f.parts.tables, &f.parts.memories, &f.parts.globals, &f.parts.tags,
                                    &f.parts.typeIDs};
    bool memoryOK = true;
    for (int i = 0; i < 5 && memoryOK && !r->bad; i++) memoryOK = read_u64_list(r, lists[i], &f.lists[i]);
    if (memoryOK && !r->bad) memoryOK = read_segments(r, &f);
    if (!memoryOK) {
        answer_exhausted();
    } else if (!wire_done(r)) {
        answer_bad_body("finish-instance");
    } else {
        wvm_agent_result result = wvm_agent_finish_instance(store, vmctx, &f.parts);
        if (result != wvm_agent_ok) answer_failure(result);
        else answer_empty();
    }
    free_finish_lists(&f);
}

static void op_declare_type(wire_reader *r) {
    int64_t typeID = (int64_t)wire_u64(r), supertypeID = (int64_t)wire_u64(r);
    /* A host of the previous protocol sends neither kind nor storages: a
     * function type. */
    uint8_t kind = r->left == 0 ? 0 : wire_u8(r);
    uint32_t count = 0;
    if (kind == 1) {
        count = wire_u32(r);
    } else if (kind == 2) {
        /* The element's storage alone; also accepted with a count of 1
         * before it, as a struct's list (the protocol text reads both ways). */
        count = r->left == 5 ? wire_u32(r) : 1;
    }
    /* The storages stay in the request body (one byte each). */
    const uint8_t *storages = count > 0 ? wire_bytes(r, count) : NULL;
    if (!wire_done(r)) {
        answer_bad_body("declare-type");
        return;
    }
    wvm_agent_result result = wvm_agent_declare_type(store, typeID, supertypeID, kind, storages, count);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_empty();
}

static void op_new_object(wire_reader *r) {
    int64_t typeID = (int64_t)wire_u64(r);
    uint64_t length = wire_u64(r);
    uint32_t n = wire_u32(r);
    if (!wire_fits(r, n, 8)) {
        answer_bad_body("new-object");
        return;
    }
    uint64_t *slots = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!slots) {
        answer_exhausted();
        return;
    }
    for (uint32_t i = 0; i < n; i++) slots[i] = wire_u64(r);
    if (!wire_done(r)) {
        free(slots);
        answer_bad_body("new-object");
        return;
    }
    uint64_t bits = 0;
    int32_t trap = 0;
    wvm_agent_result result = wvm_agent_new_object(store, typeID, length, slots, n, &bits, &trap);
    free(slots);
    if (result == wvm_agent_trapped) answer_trap(trap, UINT64_MAX);
    else if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64(bits);
}

static void op_new_tag(wire_reader *r) {
    int64_t typeID = (int64_t)wire_u64(r);
    uint32_t payloadSlots = wire_u32(r);
    if (!wire_done(r)) {
        answer_bad_body("new-tag");
        return;
    }
    uint64_t identity;
    wvm_agent_result result = wvm_agent_new_tag(store, typeID, payloadSlots, &identity);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_u64(identity);
}

static void op_reference_kind(wire_reader *r) {
    uint64_t bits = wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("reference-kind");
        return;
    }
    wire_writer w = {0};
    wire_put_u8(&w, wvm_agent_reference_kind(store, bits));
    answer_ok(&w);
}

static void op_invoke(wire_reader *r) {
    uint64_t header = wire_u64(r);
    uint8_t hasFuel = wire_u8(r);
    uint64_t fuel = wire_u64(r);
    uint32_t n = wire_u32(r);
    if (!wire_fits(r, n, 8)) {
        answer_bad_body("invoke");
        return;
    }
    uint64_t *arguments = malloc((n ? n : 1) * sizeof(uint64_t));
    if (!arguments) {
        answer_exhausted();
        return;
    }
    for (uint32_t i = 0; i < n; i++) arguments[i] = wire_u64(r);
    if (!wire_done(r)) {
        free(arguments);
        answer_bad_body("invoke");
        return;
    }
    const uint64_t *results = NULL;
    uint32_t resultCount = 0;
    int32_t trap = 0;
    uint64_t detail = UINT64_MAX;
    wvm_agent_result result =
        wvm_agent_invoke(store, header, hasFuel != 0, fuel, arguments, n, &results, &resultCount, &trap, &detail);
    free(arguments);
    if (result == wvm_agent_trapped) {
        answer_trap(trap, detail);
    } else if (result != wvm_agent_ok) {
        answer_failure(result);
    } else if (resultCount > (WIRE_MAX_FRAME - 5) / 8) {
        answer_error("invoke: too many results for one frame");
    } else {
        wire_writer w = {0};
        wire_put_u32(&w, resultCount);
        for (uint32_t i = 0; i < resultCount; i++) wire_put_u64(&w, results[i]);
        answer_ok(&w);
    }
}

static void op_memory_info(wire_reader *r) {
    WVMMemory *memory = wvm_agent_memory(store, wire_u64(r));
    if (!wire_done(r)) {
        answer_bad_body("memory-info");
        return;
    }
    if (!memory) {
        answer_error("memory-info: not a memory");
        return;
    }
    wire_writer w = {0};
    wire_put_u64(&w, (uint64_t)memory->byteCount);
    wire_put_u64(&w, memory->pageCount);
    answer_ok(&w);
}

static void op_memory_read(wire_reader *r) {
    uint64_t memory = wire_u64(r), offset = wire_u64(r), count = wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("memory-read");
        return;
    }
    const uint8_t *bytes;
    wvm_agent_result result = wvm_agent_memory_bytes(store, memory, offset, count, &bytes);
    if (result != wvm_agent_ok) {
        answer_failure(result);
    } else if (count > WIRE_MAX_FRAME - 1 - 8) {
        answer_error("memory-read: too many bytes for one frame");
    } else {
        /* The bytes go out straight from the memory, without a copy. */
        uint8_t head[8];
        for (int i = 0; i < 8; i++) head[i] = (uint8_t)(count >> (8 * i));
        send_frame(WIRE_OK, head, sizeof head, bytes, (size_t)count);
    }
}

static void op_memory_write(wire_reader *r) {
    uint64_t memory = wire_u64(r), offset = wire_u64(r), count = wire_u64(r);
    const uint8_t *bytes = wire_bytes(r, count);
    if (!wire_done(r)) {
        answer_bad_body("memory-write");
        return;
    }
    wvm_agent_result result = wvm_agent_memory_write(store, memory, offset, bytes, count);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_empty();
}

static void op_memory_hash(wire_reader *r) {
    WVMMemory *memory = wvm_agent_memory(store, wire_u64(r));
    if (!wire_done(r)) {
        answer_bad_body("memory-hash");
        return;
    }
    if (!memory) {
        answer_error("memory-hash: not a memory");
        return;
    }
    answer_u64(wvm_agent_content_hash(memory->base, (size_t)memory->byteCount));
}

static void op_table_read(wire_reader *r) {
    WVMTable *table = wvm_agent_table(store, wire_u64(r));
    uint64_t start = wire_u64(r), count = wire_u64(r);
    if (!wire_done(r)) {
        answer_bad_body("table-read");
        return;
    }
    if (!table) {
        answer_error("table-read: not a table");
        return;
    }
    uint64_t size = (uint64_t)table->count;
    /* n = min(count, size - start); nothing when start is past the end. */
    uint64_t n = start >= size ? 0 : (count < size - start ? count : size - start);
    if (n > (WIRE_MAX_FRAME - 17) / 8) {
        answer_error("table-read: too many entries for one frame");
        return;
    }
    wire_writer w = {0};
    wire_put_u64(&w, size);
    wire_put_u64(&w, n);
    for (uint64_t i = 0; i < n; i++) wire_put_u64(&w, table->elements[start + i]);
    answer_ok(&w);
}

static void op_global_read(wire_reader *r) {
    uint64_t *cell = wvm_agent_global(store, wire_u64(r));
    if (!wire_done(r)) {
        answer_bad_body("global-read");
        return;
    }
    if (!cell) {
        answer_error("global-read: not a global cell");
        return;
    }
    wire_writer w = {0};
    wire_put_u64(&w, cell[0]);
    wire_put_u64(&w, cell[1]);
    answer_ok(&w);
}

/* table-init and memory-init share their body's shape. */
static void op_segment_init(wire_reader *r, bool table) {
    uint64_t vmctx = wire_u64(r);
    uint32_t index = wire_u32(r), segment = wire_u32(r);
    uint64_t destination = wire_u64(r);
    uint32_t source = wire_u32(r), count = wire_u32(r);
    if (!wire_done(r)) {
        answer_bad_body(table ? "table-init" : "memory-init");
        return;
    }
    int32_t trap = 0;
    wvm_agent_result result =
        table ? wvm_agent_table_init(store, vmctx, index, segment, destination, source, count, &trap)
              : wvm_agent_memory_init(store, vmctx, index, segment, destination, source, count, &trap);
    if (result == wvm_agent_trapped) answer_trap(trap, UINT64_MAX);
    else if (result != wvm_agent_ok) answer_failure(result);
    else answer_empty();
}

/* elem-drop and data-drop. */
static void op_segment_drop(wire_reader *r, bool element) {
    uint64_t vmctx = wire_u64(r);
    uint32_t segment = wire_u32(r);
    if (!wire_done(r)) {
        answer_bad_body(element ? "elem-drop" : "data-drop");
        return;
    }
    wvm_agent_result result =
        element ? wvm_agent_elem_drop(store, vmctx, segment) : wvm_agent_data_drop(store, vmctx, segment);
    if (result != wvm_agent_ok) answer_failure(result);
    else answer_empty();
}

static void op_quit(wire_reader *r) {
    if (!wire_done(r)) {
        answer_bad_body("quit");
        return;
    }
    answer_empty();
    exit(0);
}

/* Answers one request. */
static void dispatch(const wire_frame *frame) {
    wire_reader r = {frame->body, frame->length, false};
    switch (frame->op) {
    case OP_HELLO: op_hello(&r); break;
    case OP_CONFIGURE: op_configure(&r); break;
    case OP_QUIT: op_quit(&r); break;
    case OP_LOAD_CODE: op_load_code(&r); break;
    case OP_NEW_MEMORY: op_new_memory(&r); break;
    case OP_NEW_TABLE: op_new_table(&r); break;
    case OP_NEW_GLOBAL: op_new_global(&r); break;
    case OP_NEW_HOST_FUNCTION: op_new_host_function(&r); break;
    case OP_NEW_INSTANCE: op_new_instance(&r); break;
    case OP_FINISH_INSTANCE: op_finish_instance(&r); break;
    case OP_DECLARE_TYPE: op_declare_type(&r); break;
    case OP_NEW_OBJECT: op_new_object(&r); break;
    case OP_NEW_TAG: op_new_tag(&r); break;
    case OP_INVOKE: op_invoke(&r); break;
    case OP_MEMORY_INFO: op_memory_info(&r); break;
    case OP_MEMORY_READ: op_memory_read(&r); break;
    case OP_MEMORY_HASH: op_memory_hash(&r); break;
    case OP_TABLE_READ: op_table_read(&r); break;
    case OP_GLOBAL_READ: op_global_read(&r); break;
    case OP_REFERENCE_KIND: op_reference_kind(&r); break;
    case OP_MEMORY_WRITE: op_memory_write(&r); break;
    case OP_TABLE_INIT: op_segment_init(&r, true); break;
    case OP_ELEM_DROP: op_segment_drop(&r, true); break;
    case OP_MEMORY_INIT: op_segment_init(&r, false); break;
    case OP_DATA_DROP: op_segment_drop(&r, false); break;
    default: {
        char message[64];
        snprintf(message, sizeof message, "unknown op 0x%02x", frame->op);
        answer_error(message);
    }
    }
}

/* Reads the next frame; answers the frames that cannot be requests (empty,
 * oversize, unallocatable) itself and exits at the end of input. Returns
 * only with a frame. */
static void next_frame(wire_frame *frame) {
    for (;;) {
        switch (wire_read_frame(AGENT_IN, frame)) {
        case wire_read_ok: return;
        case wire_read_eof: exit(0);
        case wire_read_broken:
            fprintf(stderr, "wasmcheck-agent: input ended inside a frame; exiting\n");
            exit(1);
        case wire_read_empty: answer_error("empty frame"); break;
        case wire_read_oversize: answer_error("frame longer than 256 MiB"); break;
        case wire_read_no_memory: answer_exhausted(); break;
        }
    }
}

/* ---------------------------------------------------------------------------
 * Host calls (agent-protocol.md, "Host calls").
 */

/* Reads a host-return into slots: exactly `resultSlots` results. */
static int32_t read_host_return(const wire_frame *frame, uint64_t *slots, uint32_t resultSlots) {
    wire_reader r = {frame->body, frame->length, false};
    uint32_t n = wire_u32(&r);
    if (n != resultSlots || !wire_fits(&r, n, 8)) {
        fprintf(stderr, "wasmcheck-agent: host-return with %u results, expected %u\n", n, resultSlots);
        return WVMTrapHost;
    }
    for (uint32_t i = 0; i < n; i++) slots[i] = wire_u64(&r);
    if (!wire_done(&r)) {
        fprintf(stderr, "wasmcheck-agent: malformed host-return\n");
        return WVMTrapHost;
    }
    return WVMTrapNone;
}

/* The callHost round trip: a host-call frame, then frames until the host
 * returns or traps. Requests that come meanwhile (the host function may
 * read and write memory, as WASI does, or call back into wasm) are
 * answered, nested. */
static int32_t host_call(void *context, uint32_t hostIndex, uint64_t *slots, uint32_t parameterSlots,
                         uint32_t resultSlots) {
    (void)context;
    if (parameterSlots > (WIRE_MAX_FRAME - 9) / 8) {
        fprintf(stderr, "wasmcheck-agent: host call with too many arguments for one frame\n");
        return WVMTrapHost;
    }
    wire_writer w = {0};
    wire_put_u32(&w, hostIndex);
    wire_put_u32(&w, parameterSlots);
    for (uint32_t i = 0; i < parameterSlots; i++) wire_put_u64(&w, slots[i]);
    if (w.failed) {
        wire_writer_free(&w);
        fprintf(stderr, "wasmcheck-agent: out of memory for a host call\n");
        return WVMTrapHost;
    }
    send_frame(OP_HOST_CALL, w.data, w.length, NULL, 0);
    wire_writer_free(&w);
    for (;;) {
        wire_frame frame;
        next_frame(&frame);
        int32_t status = -1;
        if (frame.op == OP_HOST_RETURN) status = read_host_return(&frame, slots, resultSlots);
        else if (frame.op == OP_HOST_TRAP) status = WVMTrapHost;
        else dispatch(&frame);
        free(frame.body);
        if (status >= 0) return status;
    }
}

int main(void) {
    /* A host that goes away makes write fail (handled), not kill us. */
    signal(SIGPIPE, SIG_IGN);
    int anchor = 0;
    /* Defaults until the host configures: Engine.Configuration's. */
    store = wvm_agent_store_create(20000, (uint64_t)1 << 22, wvm_agent_native_stack_limit(&anchor));
    if (!store) {
        fprintf(stderr, "wasmcheck-agent: cannot create the store\n");
        return 1;
    }
    wvm_agent_set_host_call(store, host_call, NULL);
    for (;;) {
        wire_frame frame;
        next_frame(&frame);
        dispatch(&frame);
        free(frame.body);
    }
}
