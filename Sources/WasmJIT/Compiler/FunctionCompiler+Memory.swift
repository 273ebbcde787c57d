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
        let size = operation.access.byteCount
        if operation.isStore {
            // Both operands are only read: cached locals are used in place.
            let value = pop(), address = pop()
            let inBounds = checkedAccesses.covers(address, memory: memory, offset: memarg.offset, size: size)
            let v = operandRegister(value), a = operandRegister(address)
            masm.store(operation.access, v, address: a, offset: memarg.offset, memory: memory, is64: is64, inBounds: inBounds)
            releaseOperand(v)
            releaseOperand(a)
            checkedAccesses.record(address, memory: memory, offset: memarg.offset, size: size)
        } else {
            let address = pop()
            let inBounds = checkedAccesses.covers(address, memory: memory, offset: memarg.offset, size: size)
            let a = operandRegister(address)
            // A float goes straight to a float register.
            let d = isFloat(operation.type) ? allocate(float: true) : (isBorrowed(a) ? allocate() : a)
            masm.load(operation.access, d, address: a, offset: memarg.offset, memory: memory, is64: is64, inBounds: inBounds)
            if d != a { releaseOperand(a) }
            push(operation.type, .register(d))
            checkedAccesses.record(address, memory: memory, offset: memarg.offset, size: size)
        }
    }

    /// v128.load and v128.store: 16 bytes between memory and a home.
    mutating func compileVectorMemoryAccess(_ instruction: Instruction) {
        guard case .memarg(let memarg) = instruction.immediate else { return }
        let memory = Int(memarg.memory)
        let is64 = memoryIs64(memory)
        if instruction.opcode == .v128Store {
            let value = pop(), address = pop()
            let inBounds = checkedAccesses.covers(address, memory: memory, offset: memarg.offset, size: 16)
            let slot = vectorSlot(value, height: stack.count + 1)
            let a = intoRegister(address)
            masm.storeFromSlots(16, slot: slot, address: a, offset: memarg.offset, memory: memory, is64: is64, inBounds: inBounds)
            registers.free(a)
            checkedAccesses.record(address, memory: memory, offset: memarg.offset, size: 16)
        } else {
            let address = pop()
            let inBounds = checkedAccesses.covers(address, memory: memory, offset: memarg.offset, size: 16)
            let a = intoRegister(address)
            push(.v128, .home)
            masm.loadToSlots(16, slot: stack[stack.count - 1].home, address: a, offset: memarg.offset, memory: memory, is64: is64,
                             inBounds: inBounds)
            registers.free(a)
            checkedAccesses.record(address, memory: memory, offset: memarg.offset, size: 16)
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

/// The accesses whose bounds were checked in the straight-line code that
/// leads here, by the local that held the address: the value of local
/// `local` plus `end` is within memory `memory`. Memories never shrink, so
/// such a fact holds until the local is written (`forget(local:)`) or
/// control may merge (`forgetAll`, at every instruction that can place a
/// label other paths reach: loop, if, else, end, try and catch clauses),
/// and a later access through the same local ending no further needs no
/// check. A read-modify-write of a field (`p->x += d`) is
/// then checked once.
struct CheckedAccesses {
    private struct Fact {
        var local: Int
        var memory: Int
        var end: UInt64
    }

    /// Few, searched linearly (the oldest is dropped beyond `limit`).
    private var facts: [Fact] = []
    static let limit = 16

    private static func end(_ offset: UInt64, _ size: Int) -> UInt64? {
        let (end, overflow) = offset.addingReportingOverflow(UInt64(size))
        return overflow ? nil : end
    }

    /// Whether an access at `address` (a stack entry) is known in bounds.
    func covers(_ address: StackEntry, memory: Int, offset: UInt64, size: Int) -> Bool {
        guard case .local(let local) = address.location, let end = Self.end(offset, size) else { return false }
        return facts.contains { $0.local == local && $0.memory == memory && $0.end >= end }
    }

    /// An access at `address` was checked (or known in bounds).
    mutating func record(_ address: StackEntry, memory: Int, offset: UInt64, size: Int) {
        guard case .local(let local) = address.location, let end = Self.end(offset, size) else { return }
        if let i = facts.firstIndex(where: { $0.local == local && $0.memory == memory }) {
            facts[i].end = Swift.max(facts[i].end, end)
            return
        }
        if facts.count == Self.limit { facts.removeFirst() }
        facts.append(Fact(local: local, memory: memory, end: end))
    }

    mutating func forget(local: Int) {
        if !facts.isEmpty { facts.removeAll { $0.local == local } }
    }

    mutating func forgetAll() {
        if !facts.isEmpty { facts.removeAll(keepingCapacity: true) }
    }
}
