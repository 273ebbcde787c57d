/*
 * The runtime of `wasmcheck-agent` (docs/agent-protocol.md,
 * AgentRuntime.h): a store on the CWasmVM layout and the builtins in
 * C, mirroring the Swift ones (VMBuiltins+Runtime.swift, MemoryEntity.swift,
 * TableEntity.swift, Store+ArrayOperations.swift, Store+References.swift)
 * check for check.
 *
 * Every object the store makes is recorded in a registry (address -> kind),
 * so that handles from the wire are checked before they are dereferenced
 * and `configure` can free everything. GC objects and exceptions live in
 * their own heap (they are freed one by one, by the collector), which
 * answers "is this a live object" for any bits in O(1) as well.
 */
#if defined(__linux__) && !defined(_GNU_SOURCE)
#define _GNU_SOURCE /* mremap: memories grow without copying or touching pages */
#endif

#include "AgentRuntime.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

/* ---------------------------------------------------------------------------
 * Limits the agent enforces itself, whatever the host asks: hostile sizes
 * fail cleanly (exhausted, or -1 from grow) instead of exhausting the
 * machine. The host's own limits (Engine.Configuration) are far below.
 */

/* Bytes of one memory: mapped lazily, so this is address space. */
#define WVM_AGENT_MAX_MEMORY_BYTES ((uint64_t)1 << 40)
/* Entries of one table (8 bytes each, written when the table grows). */
#define WVM_AGENT_MAX_TABLE_ELEMENTS ((uint64_t)1 << 26)
/* Slots of the value stack (malloc'd; untouched pages cost nothing). */
#define WVM_AGENT_MAX_VALUE_STACK_SLOTS ((uint64_t)1 << 28)
/* Bytes of code in one load-code. */
#define WVM_AGENT_MAX_CODE_BYTES ((uint64_t)1 << 30)
/* Room below the native stack limit for the C code that runs below code's
 * frames (builtins, the host-call round trip), as JIT.swift's hostReserve. */
#define WVM_AGENT_HOST_STACK_RESERVE ((uintptr_t)256 << 10)

/* ---------------------------------------------------------------------------
 * A hash map from 64-bit keys to a kind and a value, open addressing with
 * linear probing. Keys are never removed one by one (configure clears all).
 * Used for the object registry (address -> kind, size).
 */

typedef enum wvm_agent_kind {
    wvm_agent_kind_free = 0,
    wvm_agent_kind_code,
    wvm_agent_kind_memory,
    wvm_agent_kind_table,
    wvm_agent_kind_global,
    wvm_agent_kind_header,
    wvm_agent_kind_instance,
    wvm_agent_kind_tag,
} wvm_agent_kind;

typedef struct wvm_agent_entry {
    uint64_t key;
    uint64_t value;
    wvm_agent_kind kind;
} wvm_agent_entry;

typedef struct wvm_agent_map {
    wvm_agent_entry *entries;
    size_t capacity; /* a power of two, or 0 */
    size_t count;
} wvm_agent_map;

static size_t wvm_agent_map_slot(uint64_t key, size_t capacity) {
    /* Fibonacci hashing: addresses share their low bits (alignment). */
    return (size_t)((key * 0x9E3779B97F4A7C15ull) >> 17) & (capacity - 1);
}

static wvm_agent_entry *wvm_agent_map_find(const wvm_agent_map *map, uint64_t key) {
    if (map->capacity == 0) return NULL;
    for (size_t i = wvm_agent_map_slot(key, map->capacity);; i = (i + 1) & (map->capacity - 1)) {
        wvm_agent_entry *entry = &map->entries[i];
        if (entry->kind == wvm_agent_kind_free) return NULL;
        if (entry->key == key) return entry;
    }
}

/* Doubles the table; false when out of memory (the map is unchanged). */
static bool wvm_agent_map_grow(wvm_agent_map *map) {
    size_t capacity = map->capacity ? map->capacity * 2 : 64;
    if (capacity > SIZE_MAX / sizeof(wvm_agent_entry)) return false;
    wvm_agent_entry *entries = calloc(capacity, sizeof(wvm_agent_entry));
    if (!entries) return false;
    for (size_t i = 0; i < map->capacity; i++) {
        wvm_agent_entry old = map->entries[i];
        if (old.kind == wvm_agent_kind_free) continue;
        size_t j = wvm_agent_map_slot(old.key, capacity);
        while (entries[j].kind != wvm_agent_kind_free) j = (j + 1) & (capacity - 1);
        entries[j] = old;
    }
    free(map->entries);
    map->entries = entries;
    map->capacity = capacity;
    return true;
}

/* Inserts or replaces; false when out of memory. */
static bool wvm_agent_map_put(wvm_agent_map *map, uint64_t key, wvm_agent_kind kind, uint64_t value) {
    wvm_agent_entry *existing = wvm_agent_map_find(map, key);
    if (existing) {
        existing->kind = kind;
        existing->value = value;
        return true;
    }
    /* Keep the load at most one half, so that probes stay short. */
    if ((map->count + 1) * 2 > map->capacity && !wvm_agent_map_grow(map)) return false;
    size_t i = wvm_agent_map_slot(key, map->capacity);
    while (map->entries[i].kind != wvm_agent_kind_free) i = (i + 1) & (map->capacity - 1);
    map->entries[i] = (wvm_agent_entry){key, value, kind};
    map->count++;
    return true;
}

static void wvm_agent_map_clear(wvm_agent_map *map) {
    free(map->entries);
    *map = (wvm_agent_map){NULL, 0, 0};
}

/* ---------------------------------------------------------------------------
 * The store.
 */

/* A type of declare-type. Function types only need their supertype (for
 * call_indirect and casts); structs and arrays also their storages, which
 * give the slot counts of their objects. */
typedef enum wvm_agent_type_kind {
    wvm_agent_type_func = 0,
    wvm_agent_type_struct = 1,
    wvm_agent_type_array = 2,
} wvm_agent_type_kind;

/* Storages (agent-protocol.md, declare-type). */
enum {
    wvm_agent_storage_i8 = 0,
    wvm_agent_storage_i16,
    wvm_agent_storage_i32,
    wvm_agent_storage_i64,
    wvm_agent_storage_f32,
    wvm_agent_storage_f64,
    wvm_agent_storage_v128,
    wvm_agent_storage_reference,
    wvm_agent_storage_count,
};

typedef struct wvm_agent_type {
    int64_t supertype; /* -1: none */
    wvm_agent_type_kind kind;
    uint32_t storageCount; /* struct: fields; array: 1; func: 0 */
    uint8_t *storages;     /* owned (null when none) */
    /* struct: the slots of all fields; array: the slots of one element. */
    uint64_t slots;
} wvm_agent_type;

/* A tag of new-tag: its address is the identity that vmctx->tags holds and
 * an exception's tag word is (compiled code compares the two). */
typedef struct wvm_agent_tag {
    int64_t typeID;
    uint32_t payloadSlots;
} wvm_agent_tag;

/* The GC heap (HeapHeader, ObjectLayout, ExceptionLayout in
 * RuntimeLayout.swift): every object is a calloc'd block whose first word
 * is the hidden header and whose second is the address code sees. The
 * objects are listed (for the sweep) and hashed (so that any 64-bit value
 * can be checked for "a live object" in O(1): conservative roots, and the
 * checks of reference-kind and casts). */
typedef struct wvm_agent_heap {
    uint64_t **objects; /* the addresses code sees, in allocation order */
    uint64_t **work;    /* the mark stack: as large as `objects`, so that a
                         * collection never allocates */
    size_t count, capacity;
    uint64_t *set; /* open addressing over the addresses (0: empty) */
    size_t setCapacity;
    uintptr_t lowest, highest; /* a quick filter before the hash */
    uint64_t bytes;            /* hidden words included, as the Swift store */
    uint64_t budget;           /* bytes until the next collection */
    uint64_t collections;
} wvm_agent_heap;

/* An instance: the vmctx first (its address is the handle code gets), then
 * what the runtime needs to check the wire's indices and free it. */
typedef struct wvm_agent_instance {
    WVMInstance vm;
    uint32_t functionCount, tableCount, memoryCount, globalCount, tagCount, typeCount, elementCount, dataCount;
    bool finished;
} wvm_agent_instance;

struct wvm_agent_store {
    WVMRuntime runtime;
    WVMBuiltins builtins;
    /* Every object made since the last configure: address -> kind (and,
     * for code, its mapped size). */
    wvm_agent_map objects;
    /* declare-type: the store's types, indexed by type ID. */
    wvm_agent_type *types;
    size_t typeCount, typeCapacity;
    /* GC structs, arrays and exception objects. */
    wvm_agent_heap heap;
    /* configure's maxHeapBytes. */
    uint64_t maxHeapBytes;
    uint64_t *valueStack;
    uint64_t *valueStackEnd;
    /* runtime.frameTrail: code writes it on every entry (CWasmVM.h); the
     * agent does not report backtraces yet, but the words must exist. */
    uint64_t frameTrail[2 * (WVM_FRAME_TRAIL_MASK + 1)];
    /* Within a host call from code: the end of the calling frames, where a
     * nested invocation starts (null: none, start at the bottom). */
    uint64_t *codeFrameTop;
    /* The end of the running invocation's argument and result slots (null:
     * none): a collection scans the value stack at least up to here. */
    uint64_t *invocationTop;
    /* Invocations running (nested ones come from host calls). */
    int activeInvocations;
    /* The detail of the last uninitialized-element trap (the index). */
    uint64_t trapDetail;
    /* memory0 of an instance without memories: every access is out of
     * bounds, but base is not null. */
    WVMMemory emptyMemory;
    uint8_t emptyByte;
    wvm_agent_host_call hostCall;
    void *hostCallContext;
    char message[160];
};

/* The store behind a vmctx (WVMRuntime.store is the agent store). */
static wvm_agent_store *wvm_agent_store_of(WVMInstance *vmctx) {
    return (wvm_agent_store *)(uintptr_t)vmctx->runtime->store;
}

static wvm_agent_result wvm_agent_fail(wvm_agent_store *store, wvm_agent_result result, const char *message) {
    snprintf(store->message, sizeof store->message, "%s", message);
    return result;
}

const char *wvm_agent_message(const wvm_agent_store *store) { return store->message; }

/* Registers an object; on failure the caller frees it and answers exhausted. */
static bool wvm_agent_register(wvm_agent_store *store, const void *object, wvm_agent_kind kind, uint64_t value) {
    return wvm_agent_map_put(&store->objects, (uint64_t)(uintptr_t)object, kind, value);
}

/* The object of `handle` when it is registered with `kind`, else null. */
static void *wvm_agent_lookup(wvm_agent_store *store, uint64_t handle, wvm_agent_kind kind) {
    const wvm_agent_entry *entry = wvm_agent_map_find(&store->objects, handle);
    if (!entry || entry->kind != kind) return NULL;
    return (void *)(uintptr_t)handle;
}

WVMMemory *wvm_agent_memory(wvm_agent_store *store, uint64_t handle) {
    return wvm_agent_lookup(store, handle, wvm_agent_kind_memory);
}

WVMTable *wvm_agent_table(wvm_agent_store *store, uint64_t handle) {
    return wvm_agent_lookup(store, handle, wvm_agent_kind_table);
}

uint64_t *wvm_agent_global(wvm_agent_store *store, uint64_t handle) {
    return wvm_agent_lookup(store, handle, wvm_agent_kind_global);
}

static size_t wvm_agent_os_page_size(void) {
    long size = sysconf(_SC_PAGESIZE);
    return size > 0 ? (size_t)size : 4096;
}

/* `bytes` rounded up to whole OS pages, at least one (mmap needs a
 * non-zero length, and a memory's base must not be null). */
static size_t wvm_agent_mapping_size(uint64_t bytes) {
    size_t page = wvm_agent_os_page_size();
    if (bytes == 0) return page;
    return (size_t)((bytes + page - 1) / page * page);
}

static void wvm_agent_free_memory(WVMMemory *memory) {
    munmap(memory->base, (size_t)memory->reservedBytes);
    free(memory);
}

static void wvm_agent_free_instance(wvm_agent_instance *instance) {
    WVMInstance *vm = &instance->vm;
    for (uint32_t i = 0; i < instance->elementCount; i++) free(vm->elements[i].items);
    for (uint32_t i = 0; i < instance->dataCount; i++) free((void *)(uintptr_t)vm->datas[i].bytes);
    free(vm->functions);
    free(vm->tables);
    free(vm->memories);
    free(vm->globals);
    free(vm->tags);
    free(vm->typeIDs);
    free(vm->elements);
    free(vm->datas);
    free(instance);
}

/* ---------------------------------------------------------------------------
 * Types (declare-type), as the Swift store's TypeRegistry.
 */

static void wvm_agent_free_types(wvm_agent_store *store) {
    for (size_t i = 0; i < store->typeCount; i++) free(store->types[i].storages);
    free(store->types);
    store->types = NULL;
    store->typeCount = store->typeCapacity = 0;
}

/* The declared type `id`, or null. */
static const wvm_agent_type *wvm_agent_type_of(const wvm_agent_store *store, int64_t id) {
    if (id < 0 || (uint64_t)id >= store->typeCount) return NULL;
    return &store->types[id];
}

/* Slots of a field or element (StorageType.slotCount): two for v128. */
static uint64_t wvm_agent_storage_slots(uint8_t storage) { return storage == wvm_agent_storage_v128 ? 2 : 1; }

/* Bytes of an element in a data segment (StorageType.byteSize). */
static uint64_t wvm_agent_storage_bytes(uint8_t storage) {
    switch (storage) {
    case wvm_agent_storage_i8: return 1;
    case wvm_agent_storage_i16: return 2;
    case wvm_agent_storage_i32:
    case wvm_agent_storage_f32: return 4;
    case wvm_agent_storage_v128: return 16;
    default: return 8; /* i64, f64, references */
    }
}

/* Whether two declarations say the same (a repeated declare-type is
 * accepted only when it changes nothing: objects depend on the layout). */
static bool wvm_agent_same_type(const wvm_agent_type *t, int64_t supertype, uint8_t kind, const uint8_t *storages,
                                uint32_t count) {
    return t->supertype == supertype && (uint8_t)t->kind == kind && t->storageCount == count &&
           (count == 0 || memcmp(t->storages, storages, count) == 0);
}

wvm_agent_result wvm_agent_declare_type(wvm_agent_store *store, int64_t typeID, int64_t supertypeID, uint8_t kind,
                                        const uint8_t *storages, uint32_t storageCount) {
    if (kind > wvm_agent_type_array) return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: bad kind");
    if ((kind == wvm_agent_type_func && storageCount != 0) || (kind == wvm_agent_type_array && storageCount != 1)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: wrong storage count for the kind");
    }
    for (uint32_t i = 0; i < storageCount; i++) {
        if (storages[i] >= wvm_agent_storage_count) return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: bad storage");
    }
    if (supertypeID < -1) return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: bad supertype ID");
    if (typeID >= 0 && (uint64_t)typeID < store->typeCount) {
        if (wvm_agent_same_type(&store->types[typeID], supertypeID, kind, storages, storageCount)) return wvm_agent_ok;
        return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: type ID declared already, differently");
    }
    if (typeID < 0 || (uint64_t)typeID != store->typeCount) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "declare-type: type IDs must be declared in order from 0");
    }
    if (store->typeCount == store->typeCapacity) {
        size_t capacity = store->typeCapacity ? store->typeCapacity * 2 : 64;
        wvm_agent_type *types = capacity <= SIZE_MAX / sizeof *types ? realloc(store->types, capacity * sizeof *types) : NULL;
        if (!types) return wvm_agent_fail(store, wvm_agent_exhausted, "declare-type: out of memory");
        store->types = types;
        store->typeCapacity = capacity;
    }
    wvm_agent_type type = {.supertype = supertypeID, .kind = (wvm_agent_type_kind)kind, .storageCount = storageCount};
    if (storageCount > 0) {
        type.storages = malloc(storageCount);
        if (!type.storages) return wvm_agent_fail(store, wvm_agent_exhausted, "declare-type: out of memory");
        memcpy(type.storages, storages, storageCount);
    }
    /* At most 2 * 2^32 slots: no overflow. */
    for (uint32_t i = 0; i < storageCount; i++) type.slots += wvm_agent_storage_slots(storages[i]);
    store->types[store->typeCount++] = type;
    return wvm_agent_ok;
}

/* TypeRegistry.isSubtype: `sub` is `sup` or reaches it through declared
 * supertypes; the walk is bounded by the number of types, so a cycle from
 * a confused host ends. */
static bool wvm_agent_is_subtype(const wvm_agent_store *store, int64_t sub, int64_t sup) {
    int64_t current = sub;
    for (size_t steps = 0;; steps++) {
        if (current == sup) return true;
        const wvm_agent_type *type = wvm_agent_type_of(store, current);
        if (!type || type->supertype == -1 || steps >= store->typeCount) return false;
        current = type->supertype;
    }
}

/* ---------------------------------------------------------------------------
 * Tags (new-tag).
 */

wvm_agent_result wvm_agent_new_tag(wvm_agent_store *store, int64_t typeID, uint32_t payloadSlots, uint64_t *identity) {
    wvm_agent_tag *tag = malloc(sizeof *tag);
    if (!tag) return wvm_agent_fail(store, wvm_agent_exhausted, "new-tag: out of memory");
    *tag = (wvm_agent_tag){typeID, payloadSlots};
    if (!wvm_agent_register(store, tag, wvm_agent_kind_tag, 0)) {
        free(tag);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-tag: out of memory");
    }
    *identity = (uint64_t)(uintptr_t)tag;
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * The GC heap: allocation with the Swift store's policy (Store.swift's
 * reserveHeap, Store+GarbageCollection.swift), and a non-moving
 * mark-and-sweep whose roots and tracing are conservative (a slot keeps an
 * object alive when it holds the object's address; docs/agent-protocol.md,
 * "Builtins").
 */

#define WVM_AGENT_HEAP_MARK ((uint64_t)1)      /* HeapHeader.mark */
#define WVM_AGENT_HEAP_EXCEPTION ((uint64_t)2) /* HeapHeader.exception */
#define WVM_AGENT_HEAP_SIZE_SHIFT 2            /* HeapHeader.sizeShift */
/* Store.minimumCollectionThreshold. */
#define WVM_AGENT_MIN_COLLECTION_THRESHOLD ((uint64_t)1 << 20)
/* EngineConfiguration.maxHeapBytes's default, until configure says. */
#define WVM_AGENT_DEFAULT_MAX_HEAP_BYTES ((uint64_t)1 << 30)
/* ObjectLayout: typeID, length, then the fields. */
#define WVM_AGENT_OBJECT_TYPE 0
#define WVM_AGENT_OBJECT_LENGTH 1
#define WVM_AGENT_OBJECT_FIELDS 2
/* ExceptionLayout: tag identity, payload slot count, then the payload. */
#define WVM_AGENT_EXCEPTION_TAG 0
#define WVM_AGENT_EXCEPTION_COUNT 1
#define WVM_AGENT_EXCEPTION_PAYLOAD 2

static uint64_t wvm_agent_min_u64(uint64_t a, uint64_t b) { return a < b ? a : b; }
static uint64_t wvm_agent_max_u64(uint64_t a, uint64_t b) { return a > b ? a : b; }

/* An empty heap under `limit` (the Swift store's initial budget). */
static void wvm_agent_heap_reset(wvm_agent_heap *heap, uint64_t limit) {
    *heap = (wvm_agent_heap){0};
    heap->lowest = UINTPTR_MAX;
    heap->budget = wvm_agent_min_u64(WVM_AGENT_MIN_COLLECTION_THRESHOLD, limit);
}

/* Frees every object and the heap's tables (reset follows). */
static void wvm_agent_heap_free(wvm_agent_heap *heap) {
    for (size_t i = 0; i < heap->count; i++) free(heap->objects[i] - 1);
    free(heap->objects);
    free(heap->work);
    free(heap->set);
}

static size_t wvm_agent_set_slot(uintptr_t address, size_t capacity) { return wvm_agent_map_slot(address, capacity); }

/* Adds an address (the set has room: its load stays at most one half). */
static void wvm_agent_set_insert(uint64_t *set, size_t capacity, uint64_t *object) {
    uintptr_t address = (uintptr_t)object;
    size_t i = wvm_agent_set_slot(address, capacity);
    while (set[i] != 0) i = (i + 1) & (capacity - 1);
    set[i] = (uint64_t)address;
}

/* The live object at `bits`, or null: O(1), and never dereferences what
 * is not an object (so any bits may be asked about). */
static uint64_t *wvm_agent_heap_find(const wvm_agent_heap *heap, uint64_t bits) {
    if ((bits & 7) != 0 || heap->setCapacity == 0 || bits < heap->lowest || bits > heap->highest) return NULL;
    for (size_t i = wvm_agent_set_slot((uintptr_t)bits, heap->setCapacity);; i = (i + 1) & (heap->setCapacity - 1)) {
        if (heap->set[i] == 0) return NULL;
        if (heap->set[i] == bits) return (uint64_t *)(uintptr_t)bits;
    }
}

/* Rehashes into `capacity` slots; false when out of memory (unchanged). */
static bool wvm_agent_set_resize(wvm_agent_heap *heap, size_t capacity) {
    uint64_t *set = calloc(capacity, sizeof(uint64_t));
    if (!set) return false;
    for (size_t i = 0; i < heap->count; i++) wvm_agent_set_insert(set, capacity, heap->objects[i]);
    free(heap->set);
    heap->set = set;
    heap->setCapacity = capacity;
    return true;
}

/* Room for one more object in the list, the mark stack and the set, made
 * before the allocation (so that neither the collection nor the insertion
 * needs memory); false when out of memory. */
static bool wvm_agent_heap_make_room(wvm_agent_heap *heap) {
    if (heap->count == heap->capacity) {
        size_t capacity = heap->capacity ? heap->capacity * 2 : 256;
        if (capacity > SIZE_MAX / 4 / sizeof(uint64_t *)) return false;
        uint64_t **objects = realloc(heap->objects, capacity * sizeof *objects);
        if (!objects) return false;
        heap->objects = objects;
        uint64_t **work = realloc(heap->work, capacity * sizeof *work);
        if (!work) return false; /* the list grew alone: harmless, retried */
        heap->work = work;
        heap->capacity = capacity;
    }
    if ((heap->count + 1) * 2 > heap->setCapacity) {
        size_t capacity = heap->setCapacity ? heap->setCapacity * 2 : 512;
        if (capacity > SIZE_MAX / sizeof(uint64_t) || !wvm_agent_set_resize(heap, capacity)) return false;
    }
    return true;
}

/* Marks the object at `bits` (when it is one) and queues it for tracing. */
static void wvm_agent_mark(wvm_agent_heap *heap, size_t *pending, uint64_t bits) {
    uint64_t *object = wvm_agent_heap_find(heap, bits);
    if (!object || (object[-1] & WVM_AGENT_HEAP_MARK)) return;
    object[-1] |= WVM_AGENT_HEAP_MARK;
    /* Each object is queued once: the stack, as large as the list, fits. */
    heap->work[(*pending)++] = object;
}

static void wvm_agent_mark_slots(wvm_agent_heap *heap, size_t *pending, const uint64_t *slots, uint64_t count) {
    for (uint64_t i = 0; i < count; i++) wvm_agent_mark(heap, pending, slots[i]);
}

/* Traces queued objects until none is left: every slot of an object (its
 * type ID, length and tag words too, which are never object addresses)
 * conservatively, so no type information is needed. */
static void wvm_agent_drain(wvm_agent_heap *heap, size_t *pending) {
    while (*pending > 0) {
        uint64_t *object = heap->work[--*pending];
        uint64_t words = object[-1] >> WVM_AGENT_HEAP_SIZE_SHIFT;
        wvm_agent_mark_slots(heap, pending, object, words - 1);
    }
}

/* The roots of the registry: global cells (both slots: a v128 holds no
 * address, and stale bits only keep garbage), table elements, and the
 * items of element segments not dropped. */
static void wvm_agent_mark_registry(wvm_agent_store *store, size_t *pending) {
    wvm_agent_heap *heap = &store->heap;
    for (size_t i = 0; i < store->objects.capacity; i++) {
        const wvm_agent_entry *entry = &store->objects.entries[i];
        void *object = (void *)(uintptr_t)entry->key;
        if (entry->kind == wvm_agent_kind_global) {
            wvm_agent_mark_slots(heap, pending, object, 2);
        } else if (entry->kind == wvm_agent_kind_table) {
            const WVMTable *table = object;
            wvm_agent_mark_slots(heap, pending, table->elements, (uint64_t)table->count);
        } else if (entry->kind == wvm_agent_kind_instance) {
            const wvm_agent_instance *instance = object;
            for (uint32_t k = 0; k < instance->elementCount; k++) {
                const WVMElementSegment *segment = &instance->vm.elements[k];
                if (segment->items) wvm_agent_mark_slots(heap, pending, segment->items, (uint64_t)segment->count);
            }
        }
    }
    wvm_agent_drain(heap, pending);
}

/* Frees the unmarked objects, clears the marks of the others and rebuilds
 * the set over the survivors (in place: they are fewer). */
static void wvm_agent_sweep(wvm_agent_heap *heap) {
    size_t kept = 0;
    heap->lowest = UINTPTR_MAX;
    heap->highest = 0;
    for (size_t i = 0; i < heap->count; i++) {
        uint64_t *object = heap->objects[i];
        uint64_t header = object[-1];
        if (header & WVM_AGENT_HEAP_MARK) {
            object[-1] = header & ~WVM_AGENT_HEAP_MARK;
            heap->objects[kept++] = object;
            uintptr_t address = (uintptr_t)object;
            if (address < heap->lowest) heap->lowest = address;
            if (address > heap->highest) heap->highest = address;
        } else {
            heap->bytes -= (header >> WVM_AGENT_HEAP_SIZE_SHIFT) * 8;
            free(object - 1);
        }
    }
    heap->count = kept;
    /* A set much larger than the survivors would make every later sweep
     * clear it all: shrink it (at a load of at most one quarter, so the
     * room made for the allocation under way stays) when memory allows. */
    size_t target = 512;
    while (target < kept * 4) target *= 2;
    if (target * 4 <= heap->setCapacity && wvm_agent_set_resize(heap, target)) return;
    memset(heap->set, 0, heap->setCapacity * sizeof(uint64_t));
    for (size_t i = 0; i < kept; i++) wvm_agent_set_insert(heap->set, heap->setCapacity, heap->objects[i]);
}

/* A collection: the value stack up to `top`, the exception being thrown,
 * the registry's roots; then the sweep and the new budget
 * (Store.collectGarbage). */
static void wvm_agent_collect(wvm_agent_store *store, const uint64_t *top) {
    wvm_agent_heap *heap = &store->heap;
    size_t pending = 0;
    if (heap->count > 0) {
        wvm_agent_mark_slots(heap, &pending, store->valueStack, (uint64_t)(top - store->valueStack));
        wvm_agent_mark(heap, &pending, store->runtime.exception);
        wvm_agent_drain(heap, &pending);
        wvm_agent_mark_registry(store, &pending);
        wvm_agent_sweep(heap);
    }
    uint64_t limit = store->maxHeapBytes;
    uint64_t threshold = wvm_agent_max_u64(WVM_AGENT_MIN_COLLECTION_THRESHOLD, heap->bytes);
    heap->budget = wvm_agent_min_u64(threshold, limit > heap->bytes ? limit - heap->bytes : 0);
    heap->collections++;
}

/* The end of the value stack slots a collection scans: the calling frames
 * of a host call, the running invocation's slots, and `frame` (the end of
 * the live slots of the code that allocates) when it is on the stack. */
static const uint64_t *wvm_agent_scan_top(const wvm_agent_store *store, const uint64_t *frame) {
    const uint64_t *top = store->valueStack;
    if (store->codeFrameTop && store->codeFrameTop > top) top = store->codeFrameTop;
    if (store->invocationTop && store->invocationTop > top) top = store->invocationTop;
    if (frame && frame > top && frame <= store->valueStackEnd) top = frame;
    return top > store->valueStackEnd ? store->valueStackEnd : top;
}

/* Store.reserveHeap: takes `bytes` from the budget, or collects (when
 * `top` is given) and checks the limit. */
static int32_t wvm_agent_heap_reserve(wvm_agent_store *store, uint64_t bytes, const uint64_t *top) {
    wvm_agent_heap *heap = &store->heap;
    if (bytes <= heap->budget) {
        heap->budget -= bytes;
    } else {
        /* An allocation larger than the whole heap cannot be helped by a
         * collection (which nothing can observe): skip it. */
        if (top && bytes <= store->maxHeapBytes) wvm_agent_collect(store, top);
        uint64_t room = store->maxHeapBytes > heap->bytes ? store->maxHeapBytes - heap->bytes : 0;
        if (bytes > room) return WVMTrapResourceExhausted;
        heap->budget = heap->budget > bytes ? heap->budget - bytes : 0;
    }
    heap->bytes += bytes;
    return WVMTrapNone;
}

/* A zeroed heap block of `words` words (the hidden one included) with its
 * header; `*object` is the address code sees. `top`: the scan top when the
 * allocation may collect, null when it must not (the wire's new-object:
 * the host may hold references the collector cannot see, as the Swift
 * store's deferringCollections during instantiation). */
static int32_t wvm_agent_heap_allocate(wvm_agent_store *store, uint64_t words, bool isException, const uint64_t *top,
                                       uint64_t **object) {
    wvm_agent_heap *heap = &store->heap;
    if (words > UINT64_MAX / 8) return WVMTrapResourceExhausted;
#if SIZE_MAX < UINT64_MAX
    if (words * 8 > SIZE_MAX) return WVMTrapResourceExhausted;
#endif
    uint64_t bytes = words * 8;
    if (!wvm_agent_heap_make_room(heap)) return WVMTrapResourceExhausted;
    int32_t trap = wvm_agent_heap_reserve(store, bytes, top);
    if (trap) return trap;
    uint64_t *block = calloc((size_t)words, sizeof(uint64_t));
    if (!block) {
        heap->bytes -= bytes;
        return WVMTrapResourceExhausted;
    }
    /* bytes <= maxHeapBytes < 2^64, so words < 2^61: the shift fits. */
    block[0] = words << WVM_AGENT_HEAP_SIZE_SHIFT | (isException ? WVM_AGENT_HEAP_EXCEPTION : 0);
    uint64_t *result = block + 1;
    heap->objects[heap->count++] = result;
    wvm_agent_set_insert(heap->set, heap->setCapacity, result);
    if ((uintptr_t)result < heap->lowest) heap->lowest = (uintptr_t)result;
    if ((uintptr_t)result > heap->highest) heap->highest = (uintptr_t)result;
    *object = result;
    return WVMTrapNone;
}

/* Store.allocateObject: a struct or array of type `typeID` with `slots`
 * zeroed field slots. */
static int32_t wvm_agent_allocate_object(wvm_agent_store *store, int64_t typeID, uint64_t length, uint64_t slots,
                                         const uint64_t *top, uint64_t **object) {
    uint64_t header = 1 + WVM_AGENT_OBJECT_FIELDS;
    if (slots > UINT64_MAX - header) return WVMTrapResourceExhausted;
    int32_t trap = wvm_agent_heap_allocate(store, slots + header, false, top, object);
    if (trap) return trap;
    (*object)[WVM_AGENT_OBJECT_TYPE] = (uint64_t)typeID;
    (*object)[WVM_AGENT_OBJECT_LENGTH] = length;
    return WVMTrapNone;
}

/* Store.allocateException: `count` payload slots copied from `payload`. */
static int32_t wvm_agent_allocate_exception(wvm_agent_store *store, uint64_t identity, const uint64_t *payload,
                                            uint32_t count, const uint64_t *top, uint64_t **exception) {
    int32_t trap = wvm_agent_heap_allocate(store, 1 + WVM_AGENT_EXCEPTION_PAYLOAD + (uint64_t)count, true, top, exception);
    if (trap) return trap;
    (*exception)[WVM_AGENT_EXCEPTION_TAG] = identity;
    (*exception)[WVM_AGENT_EXCEPTION_COUNT] = count;
    if (count > 0) memcpy(*exception + WVM_AGENT_EXCEPTION_PAYLOAD, payload, (size_t)count * sizeof(uint64_t));
    return WVMTrapNone;
}

/* Frees one registered object. */
static void wvm_agent_free_object(const wvm_agent_entry *entry) {
    void *object = (void *)(uintptr_t)entry->key;
    switch (entry->kind) {
    case wvm_agent_kind_code: munmap(object, (size_t)entry->value); break;
    case wvm_agent_kind_memory: wvm_agent_free_memory(object); break;
    case wvm_agent_kind_table:
        free(((WVMTable *)object)->elements);
        free(object);
        break;
    case wvm_agent_kind_global:
    case wvm_agent_kind_header:
    case wvm_agent_kind_tag: free(object); break;
    case wvm_agent_kind_instance: wvm_agent_free_instance(object); break;
    case wvm_agent_kind_free: break;
    }
}

static void wvm_agent_free_all(wvm_agent_store *store) {
    for (size_t i = 0; i < store->objects.capacity; i++) {
        const wvm_agent_entry *entry = &store->objects.entries[i];
        if (entry->kind != wvm_agent_kind_free) wvm_agent_free_object(entry);
    }
    wvm_agent_map_clear(&store->objects);
    wvm_agent_free_types(store);
    wvm_agent_heap_free(&store->heap);
    wvm_agent_heap_reset(&store->heap, store->maxHeapBytes);
}

/* ---------------------------------------------------------------------------
 * Bounds, in 64 bits without overflow (VMBounds.contains): whether
 * [offset, offset + count) lies within [0, limit).
 */
static bool wvm_agent_contains(uint64_t offset, uint64_t count, uint64_t limit) {
    return offset <= limit && count <= limit - offset;
}

/* ---------------------------------------------------------------------------
 * Memories.
 */

/* memory.grow (MemoryEntity.swift's grow): the old page count, or -1. */
static int64_t wvm_agent_grow_memory(WVMMemory *memory, uint64_t delta) {
    uint64_t old = memory->pageCount;
    if (delta > memory->maximumPages - old) return -1;
    if (delta == 0) return (int64_t)old;
    uint64_t newPages = old + delta;
    /* maximumPages << pageSizeLog2 fits WVM_AGENT_MAX_MEMORY_BYTES: no overflow. */
    uint64_t newBytes = newPages << memory->pageSizeLog2;
    if (newBytes > (uint64_t)memory->reservedBytes) {
        size_t size = wvm_agent_mapping_size(newBytes);
        void *fresh;
#ifdef __linux__
        /* Moves the mapping; the new pages are zero and untouched. */
        fresh = mremap(memory->base, (size_t)memory->reservedBytes, size, MREMAP_MAYMOVE);
        if (fresh == MAP_FAILED) return -1;
#else
        fresh = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (fresh == MAP_FAILED) return -1;
        memcpy(fresh, memory->base, (size_t)memory->byteCount);
        munmap(memory->base, (size_t)memory->reservedBytes);
#endif
        memory->base = fresh;
        memory->reservedBytes = (intptr_t)size;
    }
    /* Bytes between byteCount and reservedBytes were never writable by
     * code (bounds checks), so they are still zero. */
    memory->pageCount = newPages;
    memory->byteCount = (intptr_t)newBytes;
    return (int64_t)old;
}

wvm_agent_result wvm_agent_new_memory(wvm_agent_store *store, uint64_t minPages, uint64_t maxPages,
                                      uint8_t pageSizeLog2, bool is64, WVMMemory **result) {
    if (pageSizeLog2 > 16) return wvm_agent_fail(store, wvm_agent_bad_request, "new-memory: page size log2 above 16");
    /* The most pages the address type allows (MemoryEntity.swift), then the
     * agent's own cap, which keeps every byte count far from overflow. */
    uint64_t addressBits = is64 ? 64 : 32;
    uint64_t addressable = addressBits - pageSizeLog2 >= 63 ? (uint64_t)1 << 62 : (uint64_t)1 << (addressBits - pageSizeLog2);
    uint64_t maximumPages = maxPages < addressable ? maxPages : addressable;
    uint64_t capPages = WVM_AGENT_MAX_MEMORY_BYTES >> pageSizeLog2;
    if (maximumPages > capPages) maximumPages = capPages;
    if (minPages > maximumPages) return wvm_agent_fail(store, wvm_agent_exhausted, "new-memory: too many pages");
    uint64_t bytes = minPages << pageSizeLog2;
    WVMMemory *memory = malloc(sizeof *memory);
    if (!memory) return wvm_agent_fail(store, wvm_agent_exhausted, "new-memory: out of memory");
    size_t size = wvm_agent_mapping_size(bytes);
    /* Anonymous mappings are zeroed lazily: a big memory costs address space. */
    void *base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (base == MAP_FAILED) {
        free(memory);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-memory: cannot map the memory");
    }
    *memory = (WVMMemory){.base = base,
                          .byteCount = (intptr_t)bytes,
                          .pageCount = minPages,
                          .maximumPages = maximumPages,
                          .reservedBytes = (intptr_t)size,
                          .pageSizeLog2 = pageSizeLog2,
                          .is64 = is64};
    if (!wvm_agent_register(store, memory, wvm_agent_kind_memory, 0)) {
        wvm_agent_free_memory(memory);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-memory: out of memory");
    }
    *result = memory;
    return wvm_agent_ok;
}

static int32_t wvm_agent_memory_fill_at(WVMMemory *memory, uint64_t destination, uint8_t value, uint64_t count) {
    if (!wvm_agent_contains(destination, count, (uint64_t)memory->byteCount)) return WVMTrapOutOfBoundsMemoryAccess;
    if (count > 0) memset((uint8_t *)memory->base + destination, value, (size_t)count);
    return WVMTrapNone;
}

static int32_t wvm_agent_memory_copy_between(WVMMemory *destinationMemory, WVMMemory *sourceMemory,
                                             uint64_t destination, uint64_t source, uint64_t count) {
    if (!wvm_agent_contains(destination, count, (uint64_t)destinationMemory->byteCount) ||
        !wvm_agent_contains(source, count, (uint64_t)sourceMemory->byteCount)) {
        return WVMTrapOutOfBoundsMemoryAccess;
    }
    /* memmove: the ranges may overlap within one memory. */
    if (count > 0) {
        memmove((uint8_t *)destinationMemory->base + destination, (const uint8_t *)sourceMemory->base + source,
                (size_t)count);
    }
    return WVMTrapNone;
}

/* memory.init (MemoryEntity.swift's initialize): the segment's range first. */
static int32_t wvm_agent_memory_init_from(WVMMemory *memory, const WVMDataSegment *data, uint64_t destination,
                                          uint64_t source, uint64_t count) {
    if (!wvm_agent_contains(source, count, (uint64_t)data->count) ||
        !wvm_agent_contains(destination, count, (uint64_t)memory->byteCount)) {
        return WVMTrapOutOfBoundsMemoryAccess;
    }
    if (count > 0 && data->bytes) {
        memcpy((uint8_t *)memory->base + destination, (const uint8_t *)data->bytes + source, (size_t)count);
    }
    return WVMTrapNone;
}

wvm_agent_result wvm_agent_memory_bytes(wvm_agent_store *store, uint64_t handle, uint64_t offset, uint64_t count,
                                        const uint8_t **bytes) {
    WVMMemory *memory = wvm_agent_memory(store, handle);
    if (!memory) return wvm_agent_fail(store, wvm_agent_bad_request, "memory-read: not a memory");
    if (!wvm_agent_contains(offset, count, (uint64_t)memory->byteCount)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "memory-read: out of bounds");
    }
    *bytes = (const uint8_t *)memory->base + offset;
    return wvm_agent_ok;
}

wvm_agent_result wvm_agent_memory_write(wvm_agent_store *store, uint64_t handle, uint64_t offset, const uint8_t *bytes,
                                        uint64_t count) {
    WVMMemory *memory = wvm_agent_memory(store, handle);
    if (!memory) return wvm_agent_fail(store, wvm_agent_bad_request, "memory-write: not a memory");
    if (!wvm_agent_contains(offset, count, (uint64_t)memory->byteCount)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "memory-write: out of bounds");
    }
    if (count > 0) memcpy((uint8_t *)memory->base + offset, bytes, (size_t)count);
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * Tables.
 */

/* table.grow (TableEntity.swift's grow): the old size, or -1. */
static int64_t wvm_agent_grow_table(WVMTable *table, uint64_t delta, uint64_t value) {
    uint64_t old = (uint64_t)table->count;
    if (delta > table->maximum - old) return -1;
    /* maximum <= WVM_AGENT_MAX_TABLE_ELEMENTS: no overflow below. */
    uint64_t newCount = old + delta;
    if (newCount > (uint64_t)table->capacity) {
        uint64_t capacity = (uint64_t)table->capacity * 2;
        if (capacity > table->maximum) capacity = table->maximum;
        if (capacity < newCount) capacity = newCount;
        uint64_t *fresh = realloc(table->elements, (size_t)capacity * sizeof(uint64_t));
        if (!fresh) return -1;
        table->elements = fresh;
        table->capacity = (intptr_t)capacity;
    }
    for (uint64_t i = old; i < newCount; i++) table->elements[i] = value;
    table->count = (intptr_t)newCount;
    return (int64_t)old;
}

wvm_agent_result wvm_agent_new_table(wvm_agent_store *store, uint64_t minimum, uint64_t maximum, bool is64,
                                     uint64_t initial, WVMTable **result) {
    uint64_t addressable = is64 ? (uint64_t)INT64_MAX : 0xFFFFFFFFull;
    uint64_t limit = maximum < addressable ? maximum : addressable;
    if (limit > WVM_AGENT_MAX_TABLE_ELEMENTS) limit = WVM_AGENT_MAX_TABLE_ELEMENTS;
    if (minimum > limit) return wvm_agent_fail(store, wvm_agent_exhausted, "new-table: too many elements");
    /* At least one element, so that `elements` is never null. */
    uint64_t capacity = minimum > 0 ? minimum : 1;
    WVMTable *table = malloc(sizeof *table);
    uint64_t *elements = malloc((size_t)capacity * sizeof(uint64_t));
    if (!table || !elements) {
        free(table);
        free(elements);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-table: out of memory");
    }
    for (uint64_t i = 0; i < capacity; i++) elements[i] = initial;
    *table = (WVMTable){.elements = elements,
                        .count = (intptr_t)minimum,
                        .capacity = (intptr_t)capacity,
                        .maximum = limit,
                        .is64 = is64};
    if (!wvm_agent_register(store, table, wvm_agent_kind_table, 0)) {
        free(elements);
        free(table);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-table: out of memory");
    }
    *result = table;
    return wvm_agent_ok;
}

/* table.init (TableEntity.swift's initialize): the segment's range first. */
static int32_t wvm_agent_table_init_from(WVMTable *table, const WVMElementSegment *segment, uint64_t destination,
                                         uint64_t source, uint64_t count) {
    if (!wvm_agent_contains(source, count, (uint64_t)segment->count) ||
        !wvm_agent_contains(destination, count, (uint64_t)table->count)) {
        return WVMTrapOutOfBoundsTableAccess;
    }
    if (count > 0 && segment->items) {
        memcpy(table->elements + destination, segment->items + source, (size_t)count * sizeof(uint64_t));
    }
    return WVMTrapNone;
}

/* ---------------------------------------------------------------------------
 * Globals and functions.
 */

wvm_agent_result wvm_agent_new_global(wvm_agent_store *store, uint64_t lo, uint64_t hi, uint64_t **result) {
    uint64_t *cell = malloc(2 * sizeof(uint64_t));
    if (!cell) return wvm_agent_fail(store, wvm_agent_exhausted, "new-global: out of memory");
    cell[0] = lo;
    cell[1] = hi;
    if (!wvm_agent_register(store, cell, wvm_agent_kind_global, 0)) {
        free(cell);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-global: out of memory");
    }
    *result = cell;
    return wvm_agent_ok;
}

/* A registered header with the given fields; null when out of memory. */
static WVMFunctionHeader *wvm_agent_make_header(wvm_agent_store *store, WVMFunctionHeader fields) {
    WVMFunctionHeader *header = malloc(sizeof *header);
    if (!header) return NULL;
    *header = fields;
    if (!wvm_agent_register(store, header, wvm_agent_kind_header, 0)) {
        free(header);
        return NULL;
    }
    return header;
}

/* Slot counts are int32_t in the header. */
static bool wvm_agent_slot_counts_fit(uint32_t parameterSlots, uint32_t resultSlots) {
    return parameterSlots <= INT32_MAX && resultSlots <= INT32_MAX;
}

/* typeID is an intptr_t in the header. */
static bool wvm_agent_type_id_fits(int64_t typeID) { return typeID >= INTPTR_MIN && typeID <= INTPTR_MAX; }

wvm_agent_result wvm_agent_new_host_function(wvm_agent_store *store, int64_t typeID, uint32_t parameterSlots,
                                             uint32_t resultSlots, uint32_t hostIndex, WVMFunctionHeader **result) {
    if (!wvm_agent_slot_counts_fit(parameterSlots, resultSlots) || !wvm_agent_type_id_fits(typeID)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "new-host-function: slot count or type ID out of range");
    }
    /* Host functions: no instance, no code; `entity` carries the host index. */
    WVMFunctionHeader *header = wvm_agent_make_header(
        store, (WVMFunctionHeader){.typeID = (intptr_t)typeID,
                                   .instance = NULL,
                                   .code = NULL,
                                   .parameterSlots = (int32_t)parameterSlots,
                                   .resultSlots = (int32_t)resultSlots,
                                   .entity = (const void *)(uintptr_t)hostIndex});
    if (!header) return wvm_agent_fail(store, wvm_agent_exhausted, "new-host-function: out of memory");
    *result = header;
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * Code.
 */

wvm_agent_result wvm_agent_load_code(wvm_agent_store *store, const void *bytes, uint64_t count, uint64_t *base) {
    if (count == 0 || count > WVM_AGENT_MAX_CODE_BYTES) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "load-code: empty or too large");
    }
    size_t size = wvm_agent_mapping_size(count);
    /* Written read+write, then read+execute: never both at once. */
    void *code = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (code == MAP_FAILED) return wvm_agent_fail(store, wvm_agent_exhausted, "load-code: cannot map code");
    memcpy(code, bytes, (size_t)count);
    if (mprotect(code, size, PROT_READ | PROT_EXEC) != 0) {
        munmap(code, size);
        return wvm_agent_fail(store, wvm_agent_exhausted, "load-code: cannot make code executable");
    }
    /* AArch64 has no coherent instruction cache; a no-op on x86-64. */
    __builtin___clear_cache((char *)code, (char *)code + count);
    if (!wvm_agent_register(store, code, wvm_agent_kind_code, size)) {
        munmap(code, size);
        return wvm_agent_fail(store, wvm_agent_exhausted, "load-code: out of memory");
    }
    *base = (uint64_t)(uintptr_t)code;
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * Instances.
 */

/* A zeroed array of `count` elements of `size` bytes, at least one (the
 * vmctx's arrays are never null); null when out of memory. */
static void *wvm_agent_array(uint64_t count, size_t size) {
    if (count > SIZE_MAX / size) return NULL;
    return calloc(count > 0 ? (size_t)count : 1, size);
}

/* Checks a defined function of new-instance against the code region. */
static bool wvm_agent_entry_in_code(const wvm_agent_entry *code, uint64_t entryOffset) {
    return code && code->kind == wvm_agent_kind_code && entryOffset < code->value;
}

wvm_agent_result wvm_agent_new_instance(wvm_agent_store *store, uint64_t codeBase, uint32_t count,
                                        const wvm_agent_function_spec *functions, WVMInstance **vmctx,
                                        WVMFunctionHeader **headers) {
    const wvm_agent_entry *code = wvm_agent_map_find(&store->objects, codeBase);
    /* Check every function before making anything. */
    for (uint32_t i = 0; i < count; i++) {
        const wvm_agent_function_spec *f = &functions[i];
        if (!f->defined) {
            if (!wvm_agent_lookup(store, f->header, wvm_agent_kind_header)) {
                return wvm_agent_fail(store, wvm_agent_bad_request, "new-instance: an import is not a function header");
            }
        } else if (!wvm_agent_entry_in_code(code, f->entryOffset)) {
            return wvm_agent_fail(store, wvm_agent_bad_request, "new-instance: entry outside the loaded code");
        } else if (!wvm_agent_slot_counts_fit(f->parameterSlots, f->resultSlots) || !wvm_agent_type_id_fits(f->typeID)) {
            return wvm_agent_fail(store, wvm_agent_bad_request, "new-instance: slot count or type ID out of range");
        }
    }
    wvm_agent_instance *instance = calloc(1, sizeof *instance);
    if (!instance) return wvm_agent_fail(store, wvm_agent_exhausted, "new-instance: out of memory");
    WVMInstance *vm = &instance->vm;
    /* Every array exists from the start (finish-instance replaces the
     * empty ones), so the vmctx is never half made. */
    vm->functions = wvm_agent_array(count, sizeof(WVMFunctionHeader *));
    vm->tables = wvm_agent_array(0, sizeof(WVMTable *));
    vm->memories = wvm_agent_array(0, sizeof(WVMMemory *));
    vm->globals = wvm_agent_array(0, sizeof(uint64_t *));
    vm->tags = wvm_agent_array(0, sizeof(const void *));
    vm->typeIDs = wvm_agent_array(0, sizeof(intptr_t));
    vm->elements = wvm_agent_array(0, sizeof(WVMElementSegment));
    vm->datas = wvm_agent_array(0, sizeof(WVMDataSegment));
    vm->memory0 = &store->emptyMemory;
    vm->entity = NULL;
    vm->runtime = &store->runtime;
    instance->functionCount = count;
    if (!vm->functions || !vm->tables || !vm->memories || !vm->globals || !vm->tags || !vm->typeIDs || !vm->elements ||
        !vm->datas || !wvm_agent_register(store, instance, wvm_agent_kind_instance, 0)) {
        wvm_agent_free_instance(instance);
        return wvm_agent_fail(store, wvm_agent_exhausted, "new-instance: out of memory");
    }
    /* From here the registry owns the instance; headers made before an
     * allocation failure stay registered and are freed by configure. */
    for (uint32_t i = 0; i < count; i++) {
        const wvm_agent_function_spec *f = &functions[i];
        WVMFunctionHeader *header;
        if (!f->defined) {
            header = (WVMFunctionHeader *)(uintptr_t)f->header;
        } else {
            header = wvm_agent_make_header(
                store, (WVMFunctionHeader){.typeID = (intptr_t)f->typeID,
                                           .instance = vm,
                                           .code = (const uint8_t *)(uintptr_t)codeBase + f->entryOffset,
                                           .parameterSlots = (int32_t)f->parameterSlots,
                                           .resultSlots = (int32_t)f->resultSlots,
                                           .entity = NULL});
            if (!header) return wvm_agent_fail(store, wvm_agent_exhausted, "new-instance: out of memory");
        }
        vm->functions[i] = header;
        headers[i] = header;
    }
    *vmctx = vm;
    return wvm_agent_ok;
}

/* The arrays of finish-instance, made before any is installed. */
typedef struct wvm_agent_arrays {
    WVMTable **tables;
    WVMMemory **memories;
    uint64_t **globals;
    const void **tags;
    intptr_t *typeIDs;
    WVMElementSegment *elements;
    WVMDataSegment *datas;
} wvm_agent_arrays;

static void wvm_agent_free_arrays(wvm_agent_arrays *a, const wvm_agent_instance_parts *parts) {
    if (a->elements) {
        for (uint32_t i = 0; i < parts->elementCount; i++) free(a->elements[i].items);
    }
    if (a->datas) {
        for (uint32_t i = 0; i < parts->dataCount; i++) free((void *)(uintptr_t)a->datas[i].bytes);
    }
    free(a->tables);
    free(a->memories);
    free(a->globals);
    free(a->tags);
    free(a->typeIDs);
    free(a->elements);
    free(a->datas);
}

/* Copies of the segments (the instance owns them); false when out of memory. */
static bool wvm_agent_copy_segments(wvm_agent_arrays *a, const wvm_agent_instance_parts *parts) {
    for (uint32_t i = 0; i < parts->elementCount; i++) {
        const wvm_agent_u64_list *segment = &parts->elements[i];
        a->elements[i].count = (intptr_t)segment->count;
        if (segment->count == 0) continue;
        a->elements[i].items = malloc((size_t)segment->count * sizeof(uint64_t));
        if (!a->elements[i].items) return false;
        memcpy(a->elements[i].items, segment->items, (size_t)segment->count * sizeof(uint64_t));
    }
    for (uint32_t i = 0; i < parts->dataCount; i++) {
        const wvm_agent_byte_list *data = &parts->datas[i];
        a->datas[i].count = (intptr_t)data->count;
        if (data->count == 0) continue;
        void *bytes = malloc(data->count);
        if (!bytes) return false;
        memcpy(bytes, data->bytes, data->count);
        a->datas[i].bytes = bytes;
    }
    return true;
}

/* Whether every handle of finish-instance is an object of its kind. */
static const char *wvm_agent_check_parts(wvm_agent_store *store, const wvm_agent_instance_parts *parts) {
    for (uint32_t i = 0; i < parts->tables.count; i++) {
        if (!wvm_agent_table(store, parts->tables.items[i])) return "finish-instance: not a table";
    }
    for (uint32_t i = 0; i < parts->memories.count; i++) {
        if (!wvm_agent_memory(store, parts->memories.items[i])) return "finish-instance: not a memory";
    }
    for (uint32_t i = 0; i < parts->globals.count; i++) {
        if (!wvm_agent_global(store, parts->globals.items[i])) return "finish-instance: not a global cell";
    }
    for (uint32_t i = 0; i < parts->typeIDs.count; i++) {
        if (!wvm_agent_type_id_fits((int64_t)parts->typeIDs.items[i])) return "finish-instance: type ID out of range";
    }
    return NULL;
}

wvm_agent_result wvm_agent_finish_instance(wvm_agent_store *store, uint64_t vmctx,
                                           const wvm_agent_instance_parts *parts) {
    wvm_agent_instance *instance = wvm_agent_lookup(store, vmctx, wvm_agent_kind_instance);
    if (!instance) return wvm_agent_fail(store, wvm_agent_bad_request, "finish-instance: not an instance");
    if (instance->finished) return wvm_agent_fail(store, wvm_agent_bad_request, "finish-instance: finished already");
    const char *problem = wvm_agent_check_parts(store, parts);
    if (problem) return wvm_agent_fail(store, wvm_agent_bad_request, problem);

    wvm_agent_arrays a = {
        .tables = wvm_agent_array(parts->tables.count, sizeof(WVMTable *)),
        .memories = wvm_agent_array(parts->memories.count, sizeof(WVMMemory *)),
        .globals = wvm_agent_array(parts->globals.count, sizeof(uint64_t *)),
        .tags = wvm_agent_array(parts->tags.count, sizeof(const void *)),
        .typeIDs = wvm_agent_array(parts->typeIDs.count, sizeof(intptr_t)),
        .elements = wvm_agent_array(parts->elementCount, sizeof(WVMElementSegment)),
        .datas = wvm_agent_array(parts->dataCount, sizeof(WVMDataSegment)),
    };
    if (!a.tables || !a.memories || !a.globals || !a.tags || !a.typeIDs || !a.elements || !a.datas ||
        !wvm_agent_copy_segments(&a, parts)) {
        wvm_agent_free_arrays(&a, parts);
        return wvm_agent_fail(store, wvm_agent_exhausted, "finish-instance: out of memory");
    }
    for (uint32_t i = 0; i < parts->tables.count; i++) a.tables[i] = (WVMTable *)(uintptr_t)parts->tables.items[i];
    for (uint32_t i = 0; i < parts->memories.count; i++) a.memories[i] = (WVMMemory *)(uintptr_t)parts->memories.items[i];
    for (uint32_t i = 0; i < parts->globals.count; i++) a.globals[i] = (uint64_t *)(uintptr_t)parts->globals.items[i];
    /* Tags are identities the host chose: never dereferenced. */
    for (uint32_t i = 0; i < parts->tags.count; i++) a.tags[i] = (const void *)(uintptr_t)parts->tags.items[i];
    for (uint32_t i = 0; i < parts->typeIDs.count; i++) a.typeIDs[i] = (intptr_t)(int64_t)parts->typeIDs.items[i];

    /* Install: the empty arrays of new-instance go. */
    WVMInstance *vm = &instance->vm;
    free(vm->tables);
    free(vm->memories);
    free(vm->globals);
    free(vm->tags);
    free(vm->typeIDs);
    free(vm->elements);
    free(vm->datas);
    vm->tables = a.tables;
    vm->memories = a.memories;
    vm->globals = a.globals;
    vm->tags = a.tags;
    vm->typeIDs = a.typeIDs;
    vm->elements = a.elements;
    vm->datas = a.datas;
    vm->memory0 = parts->memories.count > 0 ? a.memories[0] : &store->emptyMemory;
    instance->tableCount = parts->tables.count;
    instance->memoryCount = parts->memories.count;
    instance->globalCount = parts->globals.count;
    instance->tagCount = parts->tags.count;
    instance->typeCount = parts->typeIDs.count;
    instance->elementCount = parts->elementCount;
    instance->dataCount = parts->dataCount;
    instance->finished = true;
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * The builtins (CWasmVM.h), as VMBuiltins+Runtime.swift. Indices come from
 * validated code: they are in range.
 */

static int64_t wvm_agent_builtin_memory_grow(WVMInstance *vmctx, uint32_t memory, uint64_t delta) {
    return wvm_agent_grow_memory(vmctx->memories[memory], delta);
}

static int32_t wvm_agent_builtin_memory_fill(WVMInstance *vmctx, uint32_t memory, uint64_t destination, uint32_t value,
                                             uint64_t count) {
    return wvm_agent_memory_fill_at(vmctx->memories[memory], destination, (uint8_t)value, count);
}

static int32_t wvm_agent_builtin_memory_copy(WVMInstance *vmctx, uint32_t destinationMemory, uint32_t sourceMemory,
                                             uint64_t destination, uint64_t source, uint64_t count) {
    return wvm_agent_memory_copy_between(vmctx->memories[destinationMemory], vmctx->memories[sourceMemory],
                                         destination, source, count);
}

static int32_t wvm_agent_builtin_memory_init(WVMInstance *vmctx, uint32_t memory, uint32_t data, uint64_t destination,
                                             uint32_t source, uint32_t count) {
    return wvm_agent_memory_init_from(vmctx->memories[memory], &vmctx->datas[data], destination, source, count);
}

static void wvm_agent_builtin_data_drop(WVMInstance *vmctx, uint32_t data) { vmctx->datas[data].count = 0; }

static int32_t wvm_agent_builtin_table_get(WVMInstance *vmctx, uint32_t table, uint64_t index, uint64_t *result) {
    WVMTable *t = vmctx->tables[table];
    if (index >= (uint64_t)t->count) return WVMTrapOutOfBoundsTableAccess;
    *result = t->elements[index];
    return WVMTrapNone;
}

static int32_t wvm_agent_builtin_table_set(WVMInstance *vmctx, uint32_t table, uint64_t index, uint64_t value) {
    WVMTable *t = vmctx->tables[table];
    if (index >= (uint64_t)t->count) return WVMTrapOutOfBoundsTableAccess;
    t->elements[index] = value;
    return WVMTrapNone;
}

static int64_t wvm_agent_builtin_table_grow(WVMInstance *vmctx, uint32_t table, uint64_t delta, uint64_t value) {
    return wvm_agent_grow_table(vmctx->tables[table], delta, value);
}

static int32_t wvm_agent_builtin_table_fill(WVMInstance *vmctx, uint32_t table, uint64_t index, uint64_t value,
                                            uint64_t count) {
    WVMTable *t = vmctx->tables[table];
    if (!wvm_agent_contains(index, count, (uint64_t)t->count)) return WVMTrapOutOfBoundsTableAccess;
    for (uint64_t i = 0; i < count; i++) t->elements[index + i] = value;
    return WVMTrapNone;
}

static int32_t wvm_agent_builtin_table_copy(WVMInstance *vmctx, uint32_t destinationTable, uint32_t sourceTable,
                                            uint64_t destination, uint64_t source, uint64_t count) {
    WVMTable *to = vmctx->tables[destinationTable], *from = vmctx->tables[sourceTable];
    if (!wvm_agent_contains(destination, count, (uint64_t)to->count) ||
        !wvm_agent_contains(source, count, (uint64_t)from->count)) {
        return WVMTrapOutOfBoundsTableAccess;
    }
    /* memmove: the ranges may overlap within one table. */
    if (count > 0) memmove(to->elements + destination, from->elements + source, (size_t)count * sizeof(uint64_t));
    return WVMTrapNone;
}

static int32_t wvm_agent_builtin_table_init(WVMInstance *vmctx, uint32_t table, uint32_t element, uint64_t destination,
                                            uint32_t source, uint32_t count) {
    return wvm_agent_table_init_from(vmctx->tables[table], &vmctx->elements[element], destination, source, count);
}

static void wvm_agent_builtin_elem_drop(WVMInstance *vmctx, uint32_t element) { vmctx->elements[element].count = 0; }

static int32_t wvm_agent_builtin_indirect_call_target(WVMInstance *vmctx, uint32_t table, uint64_t index,
                                                      uint32_t type, WVMFunctionHeader **result) {
    WVMTable *t = vmctx->tables[table];
    if (index >= (uint64_t)t->count) return WVMTrapUndefinedElement;
    WVMFunctionHeader *callee = (WVMFunctionHeader *)(uintptr_t)t->elements[index];
    if (!callee) {
        /* The suite checks the index in the trap's message. */
        wvm_agent_store_of(vmctx)->trapDetail = index;
        return WVMTrapUninitializedElement;
    }
    intptr_t expected = vmctx->typeIDs[type];
    if (callee->typeID != expected &&
        !wvm_agent_is_subtype(wvm_agent_store_of(vmctx), (int64_t)callee->typeID, (int64_t)expected)) {
        return WVMTrapIndirectCallTypeMismatch;
    }
    *result = callee;
    return WVMTrapNone;
}

/* Calls the host: a nested invocation from the host (during the call)
 * starts above the calling frames. */
static int32_t wvm_agent_builtin_call_host(WVMInstance *vmctx, WVMFunctionHeader *callee, uint64_t *frame) {
    wvm_agent_store *store = wvm_agent_store_of(vmctx);
    if (!store->hostCall) return WVMTrapHost;
    int32_t parameters = callee->parameterSlots, results = callee->resultSlots;
    uint64_t *saved = store->codeFrameTop;
    store->codeFrameTop = frame + (parameters > results ? parameters : results);
    int32_t status = store->hostCall(store->hostCallContext, (uint32_t)(uintptr_t)callee->entity, frame,
                                     (uint32_t)parameters, (uint32_t)results);
    store->codeFrameTop = saved;
    return status;
}

/* ---------------------------------------------------------------------------
 * The GC and exception builtins (VMBuiltins+Runtime.swift,
 * Store+References.swift, Store+ArrayOperations.swift).
 */

/* The abstract heap types of a cast target (AbstractHeapType's raw values
 * in ValueType.swift). */
enum {
    wvm_agent_heap_func = 0,
    wvm_agent_heap_nofunc,
    wvm_agent_heap_extern,
    wvm_agent_heap_noextern,
    wvm_agent_heap_any,
    wvm_agent_heap_eq,
    wvm_agent_heap_i31,
    wvm_agent_heap_struct,
    wvm_agent_heap_array,
    wvm_agent_heap_none,
    wvm_agent_heap_exn,
    wvm_agent_heap_noexn,
};

/* ReferenceBits: the low two bits tag i31s and host values. */
#define WVM_AGENT_TAG_MASK ((uint64_t)3)
#define WVM_AGENT_I31_TAG ((uint64_t)1)
#define WVM_AGENT_HOST_TAG ((uint64_t)2)

/* The struct or array at `bits` (Store.isObject: non-null, untagged), or
 * null. Only live objects of this heap are dereferenced: bits of the any
 * hierarchy are one by validation, and a check costs one hash probe. */
static uint64_t *wvm_agent_gc_object(const wvm_agent_store *store, uint64_t bits) {
    if (bits == 0 || (bits & WVM_AGENT_TAG_MASK) != 0) return NULL;
    uint64_t *object = wvm_agent_heap_find(&store->heap, bits);
    if (!object || (object[-1] & WVM_AGENT_HEAP_EXCEPTION)) return NULL;
    return object;
}

/* The declared kind of the object at `bits` (func when it is none). */
static wvm_agent_type_kind wvm_agent_object_kind(const wvm_agent_store *store, uint64_t bits) {
    const uint64_t *object = wvm_agent_gc_object(store, bits);
    const wvm_agent_type *type = object ? wvm_agent_type_of(store, (int64_t)object[WVM_AGENT_OBJECT_TYPE]) : NULL;
    return type ? type->kind : wvm_agent_type_func;
}

/* Store.referenceMatches(_:_: .abstract) for a non-null reference. */
static bool wvm_agent_matches_abstract(const wvm_agent_store *store, uint64_t bits, unsigned heapType) {
    switch (heapType) {
    case wvm_agent_heap_any:
    case wvm_agent_heap_func:
    case wvm_agent_heap_extern:
    case wvm_agent_heap_exn: return true;
    case wvm_agent_heap_eq: return (bits & WVM_AGENT_TAG_MASK) == WVM_AGENT_I31_TAG || wvm_agent_gc_object(store, bits);
    case wvm_agent_heap_i31: return (bits & WVM_AGENT_TAG_MASK) == WVM_AGENT_I31_TAG;
    case wvm_agent_heap_struct: return wvm_agent_object_kind(store, bits) == wvm_agent_type_struct;
    case wvm_agent_heap_array: return wvm_agent_object_kind(store, bits) == wvm_agent_type_array;
    default: return false; /* none, nofunc, noextern, noexn, and unknown */
    }
}

/* Store.referenceMatches(_:_: .concrete) for a non-null reference. */
static bool wvm_agent_matches_concrete(wvm_agent_store *store, uint64_t bits, int64_t id) {
    const wvm_agent_type *target = wvm_agent_type_of(store, id);
    if (!target) return false;
    if (target->kind == wvm_agent_type_func) {
        const WVMFunctionHeader *header = wvm_agent_lookup(store, bits, wvm_agent_kind_header);
        return header && wvm_agent_is_subtype(store, (int64_t)header->typeID, id);
    }
    const uint64_t *object = wvm_agent_gc_object(store, bits);
    return object && wvm_agent_is_subtype(store, (int64_t)object[WVM_AGENT_OBJECT_TYPE], id);
}

/* The cast target word (CastTarget): bit 63 null matches, bits 32-39 an
 * abstract heap type + 1 (0: concrete), bits 0-31 a type index. */
static bool wvm_agent_builtin_reference_matches(WVMInstance *vmctx, uint64_t bits, uint64_t target) {
    if (bits == 0) return target >> 63 == 1;
    wvm_agent_store *store = wvm_agent_store_of(vmctx);
    unsigned abstract = (unsigned)((target >> 32) & 0xFF);
    if (abstract == 0) return wvm_agent_matches_concrete(store, bits, (int64_t)vmctx->typeIDs[target & 0xFFFFFFFFu]);
    return wvm_agent_matches_abstract(store, bits, abstract - 1);
}

static int32_t wvm_agent_builtin_gc_allocate(WVMInstance *vmctx, uint32_t type, uint64_t length, uint64_t *frame,
                                             uint64_t *result) {
    wvm_agent_store *store = wvm_agent_store_of(vmctx);
    int64_t id = (int64_t)vmctx->typeIDs[type];
    const wvm_agent_type *t = wvm_agent_type_of(store, id);
    uint64_t slots;
    if (t && t->kind == wvm_agent_type_struct) {
        slots = t->slots;
    } else if (t && t->kind == wvm_agent_type_array) {
        if (t->slots != 0 && length > UINT64_MAX / t->slots) return WVMTrapResourceExhausted;
        slots = length * t->slots;
    } else {
        return WVMTrapTypeMismatch;
    }
    uint64_t *object;
    int32_t trap = wvm_agent_allocate_object(store, id, length, slots, wvm_agent_scan_top(store, frame), &object);
    if (trap) return trap;
    *result = (uint64_t)(uintptr_t)object;
    return WVMTrapNone;
}

/* ObjectLayout.copy: `count` little-endian elements of `size` bytes into
 * slots, zero-extended (a 16-byte element takes two slots). */
static void wvm_agent_copy_elements(const uint8_t *source, uint64_t size, uint64_t count, uint64_t *destination) {
    for (uint64_t i = 0; i < count; i++) {
        const uint8_t *p = source + i * size;
        if (size == 16) {
            uint64_t lo = 0, hi = 0;
            for (int k = 0; k < 8; k++) lo |= (uint64_t)p[k] << (8 * k);
            for (int k = 0; k < 8; k++) hi |= (uint64_t)p[8 + k] << (8 * k);
            destination[2 * i] = lo;
            destination[2 * i + 1] = hi;
        } else {
            uint64_t value = 0;
            for (uint64_t k = 0; k < size; k++) value |= (uint64_t)p[k] << (8 * k);
            destination[i] = value;
        }
    }
}

/* The operands and context of one array operation. */
typedef struct wvm_agent_array_op {
    wvm_agent_store *store;
    WVMInstance *vmctx;
    int64_t id;      /* the array type's ID */
    uint8_t storage; /* its element storage */
    uint64_t width;  /* slots per element */
    uint32_t segment;
    const uint64_t *o;
    uint64_t *result;
} wvm_agent_array_op;

/* array.new_data, array.new_elem: [offset, length] -> a new array. */
static int32_t wvm_agent_array_new(const wvm_agent_array_op *op, bool data) {
    uint64_t offset = op->o[0], length = op->o[1];
    const uint64_t *top = wvm_agent_scan_top(op->store, op->result + 1);
    uint64_t *object;
    int32_t trap;
    if (data) {
        const WVMDataSegment *segment = &op->vmctx->datas[op->segment];
        uint64_t size = wvm_agent_storage_bytes(op->storage);
        if (length > UINT64_MAX / size || !wvm_agent_contains(offset, length * size, (uint64_t)segment->count)) {
            return WVMTrapOutOfBoundsMemoryAccess;
        }
        /* length * size fits and size >= width: length * width fits. */
        trap = wvm_agent_allocate_object(op->store, op->id, length, length * op->width, top, &object);
        if (trap) return trap;
        if (segment->bytes) {
            wvm_agent_copy_elements((const uint8_t *)segment->bytes + offset, size, length,
                                    object + WVM_AGENT_OBJECT_FIELDS);
        }
    } else {
        const WVMElementSegment *segment = &op->vmctx->elements[op->segment];
        if (!wvm_agent_contains(offset, length, (uint64_t)segment->count)) return WVMTrapOutOfBoundsTableAccess;
        trap = wvm_agent_allocate_object(op->store, op->id, length, length, top, &object);
        if (trap) return trap;
        if (segment->items && length > 0) {
            memcpy(object + WVM_AGENT_OBJECT_FIELDS, segment->items + offset, (size_t)length * sizeof(uint64_t));
        }
    }
    *op->result = (uint64_t)(uintptr_t)object;
    return WVMTrapNone;
}

/* array.init_data, array.init_elem: [array, destination, source, count]. */
static int32_t wvm_agent_array_init(const wvm_agent_array_op *op, bool data) {
    uint64_t *object = (uint64_t *)(uintptr_t)op->o[0];
    if (!object) return WVMTrapNullArrayReference;
    uint64_t d = op->o[1], s = op->o[2], n = op->o[3];
    if (!wvm_agent_contains(d, n, object[WVM_AGENT_OBJECT_LENGTH])) return WVMTrapOutOfBoundsArrayAccess;
    uint64_t *fields = object + WVM_AGENT_OBJECT_FIELDS;
    if (data) {
        const WVMDataSegment *segment = &op->vmctx->datas[op->segment];
        uint64_t size = wvm_agent_storage_bytes(op->storage);
        /* As Swift: the product wraps, and n is at most 2^32 - 1. */
        if (!wvm_agent_contains(s, n * size, (uint64_t)segment->count) || n > UINT32_MAX) {
            return WVMTrapOutOfBoundsMemoryAccess;
        }
        if (segment->bytes) wvm_agent_copy_elements((const uint8_t *)segment->bytes + s, size, n, fields + d * op->width);
    } else {
        const WVMElementSegment *segment = &op->vmctx->elements[op->segment];
        if (!wvm_agent_contains(s, n, (uint64_t)segment->count)) return WVMTrapOutOfBoundsTableAccess;
        if (segment->items && n > 0) memcpy(fields + d, segment->items + s, (size_t)n * sizeof(uint64_t));
    }
    return WVMTrapNone;
}

/* array.copy: [destination array, destination, source array, source, count]. */
static int32_t wvm_agent_array_copy(const wvm_agent_array_op *op) {
    uint64_t *destination = (uint64_t *)(uintptr_t)op->o[0];
    if (!destination) return WVMTrapNullArrayReference;
    const uint64_t *source = (const uint64_t *)(uintptr_t)op->o[2];
    if (!source) return WVMTrapNullArrayReference;
    uint64_t d = op->o[1], s = op->o[3], n = op->o[4];
    if (!wvm_agent_contains(d, n, destination[WVM_AGENT_OBJECT_LENGTH]) ||
        !wvm_agent_contains(s, n, source[WVM_AGENT_OBJECT_LENGTH])) {
        return WVMTrapOutOfBoundsArrayAccess;
    }
    /* memmove: both may be the same array. */
    if (n > 0) {
        memmove(destination + WVM_AGENT_OBJECT_FIELDS + d * op->width, source + WVM_AGENT_OBJECT_FIELDS + s * op->width,
                (size_t)(n * op->width * sizeof(uint64_t)));
    }
    return WVMTrapNone;
}

/* array.fill: [array, offset, value (one or two slots), count]. */
static int32_t wvm_agent_array_fill(const wvm_agent_array_op *op) {
    uint64_t *object = (uint64_t *)(uintptr_t)op->o[0];
    if (!object) return WVMTrapNullArrayReference;
    uint64_t offset = op->o[1], count = op->o[2 + op->width];
    const uint64_t *value = op->o + 2;
    if (!wvm_agent_contains(offset, count, object[WVM_AGENT_OBJECT_LENGTH])) return WVMTrapOutOfBoundsArrayAccess;
    uint64_t *p = object + WVM_AGENT_OBJECT_FIELDS + offset * op->width;
    for (uint64_t i = 0; i < count; i++, p += op->width) {
        for (uint64_t k = 0; k < op->width; k++) p[k] = value[k];
    }
    return WVMTrapNone;
}

/* Store.ArrayOperation's numbers. */
enum {
    wvm_agent_array_new_data = 0,
    wvm_agent_array_new_elem = 1,
    wvm_agent_array_init_data = 2,
    wvm_agent_array_init_elem = 3,
    wvm_agent_array_copy_op = 4,
    wvm_agent_array_fill_op = 5,
};

static int32_t wvm_agent_builtin_gc_array_operation(WVMInstance *vmctx, uint32_t operation, uint32_t type,
                                                    uint32_t segment, const uint64_t *operands, uint64_t *result) {
    /* As the Swift builtin: an unknown operation first, then the type. */
    if (operation > wvm_agent_array_fill_op) return WVMTrapTypeMismatch;
    wvm_agent_store *store = wvm_agent_store_of(vmctx);
    int64_t id = (int64_t)vmctx->typeIDs[type];
    const wvm_agent_type *t = wvm_agent_type_of(store, id);
    if (!t || t->kind != wvm_agent_type_array) return WVMTrapTypeMismatch;
    wvm_agent_array_op op = {store, vmctx, id, t->storages[0], t->slots, segment, operands, result};
    switch (operation) {
    case wvm_agent_array_new_data: return wvm_agent_array_new(&op, true);
    case wvm_agent_array_new_elem: return wvm_agent_array_new(&op, false);
    case wvm_agent_array_init_data: return wvm_agent_array_init(&op, true);
    case wvm_agent_array_init_elem: return wvm_agent_array_init(&op, false);
    case wvm_agent_array_copy_op: return wvm_agent_array_copy(&op);
    default: return wvm_agent_array_fill(&op);
    }
}

/* throw: the exception of tag index `tag` with its payload, in
 * runtime->exception. A tag identity that new-tag did not make has no
 * payload count: TypeMismatch rather than a guess (code would copy as
 * many slots as the tag's type says out of the object). */
static int32_t wvm_agent_builtin_throw_tag(WVMInstance *vmctx, uint32_t tag, const uint64_t *payload, uint64_t *frame) {
    wvm_agent_store *store = wvm_agent_store_of(vmctx);
    uint64_t identity = (uint64_t)(uintptr_t)vmctx->tags[tag];
    const wvm_agent_tag *t = wvm_agent_lookup(store, identity, wvm_agent_kind_tag);
    if (!t) return WVMTrapTypeMismatch;
    uint64_t *exception;
    int32_t trap = wvm_agent_allocate_exception(store, identity, payload, t->payloadSlots,
                                                wvm_agent_scan_top(store, frame), &exception);
    if (trap) return trap;
    vmctx->runtime->exception = (uint64_t)(uintptr_t)exception;
    return WVMTrapExceptionThrown;
}

static void wvm_agent_install_builtins(WVMBuiltins *b) {
    *b = (WVMBuiltins){0};
    b->memoryGrow = wvm_agent_builtin_memory_grow;
    b->memoryFill = wvm_agent_builtin_memory_fill;
    b->memoryCopy = wvm_agent_builtin_memory_copy;
    b->memoryInit = wvm_agent_builtin_memory_init;
    b->dataDrop = wvm_agent_builtin_data_drop;
    b->tableGet = wvm_agent_builtin_table_get;
    b->tableSet = wvm_agent_builtin_table_set;
    b->tableGrow = wvm_agent_builtin_table_grow;
    b->tableFill = wvm_agent_builtin_table_fill;
    b->tableCopy = wvm_agent_builtin_table_copy;
    b->tableInit = wvm_agent_builtin_table_init;
    b->elemDrop = wvm_agent_builtin_elem_drop;
    b->indirectCallTarget = wvm_agent_builtin_indirect_call_target;
    b->referenceMatches = wvm_agent_builtin_reference_matches;
    b->gcAllocate = wvm_agent_builtin_gc_allocate;
    b->gcArrayOperation = wvm_agent_builtin_gc_array_operation;
    b->throwTag = wvm_agent_builtin_throw_tag;
    /* isSubtype and throwRef stay null, as in the Swift runtime: the JIT
     * does not call them. */
    b->callHost = wvm_agent_builtin_call_host;
}

/* ---------------------------------------------------------------------------
 * Segment operations from the wire (instantiation's active segments).
 */

/* The finished instance of `vmctx`, or null (message set). */
static wvm_agent_instance *wvm_agent_finished_instance(wvm_agent_store *store, uint64_t vmctx) {
    wvm_agent_instance *instance = wvm_agent_lookup(store, vmctx, wvm_agent_kind_instance);
    if (!instance) wvm_agent_fail(store, wvm_agent_bad_request, "not an instance");
    else if (!instance->finished) wvm_agent_fail(store, wvm_agent_bad_request, "instance not finished");
    else return instance;
    return NULL;
}

wvm_agent_result wvm_agent_table_init(wvm_agent_store *store, uint64_t vmctx, uint32_t table, uint32_t segment,
                                      uint64_t destination, uint32_t source, uint32_t count, int32_t *trap) {
    wvm_agent_instance *instance = wvm_agent_finished_instance(store, vmctx);
    if (!instance) return wvm_agent_bad_request;
    if (table >= instance->tableCount || segment >= instance->elementCount) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "table-init: table or segment index out of range");
    }
    *trap = wvm_agent_builtin_table_init(&instance->vm, table, segment, destination, source, count);
    return *trap ? wvm_agent_trapped : wvm_agent_ok;
}

wvm_agent_result wvm_agent_elem_drop(wvm_agent_store *store, uint64_t vmctx, uint32_t segment) {
    wvm_agent_instance *instance = wvm_agent_finished_instance(store, vmctx);
    if (!instance) return wvm_agent_bad_request;
    if (segment >= instance->elementCount) return wvm_agent_fail(store, wvm_agent_bad_request, "elem-drop: index out of range");
    wvm_agent_builtin_elem_drop(&instance->vm, segment);
    return wvm_agent_ok;
}

wvm_agent_result wvm_agent_memory_init(wvm_agent_store *store, uint64_t vmctx, uint32_t memory, uint32_t segment,
                                       uint64_t destination, uint32_t source, uint32_t count, int32_t *trap) {
    wvm_agent_instance *instance = wvm_agent_finished_instance(store, vmctx);
    if (!instance) return wvm_agent_bad_request;
    if (memory >= instance->memoryCount || segment >= instance->dataCount) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "memory-init: memory or segment index out of range");
    }
    *trap = wvm_agent_builtin_memory_init(&instance->vm, memory, segment, destination, source, count);
    return *trap ? wvm_agent_trapped : wvm_agent_ok;
}

wvm_agent_result wvm_agent_data_drop(wvm_agent_store *store, uint64_t vmctx, uint32_t segment) {
    wvm_agent_instance *instance = wvm_agent_finished_instance(store, vmctx);
    if (!instance) return wvm_agent_bad_request;
    if (segment >= instance->dataCount) return wvm_agent_fail(store, wvm_agent_bad_request, "data-drop: index out of range");
    wvm_agent_builtin_data_drop(&instance->vm, segment);
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * The store's life.
 */

/* A value stack of `slots` slots (at least 1024, as JITStack); null when
 * too large or out of memory. */
static uint64_t *wvm_agent_value_stack(uint64_t *slots) {
    if (*slots < 1024) *slots = 1024;
    if (*slots > WVM_AGENT_MAX_VALUE_STACK_SLOTS) return NULL;
    /* malloc maps large blocks lazily: unused slots cost address space. */
    return malloc((size_t)*slots * sizeof(uint64_t));
}

wvm_agent_store *wvm_agent_store_create(uint64_t callDepthLimit, uint64_t valueStackSlots,
                                        const void *nativeStackLimit) {
    if (callDepthLimit > (uint64_t)INTPTR_MAX) return NULL;
    wvm_agent_store *store = calloc(1, sizeof *store);
    if (!store) return NULL;
    store->valueStack = wvm_agent_value_stack(&valueStackSlots);
    if (!store->valueStack) {
        free(store);
        return NULL;
    }
    store->valueStackEnd = store->valueStack + valueStackSlots;
    store->maxHeapBytes = WVM_AGENT_DEFAULT_MAX_HEAP_BYTES;
    wvm_agent_heap_reset(&store->heap, store->maxHeapBytes);
    wvm_agent_install_builtins(&store->builtins);
    store->emptyMemory = (WVMMemory){.base = &store->emptyByte, .byteCount = 0, .pageCount = 0, .maximumPages = 0,
                                     .reservedBytes = 0, .pageSizeLog2 = 16, .is64 = false};
    store->runtime = (WVMRuntime){.fuel = 0,
                                  .callDepth = 0,
                                  .callDepthLimit = (intptr_t)callDepthLimit,
                                  .nativeStackLimit = nativeStackLimit,
                                  .valueStackEnd = store->valueStackEnd,
                                  .trapCode = 0,
                                  .exception = 0,
                                  .builtins = &store->builtins,
                                  .store = store,
                                  .frameTrail = store->frameTrail};
    store->trapDetail = UINT64_MAX;
    return store;
}

void wvm_agent_store_destroy(wvm_agent_store *store) {
    if (!store) return;
    wvm_agent_free_all(store);
    free(store->valueStack);
    free(store);
}

void wvm_agent_set_host_call(wvm_agent_store *store, wvm_agent_host_call call, void *context) {
    store->hostCall = call;
    store->hostCallContext = context;
}

wvm_agent_result wvm_agent_configure(wvm_agent_store *store, uint64_t callDepthLimit, uint64_t valueStackSlots,
                                     uint64_t maxHeapBytes) {
    if (store->activeInvocations > 0) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "configure: an invocation is running");
    }
    if (callDepthLimit > (uint64_t)INTPTR_MAX) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "configure: callDepthLimit out of range");
    }
    /* The new stack first: when it cannot be made, the old store stays. */
    uint64_t *stack = wvm_agent_value_stack(&valueStackSlots);
    if (!stack) return wvm_agent_fail(store, wvm_agent_exhausted, "configure: value stack too large");
    /* The new limit first: free_all starts the new heap under it. */
    store->maxHeapBytes = maxHeapBytes;
    wvm_agent_free_all(store);
    free(store->valueStack);
    store->valueStack = stack;
    store->valueStackEnd = stack + valueStackSlots;
    store->codeFrameTop = NULL;
    store->invocationTop = NULL;
    store->trapDetail = UINT64_MAX;
    store->runtime.fuel = 0;
    store->runtime.callDepth = 0;
    store->runtime.callDepthLimit = (intptr_t)callDepthLimit;
    store->runtime.valueStackEnd = store->valueStackEnd;
    store->runtime.trapCode = 0;
    store->runtime.exception = 0;
    return wvm_agent_ok;
}

const void *wvm_agent_native_stack_limit(const void *anchor) {
    struct rlimit limit;
    uintptr_t size = (uintptr_t)8 << 20;
    if (getrlimit(RLIMIT_STACK, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) size = (uintptr_t)limit.rlim_cur;
    /* A huge limit is not a promise of that much room; 1 GiB is plenty. */
    if (size > ((uintptr_t)1 << 30)) size = (uintptr_t)1 << 30;
    uintptr_t top = (uintptr_t)anchor;
    if (size <= WVM_AGENT_HOST_STACK_RESERVE || top < size) return NULL; /* unknown: no check */
    return (const void *)(top - size + WVM_AGENT_HOST_STACK_RESERVE);
}

/* ---------------------------------------------------------------------------
 * GC objects from the wire (constant expressions) and reference kinds.
 */

/* The slots a new-object of `type` with `length` must carry; false when
 * the type is no struct or array or the length is wrong for it. */
static bool wvm_agent_object_slots(const wvm_agent_type *type, uint64_t length, uint64_t *slots) {
    if (!type) return false;
    if (type->kind == wvm_agent_type_struct) {
        *slots = type->slots;
        return length == 0;
    }
    if (type->kind != wvm_agent_type_array) return false;
    if (length > UINT64_MAX / type->slots) return false;
    *slots = length * type->slots;
    return true;
}

wvm_agent_result wvm_agent_new_object(wvm_agent_store *store, int64_t typeID, uint64_t length, const uint64_t *slots,
                                      uint32_t slotCount, uint64_t *bits, int32_t *trap) {
    uint64_t expected;
    const wvm_agent_type *type = wvm_agent_type_of(store, typeID);
    if (!wvm_agent_object_slots(type, length, &expected)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "new-object: not a struct or array type, or a bad length");
    }
    /* An array's slots come for every element, or for one element that
     * fills them all (array.new and array.new_default in constant
     * expressions: a frame per element would not scale). */
    uint64_t perElement = type->slots;
    bool fill = expected != slotCount;
    if (fill && !(type->kind == wvm_agent_type_array && length > 1 && perElement == slotCount)) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "new-object: wrong slot count");
    }
    /* Never collects: the host may hold references made by earlier
     * new-objects that no root reaches yet. */
    uint64_t *object;
    *trap = wvm_agent_allocate_object(store, typeID, length, expected, NULL, &object);
    if (*trap) return wvm_agent_trapped;
    if (fill) {
        for (uint64_t i = 0; i < length; i++) {
            memcpy(object + WVM_AGENT_OBJECT_FIELDS + i * perElement, slots, (size_t)perElement * sizeof(uint64_t));
        }
    } else if (slotCount > 0) {
        memcpy(object + WVM_AGENT_OBJECT_FIELDS, slots, (size_t)slotCount * sizeof(uint64_t));
    }
    *bits = (uint64_t)(uintptr_t)object;
    return wvm_agent_ok;
}

uint8_t wvm_agent_reference_kind(wvm_agent_store *store, uint64_t bits) {
    if (bits == 0) return WVM_AGENT_REFERENCE_NULL;
    if ((bits & WVM_AGENT_TAG_MASK) == WVM_AGENT_I31_TAG) return WVM_AGENT_REFERENCE_I31;
    if ((bits & WVM_AGENT_TAG_MASK) == WVM_AGENT_HOST_TAG) return WVM_AGENT_REFERENCE_HOST;
    if (wvm_agent_lookup(store, bits, wvm_agent_kind_header)) return WVM_AGENT_REFERENCE_FUNCTION;
    const uint64_t *object = wvm_agent_heap_find(&store->heap, bits);
    if (!object) return WVM_AGENT_REFERENCE_OTHER;
    if (object[-1] & WVM_AGENT_HEAP_EXCEPTION) return WVM_AGENT_REFERENCE_EXCEPTION;
    switch (wvm_agent_object_kind(store, bits)) {
    case wvm_agent_type_struct: return WVM_AGENT_REFERENCE_STRUCT;
    case wvm_agent_type_array: return WVM_AGENT_REFERENCE_ARRAY;
    default: return WVM_AGENT_REFERENCE_OTHER;
    }
}

uint64_t *wvm_agent_value_stack_bottom(wvm_agent_store *store) { return store->valueStack; }

wvm_agent_heap_statistics wvm_agent_heap_stats(const wvm_agent_store *store) {
    return (wvm_agent_heap_statistics){store->heap.bytes, store->heap.count, store->heap.collections};
}

/* ---------------------------------------------------------------------------
 * invoke.
 */

typedef int32_t (*wvm_agent_entry_point)(WVMInstance *vmctx, uint64_t *frame);

/* Runs a defined function on the frame at `base`; 0 or a trap code. */
static int32_t wvm_agent_run(wvm_agent_store *store, WVMFunctionHeader *header, uint64_t *base) {
    wvm_agent_entry_point entry = (wvm_agent_entry_point)(uintptr_t)header->code;
    intptr_t depth = store->runtime.callDepth;
    int32_t status = entry(header->instance, base);
    if (status != 0) {
        /* Trapping frames leave the depth as it was; the entry restores it. */
        store->runtime.callDepth = depth;
        store->runtime.trapCode = 0;
        if (status == WVMTrapExceptionThrown) {
            /* Uncaught: the exception is garbage now, not a root. */
            store->runtime.exception = 0;
            status = WVMTrapUncaughtException;
        }
    }
    return status;
}

wvm_agent_result wvm_agent_invoke(wvm_agent_store *store, uint64_t handle, bool hasFuel, uint64_t fuel,
                                  const uint64_t *arguments, uint32_t argumentCount, const uint64_t **results,
                                  uint32_t *resultCount, int32_t *trap, uint64_t *detail) {
    WVMFunctionHeader *header = wvm_agent_lookup(store, handle, wvm_agent_kind_header);
    if (!header) return wvm_agent_fail(store, wvm_agent_bad_request, "invoke: not a function header");
    uint32_t parameters = (uint32_t)header->parameterSlots, resultSlots = (uint32_t)header->resultSlots;
    if (argumentCount != parameters) return wvm_agent_fail(store, wvm_agent_bad_request, "invoke: wrong argument count");
    if (header->instance && !((wvm_agent_instance *)header->instance)->finished) {
        return wvm_agent_fail(store, wvm_agent_bad_request, "invoke: instance not finished");
    }
    /* Within a host call from code, a nested invocation starts above the
     * caller's frames. */
    uint64_t *base = store->codeFrameTop ? store->codeFrameTop : store->valueStack;
    uint64_t room = (uint64_t)(store->valueStackEnd - base);
    *detail = UINT64_MAX;
    if ((parameters > resultSlots ? parameters : resultSlots) > room) {
        *trap = WVMTrapCallStackExhausted;
        return wvm_agent_trapped;
    }
    if (parameters > 0) memcpy(base, arguments, (size_t)parameters * sizeof(uint64_t));
    if (hasFuel) store->runtime.fuel = fuel;
    store->trapDetail = UINT64_MAX;
    /* A collection scans at least the arguments and results of the
     * running invocation (and the frames below it). */
    uint64_t *savedTop = store->invocationTop;
    store->invocationTop = base + (parameters > resultSlots ? parameters : resultSlots);
    store->activeInvocations++;
    int32_t status;
    if (header->instance) {
        status = wvm_agent_run(store, header, base);
    } else if (store->hostCall) {
        /* A host function's header: the host call, directly. */
        uint64_t *saved = store->codeFrameTop;
        store->codeFrameTop = base + (parameters > resultSlots ? parameters : resultSlots);
        status = store->hostCall(store->hostCallContext, (uint32_t)(uintptr_t)header->entity, base, parameters,
                                 resultSlots);
        store->codeFrameTop = saved;
    } else {
        status = WVMTrapHost;
    }
    store->activeInvocations--;
    store->invocationTop = savedTop;
    if (status != 0) {
        *trap = status;
        if (status == WVMTrapUninitializedElement) *detail = store->trapDetail;
        return wvm_agent_trapped;
    }
    *results = base;
    *resultCount = resultSlots;
    return wvm_agent_ok;
}

/* ---------------------------------------------------------------------------
 * ContentHash (Sources/WasmEngines/ContentHash.swift): CRC-32 (IEEE, as
 * zlib) and Adler-32, with the same shortcut for runs of zero blocks (the
 * values are those of plain CRC-32 and Adler-32; the shortcut only makes
 * mostly-zero memories fast, which matters under qemu).
 */

typedef struct wvm_agent_hash {
    uint32_t crc, a, b;
} wvm_agent_hash;

/* Slicing-by-8 tables, then the register after 64 and 4096 zero bytes from
 * a register holding only byte k = v (entry k*256+v, and 1024 + that). */
static uint32_t wvm_agent_crc_tables[8 * 256];
static uint32_t wvm_agent_zero_tables[2048];
static bool wvm_agent_hash_ready;

static uint32_t wvm_agent_crc_advance(uint32_t c, int zeros) {
    for (int i = 0; i < zeros; i++) c = wvm_agent_crc_tables[c & 0xFF] ^ (c >> 8);
    return c;
}

static void wvm_agent_hash_init_tables(void) {
    uint32_t *t = wvm_agent_crc_tables;
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
        t[i] = c;
    }
    for (int k = 1; k < 8; k++) {
        for (int i = 0; i < 256; i++) {
            uint32_t previous = t[(k - 1) * 256 + i];
            t[k * 256 + i] = t[previous & 0xFF] ^ (previous >> 8);
        }
    }
    for (int k = 0; k < 4; k++) {
        for (uint32_t v = 0; v < 256; v++) {
            uint32_t c = v << (8 * k);
            wvm_agent_zero_tables[k * 256 + v] = wvm_agent_crc_advance(c, 64);
            wvm_agent_zero_tables[1024 + k * 256 + v] = wvm_agent_crc_advance(c, 4096);
        }
    }
    wvm_agent_hash_ready = true;
}

static void wvm_agent_hash_mix(wvm_agent_hash *h, const uint8_t *p, size_t n) {
    const uint32_t *t = wvm_agent_crc_tables;
    uint32_t c = h->crc;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint32_t x = c ^ ((uint32_t)p[i] | (uint32_t)p[i + 1] << 8 | (uint32_t)p[i + 2] << 16 | (uint32_t)p[i + 3] << 24);
        c = t[7 * 256 + (x & 0xFF)] ^ t[6 * 256 + ((x >> 8) & 0xFF)] ^ t[5 * 256 + ((x >> 16) & 0xFF)] ^
            t[4 * 256 + (x >> 24)] ^ t[3 * 256 + p[i + 4]] ^ t[2 * 256 + p[i + 5]] ^ t[1 * 256 + p[i + 6]] ^ t[p[i + 7]];
    }
    for (; i < n; i++) c = t[(c ^ p[i]) & 0xFF] ^ (c >> 8);
    h->crc = c;
    /* Adler-32, reducing every 5552 bytes (the most that cannot overflow). */
    for (i = 0; i < n;) {
        size_t end = n - i > 5552 ? i + 5552 : n;
        uint32_t a = h->a, b = h->b;
        for (; i < end; i++) {
            a += p[i];
            b += a;
        }
        h->a = a % 65521;
        h->b = b % 65521;
    }
}

/* Both sums over `count` zero bytes (a multiple of 64). */
static void wvm_agent_hash_skip_zeros(wvm_agent_hash *h, size_t count) {
    h->b = (uint32_t)(((uint64_t)h->b + (uint64_t)(count % 65521) * h->a) % 65521);
    const uint32_t *z = wvm_agent_zero_tables;
    uint32_t c = h->crc;
    for (; count >= 4096; count -= 4096) {
        c = z[1024 + (c & 0xFF)] ^ z[1024 + 256 + ((c >> 8) & 0xFF)] ^ z[1024 + 512 + ((c >> 16) & 0xFF)] ^
            z[1024 + 768 + (c >> 24)];
    }
    for (; count >= 64; count -= 64) {
        c = z[c & 0xFF] ^ z[256 + ((c >> 8) & 0xFF)] ^ z[512 + ((c >> 16) & 0xFF)] ^ z[768 + (c >> 24)];
    }
    h->crc = c;
}

static bool wvm_agent_is_zero64(const uint8_t *p) {
    uint64_t x = 0;
    for (int k = 0; k < 8; k++) {
        uint64_t word;
        memcpy(&word, p + 8 * k, sizeof word); /* unaligned */
        x |= word;
    }
    return x == 0;
}

uint64_t wvm_agent_content_hash(const void *bytes, size_t n) {
    if (!wvm_agent_hash_ready) wvm_agent_hash_init_tables();
    wvm_agent_hash h = {0xFFFFFFFFu, 1, 0};
    const uint8_t *p = bytes;
    size_t i = 0, zeros = 0;
    while (i < n) {
        if (n - i >= 64 && wvm_agent_is_zero64(p + i)) {
            zeros += 64;
            i += 64;
            continue;
        }
        if (zeros > 0) {
            wvm_agent_hash_skip_zeros(&h, zeros);
            zeros = 0;
        }
        size_t end = n - i > 64 ? i + 64 : n;
        wvm_agent_hash_mix(&h, p + i, end - i);
        i = end;
    }
    if (zeros > 0) wvm_agent_hash_skip_zeros(&h, zeros);
    return (uint64_t)(h.crc ^ 0xFFFFFFFFu) << 32 | (uint64_t)(h.b << 16 | h.a);
}
