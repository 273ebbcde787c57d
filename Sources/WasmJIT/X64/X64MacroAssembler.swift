import Foundation
import CWasmVM
import WasmRuntime

/// The x86-64 backend (System V ABI): `MacroAssembler` on `X64Assembler`.
///
/// Every function has the C signature `int32_t f(vmctx, frame)`, so the
/// runtime enters compiled code with an ordinary call and code calls code
/// the same way: rdi = vmctx, rsi = the callee's frame on the value stack
/// (arguments in its first slots, results written there), eax = the trap
/// code (0: returned). Registers:
/// - pinned: rbx = vmctx, r12 = frame, r13 = the store's `VMRuntime`,
///   r14 = memory 0's base and r15 its byte count (reloaded after every
///   call and builtin, which may grow it): an access to memory 0 is then
///   an add, a compare and the access, with no loads of the vmctx;
/// - the backend's scratch: rax, rcx, rdx (division, shifts, addresses);
/// - allocatable: rsi, rdi, r8-r11 and rbp (the seventh: locals stay in
///   registers through a loop body only while there is room, and matmul's
///   inner loop needs about seven);
/// - floats: xmm8-xmm15 are allocatable (f32 and f64 values and locals;
///   caller-saved in the C ABI, and the frontend spills before calls),
///   xmm0 and xmm1 are the scalar float scratch, and the vector code
///   (v128 operands loaded from their slots) uses xmm0-xmm7 only.
/// Each function has a C entry, which saves rbx, rbp and r12-r15 (keeping rsp
/// 16-byte aligned for calls into C), pins the registers and calls the
/// body; calls within an instance go straight to the body, which saves only
/// r12. So every body has the same epilogue and all of a module's
/// functions share one exit per trap code. A call within an instance saves
/// four pushes and pops, three moves and three loads over a C call; the
/// kernels of Benchmarks/ did not measure a difference beyond this
/// machine's noise (about 10%), so the gain is in native stack: 16 bytes
/// a frame instead of 64.
struct X64MacroAssembler: MacroAssembler {
    var asm = X64Assembler()
    let offsets = VMFieldOffsets.pointerSize8
    private var trapLabels = TrapLabels()
    private let exit: Label
    /// A bug planted for the fuzzer's self-test (`PlantedBackendFault`).
    let plantedFault: PlantedBackendFault?

    init(plantedFault: PlantedBackendFault? = nil) {
        exit = asm.code.newLabel()
        self.plantedFault = plantedFault
    }

    var code: CodeBuffer { asm.code }

    mutating func newLabel() -> Label { asm.code.newLabel() }

    let allocatable: [Register] = [GPR.rsi, .rdi, .r8, .r9, .r10, .r11, .rbp].map { Register($0.rawValue) }
    let floatAllocatable: [Register] = (8...15).map { Register(float: UInt8($0)) }

    private func gpr(_ r: Register) -> GPR { GPR(rawValue: r.index)! }
    func xmm(_ r: Register) -> XMM {
        precondition(r.isFloat, "x64: a general register where a float register is meant")
        return XMM(rawValue: r.floatNumber)!
    }
    private func slot(_ index: Int) -> X64Address { X64Address(.r12, Int32(index * 8)) }

    // MARK: Frames and traps

    mutating func trapLabel(_ code: TrapCode) -> Label {
        if let label = trapLabels[code] { return label }
        let label = asm.code.newLabel()
        trapLabels[code] = label
        return label
    }

    mutating func finish() {
        for (code, label) in trapLabels.inCodeOrder {
            asm.code.bind(label)
            asm.mov32(.rax, immediate: UInt32(bitPattern: code.rawValue))
            asm.jmp(exit)
        }
        // The exit of every trap: the code is in eax. The call depth is
        // restored by the entry, which knows what it was; an exception may
        // be caught by a caller, so a frame it leaves counts itself off.
        asm.code.bind(exit)
        let trap = asm.code.newLabel()
        asm.alu(.cmp, is64: false, .rax, immediate: TrapCode.exceptionThrown.rawValue)
        asm.j(.ne, trap)
        asm.alu(.sub, is64: true, X64Address(.r13, offsets.runtimeCallDepth), immediate: 1)
        asm.code.bind(trap)
        asm.pop(.r12)
        asm.ret()
        asm.code.resolvePlacedFixups()
    }

    /// After the body returns to the C entry: the alignment word, then
    /// what the entry saved.
    private mutating func popSavedRegisters() {
        asm.alu(.add, is64: true, .rsp, immediate: 8)
        for r in [GPR.r15, .r14, .r13, .r12, .rbp, .rbx] { asm.pop(r) }
    }

    /// The size of every function's C entry: its body (the direct entry)
    /// starts this many bytes after the header's `code`.
    static let entrySize: Int = {
        var masm = X64MacroAssembler()
        let body = masm.newLabel()
        _ = masm.prologue(directEntry: body, functionIndex: 0)
        return masm.code.offset(of: body)!
    }()

    mutating func prologue(directEntry: Label, functionIndex: UInt32) -> Int {
        // The C entry (what a function header's `code` points at): saves
        // what the C ABI wants kept (six registers and a word that keeps
        // the body's calls 16-byte aligned), pins vmctx, runtime and
        // memory 0, and calls the body.
        for r in [GPR.rbx, .rbp, .r12, .r13, .r14, .r15] { asm.push(r) }
        asm.alu(.sub, is64: true, .rsp, immediate: 8)
        asm.mov(is64: true, .rbx, .rdi)
        asm.load(is64: true, .r13, X64Address(.rbx, offsets.instanceRuntime))
        reloadMemory0()
        asm.call(directEntry)
        popSavedRegisters()
        asm.ret()
        // The body: calls from code of the same instance come here with the
        // frame in rsi and everything else pinned already; it keeps only
        // the caller's frame register (16 bytes of native stack a frame).
        asm.code.bind(directEntry)
        asm.push(.r12)
        asm.mov(is64: true, .r12, .rsi)
        // One more wasm frame, within the limit (the interpreter's rule).
        let depth = X64Address(.r13, offsets.runtimeCallDepth)
        asm.load(is64: true, .rax, depth)
        asm.alu(.cmp, is64: true, .rax, X64Address(.r13, offsets.runtimeCallDepthLimit))
        asm.j(.ae, trapLabel(.callStackExhausted))
        asm.alu(.add, is64: true, .rax, immediate: 1)
        asm.store(is64: true, depth, .rax)
        // The frame trail (CWasmVM.h): vmctx and function index at
        // 16 * (depth & mask), read back only after a trap. Six
        // instructions a call.
        asm.load(is64: true, .rcx, X64Address(.r13, offsets.runtimeFrameTrail))
        asm.mov(is64: false, .rdx, .rax)
        asm.alu(.and, is64: false, .rdx, immediate: Int32(WVM_FRAME_TRAIL_MASK))
        asm.shift(.shl, is64: false, .rdx, by: 4)
        asm.store(is64: true, X64Address(.rcx, 0, index: .rdx), .rbx)
        asm.store64(X64Address(.rcx, 8, index: .rdx), signExtended: Int32(bitPattern: functionIndex))
        asm.alu(.cmp, is64: true, .rsp, X64Address(.r13, offsets.runtimeNativeStackLimit))
        asm.j(.b, trapLabel(.callStackExhausted))
        // The frame must fit on the value stack: lea rax, [r12 + 8 * slots]
        // with a 32-bit displacement patched when the body is compiled.
        asm.lea(.rax, X64Address(.r12, 0x7FFF_FFF0))
        let patch = asm.code.count - 4
        asm.alu(.cmp, is64: true, .rax, X64Address(.r13, offsets.runtimeValueStackEnd))
        asm.j(.a, trapLabel(.callStackExhausted))
        return patch
    }

    /// r14, r15 = memory 0's base and byte count.
    private mutating func reloadMemory0() {
        asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceMemory0))
        asm.load(is64: true, .r14, X64Address(.rax, offsets.memoryBase))
        asm.load(is64: true, .r15, X64Address(.rax, offsets.memoryByteCount))
    }

    mutating func setFrameSlots(_ slots: Int, at patch: Int) {
        asm.code.patch32(at: patch, UInt32(slots * 8))
    }

    mutating func epilogue() {
        asm.alu(.sub, is64: true, X64Address(.r13, offsets.runtimeCallDepth), immediate: 1)
        asm.alu(.xor, is64: false, .rax, .rax)
        asm.pop(.r12)
        asm.ret()
    }

    // MARK: Moves

    mutating func move(_ width: Width, _ destination: Register, _ source: Register) {
        guard destination != source else { return }
        switch (destination.isFloat, source.isFloat) {
        case (false, false): asm.mov(is64: width == .w64, gpr(destination), gpr(source))
        case (true, true): asm.movaps(xmm(destination), xmm(source))
        case (true, false): asm.movToXMM(is64: width == .w64, xmm(destination), gpr(source))
        // movd zero-extends: an f32's bits are an i32 as the rule wants.
        case (false, true): asm.movFromXMM(is64: width == .w64, gpr(destination), xmm(source))
        }
    }

    mutating func moveImmediate(_ destination: Register, _ value: UInt64) {
        guard destination.isFloat else {
            asm.moveConstant(gpr(destination), value)
            return
        }
        let x = xmm(destination)
        if value == 0 {
            asm.packed(.xorps, x, x)
        } else {
            asm.moveConstant(.rax, value)
            asm.movToXMM(is64: value >> 32 != 0, x, .rax)
        }
    }

    mutating func loadSlot(_ width: Width, _ destination: Register, slot index: Int) {
        if destination.isFloat {
            asm.loadFloat(double: width == .w64, xmm(destination), slot(index))
        } else {
            asm.load(is64: width == .w64, gpr(destination), slot(index))
        }
    }

    mutating func storeSlot(_ width: Width, slot index: Int, _ source: Register) {
        // Slots are 64 bits; an i32 is stored zero-extended (it is kept so
        // in its register), and so is an f32 (through rax: movd
        // zero-extends; a movss would leave the slot's upper half as it was).
        if source.isFloat {
            storeFloat(width, slot(index), xmm(source))
        } else {
            asm.store(is64: true, slot(index), gpr(source))
        }
    }

    /// A float to a 64-bit cell (a slot, a global), an f32 zero-extended.
    private mutating func storeFloat(_ width: Width, _ address: X64Address, _ source: XMM) {
        if width == .w64 {
            asm.storeFloat(double: true, address, source)
        } else {
            asm.movFromXMM(is64: false, .rax, source)
            asm.store(is64: true, address, .rax)
        }
    }

    mutating func storeSlotImmediate(slot index: Int, _ value: UInt64) {
        if let small = Int32(exactly: Int64(bitPattern: value)) {
            asm.store64(slot(index), signExtended: small)
        } else {
            asm.movabs(.rax, value)
            asm.store(is64: true, slot(index), .rax)
        }
    }

    mutating func copySlot(to destination: Int, from source: Int) {
        guard destination != source else { return }
        asm.load(is64: true, .rax, slot(source))
        asm.store(is64: true, slot(destination), .rax)
    }

    mutating func zeroSlots(from first: Int, count: Int) {
        guard count > 0 else { return }
        if count <= 8 {
            for i in first..<(first + count) { asm.store64(slot(i), signExtended: 0) }
            return
        }
        // A loop: rax walks the slots, ecx counts them.
        asm.lea(.rax, slot(first))
        asm.mov32(.rcx, immediate: UInt32(count))
        let loop = asm.code.newLabel()
        asm.code.bind(loop)
        asm.store64(X64Address(.rax), signExtended: 0)
        asm.alu(.add, is64: true, .rax, immediate: 8)
        asm.alu(.sub, is64: false, .rcx, immediate: 1)
        asm.j(.ne, loop)
    }

    // MARK: Integers

    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let is64 = width == .w64
        let (d, l, r) = (gpr(destination), gpr(lhs), gpr(rhs))
        switch op {
        case .shl, .shrS, .shrU, .rotl, .rotr:
            let shift: X64Shift
            switch op {
            case .shl: shift = .shl
            case .shrS: shift = .sar
            case .shrU: shift = .shr
            case .rotl: shift = .rol
            default: shift = .ror
            }
            // The count goes to cl; x86 masks it as wasm does.
            asm.mov(is64: false, .rcx, r)
            asm.mov(is64: is64, .rax, l)
            asm.shift(shift, is64: is64, .rax)
            asm.mov(is64: is64, d, .rax)
        case .add, .sub, .and, .or, .xor, .mul:
            let commutative = op != .sub
            var source = r
            if d == r && d != l {
                if commutative {
                    source = l
                } else {
                    asm.mov(is64: true, .rax, r)
                    source = .rax
                    asm.mov(is64: is64, d, l)
                }
            } else if d != l {
                asm.mov(is64: is64, d, l)
            }
            switch op {
            case .add: asm.alu(.add, is64: is64, d, source)
            case .sub: asm.alu(.sub, is64: is64, d, source)
            case .and: asm.alu(.and, is64: is64, d, source)
            case .or: asm.alu(.or, is64: is64, d, source)
            case .xor: asm.alu(.xor, is64: is64, d, source)
            default:
                asm.imul(is64: is64, d, source)
                if plantedFault == .x64MulClobber && d != .r11 {
                    // The planted clobber: the product also lands in r11,
                    // which the allocator hands out.
                    asm.mov(is64: true, .r11, d)
                }
            }
        }
    }

    /// The imm32 of an operand of `width`: any i32 (its 32 bits), an i64
    /// whose value is a sign-extended imm32.
    private func imm32(_ value: UInt64, _ width: Width) -> Int32? {
        width == .w32 ? Int32(truncatingIfNeeded: value) : Int32(exactly: Int64(bitPattern: value))
    }

    mutating func binary(_ op: IntBinaryOp, _ width: Width, _ destination: Register, _ lhs: Register, immediate value: UInt64) {
        let is64 = width == .w64
        let (d, l) = (gpr(destination), gpr(lhs))
        let alu: X64ALU?
        switch op {
        case .shl, .shrS, .shrU, .rotl, .rotr:
            // The count masked as wasm (and x86) mask it.
            let shift: X64Shift = op == .shl ? .shl : op == .shrS ? .sar : op == .shrU ? .shr : op == .rotl ? .rol : .ror
            if d != l { asm.mov(is64: is64, d, l) }
            asm.shift(shift, is64: is64, d, by: UInt8(value & (is64 ? 63 : 31)))
            return
        case .add: alu = .add
        case .sub: alu = .sub
        case .and: alu = .and
        case .or: alu = .or
        case .xor: alu = .xor
        case .mul: alu = nil
        }
        if let alu, let imm = imm32(value, width) {
            if d != l { asm.mov(is64: is64, d, l) }
            asm.alu(alu, is64: is64, d, immediate: imm)
            return
        }
        // imul, and i64 constants beyond imm32: through rax.
        asm.moveConstant(.rax, value)
        binary(op, width, destination, lhs, Register(GPR.rax.rawValue))
    }

    /// cmp lhs, immediate (through rax when it does not fit an imm32).
    private mutating func compareImmediate(_ width: Width, _ lhs: Register, _ value: UInt64) {
        if let imm = imm32(value, width) {
            asm.alu(.cmp, is64: width == .w64, gpr(lhs), immediate: imm)
        } else {
            asm.moveConstant(.rax, value)
            asm.alu(.cmp, is64: true, gpr(lhs), .rax)
        }
    }

    mutating func divide(_ op: IntDivisionOp, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let is64 = width == .w64
        let (d, l, r) = (gpr(destination), gpr(lhs), gpr(rhs))
        asm.test(is64: is64, r, r)
        asm.j(.e, trapLabel(.integerDivideByZero))
        let signed = op == .divS || op == .remS
        let done = asm.code.newLabel()
        if signed {
            // min / -1 overflows (a trap for div_s); min % -1 is 0, which
            // idiv cannot compute either.
            let divide = asm.code.newLabel()
            asm.alu(.cmp, is64: is64, r, immediate: -1)
            asm.j(.ne, divide)
            if op == .divS {
                if is64 { asm.movabs(.rax, UInt64(1) << 63) } else { asm.mov32(.rax, immediate: 1 << 31) }
                asm.alu(.cmp, is64: is64, l, .rax)
                asm.j(.e, trapLabel(.integerOverflow))
                asm.mov(is64: is64, .rax, l)
                asm.neg(is64: is64, .rax)
                asm.mov(is64: is64, d, .rax)
            } else {
                asm.alu(.xor, is64: false, d, d)
            }
            asm.jmp(done)
            asm.code.bind(divide)
        }
        asm.mov(is64: is64, .rax, l)
        if signed { asm.signExtendAccumulator(is64: is64) } else { asm.alu(.xor, is64: false, .rdx, .rdx) }
        asm.div(signed: signed, is64: is64, r)
        asm.mov(is64: is64, d, op == .divS || op == .divU ? .rax : .rdx)
        asm.code.bind(done)
    }

    mutating func wide(_ op: WideOp, lo: Register, hi: Register, _ a: (lo: Register, hi: Register),
                       _ b: (lo: Register, hi: Register)) {
        switch op {
        case .add128, .sub128:
            // In rax:rdx first: the destinations may be any of the operands.
            asm.mov(is64: true, .rax, gpr(a.lo))
            asm.mov(is64: true, .rdx, gpr(a.hi))
            asm.alu(op == .add128 ? .add : .sub, is64: true, .rax, gpr(b.lo))
            asm.alu(op == .add128 ? .adc : .sbb, is64: true, .rdx, gpr(b.hi))
        case .mulWideS, .mulWideU:
            asm.mov(is64: true, .rax, gpr(a.lo))
            asm.multiplyWide(signed: op == .mulWideS, is64: true, gpr(a.hi))
        }
        asm.mov(is64: true, gpr(lo), .rax)
        asm.mov(is64: true, gpr(hi), .rdx)
    }

    mutating func unary(_ op: IntUnaryOp, _ width: Width, _ destination: Register, _ source: Register) {
        let is64 = width == .w64
        switch op {
        case .clz: asm.lzcnt(is64: is64, gpr(destination), gpr(source))
        case .ctz: asm.tzcnt(is64: is64, gpr(destination), gpr(source))
        case .popcnt: asm.popcnt(is64: is64, gpr(destination), gpr(source))
        }
    }

    private func x64(_ c: Condition) -> X64Condition {
        switch c {
        case .eq: return .e
        case .ne: return .ne
        case .ltS: return .l
        case .ltU: return .b
        case .gtS: return .g
        case .gtU: return .a
        case .leS: return .le
        case .leU: return .be
        case .geS: return .ge
        case .geU: return .ae
        }
    }

    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        asm.alu(.cmp, is64: width == .w64, gpr(lhs), gpr(rhs))
        asm.set(x64(condition), .rax)
        asm.zeroExtend(bytes: 1, gpr(destination), .rax)
    }

    mutating func compare(_ condition: Condition, _ width: Width, _ destination: Register, _ lhs: Register, immediate value: UInt64) {
        compareImmediate(width, lhs, value)
        asm.set(x64(condition), .rax)
        asm.zeroExtend(bytes: 1, gpr(destination), .rax)
    }

    mutating func select(_ destination: Register, condition: Register, ifTrue: Register, ifFalse: Register) {
        if destination.isFloat {
            // No cmov for xmm: a branch around a move.
            let (d, t, f) = (xmm(destination), xmm(ifTrue), xmm(ifFalse))
            let done = asm.code.newLabel()
            asm.test(is64: false, gpr(condition), gpr(condition))
            if d == f {
                asm.j(.e, done)
                asm.movaps(d, t)
            } else {
                if d != t { asm.movaps(d, t) }  // flags stay
                asm.j(.ne, done)
                asm.movaps(d, f)
            }
            asm.code.bind(done)
            return
        }
        asm.mov(is64: true, .rax, gpr(ifTrue))
        asm.test(is64: false, gpr(condition), gpr(condition))
        asm.cmov(.e, is64: true, .rax, gpr(ifFalse))
        asm.mov(is64: true, gpr(destination), .rax)
    }

    mutating func extend(_ op: ExtendOp, _ destination: Register, _ source: Register) {
        let (d, s) = (gpr(destination), gpr(source))
        switch op {
        case .i64FromI32S, .i64From32S: asm.signExtend(bytes: 4, is64: true, d, s)
        case .i64FromI32U, .i32FromI64: asm.mov(is64: false, d, s)
        case .i32From8S:
            asm.signExtend(bytes: 1, is64: false, d, s)
        case .i32From16S:
            asm.signExtend(bytes: 2, is64: false, d, s)
        case .i64From8S: asm.signExtend(bytes: 1, is64: true, d, s)
        case .i64From16S: asm.signExtend(bytes: 2, is64: true, d, s)
        }
    }

    // MARK: Branches

    mutating func bind(_ label: Label) { asm.code.bind(label) }

    mutating func jump(_ label: Label) { asm.jmp(label) }

    mutating func branch(ifZero: Bool, _ width: Width, _ value: Register, to label: Label) {
        asm.test(is64: width == .w64, gpr(value), gpr(value))
        asm.j(ifZero ? .e : .ne, label)
    }

    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, _ rhs: Register, to label: Label) {
        asm.alu(.cmp, is64: width == .w64, gpr(lhs), gpr(rhs))
        asm.j(x64(condition), label)
    }

    mutating func branch(compare condition: Condition, _ width: Width, _ lhs: Register, immediate value: UInt64, to label: Label) {
        compareImmediate(width, lhs, value)
        asm.j(x64(condition), label)
    }

    mutating func branch(floatCompare condition: FloatCondition, _ size: FloatSize, _ lhs: Register, _ rhs: Register, when: Bool,
                         to label: Label) {
        let double = size == .f64
        let (l, r) = (xmm(lhs), xmm(rhs))
        switch condition {
        case .eq, .ne:
            // Equal: ZF set and PF (unordered) clear.
            asm.ucomis(double: double, l, r)
            if (condition == .eq) == when {
                let skip = asm.code.newLabel()
                asm.j(.p, skip)
                asm.j(.e, label)
                asm.code.bind(skip)
            } else {
                asm.j(.p, label)
                asm.j(.ne, label)
            }
            return
        case .gt, .ge:
            asm.ucomis(double: double, l, r)
        case .lt, .le:
            asm.ucomis(double: double, r, l)
        }
        // Unordered sets CF (and ZF): "above" is false for it and
        // "below or equal" true, exactly the negation.
        let strict = condition == .gt || condition == .lt
        asm.j(strict ? (when ? .a : .be) : (when ? .ae : .b), label)
    }

    mutating func jumpTable(_ index: Register, targets: [Label], defaultTarget: Label) {
        // cmp index, count; jae default; a table of 32-bit offsets from its
        // own start, right after the jump.
        asm.mov(is64: false, .rcx, gpr(index))
        asm.alu(.cmp, is64: false, .rcx, immediate: Int32(truncatingIfNeeded: targets.count))
        asm.j(.ae, defaultTarget)
        let table = asm.code.newLabel()
        asm.lea(.rax, table)
        asm.loadSignExtended(bytes: 4, is64: true, .rcx, X64Address(.rax, index: .rcx, scale: 4))
        asm.alu(.add, is64: true, .rax, .rcx)
        asm.jmp(.rax)
        asm.code.bind(table)
        for target in targets { asm.emitOffset(of: target, from: table) }
    }

    // MARK: Instance state

    mutating func loadGlobal(_ width: Width, _ destination: Register, global: Int) {
        asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceGlobals))
        asm.load(is64: true, .rax, X64Address(.rax, Int32(global * 8)))
        if destination.isFloat {
            asm.loadFloat(double: width == .w64, xmm(destination), X64Address(.rax))
        } else {
            asm.load(is64: width == .w64, gpr(destination), X64Address(.rax))
        }
    }

    mutating func storeGlobal(_ width: Width, global: Int, _ source: Register) {
        // The cell's address in rcx: an f32 goes through rax.
        asm.load(is64: true, .rcx, X64Address(.rbx, offsets.instanceGlobals))
        asm.load(is64: true, .rcx, X64Address(.rcx, Int32(global * 8)))
        if source.isFloat {
            storeFloat(width, X64Address(.rcx), xmm(source))
        } else {
            asm.store(is64: true, X64Address(.rcx), gpr(source))
        }
    }

    mutating func loadGlobal(_ global: Int, toSlots first: Int, count: Int) {
        asm.load(is64: true, .rcx, X64Address(.rbx, offsets.instanceGlobals))
        asm.load(is64: true, .rcx, X64Address(.rcx, Int32(global * 8)))
        for i in 0..<count {
            asm.load(is64: true, .rax, X64Address(.rcx, Int32(i * 8)))
            asm.store(is64: true, slot(first + i), .rax)
        }
    }

    mutating func storeGlobal(_ global: Int, fromSlots first: Int, count: Int) {
        asm.load(is64: true, .rcx, X64Address(.rbx, offsets.instanceGlobals))
        asm.load(is64: true, .rcx, X64Address(.rcx, Int32(global * 8)))
        for i in 0..<count {
            asm.load(is64: true, .rax, slot(first + i))
            asm.store(is64: true, X64Address(.rcx, Int32(i * 8)), .rax)
        }
    }

    mutating func consumeFuel() {
        let fuel = X64Address(.r13, offsets.runtimeFuel)
        asm.alu(.cmp, is64: true, fuel, immediate: 0)
        asm.j(.e, trapLabel(.outOfFuel))
        asm.alu(.sub, is64: true, fuel, immediate: 1)
    }

    // MARK: Memory

    /// rax = the memory's `WVMMemory`.
    private mutating func loadMemory(_ memory: Int) {
        if memory == 0 {
            asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceMemory0))
        } else {
            asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceMemories))
            asm.load(is64: true, .rax, X64Address(.rax, Int32(memory * 8)))
        }
    }

    /// Checks the access and leaves its address in rax + rcx - size:
    /// rcx = address + offset + size (in 65 bits: a carry traps), which
    /// must not pass byteCount; rax = the memory's base.
    private mutating func checkedAddress(_ address: Register, offset: UInt64, size: Int, memory: Int, is64: Bool,
                                         inBounds: Bool) -> X64Address {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(size))
        guard !overflow else {
            asm.jmp(trapLabel(.outOfBoundsMemoryAccess))
            return X64Address(.rax)
        }
        if memory != 0 { loadMemory(memory) }
        if !is64, let small = Int32(exactly: end) {
            // One lea: a 32-bit address is zero-extended in its register,
            // so the sum cannot carry out of 64 bits.
            asm.lea(.rcx, X64Address(gpr(address), small))
        } else if let small = Int32(exactly: end) {
            asm.mov(is64: is64, .rcx, gpr(address))
            asm.alu(.add, is64: true, .rcx, immediate: small)
        } else {
            asm.mov(is64: is64, .rcx, gpr(address))
            asm.movabs(.rdx, end)
            asm.alu(.add, is64: true, .rcx, .rdx)
        }
        if is64 && !inBounds { asm.j(.b, trapLabel(.outOfBoundsMemoryAccess)) }
        if memory == 0 {
            if !inBounds {
                asm.alu(.cmp, is64: true, .rcx, .r15)
                asm.j(.a, trapLabel(.outOfBoundsMemoryAccess))
            }
            return X64Address(.r14, Int32(-size), index: .rcx)
        }
        if !inBounds {
            asm.alu(.cmp, is64: true, .rcx, X64Address(.rax, offsets.memoryByteCount))
            asm.j(.a, trapLabel(.outOfBoundsMemoryAccess))
        }
        asm.load(is64: true, .rax, X64Address(.rax, offsets.memoryBase))
        return X64Address(.rax, Int32(-size), index: .rcx)
    }

    mutating func load(_ access: MemoryAccess, _ destination: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                       inBounds: Bool) {
        let at = checkedAddress(address, offset: offset, size: access.byteCount, memory: memory, is64: is64, inBounds: inBounds)
        if destination.isFloat {
            precondition(access == .i32 || access == .i64, "x64: a float load is 4 or 8 bytes")
            asm.loadFloat(double: access == .i64, xmm(destination), at)
            return
        }
        let d = gpr(destination)
        switch access {
        case .i32, .i64Load32U: asm.load(is64: false, d, at)
        case .i64: asm.load(is64: true, d, at)
        case .i32Load8S: asm.loadSignExtended(bytes: 1, is64: false, d, at)
        case .i32Load8U, .i64Load8U: asm.loadZeroExtended(bytes: 1, d, at)
        case .i32Load16S: asm.loadSignExtended(bytes: 2, is64: false, d, at)
        case .i32Load16U, .i64Load16U: asm.loadZeroExtended(bytes: 2, d, at)
        case .i64Load8S: asm.loadSignExtended(bytes: 1, is64: true, d, at)
        case .i64Load16S: asm.loadSignExtended(bytes: 2, is64: true, d, at)
        case .i64Load32S: asm.loadSignExtended(bytes: 4, is64: true, d, at)
        case .store8, .store16, .store32: preconditionFailure("a store is not a load")
        }
    }

    mutating func store(_ access: MemoryAccess, _ source: Register, address: Register, offset: UInt64, memory: Int, is64: Bool,
                        inBounds: Bool) {
        let at = checkedAddress(address, offset: offset, size: access.byteCount, memory: memory, is64: is64, inBounds: inBounds)
        if source.isFloat {
            precondition(access == .i32 || access == .i64, "x64: a float store is 4 or 8 bytes")
            asm.storeFloat(double: access == .i64, at, xmm(source))
            return
        }
        let s = gpr(source)
        switch access {
        case .i32, .store32: asm.store(is64: false, at, s)
        case .i64: asm.store(is64: true, at, s)
        case .store8: asm.store8(at, s)
        case .store16: asm.store16(at, s)
        default: preconditionFailure("a load is not a store")
        }
    }

    mutating func loadToSlots(_ byteCount: Int, slot first: Int, address: Register, offset: UInt64, memory: Int, is64: Bool,
                              inBounds: Bool) {
        let at = checkedAddress(address, offset: offset, size: byteCount, memory: memory, is64: is64, inBounds: inBounds)
        for i in 0..<(byteCount / 8) {
            asm.load(is64: true, .rdx, X64Address(at.base, at.displacement + Int32(8 * i), index: at.index))
            asm.store(is64: true, slot(first + i), .rdx)
        }
    }

    mutating func storeFromSlots(_ byteCount: Int, slot first: Int, address: Register, offset: UInt64, memory: Int, is64: Bool,
                                 inBounds: Bool) {
        let at = checkedAddress(address, offset: offset, size: byteCount, memory: memory, is64: is64, inBounds: inBounds)
        for i in 0..<(byteCount / 8) {
            asm.load(is64: true, .rdx, slot(first + i))
            asm.store(is64: true, X64Address(at.base, at.displacement + Int32(8 * i), index: at.index), .rdx)
        }
    }

    mutating func memorySize(_ destination: Register, memory: Int) {
        loadMemory(memory)
        asm.load(is64: true, gpr(destination), X64Address(.rax, offsets.memoryPageCount))
    }

    mutating func memoryGrow(_ destination: Register, deltaSlot: Int, memory: Int, is64: Bool) {
        callBuiltin("memoryGrow", [.immediate(UInt64(memory)), .slot(deltaSlot)], result: .value(destination, is64 ? .w64 : .w32))
    }

    // MARK: Calls

    /// Leaves the callee's header in rax (not for direct calls).
    private mutating func loadCallee(_ target: CallTarget) {
        switch target {
        case .direct: break
        case .function(let index):
            asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceFunctions))
            asm.load(is64: true, .rax, X64Address(.rax, Int32(index * 8)))
        case .indirect(let table, let type, let indexSlot):
            // The fast path: in range, not null, exactly the expected type;
            // the builtin does the rest (traps with details, subtyping).
            let slow = asm.code.newLabel(), done = asm.code.newLabel()
            asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceTables))
            asm.load(is64: true, .rax, X64Address(.rax, Int32(table * 8)))
            asm.load(is64: true, .rcx, slot(indexSlot))
            asm.alu(.cmp, is64: true, .rcx, X64Address(.rax, offsets.tableCount))
            asm.j(.ae, slow)
            asm.load(is64: true, .rax, X64Address(.rax, offsets.tableElements))
            asm.load(is64: true, .rax, X64Address(.rax, index: .rcx, scale: 8))
            asm.test(is64: true, .rax, .rax)
            asm.j(.e, slow)
            asm.load(is64: true, .rcx, X64Address(.rax, offsets.headerTypeID))
            asm.load(is64: true, .rdx, X64Address(.rbx, offsets.instanceTypeIDs))
            asm.alu(.cmp, is64: true, .rcx, X64Address(.rdx, Int32(type * 8)))
            asm.j(.e, done)
            asm.code.bind(slow)
            callBuiltin("indirectCallTarget", [.immediate(UInt64(table)), .slot(indexSlot), .immediate(UInt64(type)),
                                               .slotAddress(indexSlot)], result: .trapCode)
            asm.load(is64: true, .rax, slot(indexSlot))
            asm.code.bind(done)
        case .reference(let referenceSlot):
            asm.load(is64: true, .rax, slot(referenceSlot))
            asm.test(is64: true, .rax, .rax)
            asm.j(.e, trapLabel(.nullFunctionReference))
        }
    }

    /// Calls the function whose header is in rax, through the callHost
    /// builtin for a host function; the status is in eax.
    private mutating func callHeader(frameOffset: Int) {
        let host = asm.code.newLabel(), done = asm.code.newLabel()
        asm.load(is64: true, .rdi, X64Address(.rax, offsets.headerInstance))
        asm.test(is64: true, .rdi, .rdi)
        asm.j(.e, host)
        asm.lea(.rsi, slot(frameOffset))
        asm.load(is64: true, .rax, X64Address(.rax, offsets.headerCode))
        asm.call(.rax)
        asm.jmp(done)
        asm.code.bind(host)
        asm.mov(is64: true, .rsi, .rax)
        asm.mov(is64: true, .rdi, .rbx)
        asm.lea(.rdx, slot(frameOffset))
        asm.load(is64: true, .rax, X64Address(.r13, offsets.runtimeBuiltins))
        asm.load(is64: true, .rax, X64Address(.rax, offsets.builtins["callHost"]!))
        asm.call(.rax)
        asm.code.bind(done)
    }

    /// After a direct call, memory 0's registers are current: the callee is
    /// code of this instance, which reloads them after everything that can
    /// grow the memory (builtins, host and indirect calls) and leaves them
    /// so. Other calls may reach a host function or another instance that
    /// grows it, so they reload (the C entry restores the registers it
    /// found, not the memory's new size). Three loads fewer a call:
    /// Benchmarks/ fib 0.0548 -> 0.0521 s (best of 7, back to back).
    mutating func call(_ target: CallTarget, frameOffset: Int, handler: Label?) {
        var direct = false
        if case .direct(let label) = target {
            asm.lea(.rsi, slot(frameOffset))
            asm.call(label)
            direct = true
        } else {
            loadCallee(target)
            callHeader(frameOffset: frameOffset)
        }
        if let handler {
            asm.alu(.cmp, is64: false, .rax, immediate: TrapCode.exceptionThrown.rawValue)
            asm.j(.e, handler)
        }
        asm.test(is64: false, .rax, .rax)
        asm.j(.ne, exit)
        if !direct { reloadMemory0() }
    }

    mutating func throwException(tag: Int, payloadSlot: Int, liveEnd: Int, handler: Label?) {
        asm.mov32(.rsi, immediate: UInt32(tag))
        asm.lea(.rdx, slot(payloadSlot))
        asm.lea(.rcx, slot(liveEnd))
        asm.mov(is64: true, .rdi, .rbx)
        asm.load(is64: true, .rax, X64Address(.r13, offsets.runtimeBuiltins))
        asm.load(is64: true, .rax, X64Address(.rax, offsets.builtins["throwTag"]!))
        asm.call(.rax)
        // A full heap is a trap; otherwise the exception is on its way.
        asm.alu(.cmp, is64: false, .rax, immediate: TrapCode.exceptionThrown.rawValue)
        asm.j(.ne, exit)
        reloadMemory0()
        propagateException(to: handler)
    }

    mutating func throwReference(_ reference: Register, handler: Label?) {
        trap(ifZero: reference, .nullExceptionReference)
        asm.store(is64: true, X64Address(.r13, offsets.runtimeException), gpr(reference))
        propagateException(to: handler)
    }

    mutating func enterHandler() { reloadMemory0() }

    mutating func branchUnlessExceptionTag(_ tag: Int, to label: Label) {
        asm.load(is64: true, .rax, X64Address(.r13, offsets.runtimeException))
        asm.load(is64: true, .rcx, X64Address(.rax, Int32(8 * ExceptionLayout.tag)))
        asm.load(is64: true, .rdx, X64Address(.rbx, offsets.instanceTags))
        asm.alu(.cmp, is64: true, .rcx, X64Address(.rdx, Int32(8 * tag)))
        asm.j(.ne, label)
    }

    mutating func copyExceptionPayload(to frameSlot: Int, count: Int) {
        asm.load(is64: true, .rcx, X64Address(.r13, offsets.runtimeException))
        for i in 0..<count {
            asm.load(is64: true, .rax, X64Address(.rcx, Int32(8 * (ExceptionLayout.payload + i))))
            asm.store(is64: true, slot(frameSlot + i), .rax)
        }
    }

    mutating func storeExceptionReference(slot index: Int) {
        asm.load(is64: true, .rax, X64Address(.r13, offsets.runtimeException))
        asm.store(is64: true, slot(index), .rax)
    }

    mutating func propagateException(to handler: Label?) {
        asm.mov32(.rax, immediate: UInt32(TrapCode.exceptionThrown.rawValue))
        asm.jmp(handler ?? exit)
    }

    mutating func tailCall(_ target: CallTarget) {
        if case .direct(let label) = target {
            asm.alu(.sub, is64: true, X64Address(.r13, offsets.runtimeCallDepth), immediate: 1)
            asm.mov(is64: true, .rsi, .r12)
            asm.pop(.r12)
            asm.jmp(label)
            return
        }
        loadCallee(target)
        let host = asm.code.newLabel(), otherInstance = asm.code.newLabel()
        asm.load(is64: true, .rdi, X64Address(.rax, offsets.headerInstance))
        asm.test(is64: true, .rdi, .rdi)
        asm.j(.e, host)
        asm.alu(.sub, is64: true, X64Address(.r13, offsets.runtimeCallDepth), immediate: 1)
        // A function of this instance (call_indirect and call_ref to our
        // own code): straight into its body, past its C entry, so that
        // tail calls through tables and references take constant native
        // stack, as direct ones do. (The C entry would save the pinned
        // registers again on every hop: 64 bytes, which 200,000 hops of
        // the suite's return_call_indirect tests take past an 8 MiB stack.)
        asm.alu(.cmp, is64: true, .rdi, .rbx)
        asm.j(.ne, otherInstance)
        asm.mov(is64: true, .rsi, .r12)
        asm.load(is64: true, .rax, X64Address(.rax, offsets.headerCode))
        asm.alu(.add, is64: true, .rax, immediate: Int32(Self.entrySize))
        asm.pop(.r12)
        asm.jmp(.rax)
        // Another instance's function: into its C entry, which pins that
        // instance's registers and restores ours when it returns to our
        // caller. A chain of tail calls that alternate between instances
        // still takes 64 bytes a hop.
        asm.code.bind(otherInstance)
        asm.mov(is64: true, .rsi, .r12)
        asm.load(is64: true, .rax, X64Address(.rax, offsets.headerCode))
        // Into the other instance's C entry, which returns to our caller.
        asm.pop(.r12)
        asm.jmp(.rax)
        // A host function: an ordinary call, then this frame returns what
        // it wrote to the frame's first slots.
        asm.code.bind(host)
        callHeader(frameOffset: 0)
        asm.test(is64: false, .rax, .rax)
        asm.j(.ne, exit)
        epilogue()
    }

    mutating func loadFunctionReference(_ destination: Register, function index: Int) {
        asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceFunctions))
        asm.load(is64: true, gpr(destination), X64Address(.rax, Int32(index * 8)))
    }

    mutating func trap(ifZero value: Register, _ code: TrapCode) {
        asm.test(is64: true, gpr(value), gpr(value))
        asm.j(.e, trapLabel(code))
    }

    private func objectSlot(_ object: GPR, _ slot: Int) -> X64Address { X64Address(object, Int32(slot * 8)) }

    mutating func loadField(_ mode: FieldRead, _ destination: Register, object: Register, slot: Int) {
        read(mode, gpr(destination), objectSlot(gpr(object), slot))
    }

    private mutating func read(_ mode: FieldRead, _ d: GPR, _ at: X64Address) {
        switch mode {
        case .slot(let width): asm.load(is64: width == .w64, d, at)
        case .i8(let signed):
            if signed { asm.loadSignExtended(bytes: 1, is64: false, d, at) } else { asm.loadZeroExtended(bytes: 1, d, at) }
        case .i16(let signed):
            if signed { asm.loadSignExtended(bytes: 2, is64: false, d, at) } else { asm.loadZeroExtended(bytes: 2, d, at) }
        }
    }

    mutating func storeField(object: Register, slot: Int, _ source: Register) {
        asm.store(is64: true, objectSlot(gpr(object), slot), gpr(source))
    }

    mutating func copyFromObject(object: Register, slot first: Int, to frameSlot: Int, count: Int) {
        for i in 0..<count {
            asm.load(is64: true, .rax, objectSlot(gpr(object), first + i))
            asm.store(is64: true, slot(frameSlot + i), .rax)
        }
    }

    mutating func copyToObject(objectSlot object: Int, slot first: Int, from frameSlot: Int, count: Int) {
        asm.load(is64: true, .rcx, slot(object))
        for i in 0..<count {
            asm.load(is64: true, .rax, slot(frameSlot + i))
            asm.store(is64: true, objectSlot(.rcx, first + i), .rax)
        }
    }

    mutating func copyToObject(object: Register, slot first: Int, from frameSlot: Int, count: Int) {
        for i in 0..<count {
            asm.load(is64: true, .rax, slot(frameSlot + i))
            asm.store(is64: true, objectSlot(gpr(object), first + i), .rax)
        }
    }

    /// rcx = the index (zero-extended), checked against the array's length.
    private mutating func checkIndex(object: GPR, index: GPR) {
        asm.mov(is64: false, .rcx, index)
        asm.alu(.cmp, is64: true, .rcx, objectSlot(object, 1))
        asm.j(.ae, trapLabel(.outOfBoundsArrayAccess))
    }

    mutating func loadElement(_ mode: FieldRead, _ destination: Register, object: Register, index: Register) {
        let o = gpr(object)
        checkIndex(object: o, index: gpr(index))
        read(mode, gpr(destination), X64Address(o, 16, index: .rcx, scale: 8))
    }

    mutating func storeElement(object: Register, index: Register, _ source: Register) {
        let o = gpr(object)
        checkIndex(object: o, index: gpr(index))
        asm.store(is64: true, X64Address(o, 16, index: .rcx, scale: 8), gpr(source))
    }

    /// rcx = the address of element `index` of two slots.
    private mutating func wideElement(object: GPR, index: GPR) {
        checkIndex(object: object, index: index)
        asm.shift(.shl, is64: true, .rcx, by: 4)
        asm.alu(.add, is64: true, .rcx, object)
    }

    mutating func copyElement(object: Register, index: Register, to frameSlot: Int) {
        wideElement(object: gpr(object), index: gpr(index))
        for i in 0..<2 {
            asm.load(is64: true, .rax, X64Address(.rcx, Int32(16 + 8 * i)))
            asm.store(is64: true, slot(frameSlot + i), .rax)
        }
    }

    mutating func copyElement(object: Register, index: Register, from frameSlot: Int) {
        wideElement(object: gpr(object), index: gpr(index))
        for i in 0..<2 {
            asm.load(is64: true, .rax, slot(frameSlot + i))
            asm.store(is64: true, X64Address(.rcx, Int32(16 + 8 * i)), .rax)
        }
    }

    mutating func arrayLength(_ destination: Register, object: Register) {
        asm.load(is64: false, gpr(destination), objectSlot(gpr(object), 1))
    }

    mutating func fillNewArray(objectSlot object: Int, valueSlot: Int, width: Int) {
        // rax walks the elements, rcx counts them down.
        asm.load(is64: true, .rax, slot(object))
        asm.load(is64: true, .rcx, objectSlot(.rax, 1))
        asm.lea(.rax, objectSlot(.rax, 2))
        let loop = newLabel(), done = newLabel()
        asm.code.bind(loop)
        asm.test(is64: true, .rcx, .rcx)
        asm.j(.e, done)
        for i in 0..<width {
            asm.load(is64: true, .rdx, slot(valueSlot + i))
            asm.store(is64: true, X64Address(.rax, Int32(8 * i)), .rdx)
        }
        asm.alu(.add, is64: true, .rax, immediate: Int32(8 * width))
        asm.alu(.sub, is64: true, .rcx, immediate: 1)
        asm.jmp(loop)
        asm.code.bind(done)
    }

    mutating func makeI31(_ destination: Register, _ value: Register) {
        let (d, v) = (gpr(destination), gpr(value))
        asm.mov(is64: false, .rax, v)
        asm.alu(.and, is64: false, .rax, immediate: 0x7FFF_FFFF)
        asm.shift(.shl, is64: true, .rax, by: 2)
        asm.alu(.or, is64: true, .rax, immediate: 1)
        asm.mov(is64: true, d, .rax)
    }

    mutating func readI31(_ destination: Register, _ reference: Register, signed: Bool) {
        let (d, r) = (gpr(destination), gpr(reference))
        asm.mov(is64: true, .rax, r)
        asm.shift(.shr, is64: true, .rax, by: 2)
        // 31 bits, sign- or zero-extended to 32.
        asm.shift(.shl, is64: false, .rax, by: 1)
        asm.shift(signed ? .sar : .shr, is64: false, .rax, by: 1)
        asm.mov(is64: false, d, .rax)
    }

    mutating func tableSize(_ destination: Register, table: Int) {
        asm.load(is64: true, .rax, X64Address(.rbx, offsets.instanceTables))
        asm.load(is64: true, .rax, X64Address(.rax, Int32(table * 8)))
        asm.load(is64: true, gpr(destination), X64Address(.rax, offsets.tableCount))
    }

    mutating func callBuiltin(_ name: String, _ arguments: [BuiltinArgument], result: BuiltinResult) {
        let registers: [GPR] = [.rsi, .rdx, .rcx, .r8, .r9]
        precondition(arguments.count <= registers.count, "builtins take at most six arguments")
        for (argument, register) in zip(arguments, registers) {
            switch argument {
            case .immediate(let value): asm.moveConstant(register, value)
            case .slot(let index): asm.load(is64: true, register, slot(index))
            case .slotAddress(let index): asm.lea(register, slot(index))
            }
        }
        asm.mov(is64: true, .rdi, .rbx)
        asm.load(is64: true, .rax, X64Address(.r13, offsets.runtimeBuiltins))
        guard let offset = offsets.builtins[name] else { preconditionFailure("no builtin \(name) in CWasmVM.h") }
        asm.load(is64: true, .rax, X64Address(.rax, offset))
        asm.call(.rax)
        // Memory 0 may have grown (memory.grow, a host function): reload
        // it, keeping the builtin's answer in rdx.
        switch result {
        case .none:
            reloadMemory0()
        case .trapCode:
            asm.test(is64: false, .rax, .rax)
            asm.j(.ne, exit)
            reloadMemory0()
        case .value(let destination, let width):
            asm.mov(is64: true, .rdx, .rax)
            reloadMemory0()
            asm.mov(is64: width == .w64, gpr(destination), .rdx)
        case .boolean(let destination):
            // Only al is defined.
            asm.zeroExtend(bytes: 1, .rdx, .rax)
            reloadMemory0()
            asm.mov(is64: false, gpr(destination), .rdx)
        }
    }
}

// MARK: Floating point

extension X64MacroAssembler {
    /// Float values are in xmm registers (`floatAllocatable`); xmm0 and
    /// xmm1 are the backend's float scratch registers.

    /// xmm0 = the sign bit of `size`, or every bit but it.
    private mutating func signMask(_ size: FloatSize, inverted: Bool) {
        let sign: UInt64 = size == .f64 ? 1 << 63 : 1 << 31
        let all: UInt64 = size == .f64 ? .max : UInt64(UInt32.max)
        asm.moveConstant(.rax, inverted ? all & ~sign : sign)
        asm.movToXMM(is64: true, .xmm0, .rax)
    }

    mutating func floatBinary(_ op: FloatBinaryOp, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let double = size == .f64
        // SSE computes d = d op r: in d itself when it is lhs (the
        // frontend's case), else in xmm1.
        let (l, r) = (xmm(lhs), xmm(rhs))
        let d = destination == lhs ? l : XMM.xmm1
        if d != l { asm.movaps(d, l) }
        switch op {
        case .add: asm.sse(.add, double: double, d, r)
        case .sub: asm.sse(.sub, double: double, d, r)
        case .mul: asm.sse(.mul, double: double, d, r)
        case .div: asm.sse(.div, double: double, d, r)
        case .min, .max:
            // minss/maxss return the second operand for NaNs and for ±0
            // pairs; wasm wants a NaN, and -0 < +0.
            let nan = asm.code.newLabel(), ordered = asm.code.newLabel(), done = asm.code.newLabel()
            asm.ucomis(double: double, d, r)
            asm.j(.p, nan)
            asm.j(.ne, ordered)
            asm.sse(op == .min ? .or : .and, double: double, d, r)
            asm.jmp(done)
            asm.code.bind(nan)
            asm.sse(.add, double: double, d, r)
            asm.jmp(done)
            asm.code.bind(ordered)
            asm.sse(op == .min ? .min : .max, double: double, d, r)
            asm.code.bind(done)
        case .copysign:
            // Bits only, so NaN payloads stay: (lhs & ~sign) | (rhs & sign),
            // in general scratch registers (rare in code; no mask to keep).
            let sign: UInt64 = double ? 1 << 63 : 1 << 31
            let all: UInt64 = double ? .max : UInt64(UInt32.max)
            asm.movFromXMM(is64: true, .rcx, r)
            asm.movFromXMM(is64: true, .rdx, d)
            asm.moveConstant(.rax, sign)
            asm.alu(.and, is64: true, .rcx, .rax)
            asm.moveConstant(.rax, all & ~sign)
            asm.alu(.and, is64: true, .rdx, .rax)
            asm.alu(.or, is64: true, .rdx, .rcx)
            asm.movToXMM(is64: true, d, .rdx)
        }
        if d != xmm(destination) { asm.movaps(xmm(destination), d) }
    }

    mutating func floatUnary(_ op: FloatUnaryOp, _ size: FloatSize, _ destination: Register, _ source: Register) {
        let double = size == .f64
        let (d, x) = (xmm(destination), xmm(source))
        switch op {
        case .abs, .neg:
            // On the bits (andps/xorps with a mask): a NaN keeps its payload.
            signMask(size, inverted: op == .abs)
            if d != x { asm.movaps(d, x) }
            asm.packed(op == .abs ? .andps : .xorps, d, .xmm0)
        case .sqrt:
            asm.sse(.sqrt, double: double, d, x)
        case .ceil, .floor, .trunc, .nearest:
            let mode: SSERounding = op == .ceil ? .ceil : (op == .floor ? .floor : (op == .trunc ? .trunc : .nearest))
            asm.round(double: double, d, x, mode)
        }
    }

    mutating func floatCompare(_ condition: FloatCondition, _ size: FloatSize, _ destination: Register, _ lhs: Register, _ rhs: Register) {
        let double = size == .f64
        let d = gpr(destination)
        let (l, r) = (xmm(lhs), xmm(rhs))
        switch condition {
        case .eq, .ne:
            asm.ucomis(double: double, l, r)
            asm.set(condition == .eq ? .e : .ne, .rax)
            asm.set(condition == .eq ? .np : .p, .rcx)
            asm.zeroExtend(bytes: 1, .rax, .rax)
            asm.zeroExtend(bytes: 1, .rcx, .rcx)
            asm.alu(condition == .eq ? .and : .or, is64: false, .rax, .rcx)
            asm.mov(is64: false, d, .rax)
            return
        case .gt, .ge:
            // Unordered sets CF, so "above" is false for NaNs.
            asm.ucomis(double: double, l, r)
        case .lt, .le:
            asm.ucomis(double: double, r, l)
        }
        asm.set(condition == .gt || condition == .lt ? .a : .ae, .rax)
        asm.zeroExtend(bytes: 1, d, .rax)
    }

    /// xmm1 = the float constant `value` of `size`.
    private mutating func floatConstant(_ size: FloatSize, _ value: Double) {
        asm.moveConstant(.rax, size == .f64 ? value.bitPattern : UInt64(Float(value).bitPattern))
        asm.movToXMM(is64: size == .f64, .xmm1, .rax)
    }

    mutating func convert(_ conversion: Conversion, _ destination: Register, _ source: Register) {
        switch conversion {
        case .promote:
            asm.convertFloat(fromDouble: false, xmm(destination), xmm(source))
        case .demote:
            asm.convertFloat(fromDouble: true, xmm(destination), xmm(source))
        case .fromInteger(let signed, let from64, let to):
            let double = to == .f64
            let (x, s) = (xmm(destination), gpr(source))
            if !from64 {
                // A u32 is a non-negative i64 (registers hold i32s zero-extended).
                if signed { asm.convertFromInteger(double: double, is64: false, x, s) }
                else { asm.mov(is64: false, .rax, s); asm.convertFromInteger(double: double, is64: true, x, .rax) }
            } else if signed {
                asm.convertFromInteger(double: double, is64: true, x, s)
            } else {
                // Above 2^63: halve (keeping the low bit, so rounding is
                // right), convert, double.
                let big = asm.code.newLabel(), done = asm.code.newLabel()
                asm.test(is64: true, s, s)
                asm.j(.s, big)
                asm.convertFromInteger(double: double, is64: true, x, s)
                asm.jmp(done)
                asm.code.bind(big)
                asm.mov(is64: true, .rax, s)
                asm.shift(.shr, is64: true, .rax, by: 1)
                asm.mov(is64: false, .rcx, s)
                asm.alu(.and, is64: false, .rcx, immediate: 1)
                asm.alu(.or, is64: true, .rax, .rcx)
                asm.convertFromInteger(double: double, is64: true, x, .rax)
                asm.sse(.add, double: double, x, x)
                asm.code.bind(done)
            }
        case .toInteger(let signed, let to64, let from, let saturating):
            truncate(signed: signed, to64: to64, from: from, saturating: saturating, gpr(destination), xmm(source))
        }
    }

    /// The float-to-integer truncations. The valid inputs are those above
    /// `lower` (or equal, for the signed minimum) and below `upper`.
    private mutating func truncate(signed: Bool, to64: Bool, from: FloatSize, saturating: Bool, _ d: GPR, _ s: XMM) {
        let double = from == .f64
        let bits = to64 ? 64.0 : 32.0
        let upper = signed ? Foundation.pow(2, bits - 1) : Foundation.pow(2, bits)
        // Signed: -2^(n-1) converts (inclusive); below it the value must be
        // above -2^(n-1) - 1, which only f64 can hold for i32.
        let lowerInclusive = signed && !(to64 == false && double)
        let lower = signed ? (lowerInclusive ? -upper : -upper - 1) : -1.0
        let minResult: UInt64 = signed ? (to64 ? 1 << 63 : 1 << 31) : 0
        let maxResult: UInt64 = signed ? (to64 ? UInt64(Int64.max) : UInt64(Int32.max)) : (to64 ? .max : UInt64(UInt32.max))
        let done = asm.code.newLabel()
        let nan = saturating ? asm.code.newLabel() : trapLabel(.invalidConversionToInteger)
        let low = saturating ? asm.code.newLabel() : trapLabel(.integerOverflow)
        let high = saturating ? asm.code.newLabel() : trapLabel(.integerOverflow)

        asm.movaps(.xmm0, s)
        asm.ucomis(double: double, .xmm0, .xmm0)
        asm.j(.p, nan)
        floatConstant(from, lower)
        asm.ucomis(double: double, .xmm0, .xmm1)
        asm.j(lowerInclusive ? .b : .be, low)
        floatConstant(from, upper)
        asm.ucomis(double: double, .xmm0, .xmm1)
        asm.j(.ae, high)
        if signed || !to64 {
            // A u32 fits a 64-bit signed conversion.
            asm.truncateToInteger(double: double, is64: to64 || !signed, .rax, .xmm0)
        } else {
            // u64: at or above 2^63, convert x - 2^63 and set the top bit.
            let small = asm.code.newLabel()
            floatConstant(from, Foundation.pow(2, 63))
            asm.ucomis(double: double, .xmm0, .xmm1)
            asm.j(.b, small)
            asm.sse(.sub, double: double, .xmm0, .xmm1)
            asm.truncateToInteger(double: double, is64: true, .rax, .xmm0)
            asm.movabs(.rcx, 1 << 63)
            asm.alu(.xor, is64: true, .rax, .rcx)
            asm.jmp(done)
            asm.code.bind(small)
            asm.truncateToInteger(double: double, is64: true, .rax, .xmm0)
        }
        if saturating {
            asm.jmp(done)
            asm.code.bind(nan)
            asm.alu(.xor, is64: false, .rax, .rax)
            asm.jmp(done)
            asm.code.bind(low)
            asm.moveConstant(.rax, minResult)
            asm.jmp(done)
            asm.code.bind(high)
            asm.moveConstant(.rax, maxResult)
        }
        asm.code.bind(done)
        asm.mov(is64: to64, d, .rax)
    }
}
