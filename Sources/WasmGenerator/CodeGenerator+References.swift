import WasmSyntax

/// Reference instructions, casts, and GC structs and arrays.
extension CodeGenerator {
    // MARK: Heap types

    /// The heap types of one hierarchy (any, func or extern) that the
    /// module can name.
    func heapTypes(in top: AbstractHeapType) -> [HeapType] {
        var heaps: [HeapType]
        switch top {
        case .func: heaps = [.func, .nofunc]
        case .extern: heaps = [.extern, .noextern]
        default: heaps = [.any, .eq, .i31, .struct, .array, .none]
        }
        for x in env.types.indices where env.topHeapType(.concrete(UInt32(x))) == top {
            heaps.append(.concrete(UInt32(x)))
        }
        return heaps
    }

    func superHeapTypes(_ h: HeapType) -> [HeapType] {
        heapTypes(in: env.topHeapType(h)).filter { env.isSubtype(h, $0) }
    }

    func subHeapTypes(_ h: HeapType) -> [HeapType] {
        heapTypes(in: env.topHeapType(h)).filter { env.isSubtype($0, h) }
    }

    /// A reference on the stack that casts can take (not an exnref).
    func castableOperand() -> RefType? {
        guard let r = referenceOperand(skipping: 0), env.topHeapType(r.heapType) != .exn else { return nil }
        return r
    }

    mutating func castableType() -> RefType {
        let tops: [AbstractHeapType] = [.any, .func, .extern]
        let top = tops[u.index(3)]
        let heaps = heapTypes(in: top)
        return RefType(nullable: u.bool(), heapType: heaps[u.index(heaps.count)])
    }

    // MARK: Reference instructions

    mutating func reference() -> Bool {
        enum Choice { case null, isNull, function, asNonNull, eq, i31, i31Get, anyConvert, externConvert, test, cast }
        var choices: [Choice] = [.null, .isNull]
        if env.functionsDeclared { choices.append(.function) }
        if env.has(.functionReferences) { choices.append(.asNonNull) }
        if env.has(.gc) { choices += [.eq, .i31, .i31Get, .anyConvert, .externConvert, .test, .test, .cast, .cast] }
        let noTraps = env.config.noTraps
        switch choices[u.index(choices.count)] {
        case .null:
            let h = env.refType(&u, concreteBelow: UInt32(env.types.count)).heapType
            emit(.refNull, .heapType(h))
            push(.ref(RefType(nullable: true, heapType: h)))
        case .isNull:
            let r = referenceOperand(skipping: 0) ?? env.refType(&u, concreteBelow: UInt32(env.types.count))
            guard prepare([.ref(r)]) else { return false }
            emit(.refIsNull)
            pop(1)
            push(.i32)
        case .function:
            let f = u.index(env.functionTypes.count)
            emit(.refFunc, .index(UInt32(f)))
            push(.ref(RefType(nullable: false, heapType: .concrete(env.functionTypes[f]))))
        case .asNonNull:
            var r = referenceOperand(skipping: 0) ?? env.refType(&u, concreteBelow: UInt32(env.types.count))
            if noTraps { r.nullable = false }
            guard prepare([.ref(r)]) else { return false }
            emit(.refAsNonNull)
            pop(1)
            push(.ref(RefType(nullable: false, heapType: r.heapType)))
        case .eq:
            guard prepare([.ref(.eqref), .ref(.eqref)]) else { return false }
            emit(.refEq)
            pop(2)
            push(.i32)
        case .i31:
            return emitFixed(.refI31)
        case .i31Get:
            guard prepare([.ref(RefType(nullable: !noTraps, heapType: .i31))]) else { return false }
            emit(u.bool() ? .i31GetS : .i31GetU)
            pop(1)
            push(.i32)
        case .anyConvert, .externConvert:
            let toAny = u.bool()
            let source: HeapType = toAny ? .extern : .any
            var r = RefType(nullable: true, heapType: source)
            if let top = referenceOperand(skipping: 0), env.isSubtype(top, r) { r = top }
            guard prepare([.ref(r)]) else { return false }
            emit(toAny ? .anyConvertExtern : .externConvertAny)
            pop(1)
            push(.ref(RefType(nullable: r.nullable, heapType: toAny ? .any : .extern)))
        case .test, .cast:
            let isCast = u.bool()
            let r = castableOperand() ?? castableType()
            guard prepare([.ref(r)]) else { return false }
            var target: RefType
            if isCast && noTraps {
                // Only casts that succeed: to a super type.
                let heaps = superHeapTypes(r.heapType)
                target = RefType(nullable: r.nullable || u.bool(), heapType: heaps[u.index(heaps.count)])
            } else {
                let heaps = heapTypes(in: env.topHeapType(r.heapType))
                target = RefType(nullable: u.bool(), heapType: heaps[u.index(heaps.count)])
            }
            if isCast {
                emit(target.nullable ? .refCastNull : .refCast, .heapType(target.heapType))
                pop(1)
                push(.ref(target))
            } else {
                emit(target.nullable ? .refTestNull : .refTest, .heapType(target.heapType))
                pop(1)
                push(.i32)
            }
        }
        return true
    }

    /// `br_on_cast` and `br_on_cast_fail` to a label whose last type is a
    /// reference.
    mutating func branchOnCast(fail: Bool) -> Bool {
        var labels: [Int] = []
        for l in 0..<frames.count {
            if case .ref(let r) = labelTypes(l).last, env.topHeapType(r.heapType) != .exn { labels.append(l) }
        }
        guard let label = u.choose(labels), case .ref(let target) = labelTypes(label).last else { return false }
        let rest = Array(labelTypes(label).dropLast())
        var from: RefType
        var to: RefType
        if !fail {
            // The branch carries `to`, which must fit the label.
            let toHeaps = subHeapTypes(target.heapType)
            to = RefType(nullable: target.nullable && u.bool(), heapType: toHeaps[u.index(toHeaps.count)])
            let fromHeaps = superHeapTypes(to.heapType)
            from = RefType(nullable: to.nullable || u.bool(), heapType: fromHeaps[u.index(fromHeaps.count)])
        } else {
            // The branch carries what fails the cast: `from` minus `to`.
            let fromHeaps = subHeapTypes(target.heapType)
            from = RefType(nullable: u.bool(), heapType: fromHeaps[u.index(fromHeaps.count)])
            let toHeaps = subHeapTypes(from.heapType)
            to = RefType(nullable: from.nullable && u.bool(), heapType: toHeaps[u.index(toHeaps.count)])
            if from.nullable && !to.nullable && !target.nullable { to.nullable = true }
        }
        guard prepare(rest + [.ref(from)]) else { return false }
        emit(fail ? .brOnCastFail : .brOnCast, .brOnCast(label: UInt32(label), from: from, to: to))
        pop(rest.count + 1)
        push(rest)
        if fail {
            push(.ref(to))
        } else {
            push(.ref(RefType(nullable: from.nullable && !to.nullable, heapType: from.heapType)))
        }
        return true
    }

    // MARK: Structs and arrays

    /// A concrete type of the given kind, preferring the one a reference on
    /// top of the stack (below `skipping` operands) names.
    mutating func aggregateType(_ isStruct: Bool, skipping: Int = 0, where accept: (UInt32) -> Bool) -> UInt32? {
        if let r = referenceOperand(skipping: skipping), case .concrete(let x) = r.heapType,
           (isStruct ? env.structFields(x) != nil : env.arrayField(x) != nil), accept(x), u.chance(3, 4) {
            return x
        }
        let candidates = (isStruct ? env.structTypeIndices : env.arrayTypeIndices).filter(accept)
        return u.choose(candidates)
    }

    func receiver(_ x: UInt32) -> ValueType {
        .ref(RefType(nullable: !env.config.noTraps, heapType: .concrete(x)))
    }

    mutating func aggregate() -> Bool {
        enum Choice {
            case structNew, structNewDefault, structGet, structSet, arrayNew, arrayNewDefault, arrayNewFixed,
                 arrayNewData, arrayNewElem, arrayGet, arraySet, arrayLen, arrayFill, arrayCopy, arrayInitData, arrayInitElem
        }
        let noTraps = env.config.noTraps
        let env = self.env
        var choices: [Choice] = [.structNew, .structNewDefault, .structGet, .structGet, .structSet,
                                 .arrayNew, .arrayNewDefault, .arrayNewFixed, .arrayGet, .arrayGet, .arraySet, .arrayLen]
        if !noTraps {
            choices += [.arrayFill, .arrayCopy, .arrayNewElem, .arrayInitElem]
            if env.hasDataCount { choices += [.arrayNewData, .arrayInitData] }
        }
        func isNumeric(_ t: ValueType) -> Bool { t.isNumber || t == .v128 }
        switch choices[u.index(choices.count)] {
        case .structNew:
            guard let x = aggregateType(true, where: { _ in true }), let fields = env.structFields(x) else { return false }
            guard prepare(fields.map(\.storage.unpacked)) else { return false }
            emit(.structNew, .index(x))
            pop(fields.count)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))
        case .structNewDefault:
            guard let x = aggregateType(true, where: { env.structFields($0)?.allSatisfy { $0.storage.unpacked.isDefaultable } == true })
            else { return false }
            emit(.structNewDefault, .index(x))
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))
        case .structGet:
            guard let x = aggregateType(true, where: { env.structFields($0)?.isEmpty == false }),
                  let fields = env.structFields(x) else { return false }
            let i = u.index(fields.count)
            guard prepare([receiver(x)]) else { return false }
            let op: Opcode = fields[i].storage == .value(fields[i].storage.unpacked) ? .structGet : (u.bool() ? .structGetS : .structGetU)
            emit(op, .indexPair(x, UInt32(i)))
            pop(1)
            push(fields[i].storage.unpacked)
        case .structSet:
            guard let x = aggregateType(true, skipping: 1, where: { env.structFields($0)?.contains(where: \.mutable) == true }),
                  let fields = env.structFields(x) else { return false }
            let mutable = fields.indices.filter { fields[$0].mutable }
            let i = mutable[u.index(mutable.count)]
            guard prepare([receiver(x), fields[i].storage.unpacked]) else { return false }
            emit(.structSet, .indexPair(x, UInt32(i)))
            pop(2)
        case .arrayNew, .arrayNewDefault:
            let withDefault = u.bool()
            guard let x = aggregateType(false, where: { !withDefault || env.arrayField($0)?.storage.unpacked.isDefaultable == true }),
                  let field = env.arrayField(x) else { return false }
            let operands: [Operand] = withDefault ? [.count(.i32)] : [.value(field.storage.unpacked), .count(.i32)]
            guard prepare(operands) else { return false }
            clampLength()
            chargeFuel(countType: .i32)
            emit(withDefault ? .arrayNewDefault : .arrayNew, .index(x))
            pop(operands.count)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))
        case .arrayNewFixed:
            guard let x = aggregateType(false, where: { _ in true }), let field = env.arrayField(x) else { return false }
            let n = u.index(5)
            guard prepare([ValueType](repeating: field.storage.unpacked, count: n)) else { return false }
            emit(.arrayNewFixed, .indexPair(x, UInt32(n)))
            pop(n)
            push(.ref(RefType(nullable: false, heapType: .concrete(x))))
        case .arrayNewData, .arrayInitData:
            let initialize = u.bool()
            guard let x = aggregateType(false, where: {
                guard let f = env.arrayField($0) else { return false }
                return isNumeric(f.storage.unpacked) && (!initialize || f.mutable)
            }) else { return false }
            let d = UInt32(u.index(env.datas.count))
            if initialize {
                guard prepare([.value(receiver(x)), .count(.i32), .count(.i32), .count(.i32)]) else { return false }
                chargeFuel(countType: .i32)
                emit(.arrayInitData, .indexPair(x, d))
                pop(4)
            } else {
                guard prepare([.count(.i32), .count(.i32)]) else { return false }
                chargeFuel(countType: .i32)
                emit(.arrayNewData, .indexPair(x, d))
                pop(2)
                push(.ref(RefType(nullable: false, heapType: .concrete(x))))
            }
        case .arrayNewElem, .arrayInitElem:
            let initialize = u.bool()
            var pairs: [(UInt32, Int)] = []
            for x in env.arrayTypeIndices {
                guard let f = env.arrayField(x), case .value(let t) = f.storage, !initialize || f.mutable else { continue }
                for e in env.elements.indices where env.isSubtype(.ref(env.elements[e].type), t) { pairs.append((x, e)) }
            }
            guard let (x, e) = u.choose(pairs) else { return false }
            if initialize {
                guard prepare([.value(receiver(x)), .count(.i32), .count(.i32), .count(.i32)]) else { return false }
                chargeFuel(countType: .i32)
                emit(.arrayInitElem, .indexPair(x, UInt32(e)))
                pop(4)
            } else {
                guard prepare([.count(.i32), .count(.i32)]) else { return false }
                chargeFuel(countType: .i32)
                emit(.arrayNewElem, .indexPair(x, UInt32(e)))
                pop(2)
                push(.ref(RefType(nullable: false, heapType: .concrete(x))))
            }
        case .arrayGet:
            guard let x = aggregateType(false, skipping: 1, where: { _ in true }), let field = env.arrayField(x) else { return false }
            let t = field.storage.unpacked
            let op: Opcode = field.storage == .value(t) ? .arrayGet : (u.bool() ? .arrayGetS : .arrayGetU)
            var fallback: [Instruction] = []
            if noTraps {
                guard let (code, _) = env.constantValue(t, &u, visibleGlobals: env.globals.count) else { return false }
                fallback = code
            }
            guard prepare([.value(receiver(x)), .count(.i32)]) else { return false }
            if noTraps {
                // if (index < len) array.get else a constant
                let i = stash(.i32, slot: 10)
                let a = stash(receiver(x), slot: 11)
                emit(.localGet, .index(i))
                emit(.localGet, .index(a))
                emit(.arrayLen)
                emit(.i32LtU)
                emit(.if, .block(.value(t)))
                emit(.localGet, .index(a))
                emit(.localGet, .index(i))
                emit(op, .index(x))
                emit(.else)
                code.append(contentsOf: fallback)
                emit(.end)
            } else {
                emit(op, .index(x))
            }
            pop(2)
            push(t)
        case .arraySet:
            guard let x = aggregateType(false, skipping: 2, where: { env.arrayField($0)?.mutable == true }),
                  let field = env.arrayField(x) else { return false }
            let t = field.storage.unpacked
            guard prepare([.value(receiver(x)), .count(.i32), .value(t)]) else { return false }
            if noTraps {
                let v = stash(t, slot: 12)
                let i = stash(.i32, slot: 10)
                let a = stash(receiver(x), slot: 11)
                emit(.localGet, .index(i))
                emit(.localGet, .index(a))
                emit(.arrayLen)
                emit(.i32LtU)
                emit(.if, .block(.empty))
                emit(.localGet, .index(a))
                emit(.localGet, .index(i))
                restore(v, as: t)
                emit(.arraySet, .index(x))
                emit(.end)
            } else {
                emit(.arraySet, .index(x))
            }
            pop(3)
        case .arrayLen:
            var r = RefType(nullable: !noTraps, heapType: .array)
            if let top = referenceOperand(skipping: 0), env.isSubtype(top, r) { r = top }
            guard prepare([.ref(r)]) else { return false }
            emit(.arrayLen)
            pop(1)
            push(.i32)
        case .arrayFill:
            guard let x = aggregateType(false, skipping: 3, where: { env.arrayField($0)?.mutable == true }),
                  let field = env.arrayField(x) else { return false }
            guard prepare([.value(receiver(x)), .count(.i32), .value(field.storage.unpacked), .count(.i32)]) else { return false }
            chargeFuel(countType: .i32)
            emit(.arrayFill, .index(x))
            pop(4)
        case .arrayCopy:
            var pairs: [(UInt32, UInt32)] = []
            for d in env.arrayTypeIndices {
                guard let df = env.arrayField(d), df.mutable else { continue }
                for s in env.arrayTypeIndices {
                    if let sf = env.arrayField(s), env.context.isSubtype(sf.storage, of: df.storage) { pairs.append((d, s)) }
                }
            }
            guard let (d, s) = u.choose(pairs) else { return false }
            guard prepare([.value(receiver(d)), .count(.i32), .value(receiver(s)), .count(.i32), .count(.i32)]) else { return false }
            chargeFuel(countType: .i32)
            emit(.arrayCopy, .indexPair(d, s))
            pop(5)
        }
        return true
    }

    /// In no-trap mode, keeps an allocation length on top of the stack small.
    mutating func clampLength() {
        guard env.config.noTraps else { return }
        emit(.i32Const, .i32(15))
        emit(.i32And)
    }
}
