import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// Compiles an integer operator; false for any other instruction.
    mutating func compileNumeric(_ op: Opcode) throws(CompileError) -> Bool {
        if let (binary, w) = Self.binaryOps[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.binary(binary, w, l, l, r)
            registers.free(r)
            push(lhs.type, .register(l))
        } else if let (division, w) = Self.divisionOps[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.divide(division, w, l, l, r)
            registers.free(r)
            push(lhs.type, .register(l))
        } else if let (condition, w) = Self.comparisons[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.compare(condition, w, l, l, r)
            registers.free(r)
            push(.i32, .register(l))
        } else if op == .i32Eqz || op == .i64Eqz {
            let value = pop()
            let v = intoRegister(value)
            let zero = allocate()
            masm.moveImmediate(zero, 0)
            masm.compare(.eq, op == .i32Eqz ? .w32 : .w64, v, v, zero)
            registers.free(zero)
            push(.i32, .register(v))
        } else if let (unary, w) = Self.unaryOps[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.unary(unary, w, v, v)
            push(value.type, .register(v))
        } else if let (extend, result) = Self.extensions[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.extend(extend, v, v)
            push(result, .register(v))
        } else {
            return false
        }
        return true
    }

    static var binaryOps: [Opcode: (IntBinaryOp, Width)] {
        [.i32Add: (.add, .w32), .i32Sub: (.sub, .w32), .i32Mul: (.mul, .w32), .i32And: (.and, .w32),
         .i32Or: (.or, .w32), .i32Xor: (.xor, .w32), .i32Shl: (.shl, .w32), .i32ShrS: (.shrS, .w32),
         .i32ShrU: (.shrU, .w32), .i32Rotl: (.rotl, .w32), .i32Rotr: (.rotr, .w32),
         .i64Add: (.add, .w64), .i64Sub: (.sub, .w64), .i64Mul: (.mul, .w64), .i64And: (.and, .w64),
         .i64Or: (.or, .w64), .i64Xor: (.xor, .w64), .i64Shl: (.shl, .w64), .i64ShrS: (.shrS, .w64),
         .i64ShrU: (.shrU, .w64), .i64Rotl: (.rotl, .w64), .i64Rotr: (.rotr, .w64)]
    }

    static var divisionOps: [Opcode: (IntDivisionOp, Width)] {
        [.i32DivS: (.divS, .w32), .i32DivU: (.divU, .w32), .i32RemS: (.remS, .w32), .i32RemU: (.remU, .w32),
         .i64DivS: (.divS, .w64), .i64DivU: (.divU, .w64), .i64RemS: (.remS, .w64), .i64RemU: (.remU, .w64)]
    }

    static var comparisons: [Opcode: (Condition, Width)] {
        [.i32Eq: (.eq, .w32), .i32Ne: (.ne, .w32), .i32LtS: (.ltS, .w32), .i32LtU: (.ltU, .w32),
         .i32GtS: (.gtS, .w32), .i32GtU: (.gtU, .w32), .i32LeS: (.leS, .w32), .i32LeU: (.leU, .w32),
         .i32GeS: (.geS, .w32), .i32GeU: (.geU, .w32),
         .i64Eq: (.eq, .w64), .i64Ne: (.ne, .w64), .i64LtS: (.ltS, .w64), .i64LtU: (.ltU, .w64),
         .i64GtS: (.gtS, .w64), .i64GtU: (.gtU, .w64), .i64LeS: (.leS, .w64), .i64LeU: (.leU, .w64),
         .i64GeS: (.geS, .w64), .i64GeU: (.geU, .w64)]
    }

    static var unaryOps: [Opcode: (IntUnaryOp, Width)] {
        [.i32Clz: (.clz, .w32), .i32Ctz: (.ctz, .w32), .i32Popcnt: (.popcnt, .w32),
         .i64Clz: (.clz, .w64), .i64Ctz: (.ctz, .w64), .i64Popcnt: (.popcnt, .w64)]
    }

    static var extensions: [Opcode: (ExtendOp, ValueType)] {
        [.i64ExtendI32S: (.i64FromI32S, .i64), .i64ExtendI32U: (.i64FromI32U, .i64), .i32WrapI64: (.i32FromI64, .i32),
         .i32Extend8S: (.i32From8S, .i32), .i32Extend16S: (.i32From16S, .i32), .i64Extend8S: (.i64From8S, .i64),
         .i64Extend16S: (.i64From16S, .i64), .i64Extend32S: (.i64From32S, .i64)]
    }
}
