import WasmSyntax

/// Values made out of nothing: constant expressions for global, table and
/// segment initialisers, which are also what function bodies use when they
/// need a value of a given type (every constant instruction is valid in
/// code too; `ref.func` is, because the generator declares every function).
extension ModuleEnvironment {
    /// A constant expression whose value has a subtype of `t`, and that
    /// type; nil when no such value can be made. Only the first
    /// `visibleGlobals` globals may be read.
    func constantValue(_ t: ValueType, _ u: inout ByteSource, visibleGlobals: Int, depth: Int = 0) -> ([Instruction], ValueType)? {
        if u.chance(1, 5) {
            var candidates: [Int] = []
            for g in 0..<min(visibleGlobals, globals.count) where !globals[g].mutable && isSubtype(globals[g].valueType, t) {
                candidates.append(g)
            }
            if let g = u.choose(candidates) {
                return ([Instruction(.globalGet, .index(UInt32(g)))], globals[g].valueType)
            }
        }
        switch t {
        case .i32, .i64:
            if has(.extendedConst) && depth < 2 && u.chance(1, 4),
               let (a, _) = constantValue(t, &u, visibleGlobals: visibleGlobals, depth: depth + 1),
               let (b, _) = constantValue(t, &u, visibleGlobals: visibleGlobals, depth: depth + 1) {
                let ops: [Opcode] = t == .i32 ? [.i32Add, .i32Sub, .i32Mul] : [.i64Add, .i64Sub, .i64Mul]
                return (a + b + [Instruction(ops[u.index(3)])], t)
            }
            return ([scalarConstant(t, &u)], t)
        case .f32, .f64, .v128:
            return ([scalarConstant(t, &u)], t)
        case .ref(let r):
            if r.nullable && (depth > 2 || u.chance(1, 2)) {
                return ([Instruction(.refNull, .heapType(r.heapType))], .ref(RefType(nullable: true, heapType: r.heapType)))
            }
            if let made = nonNullReference(r.heapType, &u, visibleGlobals: visibleGlobals, depth: depth) {
                return made
            }
            if r.nullable {
                return ([Instruction(.refNull, .heapType(r.heapType))], .ref(RefType(nullable: true, heapType: r.heapType)))
            }
            return nil
        }
    }

    /// A constant of a number or vector type.
    func scalarConstant(_ t: ValueType, _ u: inout ByteSource) -> Instruction {
        switch t {
        case .i32: return Instruction(.i32Const, .i32(u.interestingI32()))
        case .i64: return Instruction(.i64Const, .i64(u.interestingI64()))
        case .f32: return Instruction(.f32Const, .f32(u.interestingF32()))
        case .f64: return Instruction(.f64Const, .f64(u.interestingF64()))
        default:
            if u.chance(1, 3) { return Instruction(.v128Const, .v128(.zero)) }
            return Instruction(.v128Const, .v128(V128(lo: u.u64(), hi: u.u64())))
        }
    }

    /// A non-null reference whose heap type is a subtype of `h`.
    private func nonNullReference(_ h: HeapType, _ u: inout ByteSource, visibleGlobals: Int, depth: Int) -> ([Instruction], ValueType)? {
        guard depth < 4 else { return nil }
        enum Way { case function, i31, structure, array, externalized }
        var ways: [Way] = []
        var functions: [Int] = []
        if has(.referenceTypes) && topHeapType(h) == .func {
            for f in functionTypes.indices where isSubtype(.concrete(functionTypes[f]), h) { functions.append(f) }
            if !functions.isEmpty { ways.append(.function) }
        }
        var structs: [UInt32] = []
        var arrays: [UInt32] = []
        if has(.gc) {
            if isSubtype(.i31, h) { ways.append(.i31) }
            if topHeapType(h) == .any {
                for x in types.indices where isSubtype(.concrete(UInt32(x)), h) {
                    switch types[x].composite {
                    case .struct: structs.append(UInt32(x))
                    case .array: arrays.append(UInt32(x))
                    case .func: break
                    }
                }
                if !structs.isEmpty { ways.append(.structure) }
                if !arrays.isEmpty { ways.append(.array) }
            }
            if h == .extern { ways.append(.externalized) }
        }
        guard !ways.isEmpty else { return nil }
        // Try the ways in a random order: an allocation may fail (a struct
        // with a field of an uninhabited type).
        var start = u.index(ways.count)
        for _ in 0..<ways.count {
            defer { start = (start + 1) % ways.count }
            switch ways[start] {
            case .function:
                let f = functions[u.index(functions.count)]
                return ([Instruction(.refFunc, .index(UInt32(f)))],
                        .ref(RefType(nullable: false, heapType: .concrete(functionTypes[f]))))
            case .i31:
                return ([scalarConstant(.i32, &u), Instruction(.refI31)], .ref(RefType(nullable: false, heapType: .i31)))
            case .structure:
                let x = structs[u.index(structs.count)]
                guard let fields = structFields(x) else { continue }
                let made = RefType(nullable: false, heapType: .concrete(x))
                if fields.allSatisfy({ $0.storage.unpacked.isDefaultable }) && u.chance(1, 3) {
                    return ([Instruction(.structNewDefault, .index(x))], .ref(made))
                }
                var code: [Instruction] = []
                var ok = true
                for field in fields {
                    guard let (c, _) = constantValue(field.storage.unpacked, &u, visibleGlobals: visibleGlobals, depth: depth + 1) else {
                        ok = false
                        break
                    }
                    code += c
                }
                if ok { return (code + [Instruction(.structNew, .index(x))], .ref(made)) }
            case .array:
                let x = arrays[u.index(arrays.count)]
                guard let field = arrayField(x) else { continue }
                let made = RefType(nullable: false, heapType: .concrete(x))
                let element = field.storage.unpacked
                let count = u.index(3)
                if element.isDefaultable && u.chance(1, 3) {
                    return ([Instruction(.i32Const, .i32(Int32(count))), Instruction(.arrayNewDefault, .index(x))], .ref(made))
                }
                var code: [Instruction] = []
                var ok = true
                for _ in 0..<count {
                    guard let (c, _) = constantValue(element, &u, visibleGlobals: visibleGlobals, depth: depth + 1) else {
                        ok = false
                        break
                    }
                    code += c
                }
                if ok { return (code + [Instruction(.arrayNewFixed, .indexPair(x, UInt32(count)))], .ref(made)) }
            case .externalized:
                if let (c, _) = nonNullReference(.any, &u, visibleGlobals: visibleGlobals, depth: depth + 1) {
                    return (c + [Instruction(.externConvertAny)], .ref(RefType(nullable: false, heapType: .extern)))
                }
            }
        }
        return nil
    }
}
