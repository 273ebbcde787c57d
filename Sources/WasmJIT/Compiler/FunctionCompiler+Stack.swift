import WasmSyntax

extension FunctionCompiler {
    /// The home slot of stack height `height`.
    func home(_ height: Int) -> Int { localsEnd + height }

    mutating func push(_ type: ValueType, _ location: StackEntry.Location) {
        if case .register(let r) = location { registers.own(r, at: stack.count) }
        stack.append(StackEntry(type: type, location: location))
        maxHeight = Swift.max(maxHeight, stack.count)
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

    /// A free register, spilling the oldest register entry when none is.
    mutating func allocate() -> Register {
        if let r = registers.take() { return r }
        guard let (r, height) = registers.oldestOwned else {
            preconditionFailure("every register is held by the instruction being compiled")
        }
        masm.storeSlot(width(stack[height].type), slot: home(height), r)
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
        switch entry.location {
        case .register(let r):
            return r
        case .constant(let bits):
            let r = allocate()
            masm.moveImmediate(r, bits)
            return r
        case .local(let index):
            let r = allocate()
            masm.loadSlot(width(entry.type), r, slot: index)
            return r
        case .home:
            let r = allocate()
            masm.loadSlot(width(entry.type), r, slot: home(height))
            return r
        }
    }

    /// Puts the entry at `height` in its home.
    mutating func spill(_ height: Int) {
        let entry = stack[height]
        switch entry.location {
        case .home: return
        case .register(let r):
            masm.storeSlot(width(entry.type), slot: home(height), r)
            registers.free(r)
        case .constant(let bits):
            masm.storeSlotImmediate(slot: home(height), bits)
        case .local(let index):
            masm.copySlot(to: home(height), from: index)
        }
        stack[height].location = .home
    }

    /// Every value in its home: before labels, branches, calls and returns.
    mutating func spillAll() {
        for height in stack.indices { spill(height) }
    }

    /// Before local `index` is written: entries that still read it get its
    /// current value.
    mutating func materializeLocal(_ index: Int) {
        for height in stack.indices where stack[height].location == .local(index) {
            spill(height)
        }
    }
}
