import WasmRuntime
import WasmSyntax

/// What the frontend asks of a backend: the operations of a simple
/// register machine with 32- and 64-bit integer registers, a frame of
/// 64-bit slots (the function's frame on the value stack), the vmctx, and
/// labels. The x86-64 backend (`X64MacroAssembler`) is one implementation;
/// the AArch64 backend is to be another, so the frontend (value stack,
/// register allocation, control flow) is written once.
///
/// Registers are numbered by the backend (`Register.index`); the frontend
/// allocates among `allocatable` and never sees the backend's own scratch
/// registers or the pinned ones (vmctx, frame, runtime).
///
/// There are two register classes: general registers (integers,
/// references) and float registers (f32 and f64 values, `Register.isFloat`).
/// An operation takes the class of its values: the float operators,
/// float loads and stores, and the moves, slots and globals of floats take
/// float registers; everything else takes general ones (a float register
/// given to a general encoder fails at compile time: no general register
/// has its number).
package protocol MacroAssembler {
    /// The general registers the frontend may allocate, all equal. None of
    /// them survives a call or a builtin: the frontend spills before those.
    var allocatable: [Register] { get }
    /// The float registers the frontend may allocate (the same rule).
    var floatAllocatable: [Register] { get }

    /// The code so far (read only: a mutation through a computed property
    /// would copy the buffer, as it once did for every label).
    var code: CodeBuffer { get }
    mutating func newLabel() -> Label

    /// The label of the exit for trap `code` (created on first use, placed
    /// by `finish`): it returns the code from this frame and, as each
    /// caller tests the code after a call, from every frame up to the
    /// entry (docs/architecture.md, decision 5).
    mutating func trapLabel(_ code: TrapCode) -> Label
    /// Places the trap exits and fills in every branch to a placed label;
    /// the code is complete after this but for calls to functions compiled
    /// into another piece, which `CodeBuffer.link` fills in.
    mutating func finish()

    /// Saves what the backend needs and pins vmctx, frame and runtime,
    /// then checks the call depth, the native stack and the frame's room on
    /// the value stack. The frame's size is given later (`setFrameSlots`),
    /// when the body is compiled: the answer is the place to patch. The
    /// body records its frame (vmctx and `functionIndex`, the module's
    /// function index) in the runtime's frame trail, for backtraces.
    mutating func prologue(directEntry: Label, functionIndex: UInt32) -> Int
    mutating func setFrameSlots(_ slots: Int, at patch: Int)
    /// Returns normally (trap code 0), counting the frame off the call depth.
    mutating func epilogue()

    // Moves. i32 and f32 values are kept zero-extended in 64-bit slots (and
    // i32s in general registers). Registers of either class; a move
    // between the classes moves the bits (`width` says how many).
    mutating func move(_ width: Width, _ destination: Register, _ source: Register)
    mutating func moveImmediate(_ destination: Register, _ value: UInt64)
    mutating func loadSlot(_ width: Width, _ destination: Register, slot: Int)
    mutating func storeSlot(_ width: Width, slot: Int, _ source: Register)
    mutating func storeSlotImmediate(slot: Int, _ value: UInt64)
    mutating func copySlot(to destination: Int, from source: Int)
    mutating func zeroSlots(from first: Int, count: Int)

    // Integer arithmetic: destination = lhs op rhs.
    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register)
    /// destination = lhs op `immediate` (the wasm constant's bits: an i32
    /// zero-extended). Operators on a constant are most of a loop's
    /// arithmetic (i + 1, p + 8, x & 7); the constant then takes no
    /// allocatable register, and no move to put it there.
    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, immediate: UInt64)
    /// Division and remainder: traps for a zero divisor and for signed
    /// overflow (`div_s` of min by -1; `rem_s` of it is 0).
    mutating func divide(_ op: IntDivisionOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register)
    mutating func unary(_ op: IntUnaryOp, _ width: Width, _ destination: Register, _ source: Register)
    /// destination = (lhs cond rhs) ? 1 : 0.
    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register)
    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, immediate: UInt64)
    /// destination = condition != 0 ? ifTrue : ifFalse (condition 32-bit, in
    /// a general register; the others all of one class).
    mutating func select(_ destination: Register, condition: Register, ifTrue: Register, ifFalse: Register)
    mutating func extend(_ op: ExtendOp, _ destination: Register, _ source: Register)
    /// Wide arithmetic: (lo, hi) = a op b on 128-bit pairs (add, sub), or
    /// the 128-bit product of two i64 (mul_wide, b's pair unused).
    mutating func wide(_ op: WideOp, lo: Register, hi: Register, _ a: (lo: Register, hi: Register), _ b: (lo: Register, hi: Register))

    // Floating point, in float registers.
    mutating func floatBinary(_ op: FloatBinaryOp, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register)
    mutating func floatUnary(_ op: FloatUnaryOp, _ size: FloatSize, _ destination: Register, _ source: Register)
    /// destination (general) = (lhs cond rhs) ? 1 : 0; false when either is
    /// NaN (but `ne`).
    mutating func floatCompare(_ condition: FloatCondition, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register)
    /// Conversions between floats and integers, each register of its
    /// value's class; the trapping truncations trap for NaN (invalid
    /// conversion) and out of range (overflow).
    mutating func convert(_ conversion: Conversion, _ destination: Register, _ source: Register)

    // Branches.
    mutating func bind(_ label: Label)
    mutating func jump(_ label: Label)
    mutating func branch(ifZero: Bool, _ width: Width, _ value: Register, to label: Label)
    /// Jumps to `label` when `lhs cond rhs`: a comparison fused with the
    /// `br_if` or `if` that consumes it (cmp + jcc instead of setcc,
    /// zero extension, test and jcc).
    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, _ rhs: Register, to label: Label)
    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, immediate: UInt64, to label: Label)
    /// Jumps to `label` when `lhs cond rhs` (float registers) is `when`: a
    /// float comparison fused with its `br_if` or `if`. A NaN operand makes
    /// every condition but `ne` false, so "when false" is its own test, not
    /// the opposite condition's.
    mutating func branch(floatCompare condition: FloatCondition, _ size: FloatSize, _ lhs: Register, _ rhs: Register, when: Bool,
                         to label: Label)
    /// Jumps to `targets[index]`, or `defaultTarget` when index >= count
    /// (index 32-bit).
    mutating func jumpTable(_ index: Register, targets: [Label], defaultTarget: Label)

    // The instance.
    mutating func loadGlobal(_ width: Width, _ destination: Register, global: Int)
    mutating func storeGlobal(_ width: Width, global: Int, _ source: Register)
    /// Copies a global's cell (a v128 takes two slots) to frame slots and back.
    mutating func loadGlobal(_ global: Int, toSlots slot: Int, count: Int)
    mutating func storeGlobal(_ global: Int, fromSlots slot: Int, count: Int)
    /// One unit of fuel, or a trap when there is none.
    mutating func consumeFuel()

    // Memory: the effective address is `address` (zero-extended unless
    // memory64) + `offset`, checked against the memory's size, with no
    // overflow (the sum is computed in 65 bits). A float register loads or
    // stores an f32 (access .i32) or an f64 (.i64). `inBounds`: the
    // frontend knows the access is in bounds (an access with the same
    // address and at least this end was checked on every path here, and
    // memories never shrink), so there is no check.
    mutating func load(_ access: MemoryAccess, _ destination: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                       inBounds: Bool)
    mutating func store(_ access: MemoryAccess, _ source: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                        inBounds: Bool)
    /// Copies `byteCount` (8 or 16) bytes between memory and frame slots,
    /// bounds-checked as `load` and `store` are (v128 loads and stores).
    mutating func loadToSlots(_ byteCount: Int, slot: Int, address: Register, offset: UInt64, memory: Int, is64: Bool, inBounds: Bool)
    mutating func storeFromSlots(_ byteCount: Int, slot: Int, address: Register, offset: UInt64, memory: Int, is64: Bool, inBounds: Bool)
    mutating func memorySize(_ destination: Register, memory: Int)
    /// memory.grow through the builtin, with the delta in `deltaSlot`: the
    /// old size or -1 (as an i32 for a 32-bit memory).
    mutating func memoryGrow(_ destination: Register, deltaSlot: Int, memory: Int, is64: Bool)

    // SIMD: v128 operands and results are in frame slots (two each).
    /// v128 operators of one to three v128 operands; false when the backend
    /// does not have `op` yet.
    mutating func vector(_ op: Opcode, destination: Int, operands: [Int]) -> Bool
    mutating func vectorShift(_ op: Opcode, destination: Int, operand: Int, count: Register) -> Bool
    /// Splats, and replace_lane (`operand` is then the vector).
    mutating func scalarToVector(_ op: Opcode, destination: Int, operand: Int?, scalar: Register, lane: UInt8) -> Bool
    /// extract_lane, any_true, all_true, bitmask.
    mutating func vectorToScalar(_ op: Opcode, _ destination: Register, operand: Int, lane: UInt8) -> Bool
    mutating func shuffle(destination: Int, lhs: Int, rhs: Int, lanes: [UInt8])

    /// Calls `target` with its frame `frameOffset` slots into this one (the
    /// arguments in place), and passes a trap on; an exception goes to
    /// `handler` (a try_table's dispatch), or out of the frame.
    mutating func call(_ target: CallTarget, frameOffset: Int, handler: Label?)

    // Exceptions: frames return `exceptionThrown` with the exception in
    // the runtime's `exception` field until a handler takes it.
    /// throw: allocates the exception from the payload in the frame.
    mutating func throwException(tag: Int, payloadSlot: Int, liveEnd: Int, handler: Label?)
    /// throw_ref (null traps).
    mutating func throwReference(_ reference: Register, handler: Label?)
    /// The start of a try_table's dispatch: the state a call may have
    /// changed (a memory that grew) is reloaded.
    mutating func enterHandler()
    /// Jumps to `label` unless the exception's tag is tag `tag` of the instance.
    mutating func branchUnlessExceptionTag(_ tag: Int, to label: Label)
    mutating func copyExceptionPayload(to frameSlot: Int, count: Int)
    mutating func storeExceptionReference(slot: Int)
    /// Passes the exception on to `handler`, or out of the frame.
    mutating func propagateException(to handler: Label?)
    /// Replaces this frame with a call of `target`, whose arguments the
    /// frontend has moved to the frame's first slots: constant native
    /// stack, the same call depth. A host function is called and returned from.
    mutating func tailCall(_ target: CallTarget)

    /// destination = the reference to function `index` (its header).
    mutating func loadFunctionReference(_ destination: Register, function index: Int)
    /// Traps with `code` when `value` is zero (a null reference).
    mutating func trap(ifZero value: Register, _ code: TrapCode)
    mutating func tableSize(_ destination: Register, table: Int)
    // GC objects (ObjectLayout: type ID, length, then 64-bit field slots;
    // packed fields and elements take a slot each).
    /// destination = the field at slot `slot` of the object (read as `mode`).
    mutating func loadField(_ mode: FieldRead, _ destination: Register, object: Register, slot: Int)
    mutating func storeField(object: Register, slot: Int, _ source: Register)
    /// Copies `count` slots between an object (from its slot `slot`) and the frame.
    mutating func copyFromObject(object: Register, slot: Int, to frameSlot: Int, count: Int)
    mutating func copyToObject(objectSlot: Int, slot: Int, from frameSlot: Int, count: Int)
    mutating func copyToObject(object: Register, slot: Int, from frameSlot: Int, count: Int)
    /// Array elements of one slot: bounds-checked (out of bounds array access).
    mutating func loadElement(_ mode: FieldRead, _ destination: Register, object: Register, index: Register)
    mutating func storeElement(object: Register, index: Register, _ source: Register)
    /// Elements of two slots (v128): bounds-checked copies to and from the frame.
    mutating func copyElement(object: Register, index: Register, to frameSlot: Int)
    mutating func copyElement(object: Register, index: Register, from frameSlot: Int)
    mutating func arrayLength(_ destination: Register, object: Register)
    /// array.new: every element of the new array (in `objectSlot`) = the
    /// value in `valueSlot`, `width` slots each.
    mutating func fillNewArray(objectSlot: Int, valueSlot: Int, width: Int)
    /// ref.i31: the 31 low bits of an i32, tagged (CWasmVM's reference encoding).
    mutating func makeI31(_ destination: Register, _ value: Register)
    /// i31.get_s / i31.get_u of a non-null i31 reference.
    mutating func readI31(_ destination: Register, _ reference: Register, signed: Bool)
    /// Calls a builtin of the runtime (CWasmVM.h's `WVMBuiltins`, by field
    /// name) with the vmctx first; every value is in its home. A trap code
    /// it returns is passed on.
    mutating func callBuiltin(_ name: String, _ arguments: [BuiltinArgument], result: BuiltinResult)
}

/// What a call calls.
package enum CallTarget {
    /// A function of this module (same vmctx), by its code's label.
    case direct(Label)
    /// Function `index` through its header (an import: another instance's
    /// code or a host function).
    case function(Int)
    /// `call_indirect`: the entry at the index in slot `indexSlot` of
    /// table `table`, checked against type index `type`.
    case indirect(table: Int, type: Int, indexSlot: Int)
    /// `call_ref`: the function reference in slot `slot` (null traps).
    case reference(slot: Int)
}

/// An argument of a builtin after the vmctx.
package enum BuiltinArgument {
    case immediate(UInt64)
    /// The 64-bit value of a frame slot.
    case slot(Int)
    /// The address of a frame slot (for results).
    case slotAddress(Int)
}

package enum BuiltinResult {
    case none
    /// An `int32_t` trap code (0: none).
    case trapCode
    /// A value (an `int64_t` result: grow's old size or -1).
    case value(Register, Width)
    /// A C `bool`, as an i32 0 or 1.
    case boolean(Register)
}

/// A register of the backend.
public struct Register: Hashable, Sendable {
    public let index: UInt8
    public init(_ index: UInt8) { self.index = index }

    /// Float registers are numbered from 64 (the backend's register number
    /// plus 64): no general register of either backend has such a number,
    /// so a float register passed where a general one is meant stops the
    /// compiler instead of naming another register.
    public static let firstFloat: UInt8 = 64
    public init(float number: UInt8) { self.index = Self.firstFloat + number }
    public var isFloat: Bool { index >= Self.firstFloat }
    /// The backend's number of a float register.
    public var floatNumber: UInt8 { index - Self.firstFloat }
}

public enum Width: Sendable { case w32, w64 }

/// How a field or element is read: a whole slot, or a packed i8/i16.
public enum FieldRead: Sendable {
    case slot(Width)
    case i8(signed: Bool)
    case i16(signed: Bool)
}

/// The trap codes code writes (CWasmVM.h's `WVMTrapCode`).
package typealias TrapCode = VMTrapCode

public enum IntBinaryOp: Sendable {
    case add, sub, mul, and, or, xor, shl, shrS, shrU, rotl, rotr
}

public enum IntDivisionOp: Sendable { case divS, divU, remS, remU }

public enum WideOp: Sendable { case add128, sub128, mulWideS, mulWideU }

public enum IntUnaryOp: Sendable { case clz, ctz, popcnt }

public enum ExtendOp: Sendable {
    /// i64.extend_i32_s / _u, i32.wrap_i64.
    case i64FromI32S, i64FromI32U, i32FromI64
    /// The sign-extension operators.
    case i32From8S, i32From16S, i64From8S, i64From16S, i64From32S
}

public enum FloatSize: Sendable { case f32, f64 }

public enum FloatBinaryOp: Sendable { case add, sub, mul, div, min, max, copysign }

public enum FloatUnaryOp: Sendable { case abs, neg, sqrt, ceil, floor, trunc, nearest }

public enum FloatCondition: Sendable { case eq, ne, lt, gt, le, ge }

/// A numeric conversion that involves a float.
public enum Conversion: Hashable, Sendable {
    case fromInteger(signed: Bool, from64: Bool, to: FloatSize)
    case toInteger(signed: Bool, to64: Bool, from: FloatSize, saturating: Bool)
    case demote, promote
}

public enum Condition: Sendable {
    case eq, ne, ltS, ltU, gtS, gtU, leS, leU, geS, geU

    /// The condition that holds exactly when this one does not.
    public var inverted: Condition {
        switch self {
        case .eq: return .ne
        case .ne: return .eq
        case .ltS: return .geS
        case .ltU: return .geU
        case .gtS: return .leS
        case .gtU: return .leU
        case .leS: return .gtS
        case .leU: return .gtU
        case .geS: return .ltS
        case .geU: return .ltU
        }
    }
}

/// The shape of a load or store.
public enum MemoryAccess: Sendable {
    case i32, i64
    case i32Load8S, i32Load8U, i32Load16S, i32Load16U
    case i64Load8S, i64Load8U, i64Load16S, i64Load16U, i64Load32S, i64Load32U
    case store8, store16, store32

    public var byteCount: Int {
        switch self {
        case .i32, .i64Load32S, .i64Load32U, .store32: return 4
        case .i64: return 8
        case .i32Load8S, .i32Load8U, .i64Load8S, .i64Load8U, .store8: return 1
        case .i32Load16S, .i32Load16U, .i64Load16S, .i64Load16U, .store16: return 2
        }
    }
}
