import WasmRuntime
import WasmSyntax

extension FunctionTranslator {
    /// Structs, arrays, i31 and casts (WebAssembly 3.0 GC). Operands go to
    /// contiguous homes where an instruction takes a variable number of them.
    mutating func translateGC(_ instruction: Instruction) -> Bool {
        let opcode = instruction.opcode
        switch (opcode, instruction.immediate) {
        case (.structNew, .index(let t)), (.structNewDefault, .index(let t)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite else { return false }
            let total = composite.fieldSlotOffsets.total
            let words = IR.pair(checked(Int(t)), total)
            if opcode == .structNew {
                let base = prepareArguments(fields.count)
                emitResult(IR.word(.structNew, base, base), words, slot: base)
                maxSlot = Swift.max(maxSlot, base + Swift.max(total, 1))
                push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
            } else {
                let home = nextHome
                emitResult(IR.word(.structNewDefault, home), words, slot: home)
                push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
            }
        case (.structGet, .indexPair(let t, let i)), (.structGetS, .indexPair(let t, let i)), (.structGetU, .indexPair(let t, let i)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite, Int(i) < fields.count else { return false }
            let offset = composite.fieldSlotOffsets.offsets[Int(i)]
            let reference = pop()
            let r = slot(of: reference)
            emitResult(IR.word(.structGet, reference.home, r), IR.pair(offset, Self.readMode(fields[Int(i)].storage, opcode)), slot: reference.home)
            push(fields[Int(i)].storage.unpacked, .temp)
        case (.structSet, .indexPair(let t, let i)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite, Int(i) < fields.count else { return false }
            let offset = composite.fieldSlotOffsets.offsets[Int(i)]
            let value = pop()
            let reference = pop()
            let v = slot(of: value)
            let r = slot(of: reference)
            emit(IR.word(.structSet, r, v), IR.pair(offset, fields[Int(i)].storage.slotCount))
        case (.arrayNew, .index(let t)):
            guard let element = arrayElement(t) else { return false }
            let length = pop()
            let value = pop()
            let l = slot(of: length)
            let v = slot(of: value)
            emitResult(IR.word(.arrayNew, value.home, v), IR.pair(checked(Int(t)), element.storage.slotCount), UInt64(l), slot: value.home)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
        case (.arrayNewDefault, .index(let t)):
            guard let element = arrayElement(t) else { return false }
            let length = pop()
            let l = slot(of: length)
            emitResult(IR.word(.arrayNewDefault, length.home, l), IR.pair(checked(Int(t)), element.storage.slotCount), slot: length.home)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
        case (.arrayNewFixed, .indexPair(let t, let n)):
            guard let element = arrayElement(t) else { return false }
            let base = prepareArguments(Int(n))
            emitResult(IR.word(.arrayNewFixed, base, base), IR.pair(checked(Int(t)), element.storage.slotCount), UInt64(n), slot: base)
            maxSlot = Swift.max(maxSlot, base + 1)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
        case (.arrayNewData, .indexPair(let t, let d)), (.arrayNewElem, .indexPair(let t, let d)):
            guard let element = arrayElement(t) else { return false }
            let length = pop()
            let offset = pop()
            let l = slot(of: length)
            let o = slot(of: offset)
            let isData = opcode == .arrayNewData
            emitResult(IR.word(isData ? .arrayNewData : .arrayNewElem, offset.home, o),
                       IR.pair(checked(Int(t)), isData ? Self.byteSize(element.storage) : 0),
                       IR.pair(checked(Int(d)), l), slot: offset.home)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .temp)
        case (.arrayGet, .index(let t)), (.arrayGetS, .index(let t)), (.arrayGetU, .index(let t)):
            guard let element = arrayElement(t) else { return false }
            let index = pop()
            let reference = pop()
            let i = slot(of: index)
            let r = slot(of: reference)
            emitResult(IR.word(.arrayGet, reference.home, r), IR.pair(i, Self.readMode(element.storage, opcode)), slot: reference.home)
            push(element.storage.unpacked, .temp)
        case (.arraySet, .index(let t)):
            guard let element = arrayElement(t) else { return false }
            let value = pop()
            let index = pop()
            let reference = pop()
            let v = slot(of: value)
            let i = slot(of: index)
            let r = slot(of: reference)
            emit(IR.word(.arraySet, r, i), IR.pair(v, element.storage.slotCount))
        case (.arrayLen, _):
            let reference = pop()
            let r = slot(of: reference)
            emitResult(IR.word(.arrayLen, reference.home, r), slot: reference.home)
            push(.i32, .temp)
        case (.arrayFill, .index(let t)):
            guard let element = arrayElement(t) else { return false }
            let n = pop(), value = pop(), offset = pop(), reference = pop()
            let ns = slot(of: n), v = slot(of: value), o = slot(of: offset), r = slot(of: reference)
            emit(IR.word(.arrayFill, r, o), IR.pair(v, element.storage.slotCount), UInt64(ns))
        case (.arrayCopy, .indexPair(let t, _)):
            guard let element = arrayElement(t) else { return false }
            let n = pop(), sourceOffset = pop(), source = pop(), offset = pop(), reference = pop()
            let ns = slot(of: n), so = slot(of: sourceOffset), s = slot(of: source), o = slot(of: offset), r = slot(of: reference)
            emit(IR.word(.arrayCopy, r, o), IR.pair(s, so), IR.pair(ns, element.storage.slotCount))
        case (.arrayInitData, .indexPair(let t, let d)), (.arrayInitElem, .indexPair(let t, let d)):
            guard let element = arrayElement(t) else { return false }
            let n = pop(), sourceOffset = pop(), offset = pop(), reference = pop()
            let ns = slot(of: n), so = slot(of: sourceOffset), o = slot(of: offset), r = slot(of: reference)
            let isData = opcode == .arrayInitData
            emit(IR.word(isData ? .arrayInitData : .arrayInitElem, r, o), IR.pair(so, ns),
                 IR.pair(checked(Int(d)), isData ? Self.byteSize(element.storage) : 0))
        case (.refI31, _), (.i31GetS, _), (.i31GetU, _):
            let operand = pop()
            let s = slot(of: operand)
            let op: Op = opcode == .refI31 ? .refI31 : opcode == .i31GetS ? .i31GetS : .i31GetU
            emitResult(IR.word(op, operand.home, s), slot: operand.home)
            push(opcode == .refI31 ? .ref(RefType(nullable: false, heapType: .i31)) : .i32, .temp)
        case (.anyConvertExtern, _), (.externConvertAny, _):
            // Same bits, the other hierarchy.
            var value = pop()
            let nullable = value.type.refType?.nullable ?? true
            value.type = .ref(RefType(nullable: nullable, heapType: opcode == .anyConvertExtern ? .any : .extern))
            stack.append(value)
        case (.refTest, .heapType(let h)), (.refTestNull, .heapType(let h)):
            let value = pop()
            let s = slot(of: value)
            emitResult(IR.word(.refTest, value.home, s), Self.castTarget(h, nullable: opcode == .refTestNull), slot: value.home)
            push(.i32, .temp)
        case (.refCast, .heapType(let h)), (.refCastNull, .heapType(let h)):
            var value = pop()
            let s = slot(of: value)
            let nullable = opcode == .refCastNull
            emit(IR.word(.refCast, s), Self.castTarget(h, nullable: nullable))
            value.type = .ref(RefType(nullable: nullable, heapType: h))
            if value.isConstant { value.location = .temp }
            stack.append(value)
        case (.brOnCast, .brOnCast(let label, let from, let to)), (.brOnCastFail, .brOnCast(let label, let from, let to)):
            // The reference stays on the stack on both paths, as the
            // label's last value when branching.
            let index = stack.count - 1
            let s: Int
            if case .local(let l) = stack[index].location { s = l } else { materialize(index); s = stack[index].home }
            let condition = BranchCondition(op: opcode == .brOnCast ? .brIfCast : .brIfNotCast, a: s, b: 0,
                                            castTarget: Self.castTarget(to.heapType, nullable: to.nullable))
            branchIf(condition, depth: Int(label))
            let remaining = opcode == .brOnCast
                ? RefType(nullable: from.nullable && !to.nullable, heapType: from.heapType) : to
            stack[stack.count - 1].type = .ref(remaining)
        default:
            return false
        }
        return true
    }

    func arrayElement(_ t: UInt32) -> FieldType? {
        guard case .array(let element)? = context.compositeType(at: t) else { return nil }
        return element
    }

    /// How a field read widens: 0 one slot, 1 two slots (v128), 2/3 i8
    /// signed/unsigned, 4/5 i16 signed/unsigned.
    static func readMode(_ storage: StorageType, _ opcode: Opcode) -> Int {
        let signed = opcode == .structGetS || opcode == .arrayGetS
        switch storage {
        case .i8: return signed ? 2 : 3
        case .i16: return signed ? 4 : 5
        case .value(.v128): return 1
        case .value: return 0
        }
    }

    /// The bytes an element takes in a data segment.
    static func byteSize(_ storage: StorageType) -> Int {
        switch storage {
        case .i8: return 1
        case .i16: return 2
        case .value(.i32), .value(.f32): return 4
        case .value(.v128): return 16
        case .value: return 8
        }
    }

    /// A cast target word: the type index in the low 32 bits, the abstract
    /// heap type + 1 (0 for a type index) in bits 32-39, nullability in bit 63.
    static func castTarget(_ h: HeapType, nullable: Bool) -> UInt64 {
        CastTarget.word(h, nullable: nullable)
    }
}
