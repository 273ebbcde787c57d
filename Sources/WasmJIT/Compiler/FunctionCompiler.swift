import WasmBinary
import WasmRuntime
import WasmSyntax
import WasmValidation

/// Compiles one function body to machine code in a single pass: each
/// instruction is read (`InstructionReader`), validated
/// (`FunctionValidator`) and compiled before the next is read
/// (docs/architecture.md, decision 1), as Liftoff and Winch do.
///
/// The frame is the function's slots on the value stack: locals first
/// (parameters in front, where the caller put the arguments), then one
/// *home* slot per operand-stack height. The operand stack is virtual
/// (`StackEntry`): a value is a constant, a local, a register, or in its
/// home. Values go home ("spill") where paths meet or leave: at every block
/// boundary, branch, call and return, so every label sees every value in
/// its home and no register is live across a call (the collector's rule,
/// CWasmVM.h: references are in scanned slots at every call). Scalar
/// locals may also be in registers (`LocalCache`, written through to their
/// slots), across labels where every path agrees and around loops, whose
/// back-edges put them back in the header's registers; calls and builtins
/// drop them.
///
/// Registers come in two classes with a pool each (`RegisterFile`): f32
/// and f64 values and locals live in float registers (xmm, v), everything
/// else in general ones, and spilling, the local cache and the block and
/// call boundaries cover both. Before, floats travelled as bits in general
/// registers and every float operator moved its operands to the float unit
/// and back: with the float class, Benchmarks/ matmul went from 0.103 s to
/// 0.034 s and nbody from 0.106 s to 0.046 s (x86-64, best of 5; wasmtime
/// Cranelift 0.032 s and 0.023-0.035 s on the same machine).
///
/// What it cannot compile yet is a compile error naming the instruction;
/// it never hands a function to another tier.
struct FunctionCompiler<Assembler: MacroAssembler> {
    var masm: Assembler
    let context: ValidationContext
    let consumesFuel: Bool
    var validator: FunctionValidator
    var reader: InstructionReader
    private(set) var functionType: FuncType
    private(set) var parameterSlots: Int
    /// The function's index among the module's defined functions.
    private(set) var definedIndex: Int
    /// The labels of the module's defined functions that this compiler's
    /// code calls or places, by defined index (`functionLabel`): created on
    /// first use, so a piece of a module of a million functions makes
    /// labels for the few it touches (`CodeBuffer.link` joins them).
    private(set) var functionLabels: [Int: Label] = [:]

    var localTypes: [ValueType]
    /// The first slot of each local (parameters first, where the caller
    /// put the arguments, in the runtime's encoding: a v128 takes two).
    var localSlots: [Int] = []
    /// The first home slot.
    private(set) var localsEnd: Int
    var stack: [StackEntry] = []
    var control: [ControlFrame] = []
    /// One past the highest slot a home has used.
    var maxSlot = 0
    var registers: RegisterFile
    /// Whether the current code is reachable, and how many blocks deep the
    /// unreachable code is nested.
    var live = true
    var deadDepth = 0
    /// The first instruction the JIT cannot compile: from there on the
    /// body is only validated, so that an invalid module is reported as
    /// invalid (as the other tiers do), not as unsupported.
    var unsupportedError: CompileError?
    /// The dispatch labels of the try_tables around the current code,
    /// innermost last.
    var handlers: [Label] = []
    /// The locals in registers (`LocalCache`).
    var cache = LocalCache()
    /// `scanLoop`'s marks per local (all zero between scans; allocated at
    /// the first loop).
    var loopScanMarks: [UInt8] = []
    /// Memory accesses known in bounds in the straight-line code here.
    var checkedAccesses = CheckedAccesses()
    /// How many operands of the current instruction read each cached
    /// register in place (`operandRegister`), by register index.
    var borrowCounts = [UInt8](repeating: 0, count: 128)
    /// A comparison whose result is the top of the stack, not computed
    /// yet: a `br_if` or `if` right after it branches on the flags
    /// (`branch(compare:)`); any other instruction computes it first.
    var pendingCompare: PendingCompare?

    /// Above this height `local.get` copies at once instead of staying a
    /// reference to the local, which bounds the work `local.set` does
    /// (the interpreter's rule).
    static var maxLazyHeight: Int { 128 }

    /// A compiler for `function` (the first of a piece; `start` begins the
    /// next ones).
    init(masm: Assembler, context: ValidationContext, configuration: EngineConfiguration, function: WasmSyntax.Function,
         index: UInt32) throws(CompileError) {
        self.masm = masm
        self.context = context
        self.consumesFuel = configuration.consumesFuel
        do {
            validator = try FunctionValidator(context: context, functionIndex: index, locals: function.locals, offset: function.bodyOffset)
        } catch {
            throw CompileError(validationError: error)
        }
        // The per-function state is `start`'s to set.
        reader = InstructionReader(function.body, features: context.features)
        functionType = FuncType()
        definedIndex = 0
        localTypes = []
        localsEnd = 0
        parameterSlots = 0
        registers = RegisterFile(masm.allocatable, float: masm.floatAllocatable)
        try start(function, index: index)
    }

    /// Starts the next function, after `compile` finished the last one (or
    /// threw `unsupported`, which then stays: later bodies are only
    /// validated), in this compiler's storage: a piece's functions are
    /// compiled one after another, and allocating the stacks, the register
    /// file and the validator anew for each of 15,000 small functions was
    /// 3% of the compile time.
    mutating func start(_ function: WasmSyntax.Function, index: UInt32) throws(CompileError) {
        // Let go of the validator's locals, so it refills them in place.
        localTypes = []
        do {
            try validator.start(functionIndex: index, locals: function.locals, offset: function.bodyOffset)
        } catch {
            throw CompileError(validationError: error)
        }
        reader = InstructionReader(function.body, features: context.features)
        functionType = context.funcType(ofFunction: index) ?? FuncType()
        definedIndex = Int(index) - context.importedFunctionCount
        localTypes = validator.localTypes
        localSlots.removeAll(keepingCapacity: true)
        var slot = 0
        for t in localTypes {
            localSlots.append(slot)
            slot += t.slotCount
        }
        localsEnd = slot
        parameterSlots = functionType.params.slotCount
        registers.reset(masm.allocatable, float: masm.floatAllocatable)
        stack.removeAll(keepingCapacity: true)
        control.removeAll(keepingCapacity: true)
        maxSlot = 0
        live = true
        deadDepth = 0
        handlers.removeAll(keepingCapacity: true)
        cache.removeAll()
        for i in borrowCounts.indices { borrowCounts[i] = 0 }
        pendingCompare = nil
        checkedAccesses.forgetAll()
    }

    /// Compiles the whole body; the code starts at the current position.
    mutating func compile() throws(CompileError) {
        let patch = masm.prologue(directEntry: functionLabel(definedIndex),
                                  functionIndex: UInt32(definedIndex + context.importedFunctionCount))
        masm.zeroSlots(from: parameterSlots, count: localsEnd - parameterSlots)
        if consumesFuel { masm.consumeFuel() }
        control.append(ControlFrame(kind: .function, height: 0, params: [], results: functionType.results,
                                    label: masm.newLabel()))
        while !validator.isFinished {
            let offset = reader.offset
            let instruction = try validator.read(from: &reader)
            guard unsupportedError == nil else { continue }
            do {
                try compile(instruction, offset: offset)
            } catch where error.kind == .unsupported {
                unsupportedError = error
            }
        }
        try validator.checkEnd(of: reader)
        if let unsupportedError { throw unsupportedError }
        masm.setFrameSlots(Swift.max(maxSlot, localsEnd, functionType.results.slotCount), at: patch)
    }

    /// The label of defined function `index`'s body (where direct calls go).
    mutating func functionLabel(_ index: Int) -> Label {
        if let label = functionLabels[index] { return label }
        let label = masm.newLabel()
        functionLabels[index] = label
        return label
    }

    func unsupported(_ instruction: Instruction, offset: Int) -> CompileError {
        CompileError(.unsupported, "jit: \(instruction.opcode.mnemonic) is not supported yet", offset: offset)
    }

    /// Compiles one validated instruction.
    mutating func compile(_ instruction: Instruction, offset: Int) throws(CompileError) {
        let op = instruction.opcode
        if pendingCompare != nil && op != .brIf && op != .if && op != .i32Eqz { materializeCompare() }
        switch op {
        case .loop, .if, .else, .end, .tryTable, .try, .catch, .catchAll, .delegate:
            // Control may merge here (also after dead code, where branches
            // from elsewhere arrive): what was checked on one path is not
            // known on the others.
            checkedAccesses.forgetAll()
        default: break
        }
        if !live {
            compileUnreachable(instruction)
            return
        }
        switch op {
        case .nop: break
        case .unreachable:
            masm.jump(masm.trapLabel(.unreachable))
            live = false
        case .block, .loop, .if, .else, .end, .br, .brIf, .brTable, .return, .tryTable, .throw, .throwRef,
             .try, .catch, .catchAll, .delegate, .rethrow:
            try compileControl(instruction, offset: offset)
        case .call, .callIndirect, .callRef, .returnCall, .returnCallIndirect, .returnCallRef:
            compileCall(instruction)
        case .refNull, .refIsNull, .refFunc, .refEq, .refAsNonNull, .brOnNull, .brOnNonNull, .refTest, .refTestNull,
             .refCast, .refCastNull, .brOnCast, .brOnCastFail, .anyConvertExtern, .externConvertAny, .refI31, .i31GetS,
             .i31GetU:
            try compileReference(instruction, offset: offset)
        case .tableGet, .tableSet, .tableSize, .tableGrow, .tableFill, .tableCopy, .tableInit, .elemDrop,
             .memoryInit, .dataDrop, .memoryCopy, .memoryFill:
            compileBulk(instruction)
        case .drop:
            release(pop())
        case .select, .selectTyped:
            let condition = pop(), ifFalse = pop(), ifTrue = pop()
            let c = intoRegister(condition, height: stack.count + 2)
            if ifTrue.type == .v128 {
                // Vectors stay in slots: copy the chosen one to the result's home.
                let f = vectorSlot(ifFalse, height: stack.count + 1), t = vectorSlot(ifTrue, height: stack.count)
                let result = ifTrue.home
                let chooseTrue = masm.newLabel(), done = masm.newLabel()
                masm.branch(ifZero: false, .w32, c, to: chooseTrue)
                copyValue(.v128, to: result, from: f)
                masm.jump(done)
                masm.bind(chooseTrue)
                copyValue(.v128, to: result, from: t)
                masm.bind(done)
                registers.free(c)
                push(.v128, .home)
                break
            }
            let f = intoRegister(ifFalse, height: stack.count + 1)
            let t = intoRegister(ifTrue)
            masm.select(t, condition: c, ifTrue: t, ifFalse: f)
            registers.free(c)
            registers.free(f)
            push(ifTrue.type, .register(t))
        case .localGet:
            guard case .index(let i) = instruction.immediate else { return }
            let type = localTypes[Int(i)]
            push(type, .local(Int(i)))
            if stack.count > Self.maxLazyHeight { spill(stack.count - 1) }
        case .localSet, .localTee:
            guard case .index(let i) = instruction.immediate else { return }
            checkedAccesses.forget(local: Int(i))
            let value = pop()
            let slot = localSlots[Int(i)]
            if value.type == .v128 {
                let source = vectorSlot(value, height: stack.count)
                materializeLocal(Int(i))
                copyValue(.v128, to: slot, from: source)
                if op == .localTee { push(.v128, .local(Int(i))) }
                break
            }
            materializeLocal(Int(i))
            if isCacheable(value.type) {
                // The value stays in a register as the local's cache; a
                // tee pushes the local itself, which reads it from there.
                setCachedLocal(Int(i), value)
                if op == .localTee {
                    push(value.type, .local(Int(i)))
                    if stack.count > Self.maxLazyHeight { spill(stack.count - 1) }
                }
                break
            }
            let r = intoRegister(value)
            masm.storeSlot(width(value.type), slot: slot, r)
            if op == .localTee { push(value.type, .register(r)) } else { registers.free(r) }
        case .globalGet:
            guard case .index(let i) = instruction.immediate else { return }
            let type = context.globals[Int(i)].valueType
            if type == .v128 {
                push(.v128, .home)
                masm.loadGlobal(Int(i), toSlots: stack[stack.count - 1].home, count: 2)
                break
            }
            let r = allocate(float: isFloat(type))
            masm.loadGlobal(width(type), r, global: Int(i))
            push(type, .register(r))
        case .globalSet:
            guard case .index(let i) = instruction.immediate else { return }
            let value = pop()
            if value.type == .v128 {
                masm.storeGlobal(Int(i), fromSlots: vectorSlot(value, height: stack.count), count: 2)
                break
            }
            let r = intoRegister(value)
            masm.storeGlobal(width(value.type), global: Int(i), r)
            registers.free(r)
        case .i32Const, .i64Const, .f32Const, .f64Const:
            guard let (type, bits) = instruction.scalarConstant else { return }
            push(type, .constant(bits))
        case .i32ReinterpretF32, .i64ReinterpretF64, .f32ReinterpretI32, .f64ReinterpretI64:
            // The bits stay and the type changes: a constant or a value in
            // its home stays there, a register or a local moves to a
            // register of the other class.
            var value = pop()
            let type: ValueType = [.i32ReinterpretF32: .i32, .i64ReinterpretF64: .i64, .f32ReinterpretI32: .f32,
                                   .f64ReinterpretI64: .f64][op]!
            switch value.location {
            case .constant, .home:
                value.type = type
                stack.append(value)
            default:
                let r = operandRegister(value)
                let d = allocate(float: isFloat(type))
                masm.move(width(type), d, r)
                releaseOperand(r)
                push(type, .register(d))
            }
        case .v128Const:
            guard case .v128(let v) = instruction.immediate else { return }
            push(.v128, .vectorConstant(lo: v.lo, hi: v.hi))
        case .memorySize, .memoryGrow:
            try compileMemoryManagement(instruction)
        default:
            if let access = MemoryOperation(op) {
                try compileMemoryAccess(access, instruction)
            } else if try compileNumeric(op) {
                break
            } else if compileFloat(op) {
                break
            } else if try compileVector(instruction, offset: offset) {
                break
            } else if try compileGC(instruction, offset: offset) {
                break
            } else {
                throw unsupported(instruction, offset: offset)
            }
        }
    }

    func width(_ type: ValueType) -> Width { type == .i32 || type == .f32 ? .w32 : .w64 }

    /// Whether values of `type` live in float registers (f32, f64; a v128
    /// is never in a register between instructions).
    func isFloat(_ type: ValueType) -> Bool { type == .f32 || type == .f64 }
}

/// A comparison not computed yet (`FunctionCompiler.pendingCompare`):
/// the top of the stack is a placeholder for its result.
struct PendingCompare {
    var condition: Condition
    var width: Width
    /// The operands, from `operandRegister` (a cached local's register is
    /// read in place); without `rhs`, the right operand is `immediate`.
    var lhs: Register
    var rhs: Register?
    var immediate: UInt64
    /// A float comparison instead (`condition` and `width` unused; both
    /// operands in float registers), and whether its result is negated
    /// (`i32.eqz` of it: with a NaN, not-less is not greater-or-equal, so
    /// the condition itself cannot be inverted).
    var float: (condition: FloatCondition, size: FloatSize, negated: Bool)?
}
