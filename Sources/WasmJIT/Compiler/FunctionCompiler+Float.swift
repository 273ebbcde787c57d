import WasmSyntax

extension FunctionCompiler {
    /// Compiles a float operator or conversion; false for any other
    /// instruction. Float operands and results are in float registers; a
    /// comparison's result and a conversion's integer side are general.
    mutating func compileFloat(_ op: Opcode) -> Bool {
        if let (binary, size) = OperatorTables.floatBinaryOps(op) {
            binaryOperation { $0.floatBinary(binary, size, $1, $1, $2) }
        } else if let (unary, size) = OperatorTables.floatUnaryOps(op) {
            unaryOperation { $0.floatUnary(unary, size, $1, $1) }
        } else if let (condition, size) = OperatorTables.floatComparisons(op) {
            // Computed by the next instruction (`materializeCompare`) or
            // fused with its branch, as integer comparisons are; both
            // operands are only read: cached locals are used in place.
            let rhs = pop(), lhs = pop()
            let r = operandRegister(rhs), l = operandRegister(lhs)
            push(.i32, .constant(0))
            pendingCompare = PendingCompare(condition: .eq, width: .w32, lhs: l, rhs: r, immediate: 0,
                                            float: (condition, size, false))
        } else if let (conversion, result) = OperatorTables.conversions(op) {
            let value = stack[stack.count - 1]
            if isFloat(value.type) == isFloat(result) {
                // promote and demote: float to float, in place.
                unaryOperation(result) { $0.convert(conversion, $1, $1) }
            } else {
                _ = pop()
                let s = operandRegister(value)
                let d = allocate(float: isFloat(result))
                masm.convert(conversion, d, s)
                releaseOperand(s)
                push(result, .register(d))
            }
        } else {
            return false
        }
        return true
    }
}
