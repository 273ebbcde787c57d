import WasmRuntime
import WasmSyntax

/// A load or store instruction: its access shape and value type.
struct MemoryOperation {
    var access: MemoryAccess
    var type: ValueType
    var isStore: Bool

    init?(_ op: Opcode) {
        switch op {
        case .i32Load: (access, type, isStore) = (.i32, .i32, false)
        case .i64Load: (access, type, isStore) = (.i64, .i64, false)
        case .f32Load: (access, type, isStore) = (.i32, .f32, false)
        case .f64Load: (access, type, isStore) = (.i64, .f64, false)
        case .i32Load8S: (access, type, isStore) = (.i32Load8S, .i32, false)
        case .i32Load8U: (access, type, isStore) = (.i32Load8U, .i32, false)
        case .i32Load16S: (access, type, isStore) = (.i32Load16S, .i32, false)
        case .i32Load16U: (access, type, isStore) = (.i32Load16U, .i32, false)
        case .i64Load8S: (access, type, isStore) = (.i64Load8S, .i64, false)
        case .i64Load8U: (access, type, isStore) = (.i64Load8U, .i64, false)
        case .i64Load16S: (access, type, isStore) = (.i64Load16S, .i64, false)
        case .i64Load16U: (access, type, isStore) = (.i64Load16U, .i64, false)
        case .i64Load32S: (access, type, isStore) = (.i64Load32S, .i64, false)
        case .i64Load32U: (access, type, isStore) = (.i64Load32U, .i64, false)
        case .i32Store: (access, type, isStore) = (.i32, .i32, true)
        case .i64Store: (access, type, isStore) = (.i64, .i64, true)
        case .f32Store: (access, type, isStore) = (.i32, .f32, true)
        case .f64Store: (access, type, isStore) = (.i64, .f64, true)
        case .i32Store8, .i64Store8: (access, type, isStore) = (.store8, op == .i32Store8 ? .i32 : .i64, true)
        case .i32Store16, .i64Store16: (access, type, isStore) = (.store16, op == .i32Store16 ? .i32 : .i64, true)
        case .i64Store32: (access, type, isStore) = (.store32, .i64, true)
        default: return nil
        }
    }
}

extension FunctionCompiler {
    func memoryIs64(_ index: Int) -> Bool {
        context.memories[index].limits.addressType == .i64
    }

    mutating func compileMemoryAccess(_ operation: MemoryOperation, _ instruction: Instruction) throws(CompileError) {
        guard case .memarg(let memarg) = instruction.immediate else { return }
        let memory = Int(memarg.memory)
        let is64 = memoryIs64(memory)
        if operation.isStore {
            // Both operands are only read: cached locals are used in place.
            let value = pop(), address = pop()
            let v = operandRegister(value), a = operandRegister(address)
            masm.store(operation.access, v, address: a, offset: memarg.offset, memory: memory, is64: is64)
            releaseOperand(v)
            releaseOperand(a)
        } else {
            let address = pop()
            let a = operandRegister(address)
            // A float goes straight to a float register.
            let d = isFloat(operation.type) ? allocate(float: true) : (isBorrowed(a) ? allocate() : a)
            masm.load(operation.access, d, address: a, offset: memarg.offset, memory: memory, is64: is64)
            if d != a { releaseOperand(a) }
            push(operation.type, .register(d))
        }
    }

    /// v128.load and v128.store: 16 bytes between memory and a home.
    mutating func compileVectorMemoryAccess(_ instruction: Instruction) {
        guard case .memarg(let memarg) = instruction.immediate else { return }
        let memory = Int(memarg.memory)
        let is64 = memoryIs64(memory)
        if instruction.opcode == .v128Store {
            let value = pop(), address = pop()
            let slot = vectorSlot(value, height: stack.count + 1)
            let a = intoRegister(address)
            masm.storeFromSlots(16, slot: slot, address: a, offset: memarg.offset, memory: memory, is64: is64)
            registers.free(a)
        } else {
            let address = pop()
            let a = intoRegister(address)
            push(.v128, .home)
            masm.loadToSlots(16, slot: stack[stack.count - 1].home, address: a, offset: memarg.offset, memory: memory, is64: is64)
            registers.free(a)
        }
    }

    mutating func compileMemoryManagement(_ instruction: Instruction) throws(CompileError) {
        guard case .index(let m) = instruction.immediate else { return }
        let memory = Int(m)
        let is64 = memoryIs64(memory)
        let type: ValueType = is64 ? .i64 : .i32
        if instruction.opcode == .memorySize {
            let r = allocate()
            masm.memorySize(r, memory: memory)
            push(type, .register(r))
        } else {
            // A builtin call: every value goes home first, the delta too.
            spillAll()
            let height = stack.count - 1
            _ = pop()
            let r = allocate()
            masm.memoryGrow(r, deltaSlot: home(height), memory: memory, is64: is64)
            push(type, .register(r))
        }
    }
}
