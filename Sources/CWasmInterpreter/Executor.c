/*
 * The interpreter's hot loop (see CWasmInterpreter.h for the contract and
 * Sources/WasmInterpreter/IR/Op.swift for the instruction layouts).
 *
 * Dispatch is "computed goto": every handler ends with its own indirect
 * jump through the label table (`DISPATCH`), so the branch predictor learns
 * a target history per handler instead of sharing one jump for all
 * instructions, as a `switch` in a loop does. The machine state lives in
 * locals (pc, sp, the instance context, memory 0's base and size, the
 * frame stack's top, fuel) that the compiler keeps in registers.
 *
 * The arithmetic follows the spec's numerics exactly (traps, NaN rules of
 * min/max, truncation bounds, NaN payloads of demote/promote), the same as
 * the Swift lane operators of Numerics/ (ScalarOps.swift) that SIMD uses;
 * Tests/WasmInterpreterTests/ScalarOpsTests.swift runs each instruction
 * here on the boundary operands. Anything this file does not run
 * returns `WCExitSlow` with `pc` at the instruction, before any of its
 * effects, so Swift can run it from the start.
 *
 * Safety: operands come from our own translator; memory accesses are
 * checked against memory 0's size; calls check the frame count and the
 * value stack's end, as the Swift executor does.
 *
 * Measurements (Benchmarks/KernelBench, release, best of several runs on the
 * shared 2-core machine, seconds for fib/matmul/nbody/sha256/sieve/sort, and
 * the geometric mean of our time over WasmKit 0.4.2's in the same process):
 * - Swift `while true { switch }` loop: 0.32/0.71/0.47/0.88/0.27/0.22, 2.21x.
 * - this loop, same IR: 0.28/0.40/0.32/0.50/0.23/0.20, about 1.1x. Each
 *   handler compiles to its own `jmp *(table, op, 8)` (284 indirect jumps
 *   in the object) and the hot ones to ~12 instructions without spills, so
 *   `musttail` handler functions were not tried.
 * - plus stores of constants and skipped zeroing of fresh locals (see the
 *   translator): sieve 0.23 -> 0.12, fib 0.28 -> 0.18; 1.05x.
 * - plus superinstructions (WC_FUSIONS): 0.16/0.15/0.20/0.22/0.12/0.12,
 *   0.84x (WasmKit 0.16/0.23/0.19/0.28/0.15/0.12). They pay mostly by
 *   passing a result in a register instead of through a slot: a store and
 *   a load the next instruction waits for (matmul 0.25 -> 0.15, sha256
 *   0.33 -> 0.22, nbody 0.31 -> 0.20).
 * `-Xcc -DWC_PROFILE` builds count operations and pairs of consecutive
 * operations (printed at exit): how the superinstructions were chosen.
 */
#include "CWasmInterpreter.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

/* Every operation rounds once: never fuse a multiply and an add. */
#pragma STDC FP_CONTRACT OFF

// MARK: - Operation names and kinds

#define WC_NAME(name) #name,
#define WC_FUSED_NAME(x, y, f) #x "_" #y "_" #f,
static const char *const opNames[] = {WC_OPS(WC_NAME, WC_NAME, WC_FUSED_NAME)};

const char *wc_op_name(uint16_t op) { return op < WCOpCount ? opNames[op] : "?"; }

#define WC_IS_HOT(name) true,
#define WC_IS_SLOW(name) false,
#define WC_FUSED_IS_HOT(x, y, f) true,
static const bool opIsHot[] = {WC_OPS(WC_IS_HOT, WC_IS_SLOW, WC_FUSED_IS_HOT)};

bool wc_op_is_hot(uint16_t op) { return op < WCOpCount && opIsHot[op]; }

static _Thread_local bool plantedWildRead;

void wc_plant_wild_read(bool planted) { plantedWildRead = planted; }

// MARK: - Slot values

/* i32 and f32 values are kept zero-extended in their 64-bit slot. */
static inline float f32Of(uint64_t slot) {
    uint32_t bits = (uint32_t)slot;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

static inline uint64_t slotOfF32(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    return bits;
}

static inline double f64Of(uint64_t slot) {
    double d;
    memcpy(&d, &slot, 8);
    return d;
}

static inline uint64_t slotOfF64(double d) {
    uint64_t bits;
    memcpy(&bits, &d, 8);
    return bits;
}

// MARK: - Numerics

static const uint32_t f32CanonicalNaN = 0x7FC00000u;
static const uint64_t f64CanonicalNaN = 0x7FF8000000000000ull;

/* fmin/fmax: NaN if either operand is NaN (the positive canonical NaN), -0
 * below +0 for equal zeroes (equal operands differ at most in the sign of
 * zero, so or-ing/and-ing the bits picks it), else the smaller/larger. */
static inline uint64_t f32Min(float a, float b) {
    if (a != a || b != b) return f32CanonicalNaN;
    if (a == b) return slotOfF32(a) | slotOfF32(b);
    return slotOfF32(a < b ? a : b);
}

static inline uint64_t f32Max(float a, float b) {
    if (a != a || b != b) return f32CanonicalNaN;
    if (a == b) return slotOfF32(a) & slotOfF32(b);
    return slotOfF32(a > b ? a : b);
}

static inline uint64_t f64Min(double a, double b) {
    if (a != a || b != b) return f64CanonicalNaN;
    if (a == b) return slotOfF64(a) | slotOfF64(b);
    return slotOfF64(a < b ? a : b);
}

static inline uint64_t f64Max(double a, double b) {
    if (a != a || b != b) return f64CanonicalNaN;
    if (a == b) return slotOfF64(a) & slotOfF64(b);
    return slotOfF64(a > b ? a : b);
}

/* f32.demote_f64: a NaN keeps its sign and the top 22 payload bits, quiet. */
static inline uint64_t f32Demote(double x) {
    if (x != x) {
        uint64_t bits = slotOfF64(x);
        uint32_t sign = (uint32_t)(bits >> 32) & 0x80000000u;
        uint32_t payload = (uint32_t)((bits >> 29) & 0x003FFFFFu);
        return sign | 0x7FC00000u | payload;
    }
    return slotOfF32((float)x);
}

/* f64.promote_f32: a NaN keeps its sign and payload (at the top), quiet. */
static inline uint64_t f64Promote(float x) {
    if (x != x) {
        uint64_t bits = slotOfF32(x);
        uint64_t sign = (bits & 0x80000000u) << 32;
        uint64_t payload = (bits & 0x003FFFFFu) << 29;
        return sign | 0x7FF8000000000000ull | payload;
    }
    return slotOfF64((double)x);
}

static inline uint32_t rotl32(uint32_t x, uint32_t k) { return x << (k & 31) | x >> ((32 - k) & 31); }
static inline uint32_t rotr32(uint32_t x, uint32_t k) { return x >> (k & 31) | x << ((32 - k) & 31); }
static inline uint64_t rotl64(uint64_t x, uint64_t k) { return x << (k & 63) | x >> ((64 - k) & 63); }
static inline uint64_t rotr64(uint64_t x, uint64_t k) { return x >> (k & 63) | x << ((64 - k) & 63); }

/* The first instructions of superinstructions: their lengths in words. */
#define LENGTH_i32Add 2
#define LENGTH_i32AddImm 2
#define LENGTH_i32Xor 2
#define LENGTH_i32And 2
#define LENGTH_i32RotlImm 2
#define LENGTH_i32ShrUImm 2
#define LENGTH_i32Load 2
#define LENGTH_i32Load8U 2
#define LENGTH_f64Load 2
#define LENGTH_f64Add 2
#define LENGTH_f64Sub 2
#define LENGTH_f64Mul 2
#define LENGTH_f64Div 2
#define LENGTH_f64MulImm 2
#define LENGTH_f64Sqrt 1
#define LENGTH_f64RDivImm 2

/* The operations that superinstructions combine, on slot bits (i32 results
 * zero-extended), shared by their plain handlers and the superinstructions. */
#define OUT_i32Add(x, y) ((uint64_t)(uint32_t)((uint32_t)(x) + (uint32_t)(y)))
#define OUT_i32Xor(x, y) ((uint64_t)((uint32_t)(x) ^ (uint32_t)(y)))
#define OUT_i32And(x, y) ((uint64_t)((uint32_t)(x) & (uint32_t)(y)))
#define OUT_i32Rotl(x, y) ((uint64_t)rotl32((uint32_t)(x), (uint32_t)(y)))
#define OUT_i32ShrU(x, y) ((uint64_t)((uint32_t)(x) >> ((uint32_t)(y) & 31)))
#define OUT_f64Add(x, y) slotOfF64(f64Of(x) + f64Of(y))
#define OUT_f64Sub(x, y) slotOfF64(f64Of(x) - f64Of(y))
#define OUT_f64Mul(x, y) slotOfF64(f64Of(x) * f64Of(y))
#define OUT_f64Div(x, y) slotOfF64(f64Of(x) / f64Of(y))
#define OUT_f64RDiv(x, y) slotOfF64(f64Of(y) / f64Of(x))
#define OUT_f64Sqrt(x) slotOfF64(__builtin_sqrt(f64Of(x)))

#define WC_FUSION(x, y, f) {WCOp_##x, WCOp_##y, WCOp_##x##_##y##_##f, #f[0], LENGTH_##x},
static const WCFusion fusions[] = {WC_FUSIONS(WC_FUSION)};

const WCFusion *wc_fusions(intptr_t *count) {
    *count = sizeof fusions / sizeof fusions[0];
    return fusions;
}

// MARK: - The executor

#ifdef WC_PROFILE
/* Development aid: -Xcc -DWC_PROFILE counts operations and pairs of
 * consecutive operations, printed to stderr at exit (superinstruction
 * candidates). */
#include <stdio.h>
#include <stdlib.h>
static uint64_t profileOps[WCOpCount];
static uint64_t profilePairs[WCOpCount][WCOpCount];
static uint16_t profilePrevious;
static int profileCompare(const void *x, const void *y) {
    uint64_t a = **(const uint64_t *const *)x, b = **(const uint64_t *const *)y;
    return a < b ? 1 : a > b ? -1 : 0;
}
static void profileReport(void) {
    static uint64_t *order[WCOpCount * WCOpCount];
    uint64_t total = 0;
    for (int i = 0; i < WCOpCount; i++) { order[i] = &profileOps[i]; total += profileOps[i]; }
    qsort(order, WCOpCount, sizeof order[0], profileCompare);
    fprintf(stderr, "ops (%llu):\n", (unsigned long long)total);
    for (int i = 0; i < 40 && *order[i]; i++)
        fprintf(stderr, "  %5.2f%% %s\n", 100.0 * *order[i] / total, opNames[order[i] - profileOps]);
    for (int i = 0; i < WCOpCount * WCOpCount; i++) order[i] = &profilePairs[0][0] + i;
    qsort(order, WCOpCount * WCOpCount, sizeof order[0], profileCompare);
    fprintf(stderr, "pairs:\n");
    for (int i = 0; i < 40 && *order[i]; i++) {
        long k = order[i] - &profilePairs[0][0];
        fprintf(stderr, "  %5.2f%% %s %s\n", 100.0 * *order[i] / total, opNames[k / WCOpCount], opNames[k % WCOpCount]);
    }
}
static void wc_profile(uint16_t op) {
    static int registered;
    if (!registered) { registered = 1; atexit(profileReport); }
    profileOps[op]++;
    profilePairs[profilePrevious][op]++;
    profilePrevious = op;
}
#endif

WCExit wc_execute(WCState *state) {
#define WC_LABEL_HOT(name) &&op_##name,
#define WC_LABEL_SLOW(name) &&slow,
#define WC_LABEL_FUSED(x, y, f) &&op_##x##_##y##_##f,
    static void *const labels[] = {WC_OPS(WC_LABEL_HOT, WC_LABEL_SLOW, WC_LABEL_FUSED)};

    WCStack *const stack = state->stack;
    WCFrame *const framesEnd = stack->frames + stack->maxFrames;
    uint64_t *const stackEnd = stack->end;
    /* The next free frame record. */
    WCFrame *fp = stack->frames + stack->frameCount;
    uint64_t *pc = state->pc;
    uint64_t *sp = state->sp;
    WVMInstance *ctx = state->context;
    uint64_t fuel = state->fuel;
    uint8_t *memBase;
    uint64_t memSize;
    uint64_t w;
    WVMTrapCode trap;

/* Memory 0 of the current instance. It only changes through instructions
 * Swift runs (memory.grow, host calls), after which this function is
 * entered again, and through calls/returns across instances. */
#define LOAD_MEMORY()                                                  \
    do {                                                               \
        const WVMMemory *memory = ctx->memory0;                        \
        memBase = memory->base;                                        \
        memSize = (uint64_t)memory->byteCount;                         \
    } while (0)

#ifdef WC_PROFILE
#define DISPATCH()                       \
    do {                                 \
        w = *pc;                         \
        wc_profile((uint16_t)w);         \
        goto *labels[(uint16_t)w];       \
    } while (0)
#else
#define DISPATCH()                       \
    do {                                 \
        w = *pc;                         \
        goto *labels[(uint16_t)w];       \
    } while (0)
#endif
#define NEXT(n)        \
    do {               \
        pc += (n);     \
        DISPATCH();    \
    } while (0)
#define TRAP(kind)                  \
    do {                            \
        trap = WVMTrap##kind;       \
        goto trapped;               \
    } while (0)

/* Operand fields of the first word; C is the slot in the second word. */
#define A ((intptr_t)((w >> 16) & 0xFFFFFF))
#define B ((intptr_t)(w >> 40))
#define C ((intptr_t)pc[1])
#define W1 pc[1]
#define LO(x) ((intptr_t)(uint32_t)(x))
#define HI(x) ((intptr_t)((x) >> 32))

/* Typed slot reads. */
#define U32(s) ((uint32_t)sp[s])
#define S32(s) ((int32_t)(uint32_t)sp[s])
#define U64(s) (sp[s])
#define S64(s) ((int64_t)sp[s])
#define F32(s) f32Of(sp[s])
#define F64(s) f64Of(sp[s])

    LOAD_MEMORY();
    DISPATCH();

    // MARK: Control

op_unreachable:
    TRAP(Unreachable);
op_consumeFuel:
    if (fuel == 0) TRAP(OutOfFuel);
    fuel -= 1;
    NEXT(1);
op_br:
    pc += (int64_t)w >> 16;
    DISPATCH();
op_brIfNez:
    pc += sp[A] != 0 ? (intptr_t)W1 : 2;
    DISPATCH();
op_brIfEqz:
    pc += sp[A] == 0 ? (intptr_t)W1 : 2;
    DISPATCH();
op_brTable: {
    /* w1...w(b+1) are offsets; the last is the default. */
    uint32_t i = U32(A);
    pc += (intptr_t)pc[1 + (i < (uint64_t)B ? (intptr_t)i : B)];
    DISPATCH();
}
op_ret1:
    sp[0] = sp[A];
    /* fall through */
op_ret:
    fp -= 1;
    if (fp->returnPC == NULL) goto returned;
    pc = fp->returnPC;
    sp = fp->sp;
    if (fp->context != ctx) {
        ctx = fp->context;
        LOAD_MEMORY();
    }
    DISPATCH();

#define BRANCH2(name, cond)                      \
    op_##name:                                   \
    pc += (cond) ? (intptr_t)W1 : 2;             \
    DISPATCH();
    BRANCH2(brIfI32Eq, U32(A) == U32(B))
    BRANCH2(brIfI32Ne, U32(A) != U32(B))
    BRANCH2(brIfI32LtS, S32(A) < S32(B))
    BRANCH2(brIfI32LtU, U32(A) < U32(B))
    BRANCH2(brIfI32GtS, S32(A) > S32(B))
    BRANCH2(brIfI32GtU, U32(A) > U32(B))
    BRANCH2(brIfI32LeS, S32(A) <= S32(B))
    BRANCH2(brIfI32LeU, U32(A) <= U32(B))
    BRANCH2(brIfI32GeS, S32(A) >= S32(B))
    BRANCH2(brIfI32GeU, U32(A) >= U32(B))
    BRANCH2(brIfI64Eq, U64(A) == U64(B))
    BRANCH2(brIfI64Ne, U64(A) != U64(B))
    BRANCH2(brIfI64LtS, S64(A) < S64(B))
    BRANCH2(brIfI64LtU, U64(A) < U64(B))
    BRANCH2(brIfI64GtS, S64(A) > S64(B))
    BRANCH2(brIfI64GtU, U64(A) > U64(B))
    BRANCH2(brIfI64LeS, S64(A) <= S64(B))
    BRANCH2(brIfI64LeU, U64(A) <= U64(B))
    BRANCH2(brIfI64GeS, S64(A) >= S64(B))
    BRANCH2(brIfI64GeU, U64(A) >= U64(B))

/* if cmp(slot a, hi(w1)) goto lo(w1), a signed 32-bit offset. */
#define BRANCH_IMM(name, type, op)                                                  \
    op_##name : {                                                                   \
        uint64_t w1 = W1;                                                           \
        pc += ((type)(uint32_t)sp[A] op(type)(uint32_t)(w1 >> 32)) ? (intptr_t)(int32_t)w1 : 2; \
        DISPATCH();                                                                 \
    }
    BRANCH_IMM(brIfI32EqImm, uint32_t, ==)
    BRANCH_IMM(brIfI32NeImm, uint32_t, !=)
    BRANCH_IMM(brIfI32LtSImm, int32_t, <)
    BRANCH_IMM(brIfI32LtUImm, uint32_t, <)
    BRANCH_IMM(brIfI32GtSImm, int32_t, >)
    BRANCH_IMM(brIfI32GtUImm, uint32_t, >)
    BRANCH_IMM(brIfI32LeSImm, int32_t, <=)
    BRANCH_IMM(brIfI32LeUImm, uint32_t, <=)
    BRANCH_IMM(brIfI32GeSImm, int32_t, >=)
    BRANCH_IMM(brIfI32GeUImm, uint32_t, >=)

    // MARK: Calls

/* Enters the WebAssembly function whose `FunctionHeader` is `callee`, with
 * its frame at `sp + base`, returning to the instruction `length` words on;
 * a host function goes to Swift. The arguments are in place already. */
#define ENTER(callee, base, length)                                                   \
    do {                                                                              \
        WVMInstance *instance = (callee)->instance;                                   \
        if (instance == NULL) goto slow;                                              \
        const WCFunction *function = (callee)->code;                                  \
        uint64_t *frame = sp + (base);                                                \
        if (fp == framesEnd || function->frameSlots > stackEnd - frame) TRAP(CallStackExhausted); \
        fp->returnPC = pc + (length);                                                 \
        fp->sp = sp;                                                                  \
        fp->context = ctx;                                                            \
        fp->function = function;                                                      \
        fp += 1;                                                                      \
        /* Declared locals start at zero. */                                          \
        for (intptr_t i = function->parameterSlots; i < function->localSlots; i++) frame[i] = 0; \
        sp = frame;                                                                   \
        pc = function->code;                                                          \
        if (instance != ctx) {                                                        \
            ctx = instance;                                                           \
            LOAD_MEMORY();                                                            \
        }                                                                             \
        DISPATCH();                                                                   \
    } while (0)

op_call: {
    const WVMFunctionHeader *callee = ctx->functions[A];
    ENTER(callee, B, 1);
}
op_callIndirect: {
    /* The fast path: an element in range whose type is exactly the one
     * expected; Swift handles the rest (traps with details, subtyping). */
    uint64_t w1 = W1;
    const WVMTable *table = ctx->tables[A];
    uint64_t index = table->is64 ? sp[HI(w1)] : U32(HI(w1));
    if (index >= (uint64_t)table->count) goto slow;
    const WVMFunctionHeader *callee = (const WVMFunctionHeader *)(uintptr_t)table->elements[index];
    if (callee == NULL) goto slow;
    if (callee->typeID != ctx->typeIDs[LO(w1)]) goto slow;
    ENTER(callee, B, 2);
}
op_callRef: {
    const WVMFunctionHeader *callee = (const WVMFunctionHeader *)(uintptr_t)sp[A];
    if (callee == NULL) goto slow;
    ENTER(callee, B, 1);
}
op_returnCall: {
    /* The arguments are in slots 0... already; the callee takes over the frame. */
    const WVMFunctionHeader *callee = ctx->functions[A];
    WVMInstance *instance = callee->instance;
    if (instance == NULL) goto slow;
    const WCFunction *function = callee->code;
    if (function->frameSlots > stackEnd - sp) TRAP(CallStackExhausted);
    for (intptr_t i = function->parameterSlots; i < function->localSlots; i++) sp[i] = 0;
    fp[-1].function = function;
    pc = function->code;
    if (instance != ctx) {
        ctx = instance;
        LOAD_MEMORY();
    }
    DISPATCH();
}
op_refAsNonNull:
    if (sp[A] == 0) TRAP(NullReference);
    NEXT(1);

    // MARK: Moves

op_copy:
    sp[A] = sp[B];
    NEXT(1);
op_copy128: {
    uint64_t lo = sp[B], hi = sp[B + 1];
    sp[A] = lo;
    sp[A + 1] = hi;
    NEXT(1);
}
op_copy2: {
    uint64_t w1 = W1;
    sp[A] = sp[B];
    sp[LO(w1)] = sp[HI(w1)];
    NEXT(2);
}
op_const64:
    sp[A] = W1;
    NEXT(2);
op_const128:
    sp[A] = pc[1];
    sp[A + 1] = pc[2];
    NEXT(3);
op_select: {
    uint64_t w1 = W1;
    sp[A] = sp[B] != 0 ? sp[LO(w1)] : sp[HI(w1)];
    NEXT(2);
}
op_select128: {
    uint64_t w1 = W1;
    intptr_t s = sp[B] != 0 ? LO(w1) : HI(w1);
    uint64_t lo = sp[s], hi = sp[s + 1];
    sp[A] = lo;
    sp[A + 1] = hi;
    NEXT(2);
}
op_globalGet:
    sp[A] = ctx->globals[B][0];
    NEXT(1);
op_globalSet:
    ctx->globals[B][0] = sp[A];
    NEXT(1);
op_globalGet128: {
    uint64_t *cell = ctx->globals[B];
    sp[A] = cell[0];
    sp[A + 1] = cell[1];
    NEXT(1);
}
op_globalSet128: {
    uint64_t *cell = ctx->globals[B];
    cell[0] = sp[A];
    cell[1] = sp[A + 1];
    NEXT(1);
}

    // MARK: i32

/* a = op(b, slot w1) and a = op(b, immediate w1), on 32 bits (zero-extended). */
#define I32_BINARY(name, expr)                \
    op_##name : {                             \
        uint32_t x = U32(B), y = U32(C);      \
        sp[A] = (uint32_t)(expr);             \
        NEXT(2);                              \
    }
#define I32_IMMEDIATE(name, expr)             \
    op_##name : {                             \
        uint32_t x = U32(B), y = (uint32_t)W1; \
        sp[A] = (uint32_t)(expr);             \
        NEXT(2);                              \
    }
#define I32_UNARY(name, expr)                 \
    op_##name : {                             \
        uint32_t x = U32(B);                  \
        sp[A] = (uint32_t)(expr);             \
        NEXT(1);                              \
    }

    I32_UNARY(i32Eqz, x == 0)
    I32_BINARY(i32Eq, x == y)
    I32_BINARY(i32Ne, x != y)
    I32_BINARY(i32LtS, (int32_t)x < (int32_t)y)
    I32_BINARY(i32LtU, x < y)
    I32_BINARY(i32GtS, (int32_t)x > (int32_t)y)
    I32_BINARY(i32GtU, x > y)
    I32_BINARY(i32LeS, (int32_t)x <= (int32_t)y)
    I32_BINARY(i32LeU, x <= y)
    I32_BINARY(i32GeS, (int32_t)x >= (int32_t)y)
    I32_BINARY(i32GeU, x >= y)
    I32_UNARY(i32Clz, x == 0 ? 32 : __builtin_clz(x))
    I32_UNARY(i32Ctz, x == 0 ? 32 : __builtin_ctz(x))
    I32_UNARY(i32Popcnt, __builtin_popcount(x))
op_i32Add:
    sp[A] = OUT_i32Add(sp[B], sp[C]);
    NEXT(2);
    I32_BINARY(i32Sub, x - y)
    I32_BINARY(i32Mul, x * y)
op_i32DivS: {
    int32_t x = S32(B), y = S32(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    if (x == INT32_MIN && y == -1) TRAP(IntegerOverflow);
    sp[A] = (uint32_t)(x / y);
    NEXT(2);
}
op_i32DivU: {
    uint32_t x = U32(B), y = U32(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = x / y;
    NEXT(2);
}
op_i32RemS: {
    int32_t x = S32(B), y = S32(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = (uint32_t)(y == -1 ? 0 : x % y);
    NEXT(2);
}
op_i32RemU: {
    uint32_t x = U32(B), y = U32(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = x % y;
    NEXT(2);
}
op_i32And:
    sp[A] = OUT_i32And(sp[B], sp[C]);
    NEXT(2);
    I32_BINARY(i32Or, x | y)
op_i32Xor:
    sp[A] = OUT_i32Xor(sp[B], sp[C]);
    NEXT(2);
    I32_BINARY(i32Shl, x << (y & 31))
    I32_BINARY(i32ShrS, (int32_t)x >> (y & 31))
    I32_BINARY(i32ShrU, x >> (y & 31))
    I32_BINARY(i32Rotl, rotl32(x, y))
    I32_BINARY(i32Rotr, rotr32(x, y))
op_i32AddImm:
    sp[A] = OUT_i32Add(sp[B], W1);
    NEXT(2);
    I32_IMMEDIATE(i32MulImm, x * y)
    I32_IMMEDIATE(i32AndImm, x & y)
    I32_IMMEDIATE(i32OrImm, x | y)
    I32_IMMEDIATE(i32XorImm, x ^ y)
    I32_IMMEDIATE(i32ShlImm, x << (y & 31))
    I32_IMMEDIATE(i32ShrSImm, (int32_t)x >> (y & 31))
op_i32ShrUImm:
    sp[A] = OUT_i32ShrU(sp[B], W1);
    NEXT(2);
op_i32RotlImm:
    sp[A] = OUT_i32Rotl(sp[B], W1);
    NEXT(2);
    I32_IMMEDIATE(i32RotrImm, rotr32(x, y))
    I32_IMMEDIATE(i32EqImm, x == y)
    I32_IMMEDIATE(i32NeImm, x != y)
    I32_IMMEDIATE(i32LtSImm, (int32_t)x < (int32_t)y)
    I32_IMMEDIATE(i32LtUImm, x < y)
    I32_IMMEDIATE(i32GtSImm, (int32_t)x > (int32_t)y)
    I32_IMMEDIATE(i32GtUImm, x > y)
    I32_IMMEDIATE(i32LeSImm, (int32_t)x <= (int32_t)y)
    I32_IMMEDIATE(i32LeUImm, x <= y)
    I32_IMMEDIATE(i32GeSImm, (int32_t)x >= (int32_t)y)
    I32_IMMEDIATE(i32GeUImm, x >= y)

    // MARK: i64

#define I64_BINARY(name, expr)           \
    op_##name : {                        \
        uint64_t x = U64(B), y = U64(C); \
        sp[A] = (uint64_t)(expr);        \
        NEXT(2);                         \
    }
#define I64_IMMEDIATE(name, expr)        \
    op_##name : {                        \
        uint64_t x = U64(B), y = W1;     \
        sp[A] = (uint64_t)(expr);        \
        NEXT(2);                         \
    }
#define I64_UNARY(name, expr)            \
    op_##name : {                        \
        uint64_t x = U64(B);             \
        sp[A] = (uint64_t)(expr);        \
        NEXT(1);                         \
    }

    I64_UNARY(i64Eqz, x == 0)
    I64_BINARY(i64Eq, x == y)
    I64_BINARY(i64Ne, x != y)
    I64_BINARY(i64LtS, (int64_t)x < (int64_t)y)
    I64_BINARY(i64LtU, x < y)
    I64_BINARY(i64GtS, (int64_t)x > (int64_t)y)
    I64_BINARY(i64GtU, x > y)
    I64_BINARY(i64LeS, (int64_t)x <= (int64_t)y)
    I64_BINARY(i64LeU, x <= y)
    I64_BINARY(i64GeS, (int64_t)x >= (int64_t)y)
    I64_BINARY(i64GeU, x >= y)
    I64_UNARY(i64Clz, x == 0 ? 64 : __builtin_clzll(x))
    I64_UNARY(i64Ctz, x == 0 ? 64 : __builtin_ctzll(x))
    I64_UNARY(i64Popcnt, __builtin_popcountll(x))
    I64_BINARY(i64Add, x + y)
    I64_BINARY(i64Sub, x - y)
    I64_BINARY(i64Mul, x * y)
op_i64DivS: {
    int64_t x = S64(B), y = S64(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    if (x == INT64_MIN && y == -1) TRAP(IntegerOverflow);
    sp[A] = (uint64_t)(x / y);
    NEXT(2);
}
op_i64DivU: {
    uint64_t x = U64(B), y = U64(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = x / y;
    NEXT(2);
}
op_i64RemS: {
    int64_t x = S64(B), y = S64(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = (uint64_t)(y == -1 ? 0 : x % y);
    NEXT(2);
}
op_i64RemU: {
    uint64_t x = U64(B), y = U64(C);
    if (y == 0) TRAP(IntegerDivideByZero);
    sp[A] = x % y;
    NEXT(2);
}
    I64_BINARY(i64And, x & y)
    I64_BINARY(i64Or, x | y)
    I64_BINARY(i64Xor, x ^ y)
    I64_BINARY(i64Shl, x << (y & 63))
    I64_BINARY(i64ShrS, (int64_t)x >> (y & 63))
    I64_BINARY(i64ShrU, x >> (y & 63))
    I64_BINARY(i64Rotl, rotl64(x, y))
    I64_BINARY(i64Rotr, rotr64(x, y))
    I64_IMMEDIATE(i64AddImm, x + y)
    I64_IMMEDIATE(i64MulImm, x * y)
    I64_IMMEDIATE(i64AndImm, x & y)
    I64_IMMEDIATE(i64OrImm, x | y)
    I64_IMMEDIATE(i64XorImm, x ^ y)
    I64_IMMEDIATE(i64ShlImm, x << (y & 63))
    I64_IMMEDIATE(i64ShrSImm, (int64_t)x >> (y & 63))
    I64_IMMEDIATE(i64ShrUImm, x >> (y & 63))
    I64_IMMEDIATE(i64RotlImm, rotl64(x, y))
    I64_IMMEDIATE(i64RotrImm, rotr64(x, y))
    I64_IMMEDIATE(i64EqImm, x == y)
    I64_IMMEDIATE(i64NeImm, x != y)
    I64_IMMEDIATE(i64LtSImm, (int64_t)x < (int64_t)y)
    I64_IMMEDIATE(i64LtUImm, x < y)
    I64_IMMEDIATE(i64GtSImm, (int64_t)x > (int64_t)y)
    I64_IMMEDIATE(i64GtUImm, x > y)
    I64_IMMEDIATE(i64LeSImm, (int64_t)x <= (int64_t)y)
    I64_IMMEDIATE(i64LeUImm, x <= y)
    I64_IMMEDIATE(i64GeSImm, (int64_t)x >= (int64_t)y)
    I64_IMMEDIATE(i64GeUImm, x >= y)

/* Wide arithmetic: results in a, a+1 (which may overlap the operands, so
 * every operand is read first). add128/sub128: b = lo1, w1 = hi1 | lo2 << 32,
 * w2 = hi2. mul_wide: b, w1 = the operands. */
op_i64Add128:
op_i64Sub128: {
    uint64_t w1 = W1;
    uint64_t lo1 = sp[B], hi1 = sp[LO(w1)], lo2 = sp[HI(w1)], hi2 = sp[(intptr_t)pc[2]];
    if ((uint16_t)w == WCOp_i64Add128) {
        uint64_t lo = lo1 + lo2;
        sp[A] = lo;
        sp[A + 1] = hi1 + hi2 + (lo < lo1);
    } else {
        sp[A] = lo1 - lo2;
        sp[A + 1] = hi1 - hi2 - (lo1 < lo2);
    }
    NEXT(3);
}
op_i64MulWideS: {
    __int128 p = (__int128)S64(B) * (__int128)S64(C);
    sp[A] = (uint64_t)p;
    sp[A + 1] = (uint64_t)((unsigned __int128)p >> 64);
    NEXT(2);
}
op_i64MulWideU: {
    unsigned __int128 p = (unsigned __int128)U64(B) * (unsigned __int128)U64(C);
    sp[A] = (uint64_t)p;
    sp[A + 1] = (uint64_t)(p >> 64);
    NEXT(2);
}

    // MARK: f32, f64

#define F32_COMPARE(name, op)                             \
    op_##name : sp[A] = (uint32_t)(F32(B) op F32(C)); \
    NEXT(2);
#define F64_COMPARE(name, op)                             \
    op_##name : sp[A] = (uint32_t)(F64(B) op F64(C)); \
    NEXT(2);
    F32_COMPARE(f32Eq, ==)
    F32_COMPARE(f32Ne, !=)
    F32_COMPARE(f32Lt, <)
    F32_COMPARE(f32Gt, >)
    F32_COMPARE(f32Le, <=)
    F32_COMPARE(f32Ge, >=)
    F64_COMPARE(f64Eq, ==)
    F64_COMPARE(f64Ne, !=)
    F64_COMPARE(f64Lt, <)
    F64_COMPARE(f64Gt, >)
    F64_COMPARE(f64Le, <=)
    F64_COMPARE(f64Ge, >=)

/* Plain IEEE arithmetic matches WebAssembly up to the choice of NaN, as in
 * Swift: a NaN result is whatever the hardware makes of the operands. */
#define F32_UNARY(name, expr)    \
    op_##name : {                \
        float x = F32(B);        \
        sp[A] = slotOfF32(expr); \
        NEXT(1);                 \
    }
#define F32_BINARY(name, expr)          \
    op_##name : {                       \
        float x = F32(B), y = F32(C);   \
        sp[A] = slotOfF32(expr);        \
        NEXT(2);                        \
    }
#define F32_IMMEDIATE(name, expr)           \
    op_##name : {                           \
        float x = F32(B), y = f32Of(W1);    \
        sp[A] = slotOfF32(expr);            \
        NEXT(2);                            \
    }
#define F64_UNARY(name, expr)    \
    op_##name : {                \
        double x = F64(B);       \
        sp[A] = slotOfF64(expr); \
        NEXT(1);                 \
    }
#define F64_BINARY(name, expr)          \
    op_##name : {                       \
        double x = F64(B), y = F64(C);  \
        sp[A] = slotOfF64(expr);        \
        NEXT(2);                        \
    }
#define F64_IMMEDIATE(name, expr)           \
    op_##name : {                           \
        double x = F64(B), y = f64Of(W1);   \
        sp[A] = slotOfF64(expr);            \
        NEXT(2);                            \
    }

    /* Sign operations work on the bits, keeping NaN payloads. */
op_f32Abs:
    sp[A] = U32(B) & 0x7FFFFFFFu;
    NEXT(1);
op_f32Neg:
    sp[A] = U32(B) ^ 0x80000000u;
    NEXT(1);
    F32_UNARY(f32Ceil, __builtin_ceilf(x))
    F32_UNARY(f32Floor, __builtin_floorf(x))
    F32_UNARY(f32Trunc, __builtin_truncf(x))
    F32_UNARY(f32Nearest, __builtin_roundevenf(x))
    F32_UNARY(f32Sqrt, __builtin_sqrtf(x))
    F32_BINARY(f32Add, x + y)
    F32_BINARY(f32Sub, x - y)
    F32_BINARY(f32Mul, x * y)
    F32_BINARY(f32Div, x / y)
op_f32Min:
    sp[A] = f32Min(F32(B), F32(C));
    NEXT(2);
op_f32Max:
    sp[A] = f32Max(F32(B), F32(C));
    NEXT(2);
op_f32Copysign:
    sp[A] = (U32(B) & 0x7FFFFFFFu) | (U32(C) & 0x80000000u);
    NEXT(2);
op_f64Abs:
    sp[A] = U64(B) & 0x7FFFFFFFFFFFFFFFull;
    NEXT(1);
op_f64Neg:
    sp[A] = U64(B) ^ 0x8000000000000000ull;
    NEXT(1);
    F64_UNARY(f64Ceil, __builtin_ceil(x))
    F64_UNARY(f64Floor, __builtin_floor(x))
    F64_UNARY(f64Trunc, __builtin_trunc(x))
    F64_UNARY(f64Nearest, __builtin_roundeven(x))
op_f64Sqrt:
    sp[A] = OUT_f64Sqrt(sp[B]);
    NEXT(1);
op_f64Add:
    sp[A] = OUT_f64Add(sp[B], sp[C]);
    NEXT(2);
op_f64Sub:
    sp[A] = OUT_f64Sub(sp[B], sp[C]);
    NEXT(2);
op_f64Mul:
    sp[A] = OUT_f64Mul(sp[B], sp[C]);
    NEXT(2);
op_f64Div:
    sp[A] = OUT_f64Div(sp[B], sp[C]);
    NEXT(2);
op_f64Min:
    sp[A] = f64Min(F64(B), F64(C));
    NEXT(2);
op_f64Max:
    sp[A] = f64Max(F64(B), F64(C));
    NEXT(2);
op_f64Copysign:
    sp[A] = (U64(B) & 0x7FFFFFFFFFFFFFFFull) | (U64(C) & 0x8000000000000000ull);
    NEXT(2);
    F32_IMMEDIATE(f32AddImm, x + y)
    F32_IMMEDIATE(f32SubImm, x - y)
    F32_IMMEDIATE(f32MulImm, x * y)
    F32_IMMEDIATE(f32DivImm, x / y)
    F64_IMMEDIATE(f64AddImm, x + y)
    F64_IMMEDIATE(f64SubImm, x - y)
op_f64MulImm:
    sp[A] = OUT_f64Mul(sp[B], W1);
    NEXT(2);
    F64_IMMEDIATE(f64DivImm, x / y)
    /* A constant left operand (`dt / x`) saves the `const64` that would put
     * it in a slot. */
    F32_IMMEDIATE(f32RSubImm, y - x)
    F32_IMMEDIATE(f32RDivImm, y / x)
    F64_IMMEDIATE(f64RSubImm, y - x)
op_f64RDivImm:
    sp[A] = OUT_f64RDiv(sp[B], W1);
    NEXT(2);

    // MARK: Conversions

op_i32WrapI64:
    sp[A] = U32(B);
    NEXT(1);

/* Trapping truncation: the value truncates iff it is not NaN and lies within
 * bounds that are exact in the source type (the spec's trunc rules);
 * NaN fails every comparison. */
#define TRUNCATE(name, source, read, lowerTest, upper, target, store)          \
    op_##name : {                                                               \
        source x = read(B);                                                     \
        if (!(lowerTest && x < upper)) {                                        \
            if (x != x) TRAP(InvalidConversionToInteger);                       \
            TRAP(IntegerOverflow);                                              \
        }                                                                       \
        sp[A] = (store)(target)x;                                               \
        NEXT(1);                                                                \
    }
    TRUNCATE(i32TruncF32S, float, F32, x >= -2147483648.0f, 2147483648.0f, int32_t, uint32_t)
    TRUNCATE(i32TruncF32U, float, F32, x > -1.0f, 4294967296.0f, uint32_t, uint32_t)
    TRUNCATE(i32TruncF64S, double, F64, x > -2147483649.0, 2147483648.0, int32_t, uint32_t)
    TRUNCATE(i32TruncF64U, double, F64, x > -1.0, 4294967296.0, uint32_t, uint32_t)
    TRUNCATE(i64TruncF32S, float, F32, x >= -9223372036854775808.0f, 9223372036854775808.0f, int64_t, uint64_t)
    TRUNCATE(i64TruncF32U, float, F32, x > -1.0f, 18446744073709551616.0f, uint64_t, uint64_t)
    TRUNCATE(i64TruncF64S, double, F64, x >= -9223372036854775808.0, 9223372036854775808.0, int64_t, uint64_t)
    TRUNCATE(i64TruncF64U, double, F64, x > -1.0, 18446744073709551616.0, uint64_t, uint64_t)

/* Saturating truncation: NaN gives 0, out-of-range values the bound. */
#define TRUNCATE_SAT(name, source, read, lowerTest, upper, target, store, minimum, maximum) \
    op_##name : {                                                                            \
        source x = read(B);                                                                  \
        target r;                                                                            \
        if (lowerTest && x < upper) r = (target)x;                                           \
        else if (x != x) r = 0;                                                              \
        else r = x < 0 ? (minimum) : (maximum);                                              \
        sp[A] = (store)r;                                                                    \
        NEXT(1);                                                                             \
    }
    TRUNCATE_SAT(i32TruncSatF32S, float, F32, x >= -2147483648.0f, 2147483648.0f, int32_t, uint32_t, INT32_MIN, INT32_MAX)
    TRUNCATE_SAT(i32TruncSatF32U, float, F32, x > -1.0f, 4294967296.0f, uint32_t, uint32_t, 0, UINT32_MAX)
    TRUNCATE_SAT(i32TruncSatF64S, double, F64, x > -2147483649.0, 2147483648.0, int32_t, uint32_t, INT32_MIN, INT32_MAX)
    TRUNCATE_SAT(i32TruncSatF64U, double, F64, x > -1.0, 4294967296.0, uint32_t, uint32_t, 0, UINT32_MAX)
    TRUNCATE_SAT(i64TruncSatF32S, float, F32, x >= -9223372036854775808.0f, 9223372036854775808.0f, int64_t, uint64_t, INT64_MIN, INT64_MAX)
    TRUNCATE_SAT(i64TruncSatF32U, float, F32, x > -1.0f, 18446744073709551616.0f, uint64_t, uint64_t, 0, UINT64_MAX)
    TRUNCATE_SAT(i64TruncSatF64S, double, F64, x >= -9223372036854775808.0, 9223372036854775808.0, int64_t, uint64_t, INT64_MIN, INT64_MAX)
    TRUNCATE_SAT(i64TruncSatF64U, double, F64, x > -1.0, 18446744073709551616.0, uint64_t, uint64_t, 0, UINT64_MAX)

op_i64ExtendI32S:
    sp[A] = (uint64_t)(int64_t)S32(B);
    NEXT(1);
op_i64ExtendI32U:
    sp[A] = U32(B);
    NEXT(1);

/* Integer to float rounds once, to nearest even (sitofp/uitofp). */
op_f32ConvertI32S:
    sp[A] = slotOfF32((float)S32(B));
    NEXT(1);
op_f32ConvertI32U:
    sp[A] = slotOfF32((float)U32(B));
    NEXT(1);
op_f32ConvertI64S:
    sp[A] = slotOfF32((float)S64(B));
    NEXT(1);
op_f32ConvertI64U:
    sp[A] = slotOfF32((float)U64(B));
    NEXT(1);
op_f32DemoteF64:
    sp[A] = f32Demote(F64(B));
    NEXT(1);
op_f64ConvertI32S:
    sp[A] = slotOfF64((double)S32(B));
    NEXT(1);
op_f64ConvertI32U:
    sp[A] = slotOfF64((double)U32(B));
    NEXT(1);
op_f64ConvertI64S:
    sp[A] = slotOfF64((double)S64(B));
    NEXT(1);
op_f64ConvertI64U:
    sp[A] = slotOfF64((double)U64(B));
    NEXT(1);
op_f64PromoteF32:
    sp[A] = f64Promote(F32(B));
    NEXT(1);
op_i32Extend8S:
    sp[A] = (uint32_t)(int32_t)(int8_t)sp[B];
    NEXT(1);
op_i32Extend16S:
    sp[A] = (uint32_t)(int32_t)(int16_t)sp[B];
    NEXT(1);
op_i64Extend8S:
    sp[A] = (uint64_t)(int64_t)(int8_t)sp[B];
    NEXT(1);
op_i64Extend16S:
    sp[A] = (uint64_t)(int64_t)(int16_t)sp[B];
    NEXT(1);
op_i64Extend32S:
    sp[A] = (uint64_t)(int64_t)(int32_t)sp[B];
    NEXT(1);

    // MARK: Memory 0

/* The effective address: the i32 in `slot` plus hi(w1) (a folded i32.add,
 * wrapping as it would), plus the static offset lo(w1). Both terms are below
 * 2^32, so the sum and the bounds test cannot wrap. `wild` lets an
 * out-of-bounds access through: only the scalar loads pass the planted
 * fault's flag (wc_plant_wild_read), which is read once the test failed,
 * so the path that runs is unchanged. */
#define CHECKED_ADDRESS(p, base, w1, size, wild)                                            \
    uint8_t *p;                                                                             \
    {                                                                                       \
        uint64_t w1_ = (w1);                                                                \
        uint64_t ea = (uint64_t)((uint32_t)(base) + (uint32_t)(w1_ >> 32)) + (w1_ & 0xFFFFFFFFu); \
        if (ea + (size) > memSize && !(wild)) TRAP(OutOfBoundsMemoryAccess);                 \
        p = memBase + ea;                                                                   \
    }
#define ADDRESS_AT(p, base, w1, size) CHECKED_ADDRESS(p, base, w1, size, false)
#define ADDRESS(p, slot, size) ADDRESS_AT(p, sp[slot], W1, size)
#define LOAD(name, type, size, store)        \
    op_##name : {                            \
        CHECKED_ADDRESS(p, sp[B], W1, size, plantedWildRead) \
        type v;                              \
        memcpy(&v, p, size);                 \
        sp[A] = (store)v;                    \
        NEXT(2);                             \
    }
#define STORE(name, type, size)              \
    op_##name : {                            \
        ADDRESS(p, A, size)                  \
        type v = (type)sp[B];                \
        memcpy(p, &v, size);                 \
        NEXT(2);                             \
    }
    LOAD(i32Load, uint32_t, 4, uint64_t)
    LOAD(i64Load, uint64_t, 8, uint64_t)
    LOAD(f32Load, uint32_t, 4, uint64_t)
    LOAD(f64Load, uint64_t, 8, uint64_t)
    LOAD(i32Load8S, int8_t, 1, uint32_t)
    LOAD(i32Load8U, uint8_t, 1, uint64_t)
    LOAD(i32Load16S, int16_t, 2, uint32_t)
    LOAD(i32Load16U, uint16_t, 2, uint64_t)
    LOAD(i64Load8S, int8_t, 1, uint64_t)
    LOAD(i64Load8U, uint8_t, 1, uint64_t)
    LOAD(i64Load16S, int16_t, 2, uint64_t)
    LOAD(i64Load16U, uint16_t, 2, uint64_t)
    LOAD(i64Load32S, int32_t, 4, uint64_t)
    LOAD(i64Load32U, uint32_t, 4, uint64_t)
    STORE(i32Store, uint32_t, 4)
    STORE(i64Store, uint64_t, 8)
    STORE(f32Store, uint32_t, 4)
    STORE(f64Store, uint64_t, 8)
    STORE(i32Store8, uint8_t, 1)
    STORE(i32Store16, uint16_t, 2)
    STORE(i64Store8, uint8_t, 1)
    STORE(i64Store16, uint16_t, 2)
    STORE(i64Store32, uint32_t, 4)
/* A constant value in the b field (sign-extended from 24 bits) saves the
 * `const64` that would put it in a slot: sieve's `flags[j] = 1` loop runs
 * 3 instructions instead of 4. */
#define STORE_IMMEDIATE(name, type, size)      \
    op_##name : {                              \
        ADDRESS(p, A, size)                    \
        type v = (type)((int64_t)w >> 40);     \
        memcpy(p, &v, size);                   \
        NEXT(2);                               \
    }
    STORE_IMMEDIATE(i32Store8Imm, uint8_t, 1)
    STORE_IMMEDIATE(i32Store16Imm, uint16_t, 2)
    STORE_IMMEDIATE(i32StoreImm, uint32_t, 4)
    STORE_IMMEDIATE(i64StoreImm, uint64_t, 8)
op_v128Load: {
    ADDRESS(p, B, 16)
    uint64_t lo, hi;
    memcpy(&lo, p, 8);
    memcpy(&hi, p + 8, 8);
    sp[A] = lo;
    sp[A + 1] = hi;
    NEXT(2);
}
op_v128Store: {
    ADDRESS(p, A, 16)
    memcpy(p, &sp[B], 8);
    memcpy(p + 8, &sp[B + 1], 8);
    NEXT(2);
}
op_memorySize:
    sp[A] = ctx->memories[B]->pageCount;
    NEXT(1);

    // MARK: Superinstructions

/* `x_y_f` (see WC_FUSIONS): x is the instruction at pc, which computes `r`
 * into slot a (PRODUCE_x); y starts at q = pc + LENGTH_x with first
 * word v and takes r for its operand f (CONSUME_y_f), then continues. The
 * result is as if x and y ran one after the other. */
#define WC_FUSED_HANDLER(x, y, f)      \
    op_##x##_##y##_##f : {             \
        PRODUCE_##x(r);                \
        sp[A] = r;                     \
        uint64_t *q = pc + LENGTH_##x; \
        uint64_t v = *q;               \
        (void)v;                       \
        CONSUME_##y##_##f(r);          \
    }

#define PRODUCE_i32Add(r) uint64_t r = OUT_i32Add(sp[B], sp[C])
#define PRODUCE_i32AddImm(r) uint64_t r = OUT_i32Add(sp[B], W1)
#define PRODUCE_i32Xor(r) uint64_t r = OUT_i32Xor(sp[B], sp[C])
#define PRODUCE_i32And(r) uint64_t r = OUT_i32And(sp[B], sp[C])
#define PRODUCE_i32RotlImm(r) uint64_t r = OUT_i32Rotl(sp[B], W1)
#define PRODUCE_i32ShrUImm(r) uint64_t r = OUT_i32ShrU(sp[B], W1)
#define PRODUCE_f64Add(r) uint64_t r = OUT_f64Add(sp[B], sp[C])
#define PRODUCE_f64Sub(r) uint64_t r = OUT_f64Sub(sp[B], sp[C])
#define PRODUCE_f64Mul(r) uint64_t r = OUT_f64Mul(sp[B], sp[C])
#define PRODUCE_f64Div(r) uint64_t r = OUT_f64Div(sp[B], sp[C])
#define PRODUCE_f64Sqrt(r) uint64_t r = OUT_f64Sqrt(sp[B])
#define PRODUCE_f64RDivImm(r) uint64_t r = OUT_f64RDiv(sp[B], W1)
#define PRODUCE_f64MulImm(r) uint64_t r = OUT_f64Mul(sp[B], W1)
#define PRODUCE_i32Load8U(r)  \
    ADDRESS(p_, B, 1)         \
    uint64_t r = *p_
#define PRODUCE_i32Load(r)    \
    ADDRESS(p_, B, 4)         \
    uint32_t v_;              \
    memcpy(&v_, p_, 4);       \
    uint64_t r = v_
#define PRODUCE_f64Load(r)    \
    ADDRESS(p_, B, 8)         \
    uint64_t r;               \
    memcpy(&r, p_, 8)

/* y's operand fields (y's first word is v, its second q[1]). */
#define VA ((intptr_t)((v >> 16) & 0xFFFFFF))
#define VB ((intptr_t)(v >> 40))
#define VC ((intptr_t)q[1])

/* Binary y: r is its right operand (c) or its left one (b). */
#define CONSUME_BINARY_c(out, r)    \
    sp[VA] = out(sp[VB], r);        \
    pc = q + 2;                     \
    DISPATCH();
#define CONSUME_BINARY_b(out, r)    \
    sp[VA] = out(r, sp[VC]);        \
    pc = q + 2;                     \
    DISPATCH();
#define CONSUME_i32Add_c(r) CONSUME_BINARY_c(OUT_i32Add, r)
#define CONSUME_i32Add_b(r) CONSUME_BINARY_b(OUT_i32Add, r)
#define CONSUME_i32Xor_c(r) CONSUME_BINARY_c(OUT_i32Xor, r)
#define CONSUME_i32Xor_b(r) CONSUME_BINARY_b(OUT_i32Xor, r)
#define CONSUME_f64Add_c(r) CONSUME_BINARY_c(OUT_f64Add, r)
#define CONSUME_f64Add_b(r) CONSUME_BINARY_b(OUT_f64Add, r)
#define CONSUME_f64Sub_c(r) CONSUME_BINARY_c(OUT_f64Sub, r)
#define CONSUME_f64Sub_b(r) CONSUME_BINARY_b(OUT_f64Sub, r)
#define CONSUME_f64Mul_c(r) CONSUME_BINARY_c(OUT_f64Mul, r)
#define CONSUME_f64Mul_b(r) CONSUME_BINARY_b(OUT_f64Mul, r)
#define CONSUME_f64Div_c(r) CONSUME_BINARY_c(OUT_f64Div, r)
#define CONSUME_f64MulImm_b(r)      \
    sp[VA] = OUT_f64Mul(r, q[1]);   \
    pc = q + 2;                     \
    DISPATCH();
#define CONSUME_f64RDivImm_b(r)     \
    sp[VA] = OUT_f64RDiv(r, q[1]);  \
    pc = q + 2;                     \
    DISPATCH();
#define CONSUME_i32RotlImm_b(r)     \
    sp[VA] = OUT_i32Rotl(r, q[1]);  \
    pc = q + 2;                     \
    DISPATCH();
#define CONSUME_f64Sqrt_b(r)        \
    sp[VA] = OUT_f64Sqrt(r);        \
    pc = q + 1;                     \
    DISPATCH();
/* Calls and returns: nothing to gain from r, but one dispatch less. */
#define CONSUME_call_b(r)   \
    pc = q;                 \
    w = v;                  \
    goto op_call;
#define CONSUME_ret1_a(r)   \
    sp[0] = r;              \
    goto op_ret;
#define CONSUME_copy_b(r)   \
    sp[VA] = r;             \
    pc = q + 1;             \
    DISPATCH();

/* Loads whose address is r, stores of the value r. */
#define CONSUME_LOAD_b(type, size, r)                 \
    {                                                 \
        ADDRESS_AT(p_, r, q[1], size)                 \
        type v_;                                      \
        memcpy(&v_, p_, size);                        \
        sp[VA] = v_;                                  \
        pc = q + 2;                                   \
        DISPATCH();                                   \
    }
#define CONSUME_i32Load_b(r) CONSUME_LOAD_b(uint32_t, 4, r)
#define CONSUME_f64Load_b(r) CONSUME_LOAD_b(uint64_t, 8, r)
#define CONSUME_f64Store_b(r)                         \
    {                                                 \
        ADDRESS_AT(p_, sp[VA], q[1], 8)               \
        memcpy(p_, &r, 8);                            \
        pc = q + 2;                                   \
        DISPATCH();                                   \
    }

/* Branches on r: `if r != 0`, `if cmp(r, immediate)`, `if cmp(r, slot)`. */
#define CONSUME_brIfNez_a(r)                          \
    pc = r != 0 ? q + (intptr_t)q[1] : q + 2;         \
    DISPATCH();
#define CONSUME_brIfEqz_a(r)                          \
    pc = r == 0 ? q + (intptr_t)q[1] : q + 2;         \
    DISPATCH();
#define CONSUME_BRANCH_IMM(type, op, r)                                                          \
    {                                                                                            \
        uint64_t w1_ = q[1];                                                                     \
        pc = ((type)(uint32_t)(r)op(type)(uint32_t)(w1_ >> 32)) ? q + (intptr_t)(int32_t)w1_ : q + 2; \
        DISPATCH();                                                                              \
    }
#define CONSUME_brIfI32EqImm_a(r) CONSUME_BRANCH_IMM(uint32_t, ==, r)
#define CONSUME_brIfI32NeImm_a(r) CONSUME_BRANCH_IMM(uint32_t, !=, r)
#define CONSUME_brIfI32LtSImm_a(r) CONSUME_BRANCH_IMM(int32_t, <, r)
#define CONSUME_brIfI32LtUImm_a(r) CONSUME_BRANCH_IMM(uint32_t, <, r)
#define CONSUME_brIfI32GtSImm_a(r) CONSUME_BRANCH_IMM(int32_t, >, r)
#define CONSUME_brIfI32GtUImm_a(r) CONSUME_BRANCH_IMM(uint32_t, >, r)
#define CONSUME_brIfI32LeSImm_a(r) CONSUME_BRANCH_IMM(int32_t, <=, r)
#define CONSUME_brIfI32LeUImm_a(r) CONSUME_BRANCH_IMM(uint32_t, <=, r)
#define CONSUME_brIfI32GeSImm_a(r) CONSUME_BRANCH_IMM(int32_t, >=, r)
#define CONSUME_brIfI32GeUImm_a(r) CONSUME_BRANCH_IMM(uint32_t, >=, r)
#define CONSUME_BRANCH2(lhs, op, rhs)                          \
    pc = ((lhs)op(rhs)) ? q + (intptr_t)q[1] : q + 2;          \
    DISPATCH();
#define CONSUME_brIfI32LtS_a(r) CONSUME_BRANCH2((int32_t)(uint32_t)(r), <, S32(VB))
#define CONSUME_brIfI32LtS_b(r) CONSUME_BRANCH2(S32(VA), <, (int32_t)(uint32_t)(r))
#define CONSUME_brIfI32GtS_a(r) CONSUME_BRANCH2((int32_t)(uint32_t)(r), >, S32(VB))
#define CONSUME_brIfI32GtS_b(r) CONSUME_BRANCH2(S32(VA), >, (int32_t)(uint32_t)(r))

    WC_FUSIONS(WC_FUSED_HANDLER)

    // MARK: References

op_refFunc:
    sp[A] = (uint64_t)(uintptr_t)ctx->functions[B];
    NEXT(1);
op_refIsNull:
    sp[A] = sp[B] == 0;
    NEXT(1);

    // MARK: Exits

slow:
    state->pc = pc;
    state->sp = sp;
    state->context = ctx;
    state->fuel = fuel;
    stack->frameCount = fp - stack->frames;
    return WCExitSlow;
trapped:
    state->pc = pc;
    state->sp = sp;
    state->context = ctx;
    state->fuel = fuel;
    state->trap = trap;
    stack->frameCount = fp - stack->frames;
    return WCExitTrapped;
returned:
    state->fuel = fuel;
    stack->frameCount = fp - stack->frames;
    return WCExitReturned;
}
