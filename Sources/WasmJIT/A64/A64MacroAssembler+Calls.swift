import WasmRuntime

/// Calls, tail calls, builtins and exceptions.
extension A64MacroAssembler {
    /// Leaves the callee's header in x16 (not for direct calls).
    mutating func loadCallee(_ target: CallTarget) {
        let header = Self.s0
        switch target {
        case .direct: break
        case .function(let index):
            load(header, Self.vmctx, offsets.instanceFunctions)
            access(.ldrX, header, header, index * 8)
        case .indirect(let table, let type, let indexSlot):
            // The fast path: in range, not null, exactly the expected type;
            // the builtin does the rest (traps with details, subtyping).
            let slow = asm.code.newLabel(), done = asm.code.newLabel()
            load(header, Self.vmctx, offsets.instanceTables)
            access(.ldrX, header, header, table * 8)
            loadSlotX(Self.s1, indexSlot)
            load(Self.s2, header, offsets.tableCount)
            asm.cmp(is64: true, Self.s1, Self.s2)
            asm.b(.hs, slow)
            load(header, header, offsets.tableElements)
            asm.access(.ldrX, header, .register(header, Self.s1, .uxtx, shifted: true))
            asm.cbz(is64: true, header, slow)
            load(Self.s1, header, offsets.headerTypeID)
            load(Self.s2, Self.vmctx, offsets.instanceTypeIDs)
            access(.ldrX, Self.s2, Self.s2, type * 8)
            asm.cmp(is64: true, Self.s1, Self.s2)
            asm.b(.eq, done)
            asm.code.bind(slow)
            callBuiltin("indirectCallTarget", [.immediate(UInt64(table)), .slot(indexSlot), .immediate(UInt64(type)),
                                               .slotAddress(indexSlot)], result: .trapCode)
            loadSlotX(header, indexSlot)
            asm.code.bind(done)
        case .reference(let referenceSlot):
            loadSlotX(header, referenceSlot)
            asm.cbz(is64: true, header, trapLabel(.nullFunctionReference))
        }
    }

    /// x16 = the builtin `name`'s address.
    mutating func loadBuiltin(_ name: String) {
        guard let offset = offsets.builtins[name] else { preconditionFailure("no builtin \(name) in CWasmVM.h") }
        load(Self.s0, Self.runtime, offsets.runtimeBuiltins)
        load(Self.s0, Self.s0, offset)
    }

    /// Calls the function whose header is in x16, through the callHost
    /// builtin for a host function; the status is in w0.
    mutating func callHeader(frameOffset: Int) {
        let header = Self.s0
        let host = asm.code.newLabel(), done = asm.code.newLabel()
        load(.x0, header, offsets.headerInstance)
        asm.cbz(is64: true, .x0, host)
        addImmediate(.x1, Self.frame, slotOffset(frameOffset))
        load(header, header, offsets.headerCode)
        asm.blr(header)
        asm.b(done)
        asm.code.bind(host)
        asm.mov(is64: true, .x1, header)
        asm.mov(is64: true, .x0, Self.vmctx)
        addImmediate(.x2, Self.frame, slotOffset(frameOffset))
        loadBuiltin("callHost")
        asm.blr(Self.s0)
        asm.code.bind(done)
    }

    /// No reload of memory 0's registers after a direct call: the callee
    /// keeps them current (X64MacroAssembler.call says why).
    mutating func call(_ target: CallTarget, frameOffset: Int, handler: Label?) {
        var direct = false
        if case .direct(let label) = target {
            addImmediate(.x1, Self.frame, slotOffset(frameOffset))
            asm.bl(label)
            direct = true
        } else {
            loadCallee(target)
            callHeader(frameOffset: frameOffset)
        }
        if let handler {
            asm.cmp(is64: false, .x0, immediate: UInt32(TrapCode.exceptionThrown.rawValue))
            branch(.eq, to: handler)
        }
        asm.cbz(nonZero: true, is64: false, .x0, exit())
        if !direct { reloadMemory0() }
    }

    mutating func tailCall(_ target: CallTarget) {
        if case .direct(let label) = target {
            adjustCallDepth(-1, scratch: Self.s0)
            asm.mov(is64: true, .x1, Self.frame)
            asm.pair(load: true, .x, Self.frame, .lr, .sp, offset: 16, mode: .postIndex)
            asm.b(label)
            return
        }
        loadCallee(target)
        let host = asm.code.newLabel(), otherInstance = asm.code.newLabel()
        load(.x0, Self.s0, offsets.headerInstance)
        asm.cbz(is64: true, .x0, host)
        adjustCallDepth(-1, scratch: Self.s1)
        asm.mov(is64: true, .x1, Self.frame)
        load(Self.s0, Self.s0, offsets.headerCode)
        // A function of this instance (call_indirect and call_ref to our
        // own code): straight into its body, past its C entry, so that
        // tail calls through tables and references take constant native
        // stack, as direct ones do (the C entry would take 64 bytes a hop).
        asm.cmp(is64: true, .x0, Self.vmctx)
        asm.b(.ne, otherInstance)
        asm.addSub(.add, is64: true, Self.s0, Self.s0, immediate: UInt32(Self.entrySize))
        asm.pair(load: true, .x, Self.frame, .lr, .sp, offset: 16, mode: .postIndex)
        asm.br(Self.s0)
        // Into another instance's C entry, which pins that instance's
        // registers and restores ours when it returns to our caller.
        asm.code.bind(otherInstance)
        asm.pair(load: true, .x, Self.frame, .lr, .sp, offset: 16, mode: .postIndex)
        asm.br(Self.s0)
        // A host function: an ordinary call, then this frame returns what
        // it wrote to the frame's first slots.
        asm.code.bind(host)
        callHeader(frameOffset: 0)
        asm.cbz(nonZero: true, is64: false, .x0, exit())
        epilogue()
    }

    mutating func callBuiltin(_ name: String, _ arguments: [BuiltinArgument], result: BuiltinResult) {
        let registers: [A64Register] = [.x1, .x2, .x3, .x4, .x5, .x6, .x7]
        precondition(arguments.count <= registers.count, "builtins take at most eight arguments")
        for (argument, register) in zip(arguments, registers) {
            switch argument {
            case .immediate(let value): asm.moveImmediate(register, value)
            case .slot(let index): loadSlotX(register, index)
            case .slotAddress(let index): addImmediate(register, Self.frame, slotOffset(index))
            }
        }
        asm.mov(is64: true, .x0, Self.vmctx)
        loadBuiltin(name)
        asm.blr(Self.s0)
        // Memory 0 may have grown (memory.grow, a host function): reload
        // it (which touches x16, x22 and x23 only, not w0).
        switch result {
        case .none:
            reloadMemory0()
        case .trapCode:
            asm.cbz(nonZero: true, is64: false, .x0, exit())
            reloadMemory0()
        case .value(let destination, let width):
            reloadMemory0()
            asm.mov(is64: width == .w64, reg(destination), .x0)
        case .boolean(let destination):
            // Only the low byte of a C bool is defined.
            reloadMemory0()
            asm.zeroExtend(bytes: 1, reg(destination), .x0)
        }
    }

    // MARK: Exceptions

    mutating func throwException(tag: Int, payloadSlot: Int, liveEnd: Int, handler: Label?) {
        asm.moveImmediate(is64: false, .x1, UInt64(tag))
        addImmediate(.x2, Self.frame, slotOffset(payloadSlot))
        addImmediate(.x3, Self.frame, slotOffset(liveEnd))
        asm.mov(is64: true, .x0, Self.vmctx)
        loadBuiltin("throwTag")
        asm.blr(Self.s0)
        // A full heap is a trap; otherwise the exception is on its way.
        asm.cmp(is64: false, .x0, immediate: UInt32(TrapCode.exceptionThrown.rawValue))
        asm.b(.ne, exit())
        reloadMemory0()
        propagateException(to: handler)
    }

    mutating func throwReference(_ reference: Register, handler: Label?) {
        trap(ifZero: reference, .nullExceptionReference)
        store(Self.runtime, offsets.runtimeException, reg(reference))
        propagateException(to: handler)
    }

    mutating func enterHandler() { reloadMemory0() }

    mutating func branchUnlessExceptionTag(_ tag: Int, to label: Label) {
        load(Self.s0, Self.runtime, offsets.runtimeException)
        access(.ldrX, Self.s1, Self.s0, 8 * ExceptionLayout.tag)
        load(Self.s2, Self.vmctx, offsets.instanceTags)
        access(.ldrX, Self.s2, Self.s2, 8 * tag)
        asm.cmp(is64: true, Self.s1, Self.s2)
        branch(.ne, to: label)
    }

    mutating func copyExceptionPayload(to frameSlot: Int, count: Int) {
        load(Self.s1, Self.runtime, offsets.runtimeException)
        for i in 0..<count {
            access(.ldrX, Self.s0, Self.s1, 8 * (ExceptionLayout.payload + i))
            storeSlotX(frameSlot + i, Self.s0)
        }
    }

    mutating func storeExceptionReference(slot index: Int) {
        load(Self.s0, Self.runtime, offsets.runtimeException)
        storeSlotX(index, Self.s0)
    }

    mutating func propagateException(to handler: Label?) {
        asm.moveImmediate(is64: false, .x0, UInt64(TrapCode.exceptionThrown.rawValue))
        asm.b(handler ?? exit())
    }

    // MARK: References and tables

    mutating func loadFunctionReference(_ destination: Register, function index: Int) {
        load(Self.s0, Self.vmctx, offsets.instanceFunctions)
        access(.ldrX, reg(destination), Self.s0, index * 8)
    }

    mutating func trap(ifZero value: Register, _ code: TrapCode) {
        asm.cbz(is64: true, reg(value), trapLabel(code))
    }

    mutating func tableSize(_ destination: Register, table: Int) {
        load(Self.s0, Self.vmctx, offsets.instanceTables)
        access(.ldrX, Self.s0, Self.s0, table * 8)
        load(reg(destination), Self.s0, offsets.tableCount)
    }
}
