import WasmSyntax

extension FunctionCompiler {
    /// Compiles a float operator or conversion; false for any other instruction.
    mutating func compileFloat(_ op: Opcode) -> Bool {
        if let (binary, size) = OperatorTables.floatBinaryOps[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.floatBinary(binary, size, l, l, r)
            registers.free(r)
            push(lhs.type, .register(l))
        } else if let (unary, size) = OperatorTables.floatUnaryOps[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.floatUnary(unary, size, v, v)
            push(value.type, .register(v))
        } else if let (condition, size) = OperatorTables.floatComparisons[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.floatCompare(condition, size, l, l, r)
            registers.free(r)
            push(.i32, .register(l))
        } else if let (conversion, result) = OperatorTables.conversions[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.convert(conversion, v, v)
            push(result, .register(v))
        } else {
            return false
        }
        return true
    }
}
