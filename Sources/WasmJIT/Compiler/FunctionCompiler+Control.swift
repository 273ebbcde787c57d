import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    func blockTypes(_ immediate: Immediate) -> (params: [ValueType], results: [ValueType]) {
        guard case .block(let bt) = immediate else { return ([], []) }
        switch bt {
        case .empty: return ([], [])
        case .value(let t): return ([], [t])
        case .typeIndex(let i):
            let f = context.funcType(atTypeIndex: i) ?? FuncType()
            return (f.params, f.results)
        }
    }

    mutating func compileControl(_ instruction: Instruction, offset: Int) throws(CompileError) {
        switch instruction.opcode {
        case .block, .loop:
            let (params, results) = blockTypes(instruction.immediate)
            spillAll()
            var frame = ControlFrame(kind: instruction.opcode == .loop ? .loop : .block, height: stack.count - params.count,
                                     params: params, results: results, label: masm.newLabel())
            if frame.kind == .loop {
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
        case .if:
            let (params, results) = blockTypes(instruction.immediate)
            let condition = pop()
            let c = intoRegister(condition)
            spillAll()
            let frame = ControlFrame(kind: .if, height: stack.count - params.count, params: params, results: results,
                                     label: masm.newLabel(), elseLabel: masm.newLabel())
            masm.branch(ifZero: true, .w32, c, to: frame.elseLabel!)
            registers.free(c)
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
            spillAll()
            moveBranchValues(to: frame)
            masm.jump(frame.label)
            if let e = frame.elseLabel { masm.bind(e) }
            frame.elseLabel = nil
            resetStack(to: frame.height, pushing: frame.params)
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
            let c = intoRegister(condition)
            spillAll()
            let target = control[control.count - 1 - Int(depth)]
            if needsStub(target) {
                let skip = masm.newLabel()
                masm.branch(ifZero: true, .w32, c, to: skip)
                branch(depth: Int(depth))
                masm.bind(skip)
            } else {
                masm.branch(ifZero: false, .w32, c, to: target.label)
            }
            registers.free(c)
        case .brTable:
            guard case .brTable(let targets, let defaultTarget) = instruction.immediate else { return }
            let index = pop()
            let r = intoRegister(index)
            spillAll()
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
        let target = control[control.count - 1 - depth]
        if target.kind == .function {
            emitReturn()
            return
        }
        spillAll()
        moveBranchValues(to: target)
        masm.jump(target.label)
    }

    /// Writes the results to the frame's first slots and returns.
    mutating func emitReturn() {
        spillAll()
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
            spillAll()
            if frame.kind != .loop { moveBranchValues(to: frame) }
        }
        if frame.kind != .loop { masm.bind(frame.label) }
        if let e = frame.elseLabel { masm.bind(e) }
        resetStack(to: frame.height, pushing: frame.results)
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
        case .else where deadDepth == 0:
            guard var frame = control.popLast() else { return }
            if let e = frame.elseLabel { masm.bind(e) }
            frame.elseLabel = nil
            resetStack(to: frame.height, pushing: frame.params)
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
}
