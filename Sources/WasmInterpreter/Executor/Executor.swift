import CWasmInterpreter
import WasmRuntime
import WasmSyntax

/// Runs IR. The hot loop is C (`wc_execute` in `CWasmInterpreter`):
/// computed-goto dispatch gives every handler its own indirect jump, which
/// Swift cannot express (docs/architecture.md, decision 2). It runs the common
/// operations — moves, numerics, branches, memory 0, globals, calls between
/// WebAssembly functions — and returns here for the rest (SIMD, GC,
/// exceptions, tables, bulk memory, other memories, host calls, rare call
/// paths), which `step` runs one instruction at a time before calling back
/// in. Calls push a `Frame` on the shared frame stack, so the native stack
/// does not grow with the wasm call depth.
///
/// Measured with Benchmarks/KernelBench: the Swift `while true { switch }`
/// loop this replaces was 2.2x slower than WasmKit 0.4.2 (geometric mean of
/// the six kernels); the C loop with the translator's superinstructions is
/// about 0.84x (see Executor.c for the figures).
enum Executor {
    static func run(_ entry: UnsafeMutablePointer<FunctionHeader>, base: UnsafeMutablePointer<UInt64>, stack: ExecutionStack, store: Store) throws(Trap) {
        let entryFrames = stack.frameCount
        defer { stack.frameCount = entryFrames }
        guard let entryInstance = entry.pointee.instance else { throw Trap(.typeMismatch) }
        var sp = base
        var ctx = entryInstance
        var pc = UnsafeMutablePointer<UInt64>(bitPattern: 8)!
        try enter(entry, at: base, returnPC: nil, sp: &sp, ctx: &ctx, pc: &pc, stack: stack)

        var state = WCState(pc: pc, sp: sp, context: ctx, fuel: store.fuel, stack: stack.raw, trap: .none)
        let consumesFuel = store.engine.configuration.consumesFuel
        defer { if consumesFuel { store.fuel = state.fuel } }
        while true {
            switch wc_execute(&state) {
            case .returned:
                return
            case .trapped:
                throw backtraced(trap(state.trap), pc: state.pc, context: state.context, stack: stack, entryFrames: entryFrames)
            case .slow:
                do {
                    if try step(&state, stack: stack, store: store) { return }
                } catch {
                    // Traps of this function, of host functions it called,
                    // and of invocations below them (with their frames).
                    throw backtraced(error, pc: state.pc, context: state.context, stack: stack, entryFrames: entryFrames)
                }
            }
        }
    }

    /// The trap the C executor reported.
    static func trap(_ code: VMTrapCode) -> Trap {
        TrapKind(code).map { Trap($0) } ?? Trap(.host("interpreter: a trap without a kind"))
    }

    /// Runs the one instruction at `state.pc` that the C executor handed
    /// over; returns true when it returned from the function entered from
    /// the host (a tail call of a host function).
    static func step(_ state: inout WCState, stack: ExecutionStack, store: Store) throws(Trap) -> Bool {
        var pc = state.pc
        var sp = state.sp
        var ctx = state.context
        var fuel = state.fuel
        defer {
            state.pc = pc
            state.sp = sp
            state.context = ctx
            state.fuel = fuel
        }
        let w = pc.pointee
        let a = IR.a(w)
        let b = IR.b(w)
        switch IR.op(w) {
        // MARK: Calls
        case .call:
            let callee = ctx.pointee.functions[a]
            let frame = sp + b
            if callee.pointee.instance != nil {
                try enter(callee, at: frame, returnPC: pc + 1, sp: &sp, ctx: &ctx, pc: &pc, stack: stack)
            } else {
                fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                pc += 1
            }
        case .callIndirect:
            let w1 = pc[1]
            let table = ctx.pointee.tables[a]
            let index = table.pointee.is64 ? sp[IR.hi(w1)] : UInt64(sp[i32: IR.hi(w1)])
            guard index < UInt64(table.pointee.count) else { throw Trap(.undefinedElement) }
            let bits = table.pointee.elements[Int(index)]
            guard let callee = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(bits)) else {
                throw Trap(.uninitializedElement, detail: "\(index)")
            }
            let expected = ctx.pointee.typeIDs[IR.lo(w1)]
            if callee.pointee.typeID != expected && !store.types.isSubtype(callee.pointee.typeID, of: expected) {
                throw Trap(.indirectCallTypeMismatch)
            }
            let frame = sp + b
            if callee.pointee.instance != nil {
                try enter(callee, at: frame, returnPC: pc + 2, sp: &sp, ctx: &ctx, pc: &pc, stack: stack)
            } else {
                fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                pc += 2
            }
        case .callRef:
            guard let callee = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(sp[a])) else {
                throw Trap(.nullFunctionReference)
            }
            let frame = sp + b
            if callee.pointee.instance != nil {
                try enter(callee, at: frame, returnPC: pc + 1, sp: &sp, ctx: &ctx, pc: &pc, stack: stack)
            } else {
                fuel = try callHost(callee, frame: frame, stack: stack, store: store, fuel: fuel)
                pc += 1
            }
        case .returnCall, .returnCallIndirect, .returnCallRef:
            let callee: UnsafeMutablePointer<FunctionHeader>
            switch IR.op(w) {
            case .returnCall:
                callee = ctx.pointee.functions[a]
            case .returnCallRef:
                guard let c = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(sp[a])) else {
                    throw Trap(.nullFunctionReference)
                }
                callee = c
            default:
                let table = ctx.pointee.tables[a]
                let index = table.pointee.is64 ? sp[b] : UInt64(sp[i32: b])
                guard index < UInt64(table.pointee.count) else { throw Trap(.undefinedElement) }
                guard let c = UnsafeMutablePointer<FunctionHeader>(bitPattern: UInt(table.pointee.elements[Int(index)])) else {
                    throw Trap(.uninitializedElement, detail: "\(index)")
                }
                let expected = ctx.pointee.typeIDs[Int(pc[1])]
                if c.pointee.typeID != expected && !store.types.isSubtype(c.pointee.typeID, of: expected) {
                    throw Trap(.indirectCallTypeMismatch)
                }
                callee = c
            }
            if callee.pointee.instance != nil {
                // Replace the current frame: the caller's record stays.
                let function = callee.pointee.code.unsafelyUnwrapped.assumingMemoryBound(to: CompiledFunction.self)
                guard function.pointee.frameSlots <= stack.end - sp else { throw Trap(.callStackExhausted) }
                let parameters = function.pointee.parameterSlots
                let zeroed = function.pointee.localSlots - parameters
                if zeroed > 0 { (sp + parameters).update(repeating: 0, count: zeroed) }
                ctx = callee.pointee.instance.unsafelyUnwrapped
                pc = function.pointee.code
                stack.frames[stack.frameCount - 1].function = UnsafePointer(function)
            } else {
                fuel = try callHost(callee, frame: sp, stack: stack, store: store, fuel: fuel)
                stack.frameCount -= 1
                let frame = stack.frames[stack.frameCount]
                guard let returnPC = frame.returnPC else { return true }
                pc = returnPC
                sp = frame.sp
                ctx = frame.context
            }
        case .throwTag:
            let exception = try store.allocateException(tag: ctx.pointee.tags[a], payload: sp + b, count: Int(pc[1]), runningFrame: sp)
            (pc, sp, ctx) = try unwind(exception, at: pc, sp: sp, ctx: ctx, stack: stack)
        case .throwRef:
            guard let exception = UnsafeMutablePointer<UInt64>(bitPattern: UInt(sp[a])) else {
                throw Trap(.nullExceptionReference)
            }
            (pc, sp, ctx) = try unwind(exception, at: pc, sp: sp, ctx: ctx, stack: stack)

        // MARK: Memories
        case .memoryAccess:
            try memoryAccess(pc, sp: sp, ctx: ctx); pc += 4
        case .memoryGrow:
            let memory = ctx.pointee.memories[Int(pc[1])]
            let is64 = memory.pointee.is64
            let delta = is64 ? sp[b] : UInt64(sp[i32: b])
            sp[a] = memory.grow(by: delta) ?? (is64 ? UInt64.max : UInt64(UInt32.max)); pc += 2
        case .memoryFill:
            try Bulk.memoryFill(ctx.pointee.memories[a], sp: sp, pc[1], pc[2]); pc += 3
        case .memoryCopy:
            try Bulk.memoryCopy(ctx.pointee.memories[a], ctx.pointee.memories[b], sp: sp, pc[1], pc[2]); pc += 3
        case .memoryInit:
            try Bulk.memoryInit(ctx.pointee.memories[b], ctx.pointee.datas + a, sp: sp, pc[1], pc[2]); pc += 3
        case .dataDrop:
            ctx.pointee.datas[a].count = 0; pc += 1

        // MARK: Tables
        case .tableGet:
            let table = ctx.pointee.tables[Int(pc[1])]
            sp[a] = try table.element(at: table.pointee.is64 ? sp[b] : UInt64(sp[i32: b])); pc += 2
        case .tableSet:
            let table = ctx.pointee.tables[a]
            try table.setElement(at: table.pointee.is64 ? sp[b] : UInt64(sp[i32: b]), to: sp[Int(truncatingIfNeeded: pc[1])]); pc += 2
        case .tableSize:
            sp[a] = UInt64(ctx.pointee.tables[b].pointee.count); pc += 1
        case .tableGrow:
            let table = ctx.pointee.tables[b]
            let w1 = pc[1]
            let is64 = table.pointee.is64
            let delta = is64 ? sp[IR.hi(w1)] : UInt64(sp[i32: IR.hi(w1)])
            sp[a] = table.grow(by: delta, value: sp[IR.lo(w1)]) ?? (is64 ? UInt64.max : UInt64(UInt32.max)); pc += 2
        case .tableFill:
            try Bulk.tableFill(ctx.pointee.tables[a], sp: sp, pc[1], pc[2]); pc += 3
        case .tableCopy:
            try Bulk.tableCopy(ctx.pointee.tables[a], ctx.pointee.tables[b], sp: sp, pc[1], pc[2]); pc += 3
        case .tableInit:
            try Bulk.tableInit(ctx.pointee.tables[b], ctx.pointee.elements + a, sp: sp, pc[1], pc[2]); pc += 3
        case .elemDrop:
            ctx.pointee.elements[a].count = 0; pc += 1

        // MARK: GC
        case .structNew, .structNewDefault, .structGet, .structSet, .arrayNew, .arrayNewDefault, .arrayNewFixed,
             .arrayNewData, .arrayNewElem, .arrayGet, .arraySet, .arrayLen, .arrayFill, .arrayCopy,
             .arrayInitData, .arrayInitElem, .refI31, .i31GetS, .i31GetU, .refTest, .refCast, .brIfCast, .brIfNotCast:
            pc += try GCInstructions.run(pc, sp: sp, ctx: ctx, store: store)

        // MARK: SIMD
        case .v128Unary:
            sp[v128: a] = VectorOps.unary(opcode(pc[1]), sp[v128: b]); pc += 2
        case .v128Binary:
            let w1 = pc[1]
            sp[v128: a] = VectorOps.binary(opcode(w1 >> 32), sp[v128: b], sp[v128: IR.lo(w1)]); pc += 2
        case .v128Ternary:
            let w1 = pc[1]
            sp[v128: a] = VectorOps.ternary(opcode(pc[2]), sp[v128: b], sp[v128: IR.lo(w1)], sp[v128: IR.hi(w1)]); pc += 3
        case .v128Shift:
            let w1 = pc[1]
            sp[v128: a] = VectorOps.shift(opcode(w1 >> 32), sp[v128: b], sp[i32: IR.lo(w1)]); pc += 2
        case .v128Test:
            sp[i32: a] = VectorOps.test(opcode(pc[1]), sp[v128: b]); pc += 2
        case .v128Splat:
            sp[v128: a] = VectorOps.splat(opcode(pc[1]), sp[b]); pc += 2
        case .v128ExtractLane:
            let w1 = pc[1]
            sp[a] = VectorOps.extractLane(opcode(w1 & 0xFFFF_FFFF), sp[v128: b], UInt8(truncatingIfNeeded: w1 >> 32)); pc += 2
        case .v128ReplaceLane:
            let w1 = pc[1]
            sp[v128: a] = VectorOps.replaceLane(opcode(w1 >> 32), sp[v128: b], UInt8(truncatingIfNeeded: pc[2]), sp[IR.lo(w1)]); pc += 3
        case .v128Shuffle:
            sp[v128: a] = VectorOps.shuffle(sp[v128: b], sp[v128: Int(pc[1])], lanes: V128(lo: pc[2], hi: pc[3])); pc += 4

        default:
            // The C executor runs every other operation itself.
            throw Trap(.host("interpreter: \(IR.op(w).name) was handed to Swift"))
        }
        return false
    }

    // MARK: Calls

    /// Pushes a frame and continues in `callee` with its frame at `frame`.
    @inline(__always)
    static func enter(_ callee: UnsafeMutablePointer<FunctionHeader>, at frame: UnsafeMutablePointer<UInt64>,
                      returnPC: UnsafeMutablePointer<UInt64>?,
                      sp: inout UnsafeMutablePointer<UInt64>, ctx: inout UnsafeMutablePointer<InstanceContext>,
                      pc: inout UnsafeMutablePointer<UInt64>, stack: ExecutionStack) throws(Trap) {
        guard stack.frameCount < stack.maxFrames else { throw Trap(.callStackExhausted) }
        let function = callee.pointee.code.unsafelyUnwrapped.assumingMemoryBound(to: CompiledFunction.self)
        guard function.pointee.frameSlots <= stack.end - frame else { throw Trap(.callStackExhausted) }
        stack.frames[stack.frameCount] = Frame(returnPC: returnPC, sp: sp, context: ctx, function: function)
        stack.frameCount += 1
        // Declared locals start at zero (parameters are in place already).
        var i = function.pointee.parameterSlots
        let end = function.pointee.localSlots
        while i < end {
            frame[i] = 0
            i += 1
        }
        sp = frame
        ctx = callee.pointee.instance.unsafelyUnwrapped
        pc = function.pointee.code
    }

    /// Finds the handler of an exception thrown at `pc`: in the running
    /// function's catch clauses, then in its callers', popping their frames.
    /// Continues at the handler with the caught values in place, or throws
    /// `uncaughtException` when the exception leaves this invocation.
    @inline(never)
    static func unwind(_ exception: UnsafeMutablePointer<UInt64>, at pc: UnsafeMutablePointer<UInt64>,
                       sp: UnsafeMutablePointer<UInt64>, ctx: UnsafeMutablePointer<InstanceContext>,
                       stack: ExecutionStack) throws(Trap)
        -> (UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<UInt64>, UnsafeMutablePointer<InstanceContext>) {
        let tag = exception[ExceptionLayout.tag]
        var at = pc
        var sp = sp
        var ctx = ctx
        while true {
            let function = stack.frames[stack.frameCount - 1].function
            let offset = at - function.pointee.code
            // A `delegate` hides the handlers of blocks deeper than its label.
            var maxDepth = Int.max
            for i in 0..<function.pointee.handlerCount {
                let clause = function.pointee.handlerClauses.unsafelyUnwrapped[i]
                guard offset >= clause.start && offset < clause.end && clause.depth <= maxDepth else { continue }
                let destination = sp + clause.destination
                switch clause.kind {
                case .delegate:
                    maxDepth = clause.delegateDepth
                    continue
                case .catch, .catchRef:
                    guard UInt64(UInt(bitPattern: ctx.pointee.tags[clause.tag])) == tag else { continue }
                    let count = Int(exception[ExceptionLayout.count])
                    destination.update(from: exception + ExceptionLayout.payload, count: count)
                    if clause.kind == .catchRef { destination[count] = UInt64(UInt(bitPattern: exception)) }
                case .catchAll:
                    break
                case .catchAllRef:
                    destination[0] = UInt64(UInt(bitPattern: exception))
                }
                // Legacy handlers keep the exception for `rethrow`.
                if clause.exceptionSlot >= 0 { sp[clause.exceptionSlot] = UInt64(UInt(bitPattern: exception)) }
                return (function.pointee.code + clause.target, sp, ctx)
            }
            // Not caught here: leave the function.
            stack.frameCount -= 1
            let frame = stack.frames[stack.frameCount]
            guard let returnPC = frame.returnPC else { throw Trap(.uncaughtException) }
            at = returnPC - 1
            sp = frame.sp
            ctx = frame.context
        }
    }

    /// Calls a host function whose arguments (and then results) are at
    /// `frame`; returns the fuel left.
    @inline(never)
    static func callHost(_ callee: UnsafeMutablePointer<FunctionHeader>, frame: UnsafeMutablePointer<UInt64>,
                         stack: ExecutionStack, store: Store, fuel: UInt64) throws(Trap) -> UInt64 {
        let slots = Swift.max(Int(callee.pointee.parameterSlots), Int(callee.pointee.resultSlots))
        guard slots <= stack.end - frame else { throw Trap(.callStackExhausted) }
        // A host function may call back into WebAssembly: that frame goes above.
        let savedTop = stack.top
        stack.top = frame + slots
        defer { stack.top = savedTop }
        store.fuel = fuel
        try store.callHost(callee, slots: frame)
        return store.fuel
    }

    // MARK: Helpers

    @inline(__always) static func opcode(_ raw: UInt64) -> Opcode {
        Opcode(rawValue: UInt16(truncatingIfNeeded: raw)) ?? .unreachable
    }
}
