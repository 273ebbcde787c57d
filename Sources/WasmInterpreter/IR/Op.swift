import CWasmInterpreter

/// The operations of the interpreter's IR.
///
/// Code is a sequence of 64-bit words. The first word of an instruction
/// holds the operation in bits 0-15 and two 24-bit operands, `a` (bits
/// 16-39) and `b` (bits 40-63); some operations take further words.
/// Operands name *slots* of the current frame (untyped 64-bit cells: locals
/// first, then the operand stack at static heights; a v128 takes two), or
/// indices, or immediates. Branch targets are word offsets relative to the
/// start of the branching instruction.
///
/// Layouts (`w1`, `w2`... are the following words; `lo`/`hi` are the low
/// and high 32 bits of a word):
/// - unary `a = op(b)`
/// - binary `a = op(b, slot w1)`; `...Imm`: `a = op(b, w1)` with an immediate
/// - fused branches `if op(a, b) goto w1`
/// - loads `a = load(mem0, (b + hi(w1)) mod 2^32 + lo(w1))`; stores
///   `store(mem0, (a + hi(w1)) mod 2^32 + lo(w1), b)`: the static offset in
///   the low half, and in the high half an `i32.add` of a constant that
///   computed the address (folded into the access, wrapping as it would)
///
/// Calls: the arguments are the caller's top operands, at contiguous slots;
/// the callee's frame starts at the first of them (slot b of `call`), so
/// they become its parameters without copying, and its results come back in
/// the same slots. `local.get` and constants are not copied to the operand
/// stack (the translator keeps them virtual), and comparisons feeding
/// `br_if`/`if` fuse into the branch.
///
/// The operations are defined once, in C: `WC_OPS` in
/// `CWasmInterpreter.h` expands to the closed enum `WCOp` (imported here
/// with the same case names, so Swift switches over it exhaustively), to
/// the C executor's label table and to the names `IRPrinter` shows. That
/// list says which operations the C executor runs (`HOT`) and which it
/// hands to `Executor.step` (`SLOW`). Its superinstructions (`FUSED`,
/// named `x_y_f`) are formed by `FunctionTranslator.fuseLastTwo`: they
/// replace the operation of an instruction x whose successor y takes x's
/// result in operand f, and leave every word in place.
///
/// Other immediate forms: the stores `i32Store8Imm`... take the value in the
/// b field (sign-extended from 24 bits); `f32RSubImm`... are `a = w1 op b`.
///
/// Layouts of the operations with more operands:
/// - `br`: `goto (w >> 16)` (a signed 48-bit offset in the first word);
///   `brIfNez`/`brIfEqz`: `if slot a (!= / ==) 0 goto w1`; `brTable`:
///   `goto table[min(slot a, b)]`, w1...w(b+1) the offsets, the last the default
/// - `ret` returns with the results in slots 0...; `ret1` copies slot a to slot 0 first
/// - fused branches `brIfI32Eq`...: `if cmp(slot a, slot b) goto w1`; with
///   `Imm`: `if cmp(slot a, hi(w1)) goto lo(w1)` (a signed 32-bit offset)
/// - `call` a = function, b = frame slot; `callIndirect` a = table, b = frame
///   slot, w1 = type index (lo) | element index slot (hi); `callRef` a =
///   reference slot, b = frame slot; tail calls take their arguments in slots
///   0...: `returnCall` a = function; `returnCallIndirect` a = table, b =
///   element slot, w1 = type index; `returnCallRef` a = reference slot
/// - `throwTag` a = tag, b = payload slot, w1 = payload slots; `throwRef` a = slot
/// - `copy` `a = b`; `copy2` `a = b; lo(w1) = hi(w1)`; `copy128` two slots;
///   `const64` `a = w1`; `const128` `a, a+1 = w1, w2`; `select`/`select128`
///   `a = slot b != 0 ? slot lo(w1) : slot hi(w1)`; `globalGet` `a = global b`,
///   `globalSet` `global b = a`
/// - wide arithmetic, results in a, a+1: `i64Add128`/`i64Sub128` b = lo1,
///   w1 = hi1 | lo2 << 32, w2 = hi2; `i64MulWide*` b, w1 = the operands
/// - `f32AddImm`...: `a = op(b, bits in w1)`
/// - `memoryAccess` (other memories, 64-bit addresses, SIMD lane/splat/extend
///   loads): a = result, b = address slot, w1 = offset, w2 = wasm opcode |
///   memory << 16 | lane << 48, w3 = value slot; `memorySize` `a = size of
///   memory b`; `memoryGrow` `a = grow(memory w1, slot b)`; bulk operations
///   a, b = indices, w1 = slot lo | slot hi, w2 = the length slot:
///   fill(memory a; d, v; n), copy(dst a, src b; d, s; n), init(data a, memory b; d, s; n)
/// - `tableGet` `a = table w1 [slot b]`; `tableSet` `table a [slot b] = slot w1`;
///   `tableSize` `a = size b`; `tableGrow` `a = grow(table b, init lo(w1),
///   delta hi(w1))`; table bulk operations as for memories
/// - `refFunc` `a = function b`; `refIsNull` `a = slot b == null`
/// - GC: see `Executor+GC.swift`; `refTest` `a = slot b matches w1`,
///   `refCast` traps unless slot a matches w1, `brIfCast`/`brIfNotCast`
///   `if slot a (does not) match w2 goto w1`
/// - SIMD (w = the wasm `Opcode`, run by `VectorOps`): `v128Unary` a = op(b),
///   w1 = opcode; `v128Binary` a = op(b, lo(w1)), hi(w1) = opcode;
///   `v128Ternary` a = op(b, lo(w1), hi(w1)), w2 = opcode; `v128Shift` a =
///   op(b, lo(w1) as i32), hi(w1) = opcode; `v128Test` a (i32) = op(b), w1 =
///   opcode; `v128Splat` a = splat(b), w1 = opcode; `v128ExtractLane` w1 =
///   opcode | lane << 32; `v128ReplaceLane` a = replace(b, lane w2, lo(w1)),
///   hi(w1) = opcode; `v128Shuffle` a = shuffle(b, slot w1, lanes w2 w3)
typealias Op = WCOp

extension Op {
    /// The operation's name, as the IR printer shows it.
    var name: String { String(cString: wc_op_name(rawValue)) }

    /// Whether the C executor runs the operation (it may still hand rare
    /// cases, such as calls of host functions, to `Executor.step`).
    var runsInC: Bool { wc_op_is_hot(rawValue) }
}

/// The superinstructions of `WC_FUSIONS` (CWasmInterpreter.h), by the
/// operations they combine and the operand field of the second that takes
/// the first one's result.
enum Fusions {
    static let table: [UInt64: WCFusion] = {
        var count = 0
        let list = wc_fusions(&count)
        var table: [UInt64: WCFusion] = [:]
        for i in 0..<count {
            let f = list[i]
            table[key(f.first, f.second, f.field)] = f
        }
        return table
    }()

    /// The length of the first instruction of each superinstruction.
    static let firstLength: [UInt16: Int] = {
        var lengths: [UInt16: Int] = [:]
        for f in table.values { lengths[f.fused] = Int(f.firstLength) }
        return lengths
    }()

    static func key(_ first: UInt16, _ second: UInt16, _ field: CChar) -> UInt64 {
        UInt64(first) << 32 | UInt64(second) << 8 | UInt64(UInt8(bitPattern: field))
    }

    /// The superinstruction for `first` (`length` words long) followed by
    /// `second` that takes its result in operand `field`.
    static func fused(_ first: Op, length: Int, _ second: Op, _ field: CChar) -> Op? {
        guard let f = table[key(first.rawValue, second.rawValue, field)], Int(f.firstLength) == length else { return nil }
        return Op(rawValue: f.fused)
    }
}

/// Encoding and decoding of instruction words.
enum IR {
    /// The largest slot index or inline index an instruction can hold.
    static let maxOperand = (1 << 24) - 1

    @inline(__always)
    static func word(_ op: Op, _ a: Int = 0, _ b: Int = 0) -> UInt64 {
        UInt64(op.rawValue) | UInt64(truncatingIfNeeded: a) << 16 | UInt64(truncatingIfNeeded: b) << 40
    }

    @inline(__always)
    static func pair(_ lo: Int, _ hi: Int) -> UInt64 {
        UInt64(UInt32(truncatingIfNeeded: lo)) | UInt64(UInt32(truncatingIfNeeded: hi)) << 32
    }

    @inline(__always) static func op(_ w: UInt64) -> Op { unsafeBitCast(UInt16(truncatingIfNeeded: w), to: Op.self) }
    @inline(__always) static func a(_ w: UInt64) -> Int { Int(truncatingIfNeeded: (w >> 16) & 0xFF_FFFF) }
    @inline(__always) static func b(_ w: UInt64) -> Int { Int(truncatingIfNeeded: w >> 40) }
    @inline(__always) static func lo(_ w: UInt64) -> Int { Int(truncatingIfNeeded: w & 0xFFFF_FFFF) }
    @inline(__always) static func hi(_ w: UInt64) -> Int { Int(truncatingIfNeeded: w >> 32) }
    /// The 48-bit signed offset of `br`.
    @inline(__always) static func brOffset(_ w: UInt64) -> Int { Int(truncatingIfNeeded: Int64(bitPattern: w) >> 16) }
}
