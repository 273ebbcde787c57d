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
/// The raw values are the declaration order: the executor switches over them.
enum Op: UInt16 {
    // MARK: Control
    /// Trap: unreachable.
    case unreachable
    /// Consume one unit of fuel (function entry, loop back-edge).
    case consumeFuel
    /// `goto (w >> 16)` (a signed 48-bit relative offset in the first word).
    case br
    /// `if slot a != 0 goto w1`
    case brIfNez
    /// `if slot a == 0 goto w1`
    case brIfEqz
    /// `goto table[min(slot a, b)]`: w1...w(b+1) are relative offsets, the last the default.
    case brTable
    /// Return to the caller; the results are in slots 0...
    case ret
    /// Copy slot a to slot 0 and return.
    case ret1
    /// Fused compare and branch: `if cmp(slot a, slot b) goto w1`.
    case brIfI32Eq, brIfI32Ne, brIfI32LtS, brIfI32LtU, brIfI32GtS, brIfI32GtU, brIfI32LeS, brIfI32LeU, brIfI32GeS, brIfI32GeU
    case brIfI64Eq, brIfI64Ne, brIfI64LtS, brIfI64LtU, brIfI64GtS, brIfI64GtU, brIfI64LeS, brIfI64LeU, brIfI64GeS, brIfI64GeU
    /// Fused compare with an immediate: `if cmp(slot a, hi(w1)) goto lo(w1)` (a signed 32-bit offset).
    case brIfI32EqImm, brIfI32NeImm, brIfI32LtSImm, brIfI32LtUImm, brIfI32GtSImm, brIfI32GtUImm
    case brIfI32LeSImm, brIfI32LeUImm, brIfI32GeSImm, brIfI32GeUImm
    /// Call function a of the instance with its frame at slot b (arguments there, results there after).
    case call
    /// Call through table a with the frame at slot b; w1 = type index (lo) | slot of the element index (hi).
    case callIndirect
    /// Call the function reference in slot a with the frame at slot b; null traps.
    case callRef
    /// Tail calls: the arguments are already in slots 0... of the current
    /// frame, which the callee takes over. `returnCall` a = function;
    /// `returnCallIndirect` a = table, b = element index slot, w1 = type index;
    /// `returnCallRef` a = reference slot.
    case returnCall, returnCallIndirect, returnCallRef
    /// Trap if slot a holds null (`ref.as_non_null`).
    case refAsNonNull
    /// Throw a new exception of tag a with the payload in slots b..., w1 slots long.
    case throwTag
    /// Throw the exception referenced by slot a (null traps).
    case throwRef

    // MARK: Moves
    /// `slot a = slot b`
    case copy
    /// Two slots: `slot a, a+1 = slot b, b+1`
    case copy128
    /// Two copies in sequence: `slot a = slot b; slot lo(w1) = slot hi(w1)`
    case copy2
    /// `slot a = w1`
    case const64
    /// `slot a, a+1 = w1, w2`
    case const128
    /// `slot a = slot b != 0 ? slot lo(w1) : slot hi(w1)`
    case select
    case select128
    /// `slot a = global b`; `global b = slot a`
    case globalGet, globalSet, globalGet128, globalSet128

    // MARK: i32
    case i32Eqz, i32Eq, i32Ne, i32LtS, i32LtU, i32GtS, i32GtU, i32LeS, i32LeU, i32GeS, i32GeU
    case i32Clz, i32Ctz, i32Popcnt
    case i32Add, i32Sub, i32Mul, i32DivS, i32DivU, i32RemS, i32RemU
    case i32And, i32Or, i32Xor, i32Shl, i32ShrS, i32ShrU, i32Rotl, i32Rotr
    case i32AddImm, i32MulImm, i32AndImm, i32OrImm, i32XorImm, i32ShlImm, i32ShrSImm, i32ShrUImm, i32RotlImm, i32RotrImm
    case i32EqImm, i32NeImm, i32LtSImm, i32LtUImm, i32GtSImm, i32GtUImm, i32LeSImm, i32LeUImm, i32GeSImm, i32GeUImm

    // MARK: i64
    case i64Eqz, i64Eq, i64Ne, i64LtS, i64LtU, i64GtS, i64GtU, i64LeS, i64LeU, i64GeS, i64GeU
    case i64Clz, i64Ctz, i64Popcnt
    case i64Add, i64Sub, i64Mul, i64DivS, i64DivU, i64RemS, i64RemU
    case i64And, i64Or, i64Xor, i64Shl, i64ShrS, i64ShrU, i64Rotl, i64Rotr
    case i64AddImm, i64MulImm, i64AndImm, i64OrImm, i64XorImm, i64ShlImm, i64ShrSImm, i64ShrUImm, i64RotlImm, i64RotrImm
    case i64EqImm, i64NeImm, i64LtSImm, i64LtUImm, i64GtSImm, i64GtUImm, i64LeSImm, i64LeUImm, i64GeSImm, i64GeUImm

    /// Wide arithmetic: results in slots a, a+1. add128/sub128: b = lo1,
    /// w1 = hi1 | lo2 << 32, w2 = hi2. mul_wide: b, w1 = the operands.
    case i64Add128, i64Sub128, i64MulWideS, i64MulWideU

    // MARK: f32, f64
    case f32Eq, f32Ne, f32Lt, f32Gt, f32Le, f32Ge
    case f64Eq, f64Ne, f64Lt, f64Gt, f64Le, f64Ge
    case f32Abs, f32Neg, f32Ceil, f32Floor, f32Trunc, f32Nearest, f32Sqrt
    case f32Add, f32Sub, f32Mul, f32Div, f32Min, f32Max, f32Copysign
    case f64Abs, f64Neg, f64Ceil, f64Floor, f64Trunc, f64Nearest, f64Sqrt
    case f64Add, f64Sub, f64Mul, f64Div, f64Min, f64Max, f64Copysign
    /// `a = op(b, bits in w1)`
    case f32AddImm, f32SubImm, f32MulImm, f32DivImm, f64AddImm, f64SubImm, f64MulImm, f64DivImm

    // MARK: Conversions
    case i32WrapI64
    case i32TruncF32S, i32TruncF32U, i32TruncF64S, i32TruncF64U
    case i64ExtendI32S, i64ExtendI32U
    case i64TruncF32S, i64TruncF32U, i64TruncF64S, i64TruncF64U
    case f32ConvertI32S, f32ConvertI32U, f32ConvertI64S, f32ConvertI64U, f32DemoteF64
    case f64ConvertI32S, f64ConvertI32U, f64ConvertI64S, f64ConvertI64U, f64PromoteF32
    case i32Extend8S, i32Extend16S, i64Extend8S, i64Extend16S, i64Extend32S
    case i32TruncSatF32S, i32TruncSatF32U, i32TruncSatF64S, i32TruncSatF64U
    case i64TruncSatF32S, i64TruncSatF32U, i64TruncSatF64S, i64TruncSatF64U

    // MARK: Memory 0 with 32-bit addresses
    case i32Load, i64Load, f32Load, f64Load
    case i32Load8S, i32Load8U, i32Load16S, i32Load16U
    case i64Load8S, i64Load8U, i64Load16S, i64Load16U, i64Load32S, i64Load32U
    case i32Store, i64Store, f32Store, f64Store, i32Store8, i32Store16, i64Store8, i64Store16, i64Store32
    case v128Load, v128Store
    /// Any other memory access (other memories, 64-bit addresses, SIMD
    /// lane/splat/extend loads): a = result slot, b = address slot, w1 =
    /// offset, w2 = wasm opcode | memory << 16 | lane << 48, w3 = value slot.
    case memoryAccess
    /// `slot a = memory.size b`
    case memorySize
    /// `slot a = memory.grow(memory w1, slot b)`
    case memoryGrow
    /// Bulk operations: a, b = indices; w1 = slot lo | slot hi; w2 = slot (the length).
    /// fill(memory a; d, v; n), copy(dst a, src b; d, s; n), init(data a, memory b; d, s; n)
    case memoryFill, memoryCopy, memoryInit
    /// data.drop a
    case dataDrop

    // MARK: Tables and references
    /// `slot a = table w1 [slot b]`
    case tableGet
    /// `table a [slot b] = slot w1`
    case tableSet
    /// `slot a = table.size b`
    case tableSize
    /// `slot a = table.grow(table b, init slot lo(w1), delta slot hi(w1))`
    case tableGrow
    /// fill(table a; i, v; n), copy(dst a, src b; d, s; n), init(elem a, table b; d, s; n)
    case tableFill, tableCopy, tableInit
    /// elem.drop a
    case elemDrop
    /// `slot a = ref.func b`
    case refFunc
    /// `slot a = slot b == null`
    case refIsNull

    // MARK: GC (see `Executor+GC.swift` for the layouts)
    case structNew, structNewDefault, structGet, structSet
    case arrayNew, arrayNewDefault, arrayNewFixed, arrayNewData, arrayNewElem
    case arrayGet, arraySet, arrayLen, arrayFill, arrayCopy, arrayInitData, arrayInitElem
    case refI31, i31GetS, i31GetU
    /// `slot a = slot b matches w1` (a `CastTarget` word)
    case refTest
    /// Trap unless slot a matches w1.
    case refCast
    /// `if slot a matches w2 goto w1`; `brIfNotCast`: unless it matches.
    case brIfCast, brIfNotCast

    // MARK: SIMD (the opcode is the wasm `Opcode`, evaluated by `VectorOps`)
    /// a = op(b); w1 = opcode
    case v128Unary
    /// a = op(b, slot lo(w1)); hi(w1) = opcode
    case v128Binary
    /// a = op(b, slot lo(w1), slot hi(w1)); w2 = opcode
    case v128Ternary
    /// a = op(b, slot lo(w1) as i32); hi(w1) = opcode
    case v128Shift
    /// a (i32) = op(b); w1 = opcode
    case v128Test
    /// a = splat(slot b); w1 = opcode
    case v128Splat
    /// a = extract(b); w1 = opcode | lane << 32
    case v128ExtractLane
    /// a = replace(b, lane w2, slot lo(w1)); hi(w1) = opcode
    case v128ReplaceLane
    /// a = shuffle(b, slot w1, lanes w2 w3)
    case v128Shuffle
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
