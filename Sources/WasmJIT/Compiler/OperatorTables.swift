import WasmSyntax

/// The operators the compiler maps one to one onto `MacroAssembler`
/// operations, by opcode. Built once (a generic type cannot have stored
/// statics): building them per lookup made the JIT compile 2x slower.
enum OperatorTables {
    static let binaryOps: [Opcode: (IntBinaryOp, Width)] = [
        .i32Add: (.add, .w32), .i32Sub: (.sub, .w32), .i32Mul: (.mul, .w32), .i32And: (.and, .w32),
        .i32Or: (.or, .w32), .i32Xor: (.xor, .w32), .i32Shl: (.shl, .w32), .i32ShrS: (.shrS, .w32),
        .i32ShrU: (.shrU, .w32), .i32Rotl: (.rotl, .w32), .i32Rotr: (.rotr, .w32),
        .i64Add: (.add, .w64), .i64Sub: (.sub, .w64), .i64Mul: (.mul, .w64), .i64And: (.and, .w64),
        .i64Or: (.or, .w64), .i64Xor: (.xor, .w64), .i64Shl: (.shl, .w64), .i64ShrS: (.shrS, .w64),
        .i64ShrU: (.shrU, .w64), .i64Rotl: (.rotl, .w64), .i64Rotr: (.rotr, .w64),
    ]

    static let divisionOps: [Opcode: (IntDivisionOp, Width)] = [
        .i32DivS: (.divS, .w32), .i32DivU: (.divU, .w32), .i32RemS: (.remS, .w32), .i32RemU: (.remU, .w32),
        .i64DivS: (.divS, .w64), .i64DivU: (.divU, .w64), .i64RemS: (.remS, .w64), .i64RemU: (.remU, .w64),
    ]

    static let comparisons: [Opcode: (Condition, Width)] = [
        .i32Eq: (.eq, .w32), .i32Ne: (.ne, .w32), .i32LtS: (.ltS, .w32), .i32LtU: (.ltU, .w32),
        .i32GtS: (.gtS, .w32), .i32GtU: (.gtU, .w32), .i32LeS: (.leS, .w32), .i32LeU: (.leU, .w32),
        .i32GeS: (.geS, .w32), .i32GeU: (.geU, .w32),
        .i64Eq: (.eq, .w64), .i64Ne: (.ne, .w64), .i64LtS: (.ltS, .w64), .i64LtU: (.ltU, .w64),
        .i64GtS: (.gtS, .w64), .i64GtU: (.gtU, .w64), .i64LeS: (.leS, .w64), .i64LeU: (.leU, .w64),
        .i64GeS: (.geS, .w64), .i64GeU: (.geU, .w64),
    ]

    static let unaryOps: [Opcode: (IntUnaryOp, Width)] = [
        .i32Clz: (.clz, .w32), .i32Ctz: (.ctz, .w32), .i32Popcnt: (.popcnt, .w32),
        .i64Clz: (.clz, .w64), .i64Ctz: (.ctz, .w64), .i64Popcnt: (.popcnt, .w64),
    ]

    static let extensions: [Opcode: (ExtendOp, ValueType)] = [
        .i64ExtendI32S: (.i64FromI32S, .i64), .i64ExtendI32U: (.i64FromI32U, .i64), .i32WrapI64: (.i32FromI64, .i32),
        .i32Extend8S: (.i32From8S, .i32), .i32Extend16S: (.i32From16S, .i32), .i64Extend8S: (.i64From8S, .i64),
        .i64Extend16S: (.i64From16S, .i64), .i64Extend32S: (.i64From32S, .i64),
    ]

    static let floatBinaryOps: [Opcode: (FloatBinaryOp, FloatSize)] = [
        .f32Add: (.add, .f32), .f32Sub: (.sub, .f32), .f32Mul: (.mul, .f32), .f32Div: (.div, .f32),
        .f32Min: (.min, .f32), .f32Max: (.max, .f32), .f32Copysign: (.copysign, .f32),
        .f64Add: (.add, .f64), .f64Sub: (.sub, .f64), .f64Mul: (.mul, .f64), .f64Div: (.div, .f64),
        .f64Min: (.min, .f64), .f64Max: (.max, .f64), .f64Copysign: (.copysign, .f64),
    ]

    static let floatUnaryOps: [Opcode: (FloatUnaryOp, FloatSize)] = [
        .f32Abs: (.abs, .f32), .f32Neg: (.neg, .f32), .f32Sqrt: (.sqrt, .f32), .f32Ceil: (.ceil, .f32),
        .f32Floor: (.floor, .f32), .f32Trunc: (.trunc, .f32), .f32Nearest: (.nearest, .f32),
        .f64Abs: (.abs, .f64), .f64Neg: (.neg, .f64), .f64Sqrt: (.sqrt, .f64), .f64Ceil: (.ceil, .f64),
        .f64Floor: (.floor, .f64), .f64Trunc: (.trunc, .f64), .f64Nearest: (.nearest, .f64),
    ]

    static let floatComparisons: [Opcode: (FloatCondition, FloatSize)] = [
        .f32Eq: (.eq, .f32), .f32Ne: (.ne, .f32), .f32Lt: (.lt, .f32), .f32Gt: (.gt, .f32), .f32Le: (.le, .f32),
        .f32Ge: (.ge, .f32), .f64Eq: (.eq, .f64), .f64Ne: (.ne, .f64), .f64Lt: (.lt, .f64), .f64Gt: (.gt, .f64),
        .f64Le: (.le, .f64), .f64Ge: (.ge, .f64),
    ]

    static let conversions: [Opcode: (Conversion, ValueType)] = {
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
    }()

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
