#ifndef CWASMINTERPRETER_H
#define CWASMINTERPRETER_H

/*
 * The interpreter's hot loop, in C (docs/architecture.md, decision 2 and "Performance").
 *
 * Swift cannot express computed goto or guaranteed tail calls, so a Swift
 * `while true { switch }` loop funnels every instruction through one
 * indirect jump, which the branch predictor cannot learn. `wc_execute` runs
 * the same IR (64-bit words, see IR/Op.swift) with a jump per handler.
 * It executes the common operations itself and returns to Swift for the
 * rest (SIMD, GC, exceptions, tables, bulk memory, host calls, ...): Swift
 * runs that one instruction and calls back in.
 *
 * This header is the single definition of the IR's operations: `WC_OPS`
 * lists them once; it expands to the `WCOp` enum (a closed enum, which
 * Swift imports with the case names given here and switches over
 * exhaustively; IR/Op.swift calls it `Op`), to the executor's label table,
 * to the operation names the IR printer shows and to the table of
 * superinstructions the translator forms.
 */

#include <stdbool.h>
#include <stdint.h>

#include "CWasmVM.h"

#if __has_attribute(swift_name)
#define WC_SWIFT_NAME(name) __attribute__((swift_name(#name)))
#else
#define WC_SWIFT_NAME(name)
#endif

/*
 * The operations, in numbering order. `HOT(x)`: `wc_execute` runs it (it may
 * still hand a rare case to Swift, e.g. a call of a host function); `SLOW(x)`:
 * always run by Swift; `FUSED(x, y, f)`: a superinstruction (WC_FUSIONS).
 * Layouts: see IR/Op.swift; `a`, `b` are the operand fields of the first
 * word, `w1`, `w2`... the following words.
 */
#define WC_OPS(HOT, SLOW, FUSED)                                                                        \
    /* Control */                                                                                      \
    HOT(unreachable) HOT(consumeFuel) HOT(br) HOT(brIfNez) HOT(brIfEqz) HOT(brTable) HOT(ret) HOT(ret1) \
    /* Fused compare and branch: if cmp(slot a, slot b) goto w1 */                                     \
    HOT(brIfI32Eq) HOT(brIfI32Ne) HOT(brIfI32LtS) HOT(brIfI32LtU) HOT(brIfI32GtS) HOT(brIfI32GtU)       \
    HOT(brIfI32LeS) HOT(brIfI32LeU) HOT(brIfI32GeS) HOT(brIfI32GeU)                                     \
    HOT(brIfI64Eq) HOT(brIfI64Ne) HOT(brIfI64LtS) HOT(brIfI64LtU) HOT(brIfI64GtS) HOT(brIfI64GtU)       \
    HOT(brIfI64LeS) HOT(brIfI64LeU) HOT(brIfI64GeS) HOT(brIfI64GeU)                                     \
    /* ... with an immediate: if cmp(slot a, hi(w1)) goto lo(w1) */                                    \
    HOT(brIfI32EqImm) HOT(brIfI32NeImm) HOT(brIfI32LtSImm) HOT(brIfI32LtUImm) HOT(brIfI32GtSImm)       \
    HOT(brIfI32GtUImm) HOT(brIfI32LeSImm) HOT(brIfI32LeUImm) HOT(brIfI32GeSImm) HOT(brIfI32GeUImm)      \
    /* Calls */                                                                                        \
    HOT(call) HOT(callIndirect) HOT(callRef) HOT(returnCall) SLOW(returnCallIndirect) SLOW(returnCallRef) \
    HOT(refAsNonNull) SLOW(throwTag) SLOW(throwRef)                                                    \
    /* Moves */                                                                                        \
    HOT(copy) HOT(copy128) HOT(copy2) HOT(const64) HOT(const128) HOT(select) HOT(select128)            \
    HOT(globalGet) HOT(globalSet) HOT(globalGet128) HOT(globalSet128)                                  \
    /* i32 */                                                                                          \
    HOT(i32Eqz) HOT(i32Eq) HOT(i32Ne) HOT(i32LtS) HOT(i32LtU) HOT(i32GtS) HOT(i32GtU) HOT(i32LeS)       \
    HOT(i32LeU) HOT(i32GeS) HOT(i32GeU)                                                                \
    HOT(i32Clz) HOT(i32Ctz) HOT(i32Popcnt)                                                             \
    HOT(i32Add) HOT(i32Sub) HOT(i32Mul) HOT(i32DivS) HOT(i32DivU) HOT(i32RemS) HOT(i32RemU)            \
    HOT(i32And) HOT(i32Or) HOT(i32Xor) HOT(i32Shl) HOT(i32ShrS) HOT(i32ShrU) HOT(i32Rotl) HOT(i32Rotr) \
    HOT(i32AddImm) HOT(i32MulImm) HOT(i32AndImm) HOT(i32OrImm) HOT(i32XorImm) HOT(i32ShlImm)           \
    HOT(i32ShrSImm) HOT(i32ShrUImm) HOT(i32RotlImm) HOT(i32RotrImm)                                    \
    HOT(i32EqImm) HOT(i32NeImm) HOT(i32LtSImm) HOT(i32LtUImm) HOT(i32GtSImm) HOT(i32GtUImm)            \
    HOT(i32LeSImm) HOT(i32LeUImm) HOT(i32GeSImm) HOT(i32GeUImm)                                        \
    /* i64 */                                                                                          \
    HOT(i64Eqz) HOT(i64Eq) HOT(i64Ne) HOT(i64LtS) HOT(i64LtU) HOT(i64GtS) HOT(i64GtU) HOT(i64LeS)       \
    HOT(i64LeU) HOT(i64GeS) HOT(i64GeU)                                                                \
    HOT(i64Clz) HOT(i64Ctz) HOT(i64Popcnt)                                                             \
    HOT(i64Add) HOT(i64Sub) HOT(i64Mul) HOT(i64DivS) HOT(i64DivU) HOT(i64RemS) HOT(i64RemU)            \
    HOT(i64And) HOT(i64Or) HOT(i64Xor) HOT(i64Shl) HOT(i64ShrS) HOT(i64ShrU) HOT(i64Rotl) HOT(i64Rotr) \
    HOT(i64AddImm) HOT(i64MulImm) HOT(i64AndImm) HOT(i64OrImm) HOT(i64XorImm) HOT(i64ShlImm)           \
    HOT(i64ShrSImm) HOT(i64ShrUImm) HOT(i64RotlImm) HOT(i64RotrImm)                                    \
    HOT(i64EqImm) HOT(i64NeImm) HOT(i64LtSImm) HOT(i64LtUImm) HOT(i64GtSImm) HOT(i64GtUImm)            \
    HOT(i64LeSImm) HOT(i64LeUImm) HOT(i64GeSImm) HOT(i64GeUImm)                                        \
    HOT(i64Add128) HOT(i64Sub128) HOT(i64MulWideS) HOT(i64MulWideU)                                    \
    /* f32, f64 */                                                                                     \
    HOT(f32Eq) HOT(f32Ne) HOT(f32Lt) HOT(f32Gt) HOT(f32Le) HOT(f32Ge)                                  \
    HOT(f64Eq) HOT(f64Ne) HOT(f64Lt) HOT(f64Gt) HOT(f64Le) HOT(f64Ge)                                  \
    HOT(f32Abs) HOT(f32Neg) HOT(f32Ceil) HOT(f32Floor) HOT(f32Trunc) HOT(f32Nearest) HOT(f32Sqrt)      \
    HOT(f32Add) HOT(f32Sub) HOT(f32Mul) HOT(f32Div) HOT(f32Min) HOT(f32Max) HOT(f32Copysign)           \
    HOT(f64Abs) HOT(f64Neg) HOT(f64Ceil) HOT(f64Floor) HOT(f64Trunc) HOT(f64Nearest) HOT(f64Sqrt)      \
    HOT(f64Add) HOT(f64Sub) HOT(f64Mul) HOT(f64Div) HOT(f64Min) HOT(f64Max) HOT(f64Copysign)           \
    HOT(f32AddImm) HOT(f32SubImm) HOT(f32MulImm) HOT(f32DivImm)                                        \
    HOT(f64AddImm) HOT(f64SubImm) HOT(f64MulImm) HOT(f64DivImm)                                        \
    /* ... with the immediate on the left: a = w1 - b, a = w1 / b */                                   \
    HOT(f32RSubImm) HOT(f32RDivImm) HOT(f64RSubImm) HOT(f64RDivImm)                                    \
    /* Conversions */                                                                                  \
    HOT(i32WrapI64) HOT(i32TruncF32S) HOT(i32TruncF32U) HOT(i32TruncF64S) HOT(i32TruncF64U)            \
    HOT(i64ExtendI32S) HOT(i64ExtendI32U)                                                              \
    HOT(i64TruncF32S) HOT(i64TruncF32U) HOT(i64TruncF64S) HOT(i64TruncF64U)                            \
    HOT(f32ConvertI32S) HOT(f32ConvertI32U) HOT(f32ConvertI64S) HOT(f32ConvertI64U) HOT(f32DemoteF64)  \
    HOT(f64ConvertI32S) HOT(f64ConvertI32U) HOT(f64ConvertI64S) HOT(f64ConvertI64U) HOT(f64PromoteF32) \
    HOT(i32Extend8S) HOT(i32Extend16S) HOT(i64Extend8S) HOT(i64Extend16S) HOT(i64Extend32S)            \
    HOT(i32TruncSatF32S) HOT(i32TruncSatF32U) HOT(i32TruncSatF64S) HOT(i32TruncSatF64U)                \
    HOT(i64TruncSatF32S) HOT(i64TruncSatF32U) HOT(i64TruncSatF64S) HOT(i64TruncSatF64U)                \
    /* Memory 0 with 32-bit addresses */                                                               \
    HOT(i32Load) HOT(i64Load) HOT(f32Load) HOT(f64Load)                                                \
    HOT(i32Load8S) HOT(i32Load8U) HOT(i32Load16S) HOT(i32Load16U)                                      \
    HOT(i64Load8S) HOT(i64Load8U) HOT(i64Load16S) HOT(i64Load16U) HOT(i64Load32S) HOT(i64Load32U)      \
    HOT(i32Store) HOT(i64Store) HOT(f32Store) HOT(f64Store) HOT(i32Store8) HOT(i32Store16)             \
    HOT(i64Store8) HOT(i64Store16) HOT(i64Store32) HOT(v128Load) HOT(v128Store)                        \
    /* Stores of a constant: the value is the b field, sign-extended from 24 bits */                   \
    HOT(i32Store8Imm) HOT(i32Store16Imm) HOT(i32StoreImm) HOT(i64StoreImm)                             \
    SLOW(memoryAccess) HOT(memorySize) SLOW(memoryGrow)                                                \
    SLOW(memoryFill) SLOW(memoryCopy) SLOW(memoryInit) SLOW(dataDrop)                                  \
    /* Tables and references */                                                                        \
    SLOW(tableGet) SLOW(tableSet) SLOW(tableSize) SLOW(tableGrow) SLOW(tableFill) SLOW(tableCopy)      \
    SLOW(tableInit) SLOW(elemDrop) HOT(refFunc) HOT(refIsNull)                                         \
    /* GC */                                                                                           \
    SLOW(structNew) SLOW(structNewDefault) SLOW(structGet) SLOW(structSet)                             \
    SLOW(arrayNew) SLOW(arrayNewDefault) SLOW(arrayNewFixed) SLOW(arrayNewData) SLOW(arrayNewElem)     \
    SLOW(arrayGet) SLOW(arraySet) SLOW(arrayLen) SLOW(arrayFill) SLOW(arrayCopy)                       \
    SLOW(arrayInitData) SLOW(arrayInitElem) SLOW(refI31) SLOW(i31GetS) SLOW(i31GetU)                   \
    SLOW(refTest) SLOW(refCast) SLOW(brIfCast) SLOW(brIfNotCast)                                       \
    /* SIMD */                                                                                         \
    SLOW(v128Unary) SLOW(v128Binary) SLOW(v128Ternary) SLOW(v128Shift) SLOW(v128Test) SLOW(v128Splat)  \
    SLOW(v128ExtractLane) SLOW(v128ReplaceLane) SLOW(v128Shuffle)                                      \
    /* Superinstructions (below), all run by wc_execute */                                             \
    WC_FUSIONS(FUSED)

/*
 * Superinstructions. `FUSED(x, y, f)` names the pair of an instruction x
 * and the instruction y right after it whose operand field f (a, b, or c,
 * the slot in y's second word) is x's result slot a. The translator changes
 * x's operation to `x_y_f` (keeping x's and y's words as they are), and
 * `wc_execute` then runs both with one dispatch, y reading x's result from
 * a register rather than from the slot x also wrote. y's words stay, so a
 * branch to y still finds it. The pairs are the frequent ones in the
 * benchmark kernels (Benchmarks/): loop back edges (an add, then a branch
 * on the sum), address arithmetic feeding a load, and chains of integer
 * and f64 arithmetic.
 */
#define WC_ADD_BRANCH_FUSIONS(FUSED, x)                                                     \
    FUSED(x, brIfNez, a) FUSED(x, brIfEqz, a) FUSED(x, brIfI32EqImm, a) FUSED(x, brIfI32NeImm, a) \
    FUSED(x, brIfI32LtSImm, a) FUSED(x, brIfI32LtUImm, a) FUSED(x, brIfI32GtSImm, a)              \
    FUSED(x, brIfI32GtUImm, a) FUSED(x, brIfI32LeSImm, a) FUSED(x, brIfI32LeUImm, a)              \
    FUSED(x, brIfI32GeSImm, a) FUSED(x, brIfI32GeUImm, a)
#define WC_FUSIONS(FUSED)                                                                         \
    WC_ADD_BRANCH_FUSIONS(FUSED, i32AddImm) WC_ADD_BRANCH_FUSIONS(FUSED, i32Add)                  \
    /* integer chains */                                                                          \
    FUSED(i32RotlImm, i32Xor, c) FUSED(i32RotlImm, i32Xor, b) FUSED(i32ShrUImm, i32Xor, c)        \
    FUSED(i32Xor, i32Add, c) FUSED(i32Xor, i32Add, b) FUSED(i32And, i32Add, c)                    \
    FUSED(i32Add, i32Add, c) FUSED(i32Add, i32Add, b) FUSED(i32Load, i32Add, c)                   \
    FUSED(i32Load, i32Add, b)                                                                     \
    /* address arithmetic, loads feeding branches */                                              \
    FUSED(i32AddImm, i32Load, b) FUSED(i32Add, i32Load, b) FUSED(i32AddImm, f64Load, b)           \
    FUSED(i32Add, f64Load, b) FUSED(i32AddImm, copy, b)                                           \
    FUSED(i32Load, brIfI32LtS, a) FUSED(i32Load, brIfI32GtS, a)                                   \
    FUSED(i32Load, brIfI32LtS, b) FUSED(i32Load, brIfI32GtS, b)                                   \
    /* f64 chains */                                                                              \
    FUSED(f64Load, f64Add, c) FUSED(f64Load, f64Sub, c) FUSED(f64Load, f64Mul, c)                 \
    FUSED(f64Load, f64Add, b) FUSED(f64Load, f64Sub, b) FUSED(f64Load, f64Mul, b)                 \
    FUSED(f64Mul, f64Add, c) FUSED(f64Mul, f64Sub, c) FUSED(f64Mul, f64Mul, c)                    \
    FUSED(f64Mul, f64Add, b) FUSED(f64Mul, f64Sub, b) FUSED(f64Mul, f64Mul, b)                    \
    FUSED(f64Sub, f64Mul, c) FUSED(f64Sub, f64Mul, b) FUSED(f64Add, f64Add, c)                    \
    FUSED(f64Add, f64Add, b) FUSED(f64Add, f64Store, b) FUSED(f64Sub, f64Store, b)                \
    FUSED(f64Add, f64Sqrt, b) FUSED(f64Sqrt, f64Mul, c) FUSED(f64Sqrt, f64Div, c)                 \
    FUSED(f64Mul, f64Div, c) FUSED(f64Div, f64Sub, c) FUSED(f64Div, f64Mul, c)                    \
    FUSED(f64Mul, f64RDivImm, b) FUSED(f64RDivImm, f64Mul, c)                                     \
    FUSED(f64Load, f64MulImm, b) FUSED(f64MulImm, f64Add, c) FUSED(f64MulImm, f64Add, b)          \
    /* calls and returns */                                                                       \
    FUSED(i32AddImm, call, b) FUSED(i32Add, call, b) FUSED(i32Add, ret1, a) FUSED(i32AddImm, ret1, a) \
    /* byte loads tested at once */                                                               \
    FUSED(i32Load8U, brIfNez, a) FUSED(i32Load8U, brIfEqz, a) FUSED(i32Load, i32RotlImm, b)

#define WC_OP_ENUMERATOR(name) WCOp_##name WC_SWIFT_NAME(name),
#define WC_FUSED_ENUMERATOR(x, y, f) WCOp_##x##_##y##_##f WC_SWIFT_NAME(x##_##y##_##f),

/// An operation of the IR (bits 0-15 of an instruction's first word).
typedef enum __attribute__((enum_extensibility(closed))) WCOp : uint16_t {
    WC_OPS(WC_OP_ENUMERATOR, WC_OP_ENUMERATOR, WC_FUSED_ENUMERATOR)
} WCOp;

#define WC_OP_COUNT_ONE(name) +1
#define WC_FUSED_COUNT_ONE(x, y, f) +1
/// The number of operations.
enum { WCOpCount = 0 WC_OPS(WC_OP_COUNT_ONE, WC_OP_COUNT_ONE, WC_FUSED_COUNT_ONE) };

/// The name of an operation (as in the Swift enum), for the IR printer.
const char *_Nonnull wc_op_name(uint16_t op);

/// Whether `wc_execute` runs the operation (`HOT` above).
bool wc_op_is_hot(uint16_t op);

/// A superinstruction (see `WC_FUSIONS`): when the instruction after one
/// with operation `first` (`firstLength` words long) has operation `second` and its operand `field`
/// ('a', 'b' or 'c') names the first one's result slot, `fused` runs both.
typedef struct WCFusion {
    uint16_t first, second, fused;
    char field;
    /// The first instruction's length in words.
    uint8_t firstLength;
} WCFusion;

/// The superinstructions: `*count` entries.
const WCFusion *_Nonnull wc_fusions(intptr_t *_Nonnull count);

/// A translated function (`FunctionHeader.code` points to one).
typedef struct WCFunction {
    /// The first instruction.
    uint64_t *_Nonnull code;
    intptr_t codeCount;
    /// Slots the frame needs: locals, the operand stack, and the start of callee frames.
    intptr_t frameSlots;
    intptr_t parameterSlots;
    /// Parameters and declared locals; the declared ones are zeroed on entry.
    intptr_t localSlots;
    intptr_t resultSlots;
    /// The catch clauses of the function's `try_table`s, innermost region
    /// first (`HandlerClause`s, a Swift type).
    void *_Nullable handlers;
    intptr_t handlerCount;
} WCFunction;

/// A suspended caller: a record of the frame stack.
typedef struct WCFrame {
    /// Where to continue; null when the frame was entered from the host.
    uint64_t *_Nullable returnPC;
    uint64_t *_Nonnull sp;
    /// The caller's instance context.
    WVMInstance *_Nonnull context;
    /// The function entered when this record was pushed (the callee): the
    /// top record names the running function, which exception handling needs.
    const WCFunction *_Nonnull function;
} WCFrame;

/// The stacks of one store (owned by `ExecutionStack`).
typedef struct WCStack {
    WCFrame *_Nonnull frames;
    intptr_t frameCount;
    intptr_t maxFrames;
    /// One past the last value slot.
    uint64_t *_Nonnull end;
} WCStack;

/// Why `wc_execute` returned.
typedef enum __attribute__((enum_extensibility(closed))) WCExit : int32_t {
    /// The entry function returned (its results are in its frame's slots).
    WCExitReturned WC_SWIFT_NAME(returned),
    /// A trap: `WCState.trap` says which.
    WCExitTrapped WC_SWIFT_NAME(trapped),
    /// Swift must run the instruction at `WCState.pc`, then call again.
    WCExitSlow WC_SWIFT_NAME(slow),
} WCExit;

/// The machine state handed between Swift and `wc_execute`.
typedef struct WCState {
    /// The next instruction.
    uint64_t *_Nonnull pc;
    /// Slot 0 of the running function's frame.
    uint64_t *_Nonnull sp;
    /// The running function's instance context.
    WVMInstance *_Nonnull context;
    /// Fuel left (counted only where the IR has `consumeFuel`).
    uint64_t fuel;
    WCStack *_Nonnull stack;
    /// Set when `wc_execute` returns `WCExitTrapped` (the executor raises
    /// a few of the codes itself; Swift maps them to `TrapKind`).
    WVMTrapCode trap;
} WCState;

/// Runs IR from `state->pc` until the function entered from the host
/// returns, a trap, or an instruction Swift must run. Keeps `state` and
/// `state->stack->frameCount` current when it returns.
WCExit wc_execute(WCState *_Nonnull state);

/// Test-only, for the fuzzer's self-test (`InjectedFault.wildRead`): while
/// set on a thread, an out-of-bounds scalar load of memory 0 on that thread
/// reads outside the memory instead of trapping, as a backend that lost a
/// bounds check would. The flag is only read after a bounds check failed.
void wc_plant_wild_read(bool planted);

#endif
