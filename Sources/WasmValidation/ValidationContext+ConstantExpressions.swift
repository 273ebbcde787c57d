import WasmSyntax

/// Constant expressions (spec "Constant Expressions"): global and table
/// initialisers, segment offsets, element expressions.
extension ValidationContext {
    /// How many globals a constant expression may name. In 2.0 only
    /// imported globals; from 3.0 (GC) also the globals defined before the
    /// one being initialised. Table initialisers see only imports either way,
    /// segments see every global (3.0).
    func visibleGlobals(definedBefore count: Int) -> Int {
        features.contains(.gc) ? importedGlobalCount + count : importedGlobalCount
    }

    /// Checks that `expression` (without its final `end`) is constant and
    /// produces one value of type `type`.
    public func validateConstantExpression(_ expression: ConstExpression, type: ValueType, visibleGlobals: Int, offset: Int = 0) throws(ValidationError) {
        for instruction in expression {
            try checkConstant(instruction, visibleGlobals: visibleGlobals, offset: offset)
        }
        var validator = FunctionValidator(context: self, constantExpressionOf: type, visibleGlobals: visibleGlobals)
        for instruction in expression {
            try validator.validate(instruction, offset: offset)
        }
        try validator.validate(Instruction(.end), offset: offset)
    }

    private func checkConstant(_ instruction: Instruction, visibleGlobals: Int, offset: Int) throws(ValidationError) {
        switch instruction.opcode {
        case .i32Const, .i64Const, .f32Const, .f64Const, .v128Const, .refNull, .refFunc:
            return
        case .globalGet:
            guard case .index(let x) = instruction.immediate else { break }
            guard x < visibleGlobals, x < globals.count else { throw .unknown("global", x, offset: offset) }
            if !globals[Int(x)].mutable { return }
        case .i32Add, .i32Sub, .i32Mul, .i64Add, .i64Sub, .i64Mul:
            if features.contains(.extendedConst) { return }
        case .refI31, .structNew, .structNewDefault, .arrayNew, .arrayNewDefault, .arrayNewFixed,
             .anyConvertExtern, .externConvertAny:
            if features.contains(.gc) { return }
        default:
            break
        }
        throw ValidationError("constant expression required", offset: offset)
    }
}
