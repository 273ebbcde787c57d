#ifndef CWASMVM_H
#define CWASMVM_H

/*
 * The raw runtime layout every tier runs on (docs/architecture.md, decisions 4-6):
 * the instance context ("vmctx") and the structs it
 * reaches, the per-store runtime state, and the builtins table.
 *
 * Each struct is described ONCE, by an X-macro field list
 * `F(S, name, kind, type)` (S: the struct's C name). The list expands to
 * the struct below and to the field descriptors `wvm_layout` returns,
 * from which Swift's `VMOffsets(pointerSize:)` computes the offsets for
 * a TARGET pointer size (natural alignment: every field aligned to its own
 * size, structs padded to their largest field). So a JIT that writes AArch64 code on an x86-64
 * host uses the same description as the C code that runs it. The kinds:
 * `POINTER` (a pointer), `WORD` (a pointer-sized integer, `intptr_t`),
 * `I64`, `I32`, `U8`, `BOOL` (one byte).
 *
 * Access rules for compiled code are given per field ("read", "read+write",
 * "write", "runtime only"). A field compiled code does not use is "runtime
 * only": the runtime may change its meaning without touching code
 * generation.
 *
 * GC roots (docs/vm-layout.md has the whole rule): the collector
 * (Store+GarbageCollection.swift) is non-moving and finds roots in
 * globals and tables (by their types), live element segments, references
 * pinned by the host, and the tier's value stack, which it scans
 * conservatively from the bottom to the top of the running frame (every
 * 64-bit slot that holds the address of a heap object keeps it alive).
 * It has no stack maps. So compiled code keeps every live reference in a
 * slot of its frame on that value stack at every point where a collection
 * can run: every call (wasm or host: the callee may allocate) and every
 * builtin that may allocate (the GC slots, throw, host calls), to which it
 * passes its frame's base (`frame`) so the collector knows the running
 * frame. A reference held only in a register (or on the native stack)
 * across such a point is not a root: its object may be freed. Between
 * those points registers may cache references freely; since objects do
 * not move, a spilled reference stays valid after the call.
 */

#include <stdbool.h>
#include <stdint.h>

#if __has_attribute(swift_name)
#define WVM_SWIFT_NAME(name) __attribute__((swift_name(#name)))
#else
#define WVM_SWIFT_NAME(name)
#endif

/* Clang (Swift's importer) gets nullability and closed enums of a fixed
 * 32-bit type; GCC, which builds the AArch64 agent (ci/build-agent.sh), has
 * neither in C11, and its enums of small non-negative values are 32-bit
 * ints anyway, so the layout is the same. */
#if defined(__clang__)
#define WVM_CLOSED_ENUM(name) enum __attribute__((enum_extensibility(closed))) name : int32_t
#else
#define WVM_CLOSED_ENUM(name) enum name
#define _Nonnull
#define _Nullable
#endif

struct WVMFunctionHeader;
struct WVMMemory;
struct WVMTable;
struct WVMElementSegment;
struct WVMDataSegment;
struct WVMInstance;
struct WVMRuntime;
struct WVMBuiltins;

/*
 * A function as tiers see it. A reference to a function (a `funcref` in a
 * slot, a table entry) is the address of its header.
 *   typeID:          read (call_indirect's type check against typeIDs).
 *   instance:        read; the callee's vmctx. Null for a host function.
 *   code:            read; the tier's code entry (the interpreter: its
 *                    `WCFunction`; a JIT: its entry point).
 *   parameterSlots,
 *   resultSlots:     read; 64-bit slots of the parameters and results.
 *   entity:          runtime only (the owning `FunctionEntity`, unretained).
 */
#define WVM_FUNCTION_HEADER_FIELDS(F, S)                   \
    F(S, typeID, WORD, intptr_t)                           \
    F(S, instance, POINTER, struct WVMInstance *_Nullable) \
    F(S, code, POINTER, const void *_Nullable)             \
    F(S, parameterSlots, I32, int32_t)                     \
    F(S, resultSlots, I32, int32_t)                        \
    F(S, entity, POINTER, const void *_Nullable)

/*
 * A linear memory. The base moves when the memory grows beyond its
 * reservation, so code reloads base and byteCount after every call and
 * every memory.grow (and every builtin: a host call may grow).
 *   base, byteCount: read (byteCount is the bounds-check limit).
 *   pageCount:       read (memory.size).
 *   maximumPages:    runtime only: the page count growth may not exceed
 *                    (the declared maximum, the engine's limit or the
 *                    address space, whichever is smallest).
 *   reservedBytes:   runtime only: address space reserved at base.
 *   pageSizeLog2:    read (custom page sizes).
 *   is64:            read (code is specialised on it already).
 * Only the builtins write a memory.
 */
#define WVM_MEMORY_FIELDS(F, S)         \
    F(S, base, POINTER, void *_Nonnull) \
    F(S, byteCount, WORD, intptr_t)     \
    F(S, pageCount, I64, uint64_t)      \
    F(S, maximumPages, I64, uint64_t)   \
    F(S, reservedBytes, WORD, intptr_t) \
    F(S, pageSizeLog2, U8, uint8_t)     \
    F(S, is64, BOOL, bool)

/*
 * A table: a growable array of reference slots (`ReferenceBits`).
 *   elements, count: read (call_indirect, table.get/set fast paths;
 *                    reload after calls and table.grow: elements move).
 *   elements[i]:     read+write for i < count (table.set's fast path).
 *   capacity,
 *   maximum:         runtime only.
 *   is64:            read.
 */
#define WVM_TABLE_FIELDS(F, S)                  \
    F(S, elements, POINTER, uint64_t *_Nonnull) \
    F(S, count, WORD, intptr_t)                 \
    F(S, capacity, WORD, intptr_t)              \
    F(S, maximum, I64, uint64_t)                \
    F(S, is64, BOOL, bool)

/*
 * An element segment of an instance: its evaluated references (a dropped
 * segment has count 0). Runtime only: code uses the builtins.
 */
#define WVM_ELEMENT_SEGMENT_FIELDS(F, S)      \
    F(S, items, POINTER, uint64_t *_Nullable) \
    F(S, count, WORD, intptr_t)

/*
 * A data segment of an instance (a dropped segment has count 0); the bytes
 * belong to the compiled module. Runtime only: code uses the builtins.
 */
#define WVM_DATA_SEGMENT_FIELDS(F, S)           \
    F(S, bytes, POINTER, const void *_Nullable) \
    F(S, count, WORD, intptr_t)

/*
 * The instance context (vmctx): the index spaces of one instance, resolved
 * to the entities of the store. Code gets it as its first argument and
 * reaches everything through it; no host address is baked into code.
 *   functions:  read; function index -> header (imports first).
 *   tables:     read; table index -> table.
 *   memories:   read; memory index -> memory.
 *   globals:    read; global index -> cell of two 64-bit slots (a v128
 *               takes both). The cells are read+write (global.get/set).
 *   tags:       read; tag index -> the tag's identity (an exception's tag).
 *   typeIDs:    read; type index -> the store's type ID.
 *   elements,
 *   datas:      runtime only (the builtins take segment indices).
 *   memory0:    read; memory 0, one load away; a shared empty memory
 *               (every access out of bounds) when there is none.
 *   entity:     runtime only (the owning `InstanceEntity`, unretained).
 *   runtime:    read; the store's `WVMRuntime`.
 * The pointers themselves never change while the instance lives.
 */
#define WVM_INSTANCE_FIELDS(F, S)                                          \
    F(S, functions, POINTER, struct WVMFunctionHeader *_Nonnull *_Nonnull) \
    F(S, tables, POINTER, struct WVMTable *_Nonnull *_Nonnull)             \
    F(S, memories, POINTER, struct WVMMemory *_Nonnull *_Nonnull)          \
    F(S, globals, POINTER, uint64_t *_Nonnull *_Nonnull)                   \
    F(S, tags, POINTER, const void *_Nonnull *_Nonnull)                    \
    F(S, typeIDs, POINTER, intptr_t *_Nonnull)                             \
    F(S, elements, POINTER, struct WVMElementSegment *_Nonnull)            \
    F(S, datas, POINTER, struct WVMDataSegment *_Nonnull)                  \
    F(S, memory0, POINTER, struct WVMMemory *_Nonnull)                     \
    F(S, entity, POINTER, const void *_Nullable)                           \
    F(S, runtime, POINTER, struct WVMRuntime *_Nonnull)

/*
 * The state of one store that code of all its instances shares
 * (docs/architecture.md, decisions 5 and 6).
 *   fuel:             read+write: one unit per function entry and loop
 *                     back-edge when the engine consumes fuel; code traps
 *                     with OutOfFuel when it would go below zero. The
 *                     store's `fuel` is this field.
 *   callDepth:        read+write: wasm frames active; code increments it
 *                     on entry, traps with CallStackExhausted when it
 *                     would exceed callDepthLimit, decrements it on return.
 *   callDepthLimit:   read: the engine's `maxCallDepth`.
 *   nativeStackLimit: read: the lowest native stack address code may use
 *                     (null: no limit); set by the entry trampoline.
 *   valueStackEnd:    read: the end of the tier's value stack; a frame
 *                     that would pass it traps with CallStackExhausted
 *                     (null: the tier checks in its own way).
 *   trapCode:         write: a `WVMTrapCode`, before code exits through
 *                     its trap stub; the runtime clears it.
 *   exception:        read+write: the exception being thrown (its
 *                     reference bits) while frames return
 *                     `WVMTrapExceptionThrown` to their handlers.
 *   builtins:         read.
 *   store:            runtime only (the `Store`, unretained).
 *   frameTrail:       write (JIT code): on entry, a frame at depth d writes
 *                     its vmctx and function index to the two words at
 *                     2 * (d & WVM_FRAME_TRAIL_MASK); after a trap the
 *                     runtime reads the trapping frames back from the depth
 *                     the trap left (the wasm backtrace). The interpreter
 *                     keeps its own frames and does not use it.
 * The interpreter keeps fuel and its frame count in its own state while
 * it runs (faster) and writes fuel back here when it returns to the host;
 * its frame limit is callDepthLimit.
 */
/* The frame trail holds the innermost 4096 frames of a trap (two words
 * each: 64 KiB a store); deeper ones wrap around, as a backtrace prints
 * only the innermost and outermost frames anyway. */
#define WVM_FRAME_TRAIL_MASK 4095

#define WVM_RUNTIME_FIELDS(F, S)                                \
    F(S, fuel, I64, uint64_t)                                   \
    F(S, callDepth, WORD, intptr_t)                             \
    F(S, callDepthLimit, WORD, intptr_t)                        \
    F(S, nativeStackLimit, POINTER, const void *_Nullable)      \
    F(S, valueStackEnd, POINTER, const uint64_t *_Nullable)     \
    F(S, trapCode, I32, int32_t)                                \
    F(S, exception, I64, uint64_t)                              \
    F(S, builtins, POINTER, const struct WVMBuiltins *_Nonnull) \
    F(S, store, POINTER, const void *_Nullable)                 \
    F(S, frameTrail, POINTER, uint64_t *_Nullable)

/*
 * Trap codes: `trapCode`, and the results of the builtins that may trap.
 * They mirror WasmRuntime's `TrapKind` (Trap.swift) case for case; `Host`
 * is a trap raised by a host function, whose message the runtime keeps.
 */
typedef WVM_CLOSED_ENUM(WVMTrapCode) {
    WVMTrapNone WVM_SWIFT_NAME(none) = 0,
    WVMTrapUnreachable WVM_SWIFT_NAME(unreachable),
    WVMTrapIntegerDivideByZero WVM_SWIFT_NAME(integerDivideByZero),
    WVMTrapIntegerOverflow WVM_SWIFT_NAME(integerOverflow),
    WVMTrapInvalidConversionToInteger WVM_SWIFT_NAME(invalidConversionToInteger),
    WVMTrapOutOfBoundsMemoryAccess WVM_SWIFT_NAME(outOfBoundsMemoryAccess),
    WVMTrapOutOfBoundsTableAccess WVM_SWIFT_NAME(outOfBoundsTableAccess),
    WVMTrapUndefinedElement WVM_SWIFT_NAME(undefinedElement),
    WVMTrapUninitializedElement WVM_SWIFT_NAME(uninitializedElement),
    WVMTrapIndirectCallTypeMismatch WVM_SWIFT_NAME(indirectCallTypeMismatch),
    WVMTrapNullFunctionReference WVM_SWIFT_NAME(nullFunctionReference),
    WVMTrapNullReference WVM_SWIFT_NAME(nullReference),
    WVMTrapNullStructureReference WVM_SWIFT_NAME(nullStructureReference),
    WVMTrapNullArrayReference WVM_SWIFT_NAME(nullArrayReference),
    WVMTrapNullExceptionReference WVM_SWIFT_NAME(nullExceptionReference),
    WVMTrapNullI31Reference WVM_SWIFT_NAME(nullI31Reference),
    WVMTrapOutOfBoundsArrayAccess WVM_SWIFT_NAME(outOfBoundsArrayAccess),
    WVMTrapCastFailure WVM_SWIFT_NAME(castFailure),
    WVMTrapCallStackExhausted WVM_SWIFT_NAME(callStackExhausted),
    WVMTrapOutOfFuel WVM_SWIFT_NAME(outOfFuel),
    WVMTrapResourceExhausted WVM_SWIFT_NAME(resourceExhausted),
    WVMTrapTypeMismatch WVM_SWIFT_NAME(typeMismatch),
    WVMTrapUncaughtException WVM_SWIFT_NAME(uncaughtException),
    WVMTrapHost WVM_SWIFT_NAME(host),
    /* Not a trap: an exception (in `WVMRuntime.exception`) is on its way
     * to a handler in a caller within the same invocation; one that
     * reaches the invocation's entry is an uncaught exception. */
    WVMTrapExceptionThrown WVM_SWIFT_NAME(exceptionThrown),
} WVMTrapCode;

/*
 * The builtins: what code calls for the operations the runtime does. C ABI,
 * the vmctx first. Indices are the instance's (memory, table, segment,
 * type, tag indices); addresses, lengths and table indices are 64-bit
 * (zero-extended for 32-bit memories and tables). Builtins that may trap
 * return a `WVMTrapCode` (0: none); grow returns the old size or -1.
 * After any builtin, code reloads memory bases and bounds and table
 * element arrays. All slots are read-only for code.
 *
 * The slots marked "null for now" are declared so that the layout is
 * final; they are filled as the JIT tier comes to need them (they need
 * the collector or the exception unwinder). The GC roots rule above
 * applies to every one of them: live references are spilled to `frame`
 * (the caller's frame on the value stack, scanned up to its top) first.
 */
typedef int64_t (*WVMMemoryGrow)(struct WVMInstance *_Nonnull vmctx, uint32_t memory, uint64_t delta);
typedef int32_t (*WVMMemoryFill)(struct WVMInstance *_Nonnull vmctx, uint32_t memory, uint64_t destination,
                                 uint32_t value, uint64_t count);
typedef int32_t (*WVMMemoryCopy)(struct WVMInstance *_Nonnull vmctx, uint32_t destinationMemory, uint32_t sourceMemory,
                                 uint64_t destination, uint64_t source, uint64_t count);
typedef int32_t (*WVMMemoryInit)(struct WVMInstance *_Nonnull vmctx, uint32_t memory, uint32_t data,
                                 uint64_t destination, uint32_t source, uint32_t count);
typedef void (*WVMSegmentDrop)(struct WVMInstance *_Nonnull vmctx, uint32_t segment);
typedef int32_t (*WVMTableGet)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint64_t index,
                               uint64_t *_Nonnull result);
typedef int32_t (*WVMTableSet)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint64_t index, uint64_t value);
typedef int64_t (*WVMTableGrow)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint64_t delta, uint64_t value);
typedef int32_t (*WVMTableFill)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint64_t index, uint64_t value,
                                uint64_t count);
typedef int32_t (*WVMTableCopy)(struct WVMInstance *_Nonnull vmctx, uint32_t destinationTable, uint32_t sourceTable,
                                uint64_t destination, uint64_t source, uint64_t count);
typedef int32_t (*WVMTableInit)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint32_t element,
                                uint64_t destination, uint32_t source, uint32_t count);
/* call_indirect's checks beyond the fast path (an in-range, non-null entry
 * of exactly the expected type ID): out of range, null (the trap keeps the
 * index as its detail, in the store), or a subtype of the expected type.
 * Writes the callee's header to `*result`. */
typedef int32_t (*WVMIndirectCallTarget)(struct WVMInstance *_Nonnull vmctx, uint32_t table, uint64_t index,
                                         uint32_t type, struct WVMFunctionHeader *_Nullable *_Nonnull result);
/* Whether the reference `bits` matches a cast target word (heap type and
 * nullability, WasmRuntime's CastTarget): ref.test, ref.cast, br_on_cast. */
typedef bool (*WVMReferenceMatches)(struct WVMInstance *_Nonnull vmctx, uint64_t bits, uint64_t target);
/* A GC object of type index `type` (struct: length 0) with zeroed fields;
 * may collect, so the caller's live slots are scanned: `frame` is the end
 * of them (the slot after the last live value of the caller's frame; the
 * frames below it are the callers'). */
typedef int32_t (*WVMGCAllocate)(struct WVMInstance *_Nonnull vmctx, uint32_t type, uint64_t length,
                                 uint64_t *_Nonnull frame, uint64_t *_Nonnull result);
/* array.new_data, array.new_elem, array.init_data, array.init_elem,
 * array.copy, array.fill (`operation` 0-5, WasmRuntime's
 * Store.ArrayOperation): the array operations that need segments,
 * allocation or the element type. `operands` holds the instruction's
 * operands in its order; `result` (a new array) is the slot after the
 * caller's live slots, which the collector scans. */
typedef int32_t (*WVMGCArrayOperation)(struct WVMInstance *_Nonnull vmctx, uint32_t operation, uint32_t type,
                                       uint32_t segment, const uint64_t *_Nonnull operands,
                                       uint64_t *_Nonnull result);
/* Whether the store's type `typeID` is a subtype of `expected` (casts,
 * call_indirect when the IDs differ). */
typedef bool (*WVMIsSubtype)(struct WVMInstance *_Nonnull vmctx, intptr_t typeID, intptr_t expected);
/* throw: allocates the exception (tag index, payload slots), puts it in
 * `WVMRuntime.exception` and returns ExceptionThrown (or a trap, when the
 * heap is full); `frame` is the end of the caller's live slots. */
typedef int32_t (*WVMThrow)(struct WVMInstance *_Nonnull vmctx, uint32_t tag, const uint64_t *_Nonnull payload,
                            uint64_t *_Nonnull frame);
typedef int32_t (*WVMThrowRef)(struct WVMInstance *_Nonnull vmctx, uint64_t exception, uint64_t *_Nonnull frame);
/* Calls a host function: arguments in frame[0...], results written there.
 * A trap (the host's own, or one of wasm code the host called) is kept by
 * the store for the entry to rethrow with its message. */
typedef int32_t (*WVMCallHost)(struct WVMInstance *_Nonnull vmctx, struct WVMFunctionHeader *_Nonnull callee,
                               uint64_t *_Nonnull frame);

#define WVM_BUILTINS_FIELDS(F, S)                                  \
    F(S, memoryGrow, POINTER, WVMMemoryGrow _Nonnull)              \
    F(S, memoryFill, POINTER, WVMMemoryFill _Nonnull)              \
    F(S, memoryCopy, POINTER, WVMMemoryCopy _Nonnull)              \
    F(S, memoryInit, POINTER, WVMMemoryInit _Nonnull)              \
    F(S, dataDrop, POINTER, WVMSegmentDrop _Nonnull)               \
    F(S, tableGet, POINTER, WVMTableGet _Nonnull)                  \
    F(S, tableSet, POINTER, WVMTableSet _Nonnull)                  \
    F(S, tableGrow, POINTER, WVMTableGrow _Nonnull)                \
    F(S, tableFill, POINTER, WVMTableFill _Nonnull)                \
    F(S, tableCopy, POINTER, WVMTableCopy _Nonnull)                \
    F(S, tableInit, POINTER, WVMTableInit _Nonnull)                \
    F(S, elemDrop, POINTER, WVMSegmentDrop _Nonnull)               \
    F(S, indirectCallTarget, POINTER, WVMIndirectCallTarget _Nonnull) \
    F(S, referenceMatches, POINTER, WVMReferenceMatches _Nullable) \
    F(S, gcAllocate, POINTER, WVMGCAllocate _Nullable)             \
    F(S, gcArrayOperation, POINTER, WVMGCArrayOperation _Nullable) \
    F(S, throwTag, POINTER, WVMThrow _Nullable)                    \
    /* Null in every runtime for now: */                           \
    F(S, isSubtype, POINTER, WVMIsSubtype _Nullable)               \
    F(S, throwRef, POINTER, WVMThrowRef _Nullable)                 \
    F(S, callHost, POINTER, WVMCallHost _Nullable)

/* Every struct of the layout: its C name and field list. WasmRuntime
 * names them for Swift (RuntimeLayout.swift): FunctionHeader, MemoryState,
 * TableState, ElementSegmentState, DataSegmentState, InstanceContext,
 * VMRuntime, VMBuiltins. */
#define WVM_STRUCTS(S)                               \
    S(WVMFunctionHeader, WVM_FUNCTION_HEADER_FIELDS) \
    S(WVMMemory, WVM_MEMORY_FIELDS)                  \
    S(WVMTable, WVM_TABLE_FIELDS)                    \
    S(WVMElementSegment, WVM_ELEMENT_SEGMENT_FIELDS) \
    S(WVMDataSegment, WVM_DATA_SEGMENT_FIELDS)       \
    S(WVMInstance, WVM_INSTANCE_FIELDS)              \
    S(WVMRuntime, WVM_RUNTIME_FIELDS)                \
    S(WVMBuiltins, WVM_BUILTINS_FIELDS)

#define WVM_MEMBER(cName, name, kind, type) type name;
#define WVM_STRUCT(cName, FIELDS) typedef struct cName { FIELDS(WVM_MEMBER, cName) } cName;
WVM_STRUCTS(WVM_STRUCT)
#undef WVM_STRUCT
#undef WVM_MEMBER

/* The kind of a field, which gives its size and alignment on a target. */
typedef WVM_CLOSED_ENUM(WVMFieldKind) {
    WVMFieldKindPOINTER WVM_SWIFT_NAME(pointer),
    WVMFieldKindWORD WVM_SWIFT_NAME(word),
    WVMFieldKindI64 WVM_SWIFT_NAME(i64),
    WVMFieldKindI32 WVM_SWIFT_NAME(i32),
    WVMFieldKindU8 WVM_SWIFT_NAME(u8),
    WVMFieldKindBOOL WVM_SWIFT_NAME(bool),
} WVMFieldKind;

/* One field of a struct, as the field list says, with its offset on this
 * host (what the tests compare `VMOffsets` with). */
typedef struct WVMFieldDescriptor {
    const char *_Nonnull name;
    WVMFieldKind kind;
    intptr_t hostOffset;
} WVMFieldDescriptor;

typedef struct WVMStructDescriptor {
    /* The C name (`WVMInstance`, ...). */
    const char *_Nonnull name;
    const WVMFieldDescriptor *_Nonnull fields;
    intptr_t fieldCount;
    /* sizeof on this host. */
    intptr_t hostSize;
} WVMStructDescriptor;

/* The lowest address of the running thread's stack and its size (null and
 * 0 when unknown): the JIT's entry derives `nativeStackLimit` from it. */
void *_Nullable wvm_thread_stack_low(uintptr_t *_Nonnull size);

/* The structs of the layout, in `WVM_STRUCTS` order: `*count` entries. */
const WVMStructDescriptor *_Nonnull wvm_layout(intptr_t *_Nonnull count);

#endif
