import WasmSyntax

extension FunctionCompiler {
    /// Compiles a float operator or conversion; false for any other instruction.
    mutating func compileFloat(_ op: Opcode) -> Bool {
        if let (binary, size) = Self.floatBinaryOps[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.floatBinary(binary, size, l, l, r)
            registers.free(r)
            push(lhs.type, .register(l))
        } else if let (unary, size) = Self.floatUnaryOps[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.floatUnary(unary, size, v, v)
            push(value.type, .register(v))
        } else if let (condition, size) = Self.floatComparisons[op] {
            let rhs = pop(), lhs = pop()
            let r = intoRegister(rhs, height: stack.count + 1), l = intoRegister(lhs)
            masm.floatCompare(condition, size, l, l, r)
            registers.free(r)
            push(.i32, .register(l))
        } else if let (conversion, result) = Self.conversions[op] {
            let value = pop()
            let v = intoRegister(value)
            masm.convert(conversion, v, v)
            push(result, .register(v))
        } else {
            return false
        }
        return true
    }

    static var floatBinaryOps: [Opcode: (FloatBinaryOp, FloatSize)] {
        [.f32Add: (.add, .f32), .f32Sub: (.sub, .f32), .f32Mul: (.mul, .f32), .f32Div: (.div, .f32),
         .f32Min: (.min, .f32), .f32Max: (.max, .f32), .f32Copysign: (.copysign, .f32),
         .f64Add: (.add, .f64), .f64Sub: (.sub, .f64), .f64Mul: (.mul, .f64), .f64Div: (.div, .f64),
         .f64Min: (.min, .f64), .f64Max: (.max, .f64), .f64Copysign: (.copysign, .f64)]
    }

    static var floatUnaryOps: [Opcode: (FloatUnaryOp, FloatSize)] {
        [.f32Abs: (.abs, .f32), .f32Neg: (.neg, .f32), .f32Sqrt: (.sqrt, .f32), .f32Ceil: (.ceil, .f32),
         .f32Floor: (.floor, .f32), .f32Trunc: (.trunc, .f32), .f32Nearest: (.nearest, .f32),
         .f64Abs: (.abs, .f64), .f64Neg: (.neg, .f64), .f64Sqrt: (.sqrt, .f64), .f64Ceil: (.ceil, .f64),
         .f64Floor: (.floor, .f64), .f64Trunc: (.trunc, .f64), .f64Nearest: (.nearest, .f64)]
    }

    static var floatComparisons: [Opcode: (FloatCondition, FloatSize)] {
        [.f32Eq: (.eq, .f32), .f32Ne: (.ne, .f32), .f32Lt: (.lt, .f32), .f32Gt: (.gt, .f32), .f32Le: (.le, .f32),
         .f32Ge: (.ge, .f32), .f64Eq: (.eq, .f64), .f64Ne: (.ne, .f64), .f64Lt: (.lt, .f64), .f64Gt: (.gt, .f64),
         .f64Le: (.le, .f64), .f64Ge: (.ge, .f64)]
    }

    static var conversions: [Opcode: (Conversion, ValueType)] {
        var table: [Opcode: (Conversion, ValueType)] = [
            .f32ConvertI32S: (.fromInteger(signed: true, from64: false, to: .f32), .f32),
            .f32ConvertI32U: (.fromInteger(signed: false, from64: false, to: .f32), .f32),
            .f32ConvertI64S: (.fromInteger(signed: true, from64: true, to: .f32), .f32),
            .f32ConvertI64U: (.fromInteger(signed: false, from64: true, to: .f32), .f32),
            .f64ConvertI32S: (.fromInteger(signed: true, from64: false, to: .f64), .f64),
            .f64ConvertI32U: (.fromInteger(signed: false, from64: false, to: .f64), .f64),
            .f64ConvertI64S: (.fromInteger(signed: true, from64: true, to: .f64), .f64),
            .f64ConvertI64U: (.fromInteger(signed: false, from64: true, to: .f64), .f64),
            .f32DemoteF64: (.demote, .f32), .f64PromoteF32: (.promote, .f64),
        ]
        let truncations: [(Opcode, Opcode, Bool, Bool, FloatSize)] = [
            (.i32TruncF32S, .i32TruncSatF32S, true, false, .f32), (.i32TruncF32U, .i32TruncSatF32U, false, false, .f32),
            (.i32TruncF64S, .i32TruncSatF64S, true, false, .f64), (.i32TruncF64U, .i32TruncSatF64U, false, false, .f64),
            (.i64TruncF32S, .i64TruncSatF32S, true, true, .f32), (.i64TruncF32U, .i64TruncSatF32U, false, true, .f32),
            (.i64TruncF64S, .i64TruncSatF64S, true, true, .f64), (.i64TruncF64U, .i64TruncSatF64U, false, true, .f64),
        ]
        for (trapping, saturating, signed, to64, from) in truncations {
            let result: ValueType = to64 ? .i64 : .i32
            table[trapping] = (.toInteger(signed: signed, to64: to64, from: from, saturating: false), result)
            table[saturating] = (.toInteger(signed: signed, to64: to64, from: from, saturating: true), result)
        }
        return table
    }
}
