import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    func blockTypes(_ immediate: Immediate) -> (params: [ValueType], results: [ValueType]) {
        switch immediate {
        case .block(let b), .tryTable(let b, _): return context.signature(of: b)
        default: return ([], [])
        }
    }

    mutating func compileControl(_ instruction: Instruction, offset: Int) throws(CompileError) {
        switch instruction.opcode {
        case .block, .loop:
            let (params, results) = blockTypes(instruction.immediate)
            spillStack()
            var frame = ControlFrame(kind: instruction.opcode == .loop ? .loop : .block, height: stack.count - params.count,
                                     params: params, results: results, label: masm.newLabel())
            frame.handlersInside = handlers.count
            if frame.kind == .loop {
                // The header keeps the locals cached on entry that the
                // body uses; back-edges put them back there (`conformCache`).
                prepareLoopHeader()
                frame.labelCache = cache
                if consumesFuel {
                    // Entering skips the fuel check; back-edges pay it.
                    let body = masm.newLabel()
                    masm.jump(body)
                    masm.bind(frame.label)
                    masm.consumeFuel()
                    masm.bind(body)
                } else {
                    masm.bind(frame.label)
                }
            }
            frame.elseLabel = nil
            control.append(frame)
        case .tryTable:
            guard case .tryTable(_, let catches) = instruction.immediate else { return }
            enterHandledBlock(instruction, catches: catches, legacy: false)
        case .try:
            enterHandledBlock(instruction, catches: [], legacy: true)
        case .catch, .catchAll:
            beginLegacyCatch(instruction)
        case .delegate:
            guard case .index(let depth) = instruction.immediate else { return }
            compileDelegate(depth: Int(depth))
        case .rethrow:
            guard case .index(let depth) = instruction.immediate else { return }
            let target = control[control.count - 1 - Int(depth)]
            let r = allocate()
            masm.loadSlot(.w64, r, slot: home(target.height))
            spillAll()
            masm.throwReference(r, handler: handlers.last)
            registers.free(r)
            live = false
        case .throw:
            guard case .index(let tag) = instruction.immediate, let params = context.tagParameters(tag) else { return }
            spillAll()
            let base = stack.count - params.count
            masm.throwException(tag: Int(tag), payloadSlot: home(base), liveEnd: nextHome, handler: handlers.last)
            maxSlot = Swift.max(maxSlot, nextHome)
            live = false
        case .throwRef:
            let r = intoRegister(pop())
            spillAll()
            masm.throwReference(r, handler: handlers.last)
            registers.free(r)
            live = false
        case .if:
            let (params, results) = blockTypes(instruction.immediate)
            let condition = pop()
            let pending = pendingCompare
            pendingCompare = nil
            let c = pending == nil ? intoRegister(condition) : nil
            spillStack()
            var frame = ControlFrame(kind: .if, height: stack.count - params.count, params: params, results: results,
                                     label: masm.newLabel(), elseLabel: masm.newLabel())
            frame.handlersInside = handlers.count
            if let pending {
                branch(on: pending, negated: true, to: frame.elseLabel!)
                releaseCompare(pending)
            } else if let c {
                masm.branch(ifZero: true, .w32, c, to: frame.elseLabel!)
                registers.free(c)
            }
            frame.elseCache = cache
            // The else branch needs the parameters as they were: the then
            // branch works on copies above them, and its results move down
            // to the frame's height at its end (as a branch's would).
            for (i, t) in params.enumerated() {
                copyValue(t, to: nextHome, from: home(frame.height + i))
                push(t, .home)
            }
            control.append(frame)
        case .else:
            guard var frame = control.popLast() else { return }
            spillStack()
            moveBranchValues(to: frame)
            frame.labelCache = frame.labelCache.map { $0.intersection(cache) } ?? cache
            masm.jump(frame.label)
            if let e = frame.elseLabel { masm.bind(e) }
            frame.elseLabel = nil
            resetStack(to: frame.height, pushing: frame.params)
            restoreCache(frame.elseCache)
            frame.elseCache = nil
            control.append(frame)
        case .end:
            compileEnd()
        case .br:
            guard case .index(let depth) = instruction.immediate else { return }
            branch(depth: Int(depth))
            live = false
        case .brIf:
            guard case .index(let depth) = instruction.immediate else { return }
            let condition = pop()
            let pending = pendingCompare
            pendingCompare = nil
            let c = pending == nil ? intoRegister(condition) : nil
            spillStack()
            let index = control.count - 1 - Int(depth)
            let target = control[index]
            if needsStub(target) {
                let skip = masm.newLabel()
                if let pending { branch(on: pending, negated: true, to: skip) } else if let c { masm.branch(ifZero: true, .w32, c, to: skip) }
                branch(depth: Int(depth))
                masm.bind(skip)
            } else {
                if let pending { branch(on: pending, negated: false, to: target.label) } else if let c { masm.branch(ifZero: false, .w32, c, to: target.label) }
                if target.kind != .loop { recordBranch(toFrame: index) }
            }
            if let pending { releaseCompare(pending) } else if let c { registers.free(c) }
        case .brTable:
            guard case .brTable(let targets, let defaultTarget) = instruction.immediate else { return }
            let index = pop()
            let r = intoRegister(index)
            spillStack()
            // Each target gets a stub that moves the values when its label
            // needs them elsewhere; the others are reached directly. (No
            // closure over self here: it would copy the code buffer.)
            var stubs: [(Label, Int)] = []
            var labels: [Int: Label] = [:]
            var table: [Label] = []
            table.reserveCapacity(targets.count)
            for depth in targets.map({ Int($0) }) + [Int(defaultTarget)] {
                if let l = labels[depth] {
                    table.append(l)
                    continue
                }
                let target = control[control.count - 1 - depth]
                let l: Label
                if needsStub(target) {
                    l = masm.newLabel()
                    stubs.append((l, depth))
                } else {
                    l = target.label
                    if target.kind != .loop { recordBranch(toFrame: control.count - 1 - depth) }
                }
                labels[depth] = l
                table.append(l)
            }
            let fallback = table.removeLast()
            masm.jumpTable(r, targets: table, defaultTarget: fallback)
            registers.free(r)
            for (l, depth) in stubs {
                masm.bind(l)
                branch(depth: depth)
            }
            live = false
        case .return:
            emitReturn()
            live = false
        default:
            throw unsupported(instruction, offset: offset)
        }
    }

    /// Whether a branch to `target` needs code of its own rather than a
    /// jump: a return (the function's label), or values to move: they are
    /// the top of the stack, in their homes, and go to the homes above the
    /// target's height.
    func needsStub(_ target: ControlFrame) -> Bool {
        target.kind == .function || (target.branchArity > 0 && stack.count - target.branchArity != target.height)
            || !cacheConforms(to: target)
    }

    mutating func moveBranchValues(to target: ControlFrame) {
        let types = target.kind == .loop ? target.params : target.results
        let from = stack.count - types.count
        // Upwards: the source is never below the destination.
        for (i, t) in types.enumerated() {
            copyValue(t, to: home(target.height, of: types, at: i), from: home(from + i))
        }
    }

    /// An unconditional branch to the frame `depth` levels out.
    mutating func branch(depth: Int) {
        let index = control.count - 1 - depth
        let target = control[index]
        if target.kind == .function {
            emitReturn()
            return
        }
        spillStack()
        moveBranchValues(to: target)
        if target.kind == .loop {
            conformCache(to: target.labelCache ?? LocalCache(), from: cache)
        } else {
            recordBranch(toFrame: index)
        }
        masm.jump(target.label)
    }

    /// Writes the results to the frame's first slots and returns.
    mutating func emitReturn() {
        spillStack()
        let results = functionType.results
        let from = stack.count - results.count
        var slot = 0
        for (i, t) in results.enumerated() {
            copyValue(t, to: slot, from: home(from + i))
            slot += t.slotCount
        }
        masm.epilogue()
    }

    mutating func compileEnd() {
        guard let frame = control.popLast() else { return }
        if frame.kind == .function {
            if live { emitReturn() }
            return
        }
        if live {
            spillStack()
            if frame.kind != .loop { moveBranchValues(to: frame) }
        }
        // The cache after the end: a loop's end is reached by falling
        // through only; a label by every branch, the fall-through and an
        // if's missing else.
        var after: LocalCache? = live ? cache : nil
        if frame.kind != .loop {
            after = frame.labelCache.map { l in after.map { l.intersection($0) } ?? l } ?? after
            if frame.elseLabel != nil, let e = frame.elseCache { after = after.map { $0.intersection(e) } ?? e }
        }
        if frame.isLegacyTry {
            // After the last catch body (or the try body, with none): an
            // exception no clause took goes on.
            if live { masm.jump(frame.label) }
            if frame.inCatch {
                masm.bind(frame.nextCatch!)
            } else {
                handlers.removeLast()
                masm.bind(frame.dispatch!)
                masm.enterHandler()
            }
            masm.propagateException(to: handlers.last)
        } else if let dispatch = frame.dispatch {
            // The try_table's handlers, out of the normal path.
            if live { masm.jump(frame.label) }
            handlers.removeLast()
            masm.bind(dispatch)
            compileDispatch(frame.catches)
        }
        if frame.kind != .loop { masm.bind(frame.label) }
        if let e = frame.elseLabel { masm.bind(e) }
        resetStack(to: frame.height, pushing: frame.results)
        restoreCache(after)
        live = true
    }

    /// The stack after a label: the values below `height` as they were
    /// (in their homes: they were spilled at the block's start), and
    /// `types` in their homes above.
    mutating func resetStack(to height: Int, pushing types: [ValueType]) {
        while stack.count > height { release(pop()) }
        for t in types { push(t, .home) }
    }

    /// Unreachable code is validated but not compiled: only its block
    /// structure is followed, to find where code is reachable again.
    mutating func compileUnreachable(_ instruction: Instruction) {
        switch instruction.opcode {
        case .block, .loop, .if, .tryTable, .try:
            deadDepth += 1
        case .delegate where deadDepth > 0:
            // `delegate` closes a legacy `try`, as `end` does.
            deadDepth -= 1
        case .catch where deadDepth == 0, .catchAll where deadDepth == 0:
            beginLegacyCatch(instruction)
        case .delegate where deadDepth == 0:
            guard case .index(let depth) = instruction.immediate else { return }
            compileDelegate(depth: Int(depth))
        case .else where deadDepth == 0:
            guard var frame = control.popLast() else { return }
            if let e = frame.elseLabel { masm.bind(e) }
            frame.elseLabel = nil
            resetStack(to: frame.height, pushing: frame.params)
            restoreCache(frame.elseCache)
            frame.elseCache = nil
            control.append(frame)
            live = true
        case .end:
            if deadDepth > 0 {
                deadDepth -= 1
            } else {
                compileEnd()
            }
        default:
            break
        }
    }

    /// A try_table's catch clauses, in order, for the exception in flight:
    /// the first that matches moves its values (payload, exnref) to its
    /// label's homes and branches; when none does, the exception goes on
    /// to the enclosing handler or out of the function. Labels count from
    /// the try_table's enclosing blocks (the try_table is popped).
    mutating func compileDispatch(_ catches: [Catch]) {
        // A handler is entered from a call: no local is in a register.
        forgetCache()
        masm.enterHandler()
        for clause in catches {
            let next = masm.newLabel()
            let targetIndex = control.count - 1 - Int(clause.label)
            let target = control[targetIndex]
            var types: [ValueType] = []
            var payloadSlots = 0
            switch clause {
            case .catch(let tag, _), .catchRef(let tag, _):
                masm.branchUnlessExceptionTag(Int(tag), to: next)
                types = context.tagParameters(tag) ?? []
                payloadSlots = types.slotCount
            case .catchAll, .catchAllRef:
                break
            }
            let withReference: Bool
            switch clause {
            case .catchRef, .catchAllRef: withReference = true
            default: withReference = false
            }
            // Where the label's values go: the results of the function, or
            // the homes above the target's height.
            let first = target.kind == .function ? 0 : home(target.height)
            if payloadSlots > 0 { masm.copyExceptionPayload(to: first, count: payloadSlots) }
            if withReference { masm.storeExceptionReference(slot: first + payloadSlots) }
            maxSlot = Swift.max(maxSlot, first + payloadSlots + (withReference ? 1 : 0))
            if target.kind == .function {
                masm.epilogue()
            } else {
                if target.kind == .loop {
                    conformCache(to: target.labelCache ?? LocalCache(), from: LocalCache())
                } else {
                    recordBranch(toFrame: targetIndex)
                }
                masm.jump(target.label)
            }
            masm.bind(next)
        }
        masm.propagateException(to: handlers.last)
    }

    /// A try_table or a legacy try: a block whose body's exceptions go to
    /// its dispatch.
    mutating func enterHandledBlock(_ instruction: Instruction, catches: [Catch], legacy: Bool) {
        let (params, results) = blockTypes(instruction.immediate)
        spillStack()
        var frame = ControlFrame(kind: .block, height: stack.count - params.count, params: params, results: results,
                                 label: masm.newLabel())
        frame.catches = catches
        frame.isLegacyTry = legacy
        frame.dispatch = masm.newLabel()
        handlers.append(frame.dispatch!)
        frame.handlersInside = handlers.count
        control.append(frame)
    }

    /// `delegate`: ends a legacy try whose body's exceptions go to the
    /// handlers inside its label's frame (counted without the try), or out
    /// of the function.
    mutating func compileDelegate(depth: Int) {
        guard let frame = control.popLast() else { return }
        var after = frame.labelCache
        if live {
            spillStack()
            moveBranchValues(to: frame)
            after = after.map { $0.intersection(cache) } ?? cache
            masm.jump(frame.label)
        }
        forgetCache()
        handlers.removeLast()
        let target = control[control.count - 1 - depth]
        masm.bind(frame.dispatch!)
        masm.enterHandler()
        // (A legacy try in its catch bodies no longer covers them.)
        let inside = target.kind == .function ? 0
            : Swift.min(target.handlersInside - (target.inCatch ? 1 : 0), handlers.count)
        masm.propagateException(to: inside > 0 ? handlers[inside - 1] : nil)
        masm.bind(frame.label)
        resetStack(to: frame.height, pushing: frame.results)
        restoreCache(after)
        live = true
    }

    /// `catch tag` / `catch_all` of a legacy try: ends the body before it
    /// (the try body, or the previous catch body), then tests the exception
    /// in flight; a match enters this catch body with the exception in a
    /// hidden home at the try's height and its payload above it.
    mutating func beginLegacyCatch(_ instruction: Instruction) {
        guard var frame = control.popLast() else { return }
        if live {
            spillStack()
            moveBranchValues(to: frame)
            frame.labelCache = frame.labelCache.map { $0.intersection(cache) } ?? cache
            masm.jump(frame.label)
        }
        // A catch body is entered from a handler: no local is in a register.
        forgetCache()
        if frame.inCatch {
            masm.bind(frame.nextCatch!)
        } else {
            // The catch bodies are not covered by their own try.
            handlers.removeLast()
            masm.bind(frame.dispatch!)
            masm.enterHandler()
            frame.inCatch = true
        }
        let next = masm.newLabel()
        frame.nextCatch = next
        resetStack(to: frame.height, pushing: [])
        push(.ref(RefType(nullable: false, heapType: .abstract(.exn))), .home)
        masm.storeExceptionReference(slot: stack[stack.count - 1].home)
        if case .index(let tag) = instruction.immediate, instruction.opcode == .catch {
            masm.branchUnlessExceptionTag(Int(tag), to: next)
            let payload = context.tagParameters(tag) ?? []
            let first = nextHome
            for t in payload { push(t, .home) }
            if !payload.isEmpty { masm.copyExceptionPayload(to: first, count: payload.slotCount) }
        }
        control.append(frame)
        live = true
    }
}
