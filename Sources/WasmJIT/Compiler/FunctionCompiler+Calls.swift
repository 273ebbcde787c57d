import WasmSyntax

extension FunctionCompiler {
    /// Calls: the arguments go home, where they are the callee's first
    /// slots (its frame starts at the first argument's home), and its
    /// results come back there. Tail calls move the arguments to this
    /// frame's first slots and replace the frame.
    mutating func compileCall(_ instruction: Instruction) {
        let op = instruction.opcode
        let type: FuncType
        switch instruction.immediate {
        case .index(let i) where op == .call || op == .returnCall:
            type = context.funcType(ofFunction: i) ?? FuncType()
        case .index(let t):
            type = context.funcType(atTypeIndex: t) ?? FuncType()
        case .indexPair(let t, _):
            type = context.funcType(atTypeIndex: t) ?? FuncType()
        default:
            return
        }
        spillAll()
        // The callee operand (a table index or a reference) is above the
        // arguments, in its home.
        var target: CallTarget
        switch (op, instruction.immediate) {
        case (.call, .index(let i)), (.returnCall, .index(let i)):
            let defined = Int(i) - context.importedFunctionCount
            target = defined >= 0 ? .direct(functionLabel(defined)) : .function(Int(i))
        case (.callIndirect, .indexPair(let t, let table)), (.returnCallIndirect, .indexPair(let t, let table)):
            _ = pop()
            target = .indirect(table: Int(table), type: Int(t), indexSlot: home(stack.count))
        default:
            _ = pop()
            target = .reference(slot: home(stack.count))
        }
        let base = stack.count - type.params.count
        if op == .returnCall || op == .returnCallIndirect || op == .returnCallRef {
            var slot = 0
            for (i, t) in type.params.enumerated() {
                copyValue(t, to: slot, from: home(base + i))
                slot += t.slotCount
            }
            masm.tailCall(target)
            live = false
            return
        }
        masm.call(target, frameOffset: home(base), handler: handlers.last)
        resetStack(to: base, pushing: type.results)
    }
}
