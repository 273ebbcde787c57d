import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// Compiles an integer operator; false for any other instruction.
    mutating func compileNumeric(_ op: Opcode) throws(CompileError) -> Bool {
        if let (binary, w) = OperatorTables.binaryOps(op) {
            if case .constant(let bits) = stack[stack.count - 1].location {
                _ = pop()
                let lhs = pop()
                let l = intoRegister(lhs)
                masm.binary(binary, w, l, l, immediate: bits)
                push(lhs.type, .register(l))
            } else {
                binaryOperation { $0.binary(binary, w, $1, $1, $2) }
            }
        } else if let (division, w) = OperatorTables.divisionOps(op) {
            binaryOperation { $0.divide(division, w, $1, $1, $2) }
        } else if let (condition, w) = OperatorTables.comparisons(op) {
            // Computed by the next instruction (`materializeCompare`) or
            // fused with its branch; both operands are only read.
            let rhs = pop(), lhs = pop()
            var immediate: UInt64 = 0
            var r: Register?
            if case .constant(let bits) = rhs.location { immediate = bits } else { r = operandRegister(rhs) }
            let l = operandRegister(lhs)
            push(.i32, .constant(0))
            pendingCompare = PendingCompare(condition: condition, width: w, lhs: l, rhs: r, immediate: immediate)
        } else if op == .i32Eqz, var pending = pendingCompare {
            // eqz of a comparison is the inverse comparison (of a float
            // one, its negation).
            if let float = pending.float {
                pending.float = (float.condition, float.size, !float.negated)
            } else {
                pending.condition = pending.condition.inverted
            }
            pendingCompare = pending
        } else if op == .i32Eqz || op == .i64Eqz {
            let l = operandRegister(pop())
            push(.i32, .constant(0))
            pendingCompare = PendingCompare(condition: .eq, width: op == .i32Eqz ? .w32 : .w64, lhs: l, rhs: nil, immediate: 0)
        } else if let (unary, w) = OperatorTables.unaryOps(op) {
            unaryOperation { $0.unary(unary, w, $1, $1) }
        } else if op == .i64Add128 || op == .i64Sub128 {
            let bHi = pop(), bLo = pop(), aHi = pop(), aLo = pop()
            let h = stack.count
            let r3 = intoRegister(bHi, height: h + 3), r2 = intoRegister(bLo, height: h + 2)
            let r1 = intoRegister(aHi, height: h + 1), r0 = intoRegister(aLo, height: h)
            masm.wide(op == .i64Add128 ? .add128 : .sub128, lo: r0, hi: r1, (r0, r1), (r2, r3))
            registers.free(r2)
            registers.free(r3)
            push(.i64, .register(r0))
            push(.i64, .register(r1))
        } else if op == .i64MulWideS || op == .i64MulWideU {
            // The operands as (a, b) in the pair's places.
            let b = pop(), a = pop()
            let h = stack.count
            let rb = intoRegister(b, height: h + 1), ra = intoRegister(a, height: h)
            masm.wide(op == .i64MulWideS ? .mulWideS : .mulWideU, lo: ra, hi: rb, (ra, rb), (ra, rb))
            push(.i64, .register(ra))
            push(.i64, .register(rb))
        } else if let (extend, result) = OperatorTables.extensions(op) {
            unaryOperation(result) { $0.extend(extend, $1, $1) }
        } else {
            return false
        }
        return true
    }

    /// Computes the pending comparison: its placeholder on the stack
    /// becomes the 0 or 1 in a register.
    mutating func materializeCompare() {
        guard let p = pendingCompare else { return }
        pendingCompare = nil
        _ = pop()
        if let float = p.float, let r = p.rhs {
            let d = allocate()
            masm.floatCompare(float.condition, float.size, d, p.lhs, r)
            if float.negated { masm.binary(.xor, .w32, d, d, immediate: 1) }
            releaseCompare(p)
            push(.i32, .register(d))
            return
        }
        let d = isBorrowed(p.lhs) ? allocate() : p.lhs
        if let r = p.rhs {
            masm.compare(p.condition, p.width, d, p.lhs, r)
            releaseOperand(r)
        } else {
            masm.compare(p.condition, p.width, d, p.lhs, immediate: p.immediate)
        }
        if d != p.lhs { releaseOperand(p.lhs) }
        push(.i32, .register(d))
    }

    /// Frees what a pending comparison held.
    mutating func releaseCompare(_ p: PendingCompare) {
        releaseOperand(p.lhs)
        if let r = p.rhs { releaseOperand(r) }
    }

    /// Jumps to `label` when the pending comparison `p` (popped) holds, or
    /// when it does not (`negated`).
    mutating func branch(on p: PendingCompare, negated: Bool, to label: Label) {
        if let float = p.float, let r = p.rhs {
            masm.branch(floatCompare: float.condition, float.size, p.lhs, r, when: negated == float.negated, to: label)
            return
        }
        let condition = negated ? p.condition.inverted : p.condition
        if let r = p.rhs {
            masm.branch(compare: condition, p.width, p.lhs, r, to: label)
        } else if p.immediate == 0 && (condition == .eq || condition == .ne) {
            masm.branch(ifZero: condition == .eq, p.width, p.lhs, to: label)
        } else {
            masm.branch(compare: condition, p.width, p.lhs, immediate: p.immediate, to: label)
        }
    }
}
