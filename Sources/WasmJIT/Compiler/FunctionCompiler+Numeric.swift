import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// Compiles an integer operator; false for any other instruction.
    mutating func compileNumeric(_ op: Opcode) throws(CompileError) -> Bool {
        if let (binary, w) = OperatorTables.binaryOps[op] {
            binaryOperation { $0.binary(binary, w, $1, $1, $2) }
        } else if let (division, w) = OperatorTables.divisionOps[op] {
            binaryOperation { $0.divide(division, w, $1, $1, $2) }
        } else if let (condition, w) = OperatorTables.comparisons[op] {
            binaryOperation(.i32) { $0.compare(condition, w, $1, $1, $2) }
        } else if op == .i32Eqz || op == .i64Eqz {
            push(op == .i32Eqz ? .i32 : .i64, .constant(0))
            binaryOperation(.i32) { $0.compare(.eq, op == .i32Eqz ? .w32 : .w64, $1, $1, $2) }
        } else if let (unary, w) = OperatorTables.unaryOps[op] {
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
        } else if let (extend, result) = OperatorTables.extensions[op] {
            unaryOperation(result) { $0.extend(extend, $1, $1) }
        } else {
            return false
        }
        return true
    }
}
