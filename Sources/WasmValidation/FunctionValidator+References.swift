import WasmSyntax

/// Reference instructions, casts, and the GC proposal's structs and arrays.
extension FunctionValidator {
    mutating func validateReference(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        switch instruction.opcode {
        case .refNull:
            let h = try heapType(instruction, offset: offset)
            try context.checkHeapType(h, offset: offset)
            push(.ref(RefType(nullable: true, heapType: h)))

        case .refIsNull:
            _ = try popReference(offset: offset)
            push(.i32)

        case .refFunc:
            let f = try index(instruction, offset: offset)
            guard f < context.functionTypeIndices.count else { throw .unknown("function", f, offset: offset) }
            guard isConstantExpression || context.declaredFunctionReferences.contains(f) else {
                throw ValidationError("undeclared function reference \(f)", offset: offset)
            }
            push(.ref(RefType(nullable: false, heapType: .concrete(context.functionTypeIndices[Int(f)]))))

        case .refEq:
            try pop(.ref(.eqref), offset: offset)
            try pop(.ref(.eqref), offset: offset)
            push(.i32)

        case .refAsNonNull:
            let (_, r) = try popReference(offset: offset)
            pushNonNull(r)

        case .brOnNull:
            let label = try index(instruction, offset: offset)
            let types = try labelTypes(label, offset: offset)
            let (_, r) = try popReference(offset: offset)
            try pop(types, offset: offset)
            push(types)
            pushNonNull(r)

        case .brOnNonNull:
            let label = try index(instruction, offset: offset)
            let types = try labelTypes(label, offset: offset)
            guard let last = types.last, last.isReference else {
                throw .typeMismatch("br_on_non_null requires a label whose last type is a reference, but label \(label) has \(TypeNames.resultType(types))", offset: offset)
            }
            let (_, r) = try popReference(offset: offset)
            pushNonNull(r)
            try pop(types, offset: offset)
            push(Array(types.dropLast()))

        case .refTest, .refTestNull, .refCast, .refCastNull:
            let h = try heapType(instruction, offset: offset)
            let nullable = instruction.opcode == .refTestNull || instruction.opcode == .refCastNull
            let target = RefType(nullable: nullable, heapType: h)
            try context.checkRefType(target, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .abstract(context.topHeapType(h)))), offset: offset)
            if instruction.opcode == .refTest || instruction.opcode == .refTestNull {
                push(.i32)
            } else {
                push(.ref(target))
            }

        case .brOnCast, .brOnCastFail:
            guard case .brOnCast(let label, let from, let to) = instruction.immediate else {
                throw badImmediate(instruction, offset: offset)
            }
            try context.checkRefType(from, offset: offset)
            try context.checkRefType(to, offset: offset)
            guard context.isSubtype(to, of: from) else {
                throw .typeMismatch("cast target \(to.textName) is not a subtype of \(from.textName)", offset: offset)
            }
            let types = try labelTypes(label, offset: offset)
            guard let last = types.last, case .ref(let labelRef) = last else {
                throw .typeMismatch("\(instruction.opcode.mnemonic) requires a label whose last type is a reference, but label \(label) has \(TypeNames.resultType(types))", offset: offset)
            }
            // Values that fail the cast lose nullability if the target is nullable.
            let difference = RefType(nullable: from.nullable && !to.nullable, heapType: from.heapType)
            let (branched, remaining) = instruction.opcode == .brOnCast ? (to, difference) : (difference, to)
            guard context.isSubtype(branched, of: labelRef) else {
                throw .typeMismatch("instruction requires type \(branched.textName) but label has \(TypeNames.resultType(types))", offset: offset)
            }
            try pop(.ref(from), offset: offset)
            let rest = Array(types.dropLast())
            try pop(rest, offset: offset)
            push(rest)
            push(.ref(remaining))

        case .anyConvertExtern, .externConvertAny:
            let (source, result): (AbstractHeapType, AbstractHeapType) =
                instruction.opcode == .anyConvertExtern ? (.extern, .any) : (.any, .extern)
            let operand = try pop(.ref(RefType(nullable: true, heapType: .abstract(source))), offset: offset)
            var nullable = false
            if case .known(.ref(let r)) = operand { nullable = r.nullable }
            push(.ref(RefType(nullable: nullable, heapType: .abstract(result))))

        case .i31GetS, .i31GetU:
            try pop(.ref(.i31ref), offset: offset)
            push(.i32)

        default:
            throw ValidationError("no validation rule for \(instruction.opcode.mnemonic)", offset: offset)
        }
    }

    private mutating func pushNonNull(_ r: RefType?) {
        if let r {
            push(.ref(RefType(nullable: false, heapType: r.heapType)))
        } else {
            operandStack.append(.unknownReference)
        }
    }

    // MARK: Structs and arrays

    private func structFields(_ x: UInt32, offset: Int) throws(ValidationError) -> [FieldType] {
        guard let composite = context.compositeType(at: x) else { throw .unknown("type", x, offset: offset) }
        guard case .struct(let fields) = composite else {
            throw .typeMismatch("type \(x) is not a struct type", offset: offset)
        }
        return fields
    }

    private func arrayField(_ x: UInt32, offset: Int) throws(ValidationError) -> FieldType {
        guard let composite = context.compositeType(at: x) else { throw .unknown("type", x, offset: offset) }
        guard case .array(let field) = composite else {
            throw .typeMismatch("type \(x) is not an array type", offset: offset)
        }
        return field
    }

    private func field(_ fields: [FieldType], _ i: UInt32, offset: Int) throws(ValidationError) -> FieldType {
        guard i < fields.count else { throw .unknown("field", i, offset: offset) }
        return fields[Int(i)]
    }

    private func checkPacking(_ storage: StorageType, signed: Bool?, what: String, offset: Int) throws(ValidationError) {
        let packed = storage != .value(storage.unpacked)
        if packed && signed == nil {
            throw .typeMismatch("\(what) is packed: use the _s or _u form", offset: offset)
        }
        if !packed && signed != nil {
            throw .typeMismatch("\(what) is not packed: use the plain form", offset: offset)
        }
    }

    private static func isNumericOrVector(_ t: ValueType) -> Bool {
        t.isNumber || t == .v128
    }

    mutating func validateAggregate(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        let op = instruction.opcode
        switch op {
        case .structNew, .structNewDefault:
            let x = try index(instruction, offset: offset)
            let fields = try structFields(x, offset: offset)
            if op == .structNew {
                try pop(fields.map(\.storage.unpacked), offset: offset)
            } else {
                for f in fields where !f.storage.unpacked.isDefaultable {
                    throw ValidationError("field type is not defaultable", offset: offset)
                }
            }
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))

        case .structGet, .structGetS, .structGetU:
            let (x, i) = try indexPair(instruction, offset: offset)
            let f = try field(try structFields(x, offset: offset), i, offset: offset)
            try checkPacking(f.storage, signed: op == .structGet ? nil : op == .structGetS, what: "field", offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(x))), offset: offset)
            push(f.storage.unpacked)

        case .structSet:
            let (x, i) = try indexPair(instruction, offset: offset)
            let f = try field(try structFields(x, offset: offset), i, offset: offset)
            guard f.mutable else { throw ValidationError("immutable field", offset: offset) }
            try pop(f.storage.unpacked, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(x))), offset: offset)

        case .arrayNew, .arrayNewDefault:
            let x = try index(instruction, offset: offset)
            let f = try arrayField(x, offset: offset)
            try pop(.i32, offset: offset)
            if op == .arrayNew {
                try pop(f.storage.unpacked, offset: offset)
            } else if !f.storage.unpacked.isDefaultable {
                throw ValidationError("array type is not defaultable", offset: offset)
            }
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))

        case .arrayNewFixed:
            let (x, n) = try indexPair(instruction, offset: offset)
            let t = try arrayField(x, offset: offset).storage.unpacked
            try popRepeated(t, count: n, offset: offset)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))

        case .arrayNewData:
            let (x, d) = try indexPair(instruction, offset: offset)
            let t = try arrayField(x, offset: offset).storage.unpacked
            guard Self.isNumericOrVector(t) else { throw ValidationError("array type is not numeric or vector", offset: offset) }
            try checkDataIndex(d, offset: offset)
            try pop(.i32, offset: offset)
            try pop(.i32, offset: offset)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))

        case .arrayNewElem:
            let (x, e) = try indexPair(instruction, offset: offset)
            let t = try arrayField(x, offset: offset).storage.unpacked
            let segmentType = try elementType(e, offset: offset)
            guard context.isSubtype(.ref(segmentType), of: t) else {
                throw .typeMismatch("element segment's type \(segmentType.textName) does not match array's element type \(t.textName)", offset: offset)
            }
            try pop(.i32, offset: offset)
            try pop(.i32, offset: offset)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))

        case .arrayGet, .arrayGetS, .arrayGetU:
            let x = try index(instruction, offset: offset)
            let f = try arrayField(x, offset: offset)
            try checkPacking(f.storage, signed: op == .arrayGet ? nil : op == .arrayGetS, what: "array", offset: offset)
            try pop(.i32, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(x))), offset: offset)
            push(f.storage.unpacked)

        case .arraySet:
            let x = try index(instruction, offset: offset)
            let f = try mutableArrayField(x, offset: offset)
            try pop(f.storage.unpacked, offset: offset)
            try pop(.i32, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(x))), offset: offset)

        case .arrayLen:
            try pop(.ref(.arrayref), offset: offset)
            push(.i32)

        case .arrayFill:
            let x = try index(instruction, offset: offset)
            let f = try mutableArrayField(x, offset: offset)
            try pop(.i32, offset: offset)
            try pop(f.storage.unpacked, offset: offset)
            try pop(.i32, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(x))), offset: offset)

        case .arrayCopy:
            let (dst, src) = try indexPair(instruction, offset: offset)
            let dstField = try mutableArrayField(dst, offset: offset)
            let srcField = try arrayField(src, offset: offset)
            guard context.isSubtype(srcField.storage, of: dstField.storage) else {
                throw ValidationError("array types do not match", offset: offset)
            }
            try pop(.i32, offset: offset)
            try pop(.i32, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(src))), offset: offset)
            try pop(.i32, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(dst))), offset: offset)

        case .arrayInitData:
            let (x, d) = try indexPair(instruction, offset: offset)
            let f = try mutableArrayField(x, offset: offset)
            guard Self.isNumericOrVector(f.storage.unpacked) else {
                throw ValidationError("array type is not numeric or vector", offset: offset)
            }
            try checkDataIndex(d, offset: offset)
            try pop([.ref(RefType(nullable: true, heapType: .concrete(x))), .i32, .i32, .i32], offset: offset)

        case .arrayInitElem:
            let (x, e) = try indexPair(instruction, offset: offset)
            let f = try mutableArrayField(x, offset: offset)
            let segmentType = try elementType(e, offset: offset)
            guard context.isSubtype(.value(.ref(segmentType)), of: f.storage) else {
                throw .typeMismatch("element segment's type \(segmentType.textName) does not match array's element type \(f.storage.unpacked.textName)", offset: offset)
            }
            try pop([.ref(RefType(nullable: true, heapType: .concrete(x))), .i32, .i32, .i32], offset: offset)

        default:
            throw ValidationError("no validation rule for \(op.mnemonic)", offset: offset)
        }
    }

    private func mutableArrayField(_ x: UInt32, offset: Int) throws(ValidationError) -> FieldType {
        let f = try arrayField(x, offset: offset)
        guard f.mutable else { throw ValidationError("immutable array", offset: offset) }
        return f
    }

    /// Pops `count` operands of type `t` without looping `count` times when
    /// the stack is polymorphic (`count` comes from the input).
    private mutating func popRepeated(_ t: ValueType, count: UInt32, offset: Int) throws(ValidationError) {
        let available = operandStack.count - currentHeight
        let n = Int(count)
        guard n <= available || currentUnreachable else {
            throw .typeMismatch("instruction requires \(count) operands of type \(t.textName) but stack has \(available) operands", offset: offset)
        }
        let checked = Swift.min(n, available)
        for i in 0..<checked {
            let actual = operandStack[operandStack.count - 1 - i]
            guard context.matches(actual, t) else {
                throw .typeMismatch("instruction requires [\(t.textName)] but stack has [\(TypeNames.operand(actual))]", offset: offset)
            }
        }
        operandStack.removeLast(checked)
    }
}
