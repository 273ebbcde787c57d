import WasmSyntax

/// Blocks, branches, calls and exceptions.
extension FunctionValidator {
    /// Shared one-element result types, so that the common block types
    /// allocate nothing.
    private static let singletons: [ValueType: [ValueType]] = {
        var table: [ValueType: [ValueType]] = [:]
        for t: ValueType in [.i32, .i64, .f32, .f64, .v128, .funcref, .externref, .exnref, .anyref,
                             .ref(.eqref), .ref(.i31ref), .ref(.structref), .ref(.arrayref)] {
            table[t] = [t]
        }
        return table
    }()

    static func singleton(_ t: ValueType) -> [ValueType] {
        switch t {
        case .i32: return i32Result
        case .i64: return i64Result
        case .f32: return f32Result
        case .f64: return f64Result
        default: return singletons[t] ?? [t]
        }
    }
    private static let i32Result: [ValueType] = [.i32]
    private static let i64Result: [ValueType] = [.i64]
    private static let f32Result: [ValueType] = [.f32]
    private static let f64Result: [ValueType] = [.f64]

    /// The parameter and result types of a block type.
    public func blockSignature(_ bt: BlockType, offset: Int) throws(ValidationError) -> (params: [ValueType], results: [ValueType]) {
        switch bt {
        case .empty:
            return ([], [])
        case .value(let t):
            try context.checkValueType(t, offset: offset)
            return ([], Self.singleton(t))
        case .typeIndex(let x):
            guard x < context.types.count else { throw .unknown("type", x, offset: offset) }
            guard let f = context.types[Int(x)].funcType else {
                throw .typeMismatch("block type \(x) is not a function type", offset: offset)
            }
            if !context.features.contains(.multiValue) && (!f.params.isEmpty || f.results.count > 1) {
                throw ValidationError("invalid result arity: block parameters and multiple results require the multi-value feature", offset: offset)
            }
            return (f.params, f.results)
        }
    }

    mutating func validateControl(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        switch instruction.opcode {
        case .block, .loop, .try:
            let (params, results) = try blockSignature(try blockType(instruction, offset: offset), offset: offset)
            try pop(params, offset: offset)
            let kind: ControlFrame.Kind = switch instruction.opcode {
            case .block: .block
            case .loop: .loop
            default: .try
            }
            pushFrame(kind, start: params, end: results)

        case .if:
            let (params, results) = try blockSignature(try blockType(instruction, offset: offset), offset: offset)
            try pop(.i32, offset: offset)
            try pop(params, offset: offset)
            pushFrame(.if, start: params, end: results)

        case .else:
            guard controlStack.last?.kind == .if else {
                throw ValidationError("else found outside an if block", offset: offset)
            }
            let frame = try popFrame(offset: offset)
            pushFrame(.else, start: frame.startTypes, end: frame.endTypes)

        case .end:
            let frame = try popFrame(offset: offset)
            if frame.kind == .if {
                // A missing else branch passes the block's parameters through.
                try checkPassThrough(frame, offset: offset)
            }
            push(frame.endTypes)
            if controlStack.isEmpty { isFinished = true }

        case .tryTable:
            guard case .tryTable(let bt, let catches) = instruction.immediate else { throw badImmediate(instruction, offset: offset) }
            let (params, results) = try blockSignature(bt, offset: offset)
            try pop(params, offset: offset)
            for handler in catches {
                try checkCatch(handler, offset: offset)
            }
            pushFrame(.tryTable, start: params, end: results)

        case .catch, .catchAll:
            guard let kind = controlStack.last?.kind, kind == .try || kind == .catch else {
                throw ValidationError("\(instruction.opcode.mnemonic) found outside a try block", offset: offset)
            }
            var params: [ValueType] = []
            if instruction.opcode == .catch {
                let x = try index(instruction, offset: offset)
                guard let p = context.tagParameters(x) else { throw .unknown("tag", x, offset: offset) }
                params = p
            }
            let frame = try popFrame(offset: offset)
            pushFrame(instruction.opcode == .catch ? .catch : .catchAll, start: params, end: frame.endTypes)

        case .delegate:
            guard controlStack.last?.kind == .try else {
                throw ValidationError("delegate found outside a try block", offset: offset)
            }
            let label = try index(instruction, offset: offset)
            let frame = try popFrame(offset: offset)
            guard label < controlStack.count else { throw .unknown("label", label, offset: offset) }
            push(frame.endTypes)

        case .br:
            let label = try index(instruction, offset: offset)
            try pop(try labelTypes(label, offset: offset), offset: offset)
            markUnreachable()

        case .brIf:
            let label = try index(instruction, offset: offset)
            let types = try labelTypes(label, offset: offset)
            try pop(.i32, offset: offset)
            try pop(types, offset: offset)
            push(types)

        case .brTable:
            guard case .brTable(let targets, let defaultTarget) = instruction.immediate else {
                throw badImmediate(instruction, offset: offset)
            }
            try pop(.i32, offset: offset)
            let defaultTypes = try labelTypes(defaultTarget, offset: offset)
            // A long table names few distinct labels (at most the nesting
            // depth): check each label once, so the cost stays linear.
            var checked = Set<UInt32>()
            for target in targets {
                if targets.count > 8 && !checked.insert(target).inserted { continue }
                let types = try labelTypes(target, offset: offset)
                guard types.count == defaultTypes.count else {
                    throw .typeMismatch("br_table targets have different arities: label \(target) has \(TypeNames.resultType(types)), label \(defaultTarget) has \(TypeNames.resultType(defaultTypes))", offset: offset)
                }
                try checkTop(types, offset: offset)
            }
            try pop(defaultTypes, offset: offset)
            markUnreachable()

        case .return:
            try pop(resultTypes, offset: offset)
            markUnreachable()

        case .throw:
            let x = try index(instruction, offset: offset)
            guard let params = context.tagParameters(x) else { throw .unknown("tag", x, offset: offset) }
            try pop(params, offset: offset)
            markUnreachable()

        case .throwRef:
            try pop(.exnref, offset: offset)
            markUnreachable()

        case .rethrow:
            let label = try index(instruction, offset: offset)
            let frame = try frame(label: label, offset: offset)
            guard frame.kind == .catch || frame.kind == .catchAll else {
                throw ValidationError("invalid rethrow label", offset: offset)
            }
            markUnreachable()

        default:
            throw ValidationError("no validation rule for \(instruction.opcode.mnemonic)", offset: offset)
        }
    }

    /// An `if` without `else` behaves as if its else branch were empty, so
    /// its parameters must match its results.
    private func checkPassThrough(_ frame: ControlFrame, offset: Int) throws(ValidationError) {
        var ok = frame.startTypes.count == frame.endTypes.count
        if ok {
            for (a, b) in zip(frame.startTypes, frame.endTypes) where !context.isSubtype(a, of: b) {
                ok = false
                break
            }
        }
        if !ok {
            throw .typeMismatch("instruction requires \(TypeNames.resultType(frame.endTypes)) but stack has \(TypeNames.resultType(frame.startTypes))", offset: offset)
        }
    }

    /// A `try_table` handler: the values it delivers must match its label.
    private func checkCatch(_ handler: Catch, offset: Int) throws(ValidationError) {
        var delivered: [ValueType]
        switch handler {
        case .catch(let tag, _), .catchRef(let tag, _):
            guard let params = context.tagParameters(tag) else { throw .unknown("tag", tag, offset: offset) }
            delivered = params
        case .catchAll, .catchAllRef:
            delivered = []
        }
        switch handler {
        case .catchRef, .catchAllRef: delivered.append(.ref(RefType(nullable: false, heapType: .exn)))
        case .catch, .catchAll: break
        }
        let label = try labelTypes(handler.label, offset: offset)
        var ok = delivered.count == label.count
        if ok {
            for (a, b) in zip(delivered, label) where !context.isSubtype(a, of: b) {
                ok = false
                break
            }
        }
        if !ok {
            throw .typeMismatch("catch handler delivers \(TypeNames.resultType(delivered)) but label \(handler.label) requires \(TypeNames.resultType(label))", offset: offset)
        }
    }

    mutating func validateCall(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        let type: FuncType
        switch instruction.opcode {
        case .call, .returnCall:
            let f = try index(instruction, offset: offset)
            guard let t = context.funcType(ofFunction: f) else { throw .unknown("function", f, offset: offset) }
            type = t
            try pop(type.params, offset: offset)

        case .callIndirect, .returnCallIndirect:
            let (typeIndex, tableIndex) = try indexPair(instruction, offset: offset)
            guard tableIndex < context.tables.count else { throw .unknown("table", tableIndex, offset: offset) }
            let table = context.tables[Int(tableIndex)]
            guard context.isSubtype(table.elementType, of: .funcref) else {
                throw .typeMismatch("instruction requires table of function type but table has element type \(table.elementType.textName)", offset: offset)
            }
            type = try functionType(typeIndex, offset: offset)
            try pop(table.limits.addressType.valueType, offset: offset)
            try pop(type.params, offset: offset)

        case .callRef, .returnCallRef:
            let typeIndex = try index(instruction, offset: offset)
            type = try functionType(typeIndex, offset: offset)
            try pop(.ref(RefType(nullable: true, heapType: .concrete(typeIndex))), offset: offset)
            try pop(type.params, offset: offset)

        default:
            throw ValidationError("no validation rule for \(instruction.opcode.mnemonic)", offset: offset)
        }

        switch instruction.opcode {
        case .returnCall, .returnCallIndirect, .returnCallRef:
            // The callee's results become the caller's.
            var ok = type.results.count == resultTypes.count
            if ok {
                for (a, b) in zip(type.results, resultTypes) where !context.isSubtype(a, of: b) {
                    ok = false
                    break
                }
            }
            if !ok {
                throw .typeMismatch("current function requires result type \(TypeNames.resultType(resultTypes)) but callee returns \(TypeNames.resultType(type.results))", offset: offset)
            }
            markUnreachable()
        default:
            push(type.results)
        }
    }

    /// The function type at a type index (for call_indirect, call_ref).
    func functionType(_ typeIndex: UInt32, offset: Int) throws(ValidationError) -> FuncType {
        guard typeIndex < context.types.count else { throw .unknown("type", typeIndex, offset: offset) }
        guard let f = context.types[Int(typeIndex)].funcType else {
            throw .typeMismatch("type \(typeIndex) is not a function type", offset: offset)
        }
        return f
    }
}
