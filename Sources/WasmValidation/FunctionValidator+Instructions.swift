import WasmSyntax

extension FunctionValidator {
    /// Validates one instruction. `offset` is its byte offset, reported in
    /// errors.
    public mutating func validate(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        guard !isFinished else {
            throw ValidationError("operators remaining after end of function", offset: offset)
        }
        let op = instruction.opcode
        if checksFeatures {
            let feature = op.feature
            if !feature.isEmpty && !context.features.isSuperset(of: feature) {
                throw ValidationError("\(op.mnemonic) requires a feature that is not enabled", offset: offset)
            }
        }

        switch op {
        // Control
        case .unreachable:
            markUnreachable()
        case .nop:
            break
        case .block, .loop, .if, .tryTable, .try, .else, .end, .catch, .catchAll, .delegate,
             .br, .brIf, .brTable, .return, .throw, .throwRef, .rethrow:
            try validateControl(instruction, offset: offset)
        case .call, .callIndirect, .callRef, .returnCall, .returnCallIndirect, .returnCallRef:
            try validateCall(instruction, offset: offset)

        // Parametric
        case .drop:
            _ = try popAny(offset: offset)
        case .select:
            try pop(.i32, offset: offset)
            let t1 = try popAny(offset: offset)
            let t2 = try popAny(offset: offset)
            func isNumericOrVector(_ t: OperandType) -> Bool {
                switch t {
                case .unknown: return true
                case .unknownReference: return false
                case .known(let v): return v.isNumber || v == .v128
                }
            }
            guard isNumericOrVector(t1), isNumericOrVector(t2) else {
                let shown = isNumericOrVector(t1) ? t2 : t1
                throw .typeMismatch("instruction requires numeric or vector type but stack has \(TypeNames.operand(shown))", offset: offset)
            }
            if case .known(let a) = t1, case .known(let b) = t2, a != b {
                throw .typeMismatch("instruction requires [\(a.textName) \(a.textName) i32] but stack has [\(b.textName) \(a.textName) i32]", offset: offset)
            }
            operandStack.append(t1 == .unknown ? t2 : t1)
        case .selectTyped:
            guard case .valueTypes(let ts) = instruction.immediate else { throw badImmediate(instruction, offset: offset) }
            guard ts.count == 1 else { throw ValidationError("invalid result arity", offset: offset) }
            let t = ts[0]
            try context.checkValueType(t, offset: offset)
            try pop(.i32, offset: offset)
            try pop(t, offset: offset)
            try pop(t, offset: offset)
            push(t)

        // Variables
        case .localGet:
            let x = try index(instruction, offset: offset)
            let t = try localType(x, offset: offset)
            guard isLocalInitialized(x) else { throw ValidationError("uninitialized local \(x)", offset: offset) }
            push(t)
        case .localSet:
            let x = try index(instruction, offset: offset)
            let t = try localType(x, offset: offset)
            try pop(t, offset: offset)
            setLocal(x)
        case .localTee:
            let x = try index(instruction, offset: offset)
            let t = try localType(x, offset: offset)
            try pop(t, offset: offset)
            setLocal(x)
            push(t)
        case .globalGet:
            let x = try index(instruction, offset: offset)
            guard x < visibleGlobals else { throw .unknown("global", x, offset: offset) }
            push(context.globals[Int(x)].valueType)
        case .globalSet:
            let x = try index(instruction, offset: offset)
            guard x < visibleGlobals else { throw .unknown("global", x, offset: offset) }
            let g = context.globals[Int(x)]
            // The reference interpreter's 3.0 wording (2.0 said "global is immutable").
            guard g.mutable else { throw ValidationError("immutable global \(x)", offset: offset) }
            try pop(g.valueType, offset: offset)

        // Tables
        case .tableGet, .tableSet, .tableSize, .tableGrow, .tableFill, .tableCopy, .tableInit, .elemDrop:
            try validateTable(instruction, offset: offset)

        // Memories
        case .i32Load, .i64Load, .f32Load, .f64Load, .i32Load8S, .i32Load8U, .i32Load16S, .i32Load16U,
             .i64Load8S, .i64Load8U, .i64Load16S, .i64Load16U, .i64Load32S, .i64Load32U,
             .i32Store, .i64Store, .f32Store, .f64Store, .i32Store8, .i32Store16, .i64Store8, .i64Store16, .i64Store32,
             .v128Load, .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U, .v128Load32x2S, .v128Load32x2U,
             .v128Load8Splat, .v128Load16Splat, .v128Load32Splat, .v128Load64Splat, .v128Store,
             .v128Load32Zero, .v128Load64Zero,
             .v128Load8Lane, .v128Load16Lane, .v128Load32Lane, .v128Load64Lane,
             .v128Store8Lane, .v128Store16Lane, .v128Store32Lane, .v128Store64Lane:
            try validateMemoryAccess(instruction, offset: offset)
        case .memorySize, .memoryGrow, .memoryFill, .memoryCopy, .memoryInit, .dataDrop:
            try validateMemory(instruction, offset: offset)

        // References and aggregates
        case .refNull, .refIsNull, .refFunc, .refEq, .refAsNonNull, .brOnNull, .brOnNonNull,
             .refTest, .refTestNull, .refCast, .refCastNull, .brOnCast, .brOnCastFail,
             .anyConvertExtern, .externConvertAny, .i31GetS, .i31GetU:
            try validateReference(instruction, offset: offset)
        case .structNew, .structNewDefault, .structGet, .structGetS, .structGetU, .structSet,
             .arrayNew, .arrayNewDefault, .arrayNewFixed, .arrayNewData, .arrayNewElem,
             .arrayGet, .arrayGetS, .arrayGetU, .arraySet, .arrayLen, .arrayFill, .arrayCopy,
             .arrayInitData, .arrayInitElem:
            try validateAggregate(instruction, offset: offset)

        // Vector instructions with lane immediates
        case .i8x16ExtractLaneS, .i8x16ExtractLaneU, .i8x16ReplaceLane,
             .i16x8ExtractLaneS, .i16x8ExtractLaneU, .i16x8ReplaceLane,
             .i32x4ExtractLane, .i32x4ReplaceLane, .i64x2ExtractLane, .i64x2ReplaceLane,
             .f32x4ExtractLane, .f32x4ReplaceLane, .f64x2ExtractLane, .f64x2ReplaceLane:
            let lane = try lane(instruction, offset: offset)
            guard Int(lane) < Self.laneCount(op) else { throw ValidationError("invalid lane index", offset: offset) }
            try validateFixed(op, offset: offset)
        case .i8x16Shuffle:
            guard case .v128(let v) = instruction.immediate else { throw badImmediate(instruction, offset: offset) }
            for b in v.bytes where b >= 32 { throw ValidationError("invalid lane index", offset: offset) }
            try validateFixed(op, offset: offset)

        default:
            try validateFixed(op, offset: offset)
        }
    }

    /// Instructions whose type does not depend on context (numeric and most
    /// vector instructions): the opcode table gives it.
    @inline(__always)
    private mutating func validateFixed(_ op: Opcode, offset: Int) throws(ValidationError) {
        let packed = Self.packedSignatures[Int(op.rawValue)]
        if packed != 0 {
            // Up to three operands and one result, all number or vector
            // types: when the operands are there with exactly these types,
            // no need to touch the arrays of `Opcode.signature`.
            let count = Int(packed & 3)
            let top = operandStack.count
            if top - currentHeight >= count {
                var matched = true
                for i in 0..<count {
                    let code = (packed >> (2 + 3 * UInt32(count - 1 - i))) & 7
                    if !Self.isExactly(operandStack[top - 1 - i], Self.packedTypes[Int(code)]) {
                        matched = false
                        break
                    }
                }
                if matched {
                    for _ in 0..<count { operandStack.removeLast() }
                    let result = (packed >> 11) & 7
                    if result != 0 { push(Self.packedTypes[Int(result)]) }
                    return
                }
            }
        }
        // Otherwise (polymorphic stack, or an error to report with all the
        // operand types) the general path.
        guard let signature = op.signature else {
            throw ValidationError("no validation rule for \(op.mnemonic)", offset: offset)
        }
        switch signature.params.count {
        case 0: break
        case 1: try pop(signature.params[0], offset: offset)
        default: try pop(signature.params, offset: offset)
        }
        push(signature.results)
    }

    /// The codes of `packedSignatures` (0 is "none").
    private static let packedTypes: [ValueType] = [.i32, .i32, .i64, .f32, .f64, .v128]

    /// `Opcode.signature` in one word per opcode, for the signatures with at
    /// most three number or vector operands and at most one such result:
    /// bits 0-1 the operand count, then 3 bits per operand type, bits 11-13
    /// the result type. 0 when the signature does not fit.
    private static let packedSignatures: [UInt32] = Opcode.allCases.map { op in
        guard let sig = op.signature, sig.params.count <= 3, sig.results.count <= 1 else { return 0 }
        func code(_ t: ValueType) -> UInt32? {
            switch t {
            case .i32: return 1
            case .i64: return 2
            case .f32: return 3
            case .f64: return 4
            case .v128: return 5
            case .ref: return nil
            }
        }
        var packed = UInt32(sig.params.count)
        for (i, t) in sig.params.enumerated() {
            guard let c = code(t) else { return 0 }
            packed |= c << (2 + 3 * UInt32(i))
        }
        if let r = sig.results.first {
            guard let c = code(r) else { return 0 }
            packed |= c << 11
        }
        // A signature of no operands and no results would pack to 0, which
        // means "not packed": such instructions (nop) take the slow path.
        return packed
    }

    static func laneCount(_ op: Opcode) -> Int {
        switch op {
        case .i8x16ExtractLaneS, .i8x16ExtractLaneU, .i8x16ReplaceLane: return 16
        case .i16x8ExtractLaneS, .i16x8ExtractLaneU, .i16x8ReplaceLane: return 8
        case .i32x4ExtractLane, .i32x4ReplaceLane, .f32x4ExtractLane, .f32x4ReplaceLane: return 4
        default: return 2
        }
    }
}
