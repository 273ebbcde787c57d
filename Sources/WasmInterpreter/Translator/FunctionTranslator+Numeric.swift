import WasmSyntax

extension FunctionTranslator {
    /// Numeric instructions with fixed operand types (`Opcode.signature`):
    /// one operand gives `a = op(b)`, two give `a = op(b, w1)`, with an
    /// immediate form when an operand is a constant the operation can take.
    mutating func translateNumeric(_ opcode: Opcode) -> Bool {
        guard let op = Self.numericOp(opcode), let signature = opcode.signature,
              let resultType = signature.results.first else { return false }
        if signature.params.count == 1 {
            let operand = pop()
            let source = slot(of: operand)
            emitResult(IR.word(op, operand.home, source), slot: operand.home)
            push(resultType, .temp)
            return true
        }
        let rhs = pop()
        let lhs = pop()
        let home = lhs.home
        if case .const(let c) = rhs.location, let (immediateOp, immediate) = Self.immediateForm(op, c) {
            let l = slot(of: lhs)
            emitResult(IR.word(immediateOp, home, l), immediate, slot: home)
        } else if case .const(let c) = lhs.location, !rhs.isConstant, let immediateOp = Self.mirroredImmediateForm(op) {
            let r = slot(of: rhs)
            emitResult(IR.word(immediateOp, home, r), c, slot: home)
        } else {
            let l = slot(of: lhs)
            let r = slot(of: rhs)
            emitResult(IR.word(op, home, l), UInt64(r), slot: home)
        }
        push(resultType, .temp)
        return true
    }

    /// `op(x, c)` as an immediate operation and its immediate.
    static func immediateForm(_ op: Op, _ c: UInt64) -> (Op, UInt64)? {
        switch op {
        case .i32Add: return (.i32AddImm, c)
        case .i32Sub: return (.i32AddImm, UInt64(0 &- UInt32(truncatingIfNeeded: c)))
        case .i32Mul: return (.i32MulImm, c)
        case .i32And: return (.i32AndImm, c)
        case .i32Or: return (.i32OrImm, c)
        case .i32Xor: return (.i32XorImm, c)
        case .i32Shl: return (.i32ShlImm, c)
        case .i32ShrS: return (.i32ShrSImm, c)
        case .i32ShrU: return (.i32ShrUImm, c)
        case .i32Rotl: return (.i32RotlImm, c)
        case .i32Rotr: return (.i32RotrImm, c)
        case .i32Eq: return (.i32EqImm, c)
        case .i32Ne: return (.i32NeImm, c)
        case .i32LtS: return (.i32LtSImm, c)
        case .i32LtU: return (.i32LtUImm, c)
        case .i32GtS: return (.i32GtSImm, c)
        case .i32GtU: return (.i32GtUImm, c)
        case .i32LeS: return (.i32LeSImm, c)
        case .i32LeU: return (.i32LeUImm, c)
        case .i32GeS: return (.i32GeSImm, c)
        case .i32GeU: return (.i32GeUImm, c)
        case .i64Add: return (.i64AddImm, c)
        case .i64Sub: return (.i64AddImm, 0 &- c)
        case .i64Mul: return (.i64MulImm, c)
        case .i64And: return (.i64AndImm, c)
        case .i64Or: return (.i64OrImm, c)
        case .i64Xor: return (.i64XorImm, c)
        case .i64Shl: return (.i64ShlImm, c)
        case .i64ShrS: return (.i64ShrSImm, c)
        case .i64ShrU: return (.i64ShrUImm, c)
        case .i64Rotl: return (.i64RotlImm, c)
        case .i64Rotr: return (.i64RotrImm, c)
        case .i64Eq: return (.i64EqImm, c)
        case .i64Ne: return (.i64NeImm, c)
        case .i64LtS: return (.i64LtSImm, c)
        case .i64LtU: return (.i64LtUImm, c)
        case .i64GtS: return (.i64GtSImm, c)
        case .i64GtU: return (.i64GtUImm, c)
        case .i64LeS: return (.i64LeSImm, c)
        case .i64LeU: return (.i64LeUImm, c)
        case .i64GeS: return (.i64GeSImm, c)
        case .i64GeU: return (.i64GeUImm, c)
        case .f32Add: return (.f32AddImm, c)
        case .f32Sub: return (.f32SubImm, c)
        case .f32Mul: return (.f32MulImm, c)
        case .f32Div: return (.f32DivImm, c)
        case .f64Add: return (.f64AddImm, c)
        case .f64Sub: return (.f64SubImm, c)
        case .f64Mul: return (.f64MulImm, c)
        case .f64Div: return (.f64DivImm, c)
        default: return nil
        }
    }

    /// `op(c, x)` as an immediate operation on `x` (commuted or mirrored).
    static func mirroredImmediateForm(_ op: Op) -> Op? {
        switch op {
        case .i32Add: return .i32AddImm
        case .i32Mul: return .i32MulImm
        case .i32And: return .i32AndImm
        case .i32Or: return .i32OrImm
        case .i32Xor: return .i32XorImm
        case .i32Eq: return .i32EqImm
        case .i32Ne: return .i32NeImm
        case .i32LtS: return .i32GtSImm
        case .i32LtU: return .i32GtUImm
        case .i32GtS: return .i32LtSImm
        case .i32GtU: return .i32LtUImm
        case .i32LeS: return .i32GeSImm
        case .i32LeU: return .i32GeUImm
        case .i32GeS: return .i32LeSImm
        case .i32GeU: return .i32LeUImm
        case .i64Add: return .i64AddImm
        case .i64Mul: return .i64MulImm
        case .i64And: return .i64AndImm
        case .i64Or: return .i64OrImm
        case .i64Xor: return .i64XorImm
        case .i64Eq: return .i64EqImm
        case .i64Ne: return .i64NeImm
        case .i64LtS: return .i64GtSImm
        case .i64LtU: return .i64GtUImm
        case .i64GtS: return .i64LtSImm
        case .i64GtU: return .i64LtUImm
        case .i64LeS: return .i64GeSImm
        case .i64LeU: return .i64GeUImm
        case .i64GeS: return .i64LeSImm
        case .i64GeU: return .i64LeUImm
        // Not commuted (which NaN an operation returns may depend on the
        // order): the immediate stays the left operand.
        case .f32Sub: return .f32RSubImm
        case .f32Div: return .f32RDivImm
        case .f64Sub: return .f64RSubImm
        case .f64Div: return .f64RDivImm
        default: return nil
        }
    }

    /// The IR operation of a numeric instruction (same name).
    static func numericOp(_ opcode: Opcode) -> Op? {
        switch opcode {
        case .i32Eqz: return .i32Eqz
        case .i32Eq: return .i32Eq
        case .i32Ne: return .i32Ne
        case .i32LtS: return .i32LtS
        case .i32LtU: return .i32LtU
        case .i32GtS: return .i32GtS
        case .i32GtU: return .i32GtU
        case .i32LeS: return .i32LeS
        case .i32LeU: return .i32LeU
        case .i32GeS: return .i32GeS
        case .i32GeU: return .i32GeU
        case .i32Clz: return .i32Clz
        case .i32Ctz: return .i32Ctz
        case .i32Popcnt: return .i32Popcnt
        case .i32Add: return .i32Add
        case .i32Sub: return .i32Sub
        case .i32Mul: return .i32Mul
        case .i32DivS: return .i32DivS
        case .i32DivU: return .i32DivU
        case .i32RemS: return .i32RemS
        case .i32RemU: return .i32RemU
        case .i32And: return .i32And
        case .i32Or: return .i32Or
        case .i32Xor: return .i32Xor
        case .i32Shl: return .i32Shl
        case .i32ShrS: return .i32ShrS
        case .i32ShrU: return .i32ShrU
        case .i32Rotl: return .i32Rotl
        case .i32Rotr: return .i32Rotr
        case .i64Eqz: return .i64Eqz
        case .i64Eq: return .i64Eq
        case .i64Ne: return .i64Ne
        case .i64LtS: return .i64LtS
        case .i64LtU: return .i64LtU
        case .i64GtS: return .i64GtS
        case .i64GtU: return .i64GtU
        case .i64LeS: return .i64LeS
        case .i64LeU: return .i64LeU
        case .i64GeS: return .i64GeS
        case .i64GeU: return .i64GeU
        case .i64Clz: return .i64Clz
        case .i64Ctz: return .i64Ctz
        case .i64Popcnt: return .i64Popcnt
        case .i64Add: return .i64Add
        case .i64Sub: return .i64Sub
        case .i64Mul: return .i64Mul
        case .i64DivS: return .i64DivS
        case .i64DivU: return .i64DivU
        case .i64RemS: return .i64RemS
        case .i64RemU: return .i64RemU
        case .i64And: return .i64And
        case .i64Or: return .i64Or
        case .i64Xor: return .i64Xor
        case .i64Shl: return .i64Shl
        case .i64ShrS: return .i64ShrS
        case .i64ShrU: return .i64ShrU
        case .i64Rotl: return .i64Rotl
        case .i64Rotr: return .i64Rotr
        case .f32Eq: return .f32Eq
        case .f32Ne: return .f32Ne
        case .f32Lt: return .f32Lt
        case .f32Gt: return .f32Gt
        case .f32Le: return .f32Le
        case .f32Ge: return .f32Ge
        case .f64Eq: return .f64Eq
        case .f64Ne: return .f64Ne
        case .f64Lt: return .f64Lt
        case .f64Gt: return .f64Gt
        case .f64Le: return .f64Le
        case .f64Ge: return .f64Ge
        case .f32Abs: return .f32Abs
        case .f32Neg: return .f32Neg
        case .f32Ceil: return .f32Ceil
        case .f32Floor: return .f32Floor
        case .f32Trunc: return .f32Trunc
        case .f32Nearest: return .f32Nearest
        case .f32Sqrt: return .f32Sqrt
        case .f32Add: return .f32Add
        case .f32Sub: return .f32Sub
        case .f32Mul: return .f32Mul
        case .f32Div: return .f32Div
        case .f32Min: return .f32Min
        case .f32Max: return .f32Max
        case .f32Copysign: return .f32Copysign
        case .f64Abs: return .f64Abs
        case .f64Neg: return .f64Neg
        case .f64Ceil: return .f64Ceil
        case .f64Floor: return .f64Floor
        case .f64Trunc: return .f64Trunc
        case .f64Nearest: return .f64Nearest
        case .f64Sqrt: return .f64Sqrt
        case .f64Add: return .f64Add
        case .f64Sub: return .f64Sub
        case .f64Mul: return .f64Mul
        case .f64Div: return .f64Div
        case .f64Min: return .f64Min
        case .f64Max: return .f64Max
        case .f64Copysign: return .f64Copysign
        case .i32WrapI64: return .i32WrapI64
        case .i32TruncF32S: return .i32TruncF32S
        case .i32TruncF32U: return .i32TruncF32U
        case .i32TruncF64S: return .i32TruncF64S
        case .i32TruncF64U: return .i32TruncF64U
        case .i64ExtendI32S: return .i64ExtendI32S
        case .i64ExtendI32U: return .i64ExtendI32U
        case .i64TruncF32S: return .i64TruncF32S
        case .i64TruncF32U: return .i64TruncF32U
        case .i64TruncF64S: return .i64TruncF64S
        case .i64TruncF64U: return .i64TruncF64U
        case .f32ConvertI32S: return .f32ConvertI32S
        case .f32ConvertI32U: return .f32ConvertI32U
        case .f32ConvertI64S: return .f32ConvertI64S
        case .f32ConvertI64U: return .f32ConvertI64U
        case .f32DemoteF64: return .f32DemoteF64
        case .f64ConvertI32S: return .f64ConvertI32S
        case .f64ConvertI32U: return .f64ConvertI32U
        case .f64ConvertI64S: return .f64ConvertI64S
        case .f64ConvertI64U: return .f64ConvertI64U
        case .f64PromoteF32: return .f64PromoteF32
        case .i32Extend8S: return .i32Extend8S
        case .i32Extend16S: return .i32Extend16S
        case .i64Extend8S: return .i64Extend8S
        case .i64Extend16S: return .i64Extend16S
        case .i64Extend32S: return .i64Extend32S
        case .i32TruncSatF32S: return .i32TruncSatF32S
        case .i32TruncSatF32U: return .i32TruncSatF32U
        case .i32TruncSatF64S: return .i32TruncSatF64S
        case .i32TruncSatF64U: return .i32TruncSatF64U
        case .i64TruncSatF32S: return .i64TruncSatF32S
        case .i64TruncSatF32U: return .i64TruncSatF32U
        case .i64TruncSatF64S: return .i64TruncSatF64S
        case .i64TruncSatF64U: return .i64TruncSatF64U
        default: return nil
        }
    }
}

extension Operand {
    var isConstant: Bool {
        switch location {
        case .const, .const128: return true
        case .temp, .local: return false
        }
    }

    /// A constant whose bits are all zero (0, +0.0, null, a zero vector).
    var isZeroConstant: Bool {
        switch location {
        case .const(let c): return c == 0
        case .const128(let v): return v.lo == 0 && v.hi == 0
        case .temp, .local: return false
        }
    }
}
