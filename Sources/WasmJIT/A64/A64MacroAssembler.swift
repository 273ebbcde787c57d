import CWasmVM
import WasmRuntime

/// The AArch64 backend (AAPCS64, Linux LP64): `MacroAssembler` on
/// `A64Assembler`.
///
/// Every function has the C signature `int32_t f(vmctx, frame)` of the
/// x86-64 backend: x0 = vmctx, x1 = the callee's frame on the value stack
/// (arguments in its first slots, results written there), w0 = the trap
/// code (0: returned). Registers:
/// - pinned (callee-saved, so C calls keep them): x19 = vmctx, x20 = frame,
///   x21 = the store's `VMRuntime`, x22 = memory 0's base and x23 its byte
///   count (reloaded after every call and builtin, which may grow it);
/// - the backend's scratch: x16 and x17 (IP0/IP1, which no C call keeps
///   either), x14 (a third value), x15 (only for addresses whose offset
///   does not fit an encoding), and v0-v2 for floats;
/// - allocatable: x0-x13, which are caller-saved and which the frontend
///   spills before every call and builtin anyway. x18 (the platform
///   register) and x24-x28 are never touched, nor v8-v15, whose low
///   halves AAPCS64 makes callee-saved (vector code must keep to v0-v7
///   and v16-v31, or save them);
/// - floats: v3-v7 and v24-v31 are allocatable (f32 and f64 values and
///   locals, caller-saved), v0-v2 are the scalar float scratch and the
///   vector code keeps to v16-v23.
/// Floats and NaNs: fmin/fmax are wasm's min/max (a NaN operand gives a
/// quiet NaN, -0 < +0), frintn is nearest, fcvt keeps NaN payloads as the
/// interpreter does, and fabs/fneg/copysign work on the bits; fcvtzs and
/// fcvtzu saturate (trunc_sat as is), so the trapping truncations check
/// for NaN and the range first.
/// Each function has a C entry, which saves x29/x30 and x19-x23 (64 bytes,
/// keeping sp 16-byte aligned), pins the registers and calls the body;
/// calls within an instance go straight to the body, which saves only x20
/// and x30 (16 bytes a frame, as the x86-64 backend's r12 and return
/// address).
///
/// Conditional branches reach ±1 MiB only, so the trap exits are not one
/// block at the end of the module as on x86-64: they go in *islands*, one
/// after each function (and in the middle of a function that has grown
/// far from its first pending trap branch: after an unconditional branch,
/// or behind a `b` over it; `setFrameSlots` marks the end of a function's
/// body),
/// each with its own copy of the exit. Conditional branches to the
/// frontend's labels use b.cond/cbz when the label is placed and in reach,
/// else an inverted branch over a `b` (±128 MiB), so no function size
/// makes a wrong branch; what cannot be reached is a precondition failure
/// in `CodeBuffer`.
struct A64MacroAssembler: MacroAssembler {
    var asm = A64Assembler()
    let offsets = VMFieldOffsets.pointerSize8
    /// The trap exits of the current island, created on first use.
    private var trapLabels = TrapLabels()
    /// The current island's exit (the status is in w0).
    private var exitLabel: Label?
    /// Where the first branch to the current island is.
    private var islandStart: Int?
    /// Jump tables: data in the code, which a disassembler must skip.
    private(set) var dataRanges: [Range<Int>] = []

    /// The distance from the first branch to an island beyond which the
    /// island is placed at the next unconditional branch: half of b.cond's
    /// reach, so the code up to that branch may be up to 512 KiB long.
    static let islandDistance = 1 << 19

    /// A planted bug (tests and test-only engine names only).
    let plantedFault: PlantedBackendFault?

    init(plantedFault: PlantedBackendFault? = nil) { self.plantedFault = plantedFault }

    var code: CodeBuffer { asm.code }

    mutating func newLabel() -> Label { asm.code.newLabel() }

    let allocatable: [Register] = (0...13).map { Register(UInt8($0)) }
    let floatAllocatable: [Register] = (Array(3...7) + Array(24...31)).map { Register(float: UInt8($0)) }

    // The pinned registers and the scratch ones.
    static let vmctx = A64Register.x19, frame = A64Register.x20, runtime = A64Register.x21
    static let memoryBase = A64Register.x22, memoryBound = A64Register.x23
    static let s0 = A64Register.x16, s1 = A64Register.x17, s2 = A64Register.x14
    /// Only for offsets that fit no immediate form.
    static let addressScratch = A64Register.x15

    func reg(_ r: Register) -> A64Register { A64Register(rawValue: r.index)! }
    func fp(_ r: Register) -> A64FPRegister {
        precondition(r.isFloat, "A64: a general register where a float register is meant")
        return A64FPRegister(rawValue: r.floatNumber)!
    }
    func slotOffset(_ index: Int) -> Int { index * 8 }

    // MARK: Addressing

    /// A load or store of a general register at base + offset, through
    /// x15 when no immediate form fits.
    mutating func access(_ access: A64Access, _ rt: A64Register, _ base: A64Register, _ offset: Int) {
        if let address = A64Address.immediate(base, offset, for: access) {
            asm.access(access, rt, address)
        } else {
            precondition(base != Self.addressScratch && rt != Self.addressScratch, "A64: x15 is the address scratch")
            asm.moveImmediate(Self.addressScratch, UInt64(bitPattern: Int64(offset)))
            asm.access(access, rt, .register(base, Self.addressScratch, .uxtx, shifted: false))
        }
    }

    mutating func access(_ access: A64Access, _ rt: A64FPRegister, _ base: A64Register, _ offset: Int) {
        if let address = A64Address.immediate(base, offset, for: access) {
            asm.access(access, rt, address)
        } else {
            precondition(base != Self.addressScratch, "A64: x15 is the address scratch")
            asm.moveImmediate(Self.addressScratch, UInt64(bitPattern: Int64(offset)))
            asm.access(access, rt, .register(base, Self.addressScratch, .uxtx, shifted: false))
        }
    }

    mutating func load(_ rt: A64Register, _ base: A64Register, _ offset: Int32) { access(.ldrX, rt, base, Int(offset)) }
    mutating func store(_ base: A64Register, _ offset: Int32, _ rt: A64Register) { access(.strX, rt, base, Int(offset)) }
    mutating func loadSlotX(_ rt: A64Register, _ index: Int) { access(.ldrX, rt, Self.frame, slotOffset(index)) }
    mutating func storeSlotX(_ index: Int, _ rt: A64Register) { access(.strX, rt, Self.frame, slotOffset(index)) }

    /// rd = rn + value (rn and rd not sp), through x15 when value fits no
    /// add/sub immediate (one or two of them).
    mutating func addImmediate(_ rd: A64Register, _ rn: A64Register, _ value: Int) {
        let magnitude = UInt64(value.magnitude)
        let op: A64Assembler.AddSub = value < 0 ? .sub : .add
        if magnitude < 1 << 12 {
            if magnitude == 0 && rd == rn { return }
            asm.addSub(op, is64: true, rd, rn, immediate: UInt32(magnitude))
        } else if magnitude < 1 << 24 {
            asm.addSub(op, is64: true, rd, rn, immediate: UInt32(magnitude >> 12), shifted: true)
            if magnitude & 0xFFF != 0 { asm.addSub(op, is64: true, rd, rd, immediate: UInt32(magnitude & 0xFFF)) }
        } else {
            asm.moveImmediate(Self.addressScratch, UInt64(bitPattern: Int64(value)))
            asm.addSub(.add, is64: true, rd, rn, Self.addressScratch)
        }
    }

    // MARK: Frames and traps

    mutating func trapLabel(_ code: TrapCode) -> Label {
        keepIslandInReach()
        if let label = trapLabels[code] { return label }
        if islandStart == nil { islandStart = asm.code.count }
        let label = asm.code.newLabel()
        trapLabels[code] = label
        return label
    }

    /// The current island's exit, where a status in w0 leaves the frame.
    mutating func exit() -> Label {
        keepIslandInReach()
        return islandExit()
    }

    private mutating func islandExit() -> Label {
        if let exitLabel { return exitLabel }
        if islandStart == nil { islandStart = asm.code.count }
        let label = asm.code.newLabel()
        exitLabel = label
        return label
    }

    /// Places the trap exits used since the last island, and their exit:
    /// each puts its code in w0. The call depth is restored by the entry,
    /// which knows what it was; an exception may be caught by a caller, so
    /// a frame it leaves counts itself off. Only where control does not
    /// fall through.
    mutating func placeIsland() {
        guard islandStart != nil else { return }
        let exit = islandExit()
        for (code, label) in trapLabels.inCodeOrder {
            asm.code.bind(label)
            asm.moveImmediate(is64: false, .x0, UInt64(UInt32(bitPattern: code.rawValue)))
            asm.b(exit)
        }
        asm.code.bind(exit)
        let trap = asm.code.newLabel()
        asm.cmp(is64: false, .x0, immediate: UInt32(TrapCode.exceptionThrown.rawValue))
        asm.b(.ne, trap)
        adjustCallDepth(-1, scratch: Self.s0)
        asm.code.bind(trap)
        asm.pair(load: true, .x, Self.frame, .lr, .sp, offset: 16, mode: .postIndex)
        asm.ret()
        trapLabels.removeAll()
        exitLabel = nil
        islandStart = nil
    }

    /// Places the island after an unconditional branch when its first
    /// branch is getting out of reach.
    private mutating func placeIslandIfFar() {
        if let start = islandStart, asm.code.count - start > Self.islandDistance { placeIsland() }
    }

    /// Places the island here, behind a branch over it, when its first
    /// branch is getting out of reach and no unconditional branch came:
    /// straight-line code of any length keeps its trap exits in reach, at
    /// the cost of one `b` per half MiB. Called where a label is asked for
    /// or placed, which nothing emitted so far depends on being next (a
    /// `b` keeps the flags for the b.cond that may follow).
    private mutating func keepIslandInReach() {
        guard let start = islandStart, asm.code.count - start > Self.islandDistance else { return }
        let over = asm.code.newLabel()
        asm.b(over)
        placeIsland()
        asm.code.bind(over)
    }

    mutating func finish() {
        placeIsland()
        asm.code.resolvePlacedFixups()
    }

    /// runtime.callDepth += delta.
    mutating func adjustCallDepth(_ delta: Int, scratch: A64Register) {
        let depth = offsets.runtimeCallDepth
        load(scratch, Self.runtime, depth)
        addImmediate(scratch, scratch, delta)
        store(Self.runtime, depth, scratch)
    }

    /// The size of every function's C entry: its body (the direct entry)
    /// starts this many bytes after the header's `code`.
    static let entrySize: Int = {
        var masm = A64MacroAssembler()
        let body = masm.newLabel()
        _ = masm.prologue(directEntry: body, functionIndex: 0)
        return masm.code.offset(of: body)!
    }()

    mutating func prologue(directEntry: Label, functionIndex: UInt32) -> Int {
        // The C entry must start where the frontend's caller recorded it:
        // the previous function's island went after its body
        // (`setFrameSlots`), so one is pending here only after a function
        // that could not be compiled, whose module is rejected anyway.
        placeIsland()
        // The C entry (what a function header's `code` points at): saves
        // what AAPCS64 wants kept, pins vmctx, runtime and memory 0, and
        // calls the body.
        asm.pair(load: false, .x, .fp, .lr, .sp, offset: -64, mode: .preIndex)
        asm.mov(is64: true, .fp, .sp)
        asm.pair(load: false, .x, .x19, .x20, .sp, offset: 16)
        asm.pair(load: false, .x, .x21, .x22, .sp, offset: 32)
        asm.access(.strX, .x23, .offset(.sp, 48))
        asm.mov(is64: true, Self.vmctx, .x0)
        load(Self.runtime, Self.vmctx, offsets.instanceRuntime)
        reloadMemory0()
        asm.bl(directEntry)
        asm.access(.ldrX, .x23, .offset(.sp, 48))
        asm.pair(load: true, .x, .x21, .x22, .sp, offset: 32)
        asm.pair(load: true, .x, .x19, .x20, .sp, offset: 16)
        asm.pair(load: true, .x, .fp, .lr, .sp, offset: 64, mode: .postIndex)
        asm.ret()
        // The body: calls from code of the same instance come here with the
        // frame in x1 and everything else pinned already; it keeps the
        // caller's frame register and its own return address.
        asm.code.bind(directEntry)
        asm.pair(load: false, .x, Self.frame, .lr, .sp, offset: -16, mode: .preIndex)
        asm.mov(is64: true, Self.frame, .x1)
        // One more wasm frame, within the limit (the interpreter's rule).
        let exhausted = trapLabel(.callStackExhausted)
        load(Self.s0, Self.runtime, offsets.runtimeCallDepth)
        load(Self.s1, Self.runtime, offsets.runtimeCallDepthLimit)
        asm.cmp(is64: true, Self.s0, Self.s1)
        asm.b(.hs, exhausted)
        asm.addSub(.add, is64: true, Self.s0, Self.s0, immediate: 1)
        store(Self.runtime, offsets.runtimeCallDepth, Self.s0)
        // The frame trail (CWasmVM.h): vmctx and function index at
        // 16 * (depth & mask), read back only after a trap.
        load(Self.s1, Self.runtime, offsets.runtimeFrameTrail)
        let masked = asm.logical(.and, is64: true, Self.s0, Self.s0, immediate: UInt64(WVM_FRAME_TRAIL_MASK))
        precondition(masked, "the frame trail's mask is a bitmask immediate")
        asm.addSub(.add, is64: true, Self.s1, Self.s1, Self.s0, shift: .lsl, amount: 4)
        asm.access(.strX, Self.vmctx, .offset(Self.s1, 0))
        asm.moveImmediate(Self.s2, UInt64(functionIndex))
        asm.access(.strX, Self.s2, .offset(Self.s1, 8))
        load(Self.s1, Self.runtime, offsets.runtimeNativeStackLimit)
        asm.mov(is64: true, Self.s0, .sp)
        asm.cmp(is64: true, Self.s0, Self.s1)
        asm.b(.lo, exhausted)
        // The frame must fit on the value stack: x16 = frame + 8 * slots,
        // the byte count in a movz/movk pair patched when the body is
        // compiled.
        let patch = asm.code.count
        asm.movz(is64: true, Self.s0, 0)
        asm.movk(is64: true, Self.s0, 0, shift: 16)
        asm.addSub(.add, is64: true, Self.s0, Self.frame, Self.s0)
        load(Self.s1, Self.runtime, offsets.runtimeValueStackEnd)
        asm.cmp(is64: true, Self.s0, Self.s1)
        asm.b(.hi, exhausted)
        return patch
    }

    /// x22, x23 = memory 0's base and byte count.
    mutating func reloadMemory0() {
        load(Self.s0, Self.vmctx, offsets.instanceMemory0)
        load(Self.memoryBase, Self.s0, offsets.memoryBase)
        load(Self.memoryBound, Self.s0, offsets.memoryByteCount)
    }

    mutating func setFrameSlots(_ slots: Int, at patch: Int) {
        let bytes = slots * 8
        precondition(bytes >= 0 && bytes < 1 << 32, "A64: a frame of \(slots) slots")
        var words = A64Assembler()
        words.movz(is64: true, Self.s0, UInt16(bytes & 0xFFFF))
        words.movk(is64: true, Self.s0, UInt16(bytes >> 16), shift: 16)
        asm.code.patch32(at: patch, words.code.word(at: 0))
        asm.code.patch32(at: patch + 4, words.code.word(at: 4))
        // The body is complete (its last instruction returns or branches):
        // its trap exits go right after it.
        placeIsland()
    }

    mutating func epilogue() {
        adjustCallDepth(-1, scratch: Self.s0)
        asm.movz(is64: false, .x0, 0)
        asm.pair(load: true, .x, Self.frame, .lr, .sp, offset: 16, mode: .postIndex)
        asm.ret()
        placeIslandIfFar()
    }

    // MARK: Moves

    mutating func move(_ width: Width, _ destination: Register, _ source: Register) {
        guard destination != source else { return }
        let is64 = width == .w64
        switch (destination.isFloat, source.isFloat) {
        case (false, false): asm.mov(is64: is64, reg(destination), reg(source))
        case (true, true): asm.float(.fmov, double: true, fp(destination), fp(source))
        case (true, false): asm.fmov(double: is64, fp(destination), reg(source))
        // fmov w, s zero-extends: an f32's bits are an i32 as the rule wants.
        case (false, true): asm.fmov(double: is64, reg(destination), fp(source))
        }
    }

    mutating func moveImmediate(_ destination: Register, _ value: UInt64) {
        guard destination.isFloat else {
            asm.moveImmediate(is64: value >> 32 != 0, reg(destination), value)
            return
        }
        // The register gets the 64 bits `value` (an f32's zero-extended):
        // fmov s, #imm and fmov s, w clear the upper half, so either view
        // of the register reads the constant.
        let v = fp(destination)
        let double = value >> 32 != 0
        if value == 0 {
            asm.fmov(double: true, v, .zr)
        } else if let imm8 = A64Assembler.floatImmediate(value, double: double) {
            asm.fmov(double: double, v, imm8: imm8)
        } else {
            asm.moveImmediate(is64: double, Self.s0, value)
            asm.fmov(double: double, v, Self.s0)
        }
    }

    mutating func loadSlot(_ width: Width, _ destination: Register, slot index: Int) {
        if destination.isFloat {
            access(width == .w64 ? .ldrD : .ldrS, fp(destination), Self.frame, slotOffset(index))
        } else {
            access(width == .w64 ? .ldrX : .ldrW, reg(destination), Self.frame, slotOffset(index))
        }
    }

    mutating func storeSlot(_ width: Width, slot index: Int, _ source: Register) {
        // Slots are 64 bits; an i32 is stored zero-extended (it is kept so
        // in its register), and so is an f32 (through x16: fmov w
        // zero-extends; a str s would leave the slot's upper half as it was).
        if source.isFloat {
            storeFloat(width, Self.frame, slotOffset(index), fp(source))
        } else {
            storeSlotX(index, reg(source))
        }
    }

    /// A float to a 64-bit cell at base + offset (a slot, a global), an
    /// f32 zero-extended (through x17).
    mutating func storeFloat(_ width: Width, _ base: A64Register, _ offset: Int, _ source: A64FPRegister) {
        if width == .w64 {
            access(.strD, source, base, offset)
        } else {
            asm.fmov(double: false, Self.s1, source)
            access(.strX, Self.s1, base, offset)
        }
    }

    mutating func storeSlotImmediate(slot index: Int, _ value: UInt64) {
        if value == 0 {
            storeSlotX(index, .zr)
        } else {
            asm.moveImmediate(is64: value >> 32 != 0, Self.s0, value)
            storeSlotX(index, Self.s0)
        }
    }

    mutating func copySlot(to destination: Int, from source: Int) {
        guard destination != source else { return }
        loadSlotX(Self.s0, source)
        storeSlotX(destination, Self.s0)
    }

    mutating func zeroSlots(from first: Int, count: Int) {
        guard count > 0 else { return }
        if count <= 8 {
            for i in first..<(first + count) { storeSlotX(i, .zr) }
            return
        }
        // A loop: x16 walks the slots, x17 counts them.
        addImmediate(Self.s0, Self.frame, slotOffset(first))
        asm.moveImmediate(Self.s1, UInt64(count))
        let loop = asm.code.newLabel()
        asm.code.bind(loop)
        asm.access(.strX, .zr, .postIndex(Self.s0, 8))
        asm.addSub(.subs, is64: true, Self.s1, Self.s1, immediate: 1)
        asm.b(.ne, loop)
    }

    // MARK: Integers

    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        // The w forms zero the upper half, so i32 results stay zero-extended.
        let is64 = width == .w64
        let (d, l, r) = (reg(destination), reg(lhs), reg(rhs))
        switch op {
        case .add: asm.addSub(.add, is64: is64, d, l, r)
        case .sub: asm.addSub(.sub, is64: is64, d, l, r)
        case .mul: asm.mul(is64: is64, d, l, r)
        case .and: asm.logical(.and, is64: is64, d, l, r)
        case .or: asm.logical(.orr, is64: is64, d, l, r)
        case .xor: asm.logical(.eor, is64: is64, d, l, r)
        // The variable shifts take the count modulo the width, as wasm does.
        case .shl: asm.shift(.lslv, is64: is64, d, l, r)
        case .shrS: asm.shift(.asrv, is64: is64, d, l, r)
        case .shrU: asm.shift(.lsrv, is64: is64, d, l, r)
        case .rotr: asm.shift(.rorv, is64: is64, d, l, r)
        case .rotl:
            // No rotate left: right by the negated count (modulo the width).
            if plantedFault == .a64RotlSlip {
                asm.shift(.rorv, is64: is64, d, l, r)
            } else {
                asm.neg(is64: is64, Self.s0, r)
                asm.shift(.rorv, is64: is64, d, l, Self.s0)
            }
        }
    }

    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, immediate value: UInt64) {
        let is64 = width == .w64
        let v = is64 ? value : value & 0xFFFF_FFFF
        let (d, l) = (reg(destination), reg(lhs))
        switch op {
        case .add, .sub:
            // x + -c is x - c (in the operation's width).
            let negated = is64 ? 0 &- v : (0 &- v) & 0xFFFF_FFFF
            for (operation, operand) in [(op == .add ? A64Assembler.AddSub.add : .sub, v), (op == .add ? .sub : .add, negated)]
            where A64Assembler.isAddSubImmediate(operand) {
                let shifted = operand >= 1 << 12
                asm.addSub(operation, is64: is64, d, l, immediate: UInt32(shifted ? operand >> 12 : operand), shifted: shifted)
                return
            }
        case .and, .or, .xor:
            if asm.logical(op == .and ? .and : op == .or ? .orr : .eor, is64: is64, d, l, immediate: v) { return }
        default:
            break
        }
        // The others (and constants no encoding takes) through x14.
        asm.moveImmediate(is64: is64, Self.s2, v)
        binary(op, width, destination, lhs, Register(Self.s2.rawValue))
    }

    /// cmp lhs, immediate (through x14 beyond 12 bits).
    private mutating func compareImmediate(_ width: Width, _ lhs: Register, _ value: UInt64) {
        let is64 = width == .w64
        let v = is64 ? value : value & 0xFFFF_FFFF
        if v < 1 << 12 {
            asm.cmp(is64: is64, reg(lhs), immediate: UInt32(v))
        } else {
            asm.moveImmediate(is64: is64, Self.s2, v)
            asm.cmp(is64: is64, reg(lhs), Self.s2)
        }
    }

    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, immediate value: UInt64) {
        compareImmediate(width, lhs, value)
        asm.cset(is64: false, reg(destination), a64(condition))
    }

    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, immediate value: UInt64, to label: Label) {
        compareImmediate(width, lhs, value)
        branch(a64(condition), to: label)
    }

    mutating func divide(_ op: IntDivisionOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        // sdiv and udiv never trap (x / 0 = 0, min / -1 = min): wasm's traps
        // are explicit checks.
        let is64 = width == .w64
        let (d, l, r) = (reg(destination), reg(lhs), reg(rhs))
        asm.cbz(is64: is64, r, trapLabel(.integerDivideByZero))
        let signed = op == .divS || op == .remS
        if op == .divS {
            // Overflow iff r == -1 and l == min: cmn r, #1 sets Z for -1;
            // then l - 1 overflows (V) only for min; otherwise V is clear.
            asm.cmn(is64: is64, r, immediate: 1)
            asm.ccmp(is64: is64, l, immediate: 1, nzcv: 0, .eq)
            asm.b(.vs, trapLabel(.integerOverflow))
        }
        switch op {
        case .divS, .divU:
            asm.div(signed: signed, is64: is64, d, l, r)
        case .remS, .remU:
            // l - (l / r) * r; min % -1 = min - min * -1 = 0 (wrapping), as wasm wants.
            asm.div(signed: signed, is64: is64, Self.s0, l, r)
            asm.multiplyAdd(subtract: true, is64: is64, d, Self.s0, r, l)
        }
    }

    mutating func wide(_ op: WideOp, lo: Register, hi: Register, _ a: (lo: Register, hi: Register),
                       _ b: (lo: Register, hi: Register)) {
        // In x16:x17 first: the destinations may be any of the operands.
        switch op {
        case .add128, .sub128:
            asm.addSub(op == .add128 ? .adds : .subs, is64: true, Self.s0, reg(a.lo), reg(b.lo))
            asm.addSubWithCarry(op == .add128 ? .add : .sub, is64: true, Self.s1, reg(a.hi), reg(b.hi))
        case .mulWideS, .mulWideU:
            asm.mul(is64: true, Self.s0, reg(a.lo), reg(a.hi))
            asm.multiplyHigh(signed: op == .mulWideS, Self.s1, reg(a.lo), reg(a.hi))
        }
        asm.mov(is64: true, reg(lo), Self.s0)
        asm.mov(is64: true, reg(hi), Self.s1)
    }

    mutating func unary(_ op: IntUnaryOp, _ width: Width, _ destination: Register, _ source: Register) {
        let is64 = width == .w64
        let (d, s) = (reg(destination), reg(source))
        switch op {
        case .clz: asm.bitOperation(.clz, is64: is64, d, s)
        case .ctz:
            asm.bitOperation(.rbit, is64: is64, Self.s0, s)
            asm.bitOperation(.clz, is64: is64, d, Self.s0)
        case .popcnt:
            // No scalar popcount in ARMv8.0: count per byte in v0, add the bytes.
            asm.fmov(double: is64, .v0, s)
            asm.cnt8B(.v0, .v0)
            asm.addv8B(.v0, .v0)
            asm.fmov(double: false, d, .v0)
        }
    }

    func a64(_ c: Condition) -> A64Condition {
        switch c {
        case .eq: return .eq
        case .ne: return .ne
        case .ltS: return .lt
        case .ltU: return .lo
        case .gtS: return .gt
        case .gtU: return .hi
        case .leS: return .le
        case .leU: return .ls
        case .geS: return .ge
        case .geU: return .hs
        }
    }

    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        asm.cmp(is64: width == .w64, reg(lhs), reg(rhs))
        asm.cset(is64: false, reg(destination), a64(condition))
    }

    mutating func select(_ destination: Register, condition: Register, ifTrue: Register, ifFalse: Register) {
        asm.tst(is64: false, reg(condition), reg(condition))
        if destination.isFloat {
            asm.fcsel(double: true, fp(destination), fp(ifTrue), fp(ifFalse), .ne)
            return
        }
        asm.conditionalSelect(.csel, is64: true, reg(destination), reg(ifTrue), reg(ifFalse), .ne)
    }

    mutating func extend(_ op: ExtendOp, _ destination: Register, _ source: Register) {
        let (d, s) = (reg(destination), reg(source))
        switch op {
        case .i64FromI32S, .i64From32S: asm.signExtend(bytes: 4, is64: true, d, s)
        // mov w zero-extends: wrap keeps the low half, extend_u is the same.
        case .i64FromI32U, .i32FromI64: asm.mov(is64: false, d, s)
        case .i32From8S: asm.signExtend(bytes: 1, is64: false, d, s)
        case .i32From16S: asm.signExtend(bytes: 2, is64: false, d, s)
        case .i64From8S: asm.signExtend(bytes: 1, is64: true, d, s)
        case .i64From16S: asm.signExtend(bytes: 2, is64: true, d, s)
        }
    }

    // MARK: Branches

    mutating func bind(_ label: Label) {
        keepIslandInReach()
        asm.code.bind(label)
    }

    mutating func jump(_ label: Label) {
        asm.b(label)
        placeIslandIfFar()
    }

    /// b.cond to a label of the frontend: short when it is placed and in
    /// reach, else around an unconditional branch.
    mutating func branch(_ condition: A64Condition, to label: Label) {
        if asm.code.a64Reaches(label, field: .imm19) {
            asm.b(condition, label)
        } else {
            let skip = asm.code.newLabel()
            asm.b(condition.inverted, skip)
            asm.b(label)
            asm.code.bind(skip)
        }
    }

    mutating func branch(ifZero: Bool, _ width: Width, _ value: Register, to label: Label) {
        let is64 = width == .w64
        if asm.code.a64Reaches(label, field: .imm19) {
            asm.cbz(nonZero: !ifZero, is64: is64, reg(value), label)
        } else {
            let skip = asm.code.newLabel()
            asm.cbz(nonZero: ifZero, is64: is64, reg(value), skip)
            asm.b(label)
            asm.code.bind(skip)
        }
    }

    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, _ rhs: Register, to label: Label) {
        asm.cmp(is64: width == .w64, reg(lhs), reg(rhs))
        branch(a64(condition), to: label)
    }

    mutating func jumpTable(_ index: Register, targets: [Label], defaultTarget: Label) {
        // index >= count goes to the default; then a table of 32-bit
        // offsets from its own start, right after the br.
        asm.mov(is64: false, Self.s1, reg(index))
        if targets.count < 1 << 12 {
            asm.cmp(is64: false, Self.s1, immediate: UInt32(targets.count))
        } else {
            asm.moveImmediate(is64: false, Self.s0, UInt64(targets.count))
            asm.cmp(is64: false, Self.s1, Self.s0)
        }
        branch(.hs, to: defaultTarget)
        let table = asm.code.newLabel()
        asm.adr(Self.s0, table)
        asm.access(.ldrsw, Self.s1, .register(Self.s0, Self.s1, .uxtw, shifted: true))
        asm.addSub(.add, is64: true, Self.s0, Self.s0, Self.s1)
        asm.br(Self.s0)
        asm.code.bind(table)
        let start = asm.code.count
        for target in targets { asm.emitOffset(of: target, from: table) }
        dataRanges.append(start..<asm.code.count)
    }

    // MARK: Instance state

    /// x16 = the cell of global `global`.
    private mutating func globalCell(_ global: Int, into r: A64Register) {
        load(r, Self.vmctx, offsets.instanceGlobals)
        access(.ldrX, r, r, global * 8)
    }

    mutating func loadGlobal(_ width: Width, _ destination: Register, global: Int) {
        globalCell(global, into: Self.s0)
        if destination.isFloat {
            asm.access(width == .w64 ? .ldrD : .ldrS, fp(destination), .offset(Self.s0, 0))
        } else {
            asm.access(width == .w64 ? .ldrX : .ldrW, reg(destination), .offset(Self.s0, 0))
        }
    }

    mutating func storeGlobal(_ width: Width, global: Int, _ source: Register) {
        globalCell(global, into: Self.s0)
        if source.isFloat {
            storeFloat(width, Self.s0, 0, fp(source))
        } else {
            asm.access(.strX, reg(source), .offset(Self.s0, 0))
        }
    }

    mutating func loadGlobal(_ global: Int, toSlots first: Int, count: Int) {
        globalCell(global, into: Self.s1)
        for i in 0..<count {
            asm.access(.ldrX, Self.s0, .offset(Self.s1, 8 * i))
            storeSlotX(first + i, Self.s0)
        }
    }

    mutating func storeGlobal(_ global: Int, fromSlots first: Int, count: Int) {
        globalCell(global, into: Self.s1)
        for i in 0..<count {
            loadSlotX(Self.s0, first + i)
            asm.access(.strX, Self.s0, .offset(Self.s1, 8 * i))
        }
    }

    mutating func consumeFuel() {
        load(Self.s0, Self.runtime, offsets.runtimeFuel)
        asm.cbz(is64: true, Self.s0, trapLabel(.outOfFuel))
        asm.addSub(.sub, is64: true, Self.s0, Self.s0, immediate: 1)
        store(Self.runtime, offsets.runtimeFuel, Self.s0)
    }

    // MARK: Memory

    /// `r` = the memory's `WVMMemory`.
    mutating func loadMemory(_ memory: Int, into r: A64Register) {
        if memory == 0 {
            load(r, Self.vmctx, offsets.instanceMemory0)
        } else {
            load(r, Self.vmctx, offsets.instanceMemories)
            access(.ldrX, r, r, memory * 8)
        }
    }

    /// Checks the access and returns the register that holds the address
    /// of its end (the access is at -size from it): x17 = address
    /// (zero-extended with uxtw unless memory64) + offset + size, computed
    /// with the carry checked (a carry traps), which must not pass the
    /// byte count; then x17 += the memory's base.
    mutating func checkedAddress(_ address: Register, offset: UInt64, size: Int, memory: Int, is64: Bool,
                                 inBounds: Bool) -> A64Register {
        let end = Self.s1
        let (sum, overflow) = offset.addingReportingOverflow(UInt64(size))
        guard !overflow else {
            asm.b(trapLabel(.outOfBoundsMemoryAccess))
            return end
        }
        let a = reg(address)
        // A 32-bit address plus an end below 2^32 cannot carry out of 64 bits.
        let mayCarry = is64 || sum >> 32 != 0
        if A64Assembler.isAddSubImmediate(sum) {
            let shifted = sum >= 1 << 12
            let immediate = UInt32(shifted ? sum >> 12 : sum)
            if is64 {
                asm.addSub(.adds, is64: true, end, a, immediate: immediate, shifted: shifted)
            } else {
                asm.mov(is64: false, end, a)
                asm.addSub(.adds, is64: true, end, end, immediate: immediate, shifted: shifted)
            }
        } else {
            asm.moveImmediate(Self.s0, sum)
            if is64 {
                asm.addSub(.adds, is64: true, end, a, Self.s0)
            } else {
                asm.addSub(.adds, is64: true, end, Self.s0, a, extend: .uxtw)
            }
        }
        if mayCarry && !inBounds { asm.b(.hs, trapLabel(.outOfBoundsMemoryAccess)) }
        if memory == 0 {
            if !inBounds {
                asm.cmp(is64: true, end, Self.memoryBound)
                asm.b(.hi, trapLabel(.outOfBoundsMemoryAccess))
            }
            asm.addSub(.add, is64: true, end, Self.memoryBase, end)
        } else {
            loadMemory(memory, into: Self.s0)
            if !inBounds {
                load(Self.s2, Self.s0, offsets.memoryByteCount)
                asm.cmp(is64: true, end, Self.s2)
                asm.b(.hi, trapLabel(.outOfBoundsMemoryAccess))
            }
            load(Self.s0, Self.s0, offsets.memoryBase)
            asm.addSub(.add, is64: true, end, Self.s0, end)
        }
        return end
    }

    mutating func load(_ access: MemoryAccess, _ destination: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                       inBounds: Bool) {
        let size = access.byteCount
        let end = checkedAddress(address, offset: offset, size: size, memory: memory, is64: is64, inBounds: inBounds)
        if destination.isFloat {
            precondition(access == .i32 || access == .i64, "A64: a float load is 4 or 8 bytes")
            asm.access(access == .i64 ? .ldrD : .ldrS, fp(destination), .unscaled(end, -size))
            return
        }
        let form: A64Access
        switch access {
        case .i32, .i64Load32U: form = .ldrW
        case .i64: form = .ldrX
        case .i32Load8S: form = .ldrsbW
        case .i32Load8U, .i64Load8U: form = .ldrb
        case .i32Load16S: form = .ldrshW
        case .i32Load16U, .i64Load16U: form = .ldrh
        case .i64Load8S: form = .ldrsbX
        case .i64Load16S: form = .ldrshX
        case .i64Load32S: form = .ldrsw
        case .store8, .store16, .store32: preconditionFailure("a store is not a load")
        }
        asm.access(form, reg(destination), .unscaled(end, -size))
    }

    mutating func store(_ access: MemoryAccess, _ source: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                        inBounds: Bool) {
        let size = access.byteCount
        let end = checkedAddress(address, offset: offset, size: size, memory: memory, is64: is64, inBounds: inBounds)
        if source.isFloat {
            precondition(access == .i32 || access == .i64, "A64: a float store is 4 or 8 bytes")
            asm.access(access == .i64 ? .strD : .strS, fp(source), .unscaled(end, -size))
            return
        }
        let form: A64Access
        switch access {
        case .i32, .store32: form = .strW
        case .i64: form = .strX
        case .store8: form = .strb
        case .store16: form = .strh
        default: preconditionFailure("a load is not a store")
        }
        asm.access(form, reg(source), .unscaled(end, -size))
    }

    mutating func loadToSlots(_ byteCount: Int, slot first: Int, address: Register, offset: UInt64, memory: Int, is64: Bool,
                              inBounds: Bool) {
        let end = checkedAddress(address, offset: offset, size: byteCount, memory: memory, is64: is64, inBounds: inBounds)
        for i in 0..<(byteCount / 8) {
            asm.access(.ldrX, Self.s0, .unscaled(end, 8 * i - byteCount))
            storeSlotX(first + i, Self.s0)
        }
    }

    mutating func storeFromSlots(_ byteCount: Int, slot first: Int, address: Register, offset: UInt64, memory: Int, is64: Bool,
                                 inBounds: Bool) {
        let end = checkedAddress(address, offset: offset, size: byteCount, memory: memory, is64: is64, inBounds: inBounds)
        for i in 0..<(byteCount / 8) {
            loadSlotX(Self.s0, first + i)
            asm.access(.strX, Self.s0, .unscaled(end, 8 * i - byteCount))
        }
    }

    mutating func memorySize(_ destination: Register, memory: Int) {
        loadMemory(memory, into: Self.s0)
        load(reg(destination), Self.s0, offsets.memoryPageCount)
    }

    mutating func memoryGrow(_ destination: Register, deltaSlot: Int, memory: Int, is64: Bool) {
        callBuiltin("memoryGrow", [.immediate(UInt64(memory)), .slot(deltaSlot)], result: .value(destination, is64 ? .w64 : .w32))
    }
}
