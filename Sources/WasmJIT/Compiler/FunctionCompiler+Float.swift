import WasmSyntax

extension FunctionCompiler {
    /// Compiles a float operator or conversion; false for any other instruction.
    mutating func compileFloat(_ op: Opcode) -> Bool {
        if let (binary, size) = OperatorTables.floatBinaryOps[op] {
            binaryOperation { $0.floatBinary(binary, size, $1, $1, $2) }
        } else if let (unary, size) = OperatorTables.floatUnaryOps[op] {
            unaryOperation { $0.floatUnary(unary, size, $1, $1) }
        } else if let (condition, size) = OperatorTables.floatComparisons[op] {
            binaryOperation(.i32) { $0.floatCompare(condition, size, $1, $1, $2) }
        } else if let (conversion, result) = OperatorTables.conversions[op] {
            unaryOperation(result) { $0.convert(conversion, $1, $1) }
        } else {
            return false
        }
        return true
    }
}
