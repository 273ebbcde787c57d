import WasmSyntax

/// The operators the compiler maps one to one onto `MacroAssembler`
/// operations, by opcode: switches, which compile to jump tables. (They
/// were dictionaries: a numeric operator was hashed up to nine times,
/// 1.5% of the JIT's compile time.)
enum OperatorTables {
    static func binaryOps(_ op: Opcode) -> (IntBinaryOp, Width)? {
        switch op {
        case .i32Add: return (.add, .w32)
        case .i32Sub: return (.sub, .w32)
        case .i32Mul: return (.mul, .w32)
        case .i32And: return (.and, .w32)
        case .i32Or: return (.or, .w32)
        case .i32Xor: return (.xor, .w32)
        case .i32Shl: return (.shl, .w32)
        case .i32ShrS: return (.shrS, .w32)
        case .i32ShrU: return (.shrU, .w32)
        case .i32Rotl: return (.rotl, .w32)
        case .i32Rotr: return (.rotr, .w32)
        case .i64Add: return (.add, .w64)
        case .i64Sub: return (.sub, .w64)
        case .i64Mul: return (.mul, .w64)
        case .i64And: return (.and, .w64)
        case .i64Or: return (.or, .w64)
        case .i64Xor: return (.xor, .w64)
        case .i64Shl: return (.shl, .w64)
        case .i64ShrS: return (.shrS, .w64)
        case .i64ShrU: return (.shrU, .w64)
        case .i64Rotl: return (.rotl, .w64)
        case .i64Rotr: return (.rotr, .w64)
        default: return nil
        }
    }

    static func divisionOps(_ op: Opcode) -> (IntDivisionOp, Width)? {
        switch op {
        case .i32DivS: return (.divS, .w32)
        case .i32DivU: return (.divU, .w32)
        case .i32RemS: return (.remS, .w32)
        case .i32RemU: return (.remU, .w32)
        case .i64DivS: return (.divS, .w64)
        case .i64DivU: return (.divU, .w64)
        case .i64RemS: return (.remS, .w64)
        case .i64RemU: return (.remU, .w64)
        default: return nil
        }
    }

    static func comparisons(_ op: Opcode) -> (Condition, Width)? {
        switch op {
        case .i32Eq: return (.eq, .w32)
        case .i32Ne: return (.ne, .w32)
        case .i32LtS: return (.ltS, .w32)
        case .i32LtU: return (.ltU, .w32)
        case .i32GtS: return (.gtS, .w32)
        case .i32GtU: return (.gtU, .w32)
        case .i32LeS: return (.leS, .w32)
        case .i32LeU: return (.leU, .w32)
        case .i32GeS: return (.geS, .w32)
        case .i32GeU: return (.geU, .w32)
        case .i64Eq: return (.eq, .w64)
        case .i64Ne: return (.ne, .w64)
        case .i64LtS: return (.ltS, .w64)
        case .i64LtU: return (.ltU, .w64)
        case .i64GtS: return (.gtS, .w64)
        case .i64GtU: return (.gtU, .w64)
        case .i64LeS: return (.leS, .w64)
        case .i64LeU: return (.leU, .w64)
        case .i64GeS: return (.geS, .w64)
        case .i64GeU: return (.geU, .w64)
        default: return nil
        }
    }

    static func unaryOps(_ op: Opcode) -> (IntUnaryOp, Width)? {
        switch op {
        case .i32Clz: return (.clz, .w32)
        case .i32Ctz: return (.ctz, .w32)
        case .i32Popcnt: return (.popcnt, .w32)
        case .i64Clz: return (.clz, .w64)
        case .i64Ctz: return (.ctz, .w64)
        case .i64Popcnt: return (.popcnt, .w64)
        default: return nil
        }
    }

    static func extensions(_ op: Opcode) -> (ExtendOp, ValueType)? {
        switch op {
        case .i64ExtendI32S: return (.i64FromI32S, .i64)
        case .i64ExtendI32U: return (.i64FromI32U, .i64)
        case .i32WrapI64: return (.i32FromI64, .i32)
        case .i32Extend8S: return (.i32From8S, .i32)
        case .i32Extend16S: return (.i32From16S, .i32)
        case .i64Extend8S: return (.i64From8S, .i64)
        case .i64Extend16S: return (.i64From16S, .i64)
        case .i64Extend32S: return (.i64From32S, .i64)
        default: return nil
        }
    }

    static func floatBinaryOps(_ op: Opcode) -> (FloatBinaryOp, FloatSize)? {
        switch op {
        case .f32Add: return (.add, .f32)
        case .f32Sub: return (.sub, .f32)
        case .f32Mul: return (.mul, .f32)
        case .f32Div: return (.div, .f32)
        case .f32Min: return (.min, .f32)
        case .f32Max: return (.max, .f32)
        case .f32Copysign: return (.copysign, .f32)
        case .f64Add: return (.add, .f64)
        case .f64Sub: return (.sub, .f64)
        case .f64Mul: return (.mul, .f64)
        case .f64Div: return (.div, .f64)
        case .f64Min: return (.min, .f64)
        case .f64Max: return (.max, .f64)
        case .f64Copysign: return (.copysign, .f64)
        default: return nil
        }
    }

    static func floatUnaryOps(_ op: Opcode) -> (FloatUnaryOp, FloatSize)? {
        switch op {
        case .f32Abs: return (.abs, .f32)
        case .f32Neg: return (.neg, .f32)
        case .f32Sqrt: return (.sqrt, .f32)
        case .f32Ceil: return (.ceil, .f32)
        case .f32Floor: return (.floor, .f32)
        case .f32Trunc: return (.trunc, .f32)
        case .f32Nearest: return (.nearest, .f32)
        case .f64Abs: return (.abs, .f64)
        case .f64Neg: return (.neg, .f64)
        case .f64Sqrt: return (.sqrt, .f64)
        case .f64Ceil: return (.ceil, .f64)
        case .f64Floor: return (.floor, .f64)
        case .f64Trunc: return (.trunc, .f64)
        case .f64Nearest: return (.nearest, .f64)
        default: return nil
        }
    }

    static func floatComparisons(_ op: Opcode) -> (FloatCondition, FloatSize)? {
        switch op {
        case .f32Eq: return (.eq, .f32)
        case .f32Ne: return (.ne, .f32)
        case .f32Lt: return (.lt, .f32)
        case .f32Gt: return (.gt, .f32)
        case .f32Le: return (.le, .f32)
        case .f32Ge: return (.ge, .f32)
        case .f64Eq: return (.eq, .f64)
        case .f64Ne: return (.ne, .f64)
        case .f64Lt: return (.lt, .f64)
        case .f64Gt: return (.gt, .f64)
        case .f64Le: return (.le, .f64)
        case .f64Ge: return (.ge, .f64)
        default: return nil
        }
    }

    static func conversions(_ op: Opcode) -> (Conversion, ValueType)? {
        switch op {
        case .f32ConvertI32S: return (.fromInteger(signed: true, from64: false, to: .f32), .f32)
        case .f32ConvertI32U: return (.fromInteger(signed: false, from64: false, to: .f32), .f32)
        case .f32ConvertI64S: return (.fromInteger(signed: true, from64: true, to: .f32), .f32)
        case .f32ConvertI64U: return (.fromInteger(signed: false, from64: true, to: .f32), .f32)
        case .f64ConvertI32S: return (.fromInteger(signed: true, from64: false, to: .f64), .f64)
        case .f64ConvertI32U: return (.fromInteger(signed: false, from64: false, to: .f64), .f64)
        case .f64ConvertI64S: return (.fromInteger(signed: true, from64: true, to: .f64), .f64)
        case .f64ConvertI64U: return (.fromInteger(signed: false, from64: true, to: .f64), .f64)
        case .f32DemoteF64: return (.demote, .f32)
        case .f64PromoteF32: return (.promote, .f64)
        case .i32TruncF32S, .i32TruncSatF32S: return (.toInteger(signed: true, to64: false, from: .f32, saturating: op == .i32TruncSatF32S), .i32)
        case .i32TruncF32U, .i32TruncSatF32U: return (.toInteger(signed: false, to64: false, from: .f32, saturating: op == .i32TruncSatF32U), .i32)
        case .i32TruncF64S, .i32TruncSatF64S: return (.toInteger(signed: true, to64: false, from: .f64, saturating: op == .i32TruncSatF64S), .i32)
        case .i32TruncF64U, .i32TruncSatF64U: return (.toInteger(signed: false, to64: false, from: .f64, saturating: op == .i32TruncSatF64U), .i32)
        case .i64TruncF32S, .i64TruncSatF32S: return (.toInteger(signed: true, to64: true, from: .f32, saturating: op == .i64TruncSatF32S), .i64)
        case .i64TruncF32U, .i64TruncSatF32U: return (.toInteger(signed: false, to64: true, from: .f32, saturating: op == .i64TruncSatF32U), .i64)
        case .i64TruncF64S, .i64TruncSatF64S: return (.toInteger(signed: true, to64: true, from: .f64, saturating: op == .i64TruncSatF64S), .i64)
        case .i64TruncF64U, .i64TruncSatF64U: return (.toInteger(signed: false, to64: true, from: .f64, saturating: op == .i64TruncSatF64U), .i64)
        default: return nil
        }
    }

    /// The v128 -> v128 operators of three operands.
    static let ternaryVectorOps: Set<Opcode> = [
        .v128Bitselect, .f32x4RelaxedMadd, .f32x4RelaxedNmadd, .f64x2RelaxedMadd, .f64x2RelaxedNmadd,
        .i8x16RelaxedLaneselect, .i16x8RelaxedLaneselect, .i32x4RelaxedLaneselect, .i64x2RelaxedLaneselect,
        .i32x4RelaxedDotI8x16I7x16AddS,
    ]

    /// The v128 -> v128 operators of one operand, found by name once.
    static let unaryVectorOps: Set<Opcode> = {
        let words = [".abs", ".neg", ".sqrt", ".ceil", ".floor", ".trunc", ".nearest", ".popcnt", "extend_", "convert",
                     "demote", "promote", "extadd_pairwise", "relaxed_trunc"]
        var unary: Set<Opcode> = [.v128Not]
        for op in Opcode.allCases where !op.feature.isDisjoint(with: [.simd, .relaxedSimd]) {
            if words.contains(where: { op.mnemonic.contains($0) }) { unary.insert(op) }
        }
        return unary
    }()
}
