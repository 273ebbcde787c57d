import WasmSyntax

extension FunctionCompiler {
    /// The first home slot of stack height `height`: right after the
    /// homes of the values below it (v128 takes two slots).
    func home(_ height: Int) -> Int {
        height < stack.count ? stack[height].home : nextHome
    }

    /// The home of a value pushed now.
    var nextHome: Int {
        stack.last.map { $0.home + $0.type.slotCount } ?? localsEnd
    }

    /// The home of value `index` of `types` placed from height `height` on.
    func home(_ height: Int, of types: [ValueType], at index: Int) -> Int {
        var slot = home(height)
        for t in types.prefix(index) { slot += t.slotCount }
        return slot
    }

    mutating func push(_ type: ValueType, _ location: StackEntry.Location) {
        var location = location
        if case .register(let r) = location {
            if r.isFloat != isFloat(type) {
                // A value computed in the other class (a float read by a
                // general-register operation: a field, an element, a lane).
                let d = allocate(float: isFloat(type))
                masm.move(width(type), d, r)
                registers.free(r)
                location = .register(d)
            }
            if case .register(let d) = location { registers.own(d, at: stack.count) }
        }
        let home = nextHome
        stack.append(StackEntry(type: type, location: location, home: home))
        maxSlot = Swift.max(maxSlot, home + type.slotCount)
    }

    /// Copies a value of `type` from slot `source` to slot `destination`.
    mutating func copyValue(_ type: ValueType, to destination: Int, from source: Int) {
        masm.copySlot(to: destination, from: source)
        if type == .v128 { masm.copySlot(to: destination + 1, from: source + 1) }
    }

    /// The slot that holds a popped v128 entry (it was at `height`): its
    /// local, or its home, where a constant is written first.
    mutating func vectorSlot(_ entry: StackEntry, height: Int) -> Int {
        switch entry.location {
        case .local(let index): return localSlots[index]
        case .vectorConstant(let lo, let hi):
            masm.storeSlotImmediate(slot: entry.home, lo)
            masm.storeSlotImmediate(slot: entry.home + 1, hi)
            return entry.home
        default: return entry.home
        }
    }

    /// Pops the top entry; a register it holds now belongs to the caller,
    /// which frees it or pushes it again. An entry in its home stays valid
    /// until something is pushed at that height.
    mutating func pop() -> StackEntry {
        let entry = stack.removeLast()
        if case .register(let r) = entry.location { registers.disown(r) }
        return entry
    }

    /// Frees what a popped entry held.
    mutating func release(_ entry: StackEntry) {
        if case .register(let r) = entry.location { registers.free(r) }
    }

    /// A free register of the class (general or `float`), spilling the
    /// oldest register entry of the class when none is.
    mutating func allocate(float: Bool = false) -> Register {
        if let r = registers.take(float: float) { return r }
        // A cached local costs no code to drop (its slot is current); a
        // value of the stack costs a store now and a load later.
        if let r = evictCachedLocal(float: float) { return r }
        guard let (r, height) = registers.oldestOwned(float: float) else {
            preconditionFailure("every register is held by the instruction being compiled")
        }
        masm.storeSlot(width(stack[height].type), slot: stack[height].home, r)
        stack[height].location = .home
        registers.disown(r)
        return r
    }

    /// The value of a popped entry in a register the caller owns. The
    /// entry was at height `stack.count` (it has just been popped).
    mutating func intoRegister(_ entry: StackEntry) -> Register {
        intoRegister(entry, height: stack.count)
    }

    mutating func intoRegister(_ entry: StackEntry, height: Int) -> Register {
        precondition(entry.type != .v128, "vectors do not go into registers")
        let float = isFloat(entry.type)
        switch entry.location {
        case .register(let r):
            return r
        case .constant(let bits):
            let r = allocate(float: float)
            masm.moveImmediate(r, bits)
            return r
        case .local(let index):
            // A copy of the cached register (the caller may write it), or
            // the slot read into a new cache entry when two registers are
            // free, so that the local's next reads are register moves.
            if let c = cachedRegister(of: index) {
                let r = allocate(float: float)
                masm.move(width(entry.type), r, c)
                return r
            }
            if registers.freeCount(float: float) >= 2, let c = cacheFromSlot(index) {
                let r = allocate(float: float)
                masm.move(width(entry.type), r, c)
                return r
            }
            let r = allocate(float: float)
            masm.loadSlot(width(entry.type), r, slot: localSlots[index])
            return r
        case .home:
            let r = allocate(float: float)
            masm.loadSlot(width(entry.type), r, slot: entry.home)
            return r
        case .vectorConstant:
            preconditionFailure("a vector constant is not a scalar")
        }
    }

    /// The bits of a popped scalar entry in a general register the caller
    /// owns, for the operations that take any value's bits in general
    /// registers (fields, elements, lanes).
    mutating func intoGeneralRegister(_ entry: StackEntry) -> Register {
        guard isFloat(entry.type) else { return intoRegister(entry) }
        let w = width(entry.type)
        switch entry.location {
        case .constant(let bits):
            let r = allocate()
            masm.moveImmediate(r, bits)
            return r
        case .home:
            let r = allocate()
            masm.loadSlot(w, r, slot: entry.home)
            return r
        case .local(let index) where cache.register(of: index) == nil:
            let r = allocate()
            masm.loadSlot(w, r, slot: localSlots[index])
            return r
        default:
            let f = operandRegister(entry)
            let r = allocate()
            masm.move(w, r, f)
            releaseOperand(f)
            return r
        }
    }

    /// Puts the entry at `height` in its home.
    mutating func spill(_ height: Int) {
        let entry = stack[height]
        switch entry.location {
        case .home: return
        case .register(let r):
            masm.storeSlot(width(entry.type), slot: entry.home, r)
            registers.free(r)
        case .constant(let bits):
            masm.storeSlotImmediate(slot: entry.home, bits)
        case .vectorConstant(let lo, let hi):
            masm.storeSlotImmediate(slot: entry.home, lo)
            masm.storeSlotImmediate(slot: entry.home + 1, hi)
        case .local(let index):
            if let c = cache.register(of: index) {
                masm.storeSlot(width(entry.type), slot: entry.home, c)
            } else {
                copyValue(entry.type, to: entry.home, from: localSlots[index])
            }
        }
        stack[height].location = .home
    }

    /// Every value in its home and no local in a register: before calls
    /// and builtins, which clobber every allocatable register.
    mutating func spillAll() {
        spillStack()
        forgetCache()
    }

    /// Every value in its home, the cached locals kept: at labels,
    /// branches and returns (labels agree on the cache, `LocalCache`).
    mutating func spillStack() {
        for height in stack.indices { spill(height) }
    }

    /// Before local `index` is written: entries that still read it get its
    /// current value.
    mutating func materializeLocal(_ index: Int) {
        for height in stack.indices where stack[height].location == .local(index) {
            spill(height)
        }
    }

    /// An operator of two operands in registers: `body` computes into the
    /// left operand's register, which becomes the result (of `result`, or
    /// the left operand's type); the right one's is freed.
    mutating func binaryOperation(_ result: ValueType? = nil, _ body: (inout Assembler, _ lhs: Register, _ rhs: Register) -> Void) {
        let rhs = pop(), lhs = pop()
        let r = operandRegister(rhs), l = intoRegister(lhs)
        body(&masm, l, r)
        releaseOperand(r)
        push(result ?? lhs.type, .register(l))
    }

    /// An operator of one operand, computed in its register.
    mutating func unaryOperation(_ result: ValueType? = nil, _ body: (inout Assembler, _ value: Register) -> Void) {
        let value = pop()
        let v = intoRegister(value)
        body(&masm, v)
        push(result ?? value.type, .register(v))
    }
}
