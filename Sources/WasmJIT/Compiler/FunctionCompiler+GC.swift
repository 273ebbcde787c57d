import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// Structs and arrays. Objects are allocated by the runtime (the
    /// `gcAllocate` builtin, with every value in its home, so the collector
    /// sees them all); fields and elements are read and written inline
    /// (`ObjectLayout`: 64-bit slots, a packed field in one slot).
    /// False for an instruction that is not one of these.
    mutating func compileGC(_ instruction: Instruction, offset: Int) throws(CompileError) -> Bool {
        let op = instruction.opcode
        switch (op, instruction.immediate) {
        case (.structNew, .index(let t)), (.structNewDefault, .index(let t)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite else { return false }
            spillAll()
            let base = stack.count - (op == .structNew ? fields.count : 0)
            let fieldsHome = home(base)
            let object = allocateObject(type: t, lengthSlot: nil)
            if op == .structNew {
                masm.copyToObject(objectSlot: object, slot: ObjectLayout.fields, from: fieldsHome,
                                  count: composite.fieldSlotOffsets.total)
            }
            resetStack(to: base, pushing: [])
            masm.copySlot(to: nextHome, from: object)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .home)
        case (.structGet, .indexPair(let t, let i)), (.structGetS, .indexPair(let t, let i)),
             (.structGetU, .indexPair(let t, let i)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite,
                  Int(i) < fields.count else { return false }
            let field = fields[Int(i)].storage
            let slot = ObjectLayout.fields + composite.fieldSlotOffsets.offsets[Int(i)]
            let r = intoRegister(pop())
            masm.trap(ifZero: r, .nullStructureReference)
            if field == .value(.v128) {
                let destination = nextHome
                masm.copyFromObject(object: r, slot: slot, to: destination, count: 2)
                registers.free(r)
                push(.v128, .home)
            } else {
                masm.loadField(Self.read(field, op), r, object: r, slot: slot)
                push(field.unpacked, .register(r))
            }
        case (.structSet, .indexPair(let t, let i)):
            guard let composite = context.compositeType(at: t), case .struct(let fields) = composite,
                  Int(i) < fields.count else { return false }
            let slot = ObjectLayout.fields + composite.fieldSlotOffsets.offsets[Int(i)]
            let value = pop(), reference = pop()
            if value.type == .v128 {
                let v = vectorSlot(value, height: stack.count + 1)
                let r = intoRegister(reference)
                masm.trap(ifZero: r, .nullStructureReference)
                masm.copyToObject(object: r, slot: slot, from: v, count: 2)
                registers.free(r)
                break
            }
            let v = intoGeneralRegister(value), r = intoRegister(reference)
            masm.trap(ifZero: r, .nullStructureReference)
            masm.storeField(object: r, slot: slot, v)
            registers.free(v)
            registers.free(r)
        case (.arrayNew, .index(let t)), (.arrayNewDefault, .index(let t)):
            guard case .array(let element)? = context.compositeType(at: t) else { return false }
            spillAll()
            let lengthSlot = stack[stack.count - 1].home
            let base = stack.count - (op == .arrayNew ? 2 : 1)
            let valueSlot = home(base)
            let object = allocateObject(type: t, lengthSlot: lengthSlot)
            if op == .arrayNew {
                masm.fillNewArray(objectSlot: object, valueSlot: valueSlot, width: element.storage.slotCount)
            }
            resetStack(to: base, pushing: [])
            masm.copySlot(to: nextHome, from: object)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .home)
        case (.arrayNewFixed, .indexPair(let t, let n)):
            guard case .array(let element)? = context.compositeType(at: t) else { return false }
            spillAll()
            let base = stack.count - Int(n)
            let valuesHome = home(base)
            // The length goes to a free slot above the values.
            let lengthSlot = nextHome
            masm.storeSlotImmediate(slot: lengthSlot, UInt64(n))
            let object = allocateObject(type: t, lengthSlot: lengthSlot, above: lengthSlot + 1)
            masm.copyToObject(objectSlot: object, slot: ObjectLayout.fields, from: valuesHome,
                              count: Int(n) * element.storage.slotCount)
            resetStack(to: base, pushing: [])
            masm.copySlot(to: nextHome, from: object)
            push(.ref(RefType(nullable: false, heapType: .concrete(t))), .home)
        case (.arrayGet, .index(let t)), (.arrayGetS, .index(let t)), (.arrayGetU, .index(let t)):
            guard case .array(let element)? = context.compositeType(at: t) else { return false }
            let index = pop(), reference = pop()
            let i = intoRegister(index, height: stack.count + 1), r = intoRegister(reference)
            masm.trap(ifZero: r, .nullArrayReference)
            if element.storage == .value(.v128) {
                let destination = nextHome
                masm.copyElement(object: r, index: i, to: destination)
                registers.free(i)
                registers.free(r)
                push(.v128, .home)
                break
            }
            masm.loadElement(Self.read(element.storage, op), r, object: r, index: i)
            registers.free(i)
            push(element.storage.unpacked, .register(r))
        case (.arraySet, .index(let t)):
            guard case .array(let element)? = context.compositeType(at: t) else { return false }
            let value = pop(), index = pop(), reference = pop()
            if element.storage == .value(.v128) {
                let v = vectorSlot(value, height: stack.count + 2)
                let i = intoRegister(index, height: stack.count + 1), r = intoRegister(reference)
                masm.trap(ifZero: r, .nullArrayReference)
                masm.copyElement(object: r, index: i, from: v)
                registers.free(i)
                registers.free(r)
                break
            }
            let v = intoGeneralRegister(value), i = intoRegister(index, height: stack.count + 1)
            let r = intoRegister(reference)
            masm.trap(ifZero: r, .nullArrayReference)
            masm.storeElement(object: r, index: i, v)
            for x in [v, i, r] { registers.free(x) }
        case (.arrayLen, _):
            let r = intoRegister(pop())
            masm.trap(ifZero: r, .nullArrayReference)
            masm.arrayLength(r, object: r)
            push(.i32, .register(r))
        case (.arrayNewData, _), (.arrayNewElem, _), (.arrayInitData, _), (.arrayInitElem, _), (.arrayCopy, _), (.arrayFill, _):
            // array.copy's type is the destination's; array.fill has no segment.
            let t: UInt32, segment: UInt32
            switch instruction.immediate {
            case .indexPair(let a, let b): (t, segment) = (a, op == .arrayCopy ? 0 : b)
            case .index(let a): (t, segment) = (a, 0)
            default: return false
            }
            // The runtime does these (segments, allocation, element types),
            // on the operands in their homes, in order.
            let operation: Store.ArrayOperation
            let count: Int
            switch op {
            case .arrayNewData: (operation, count) = (.newData, 2)
            case .arrayNewElem: (operation, count) = (.newElem, 2)
            case .arrayInitData: (operation, count) = (.initData, 4)
            case .arrayInitElem: (operation, count) = (.initElem, 4)
            case .arrayCopy: (operation, count) = (.copy, 5)
            default: (operation, count) = (.fill, 4)
            }
            spillAll()
            let base = stack.count - count
            let operands = home(base)
            let result = nextHome
            maxSlot = Swift.max(maxSlot, result + 1)
            masm.callBuiltin("gcArrayOperation", [.immediate(UInt64(operation.rawValue)), .immediate(UInt64(t)),
                                                  .immediate(UInt64(segment)), .slotAddress(operands), .slotAddress(result)],
                             result: .trapCode)
            resetStack(to: base, pushing: [])
            if operation == .newData || operation == .newElem {
                masm.copySlot(to: nextHome, from: result)
                push(.ref(RefType(nullable: false, heapType: .concrete(t))), .home)
            }
        default:
            return false
        }
        return true
    }

    /// Allocates an object of type index `t` (an array of the length in
    /// `lengthSlot`) through the runtime, with every value home; the
    /// object's reference is left in a free slot (returned) above them.
    mutating func allocateObject(type t: UInt32, lengthSlot: Int?, above: Int? = nil) -> Int {
        let result = above ?? nextHome
        maxSlot = Swift.max(maxSlot, result + 1)
        masm.callBuiltin("gcAllocate", [.immediate(UInt64(t)), lengthSlot.map { .slot($0) } ?? .immediate(0),
                                        .slotAddress(result + 1), .slotAddress(result)], result: .trapCode)
        return result
    }

    static func read(_ storage: StorageType, _ op: Opcode) -> FieldRead {
        let signed = op == .structGetS || op == .arrayGetS
        switch storage {
        case .i8: return .i8(signed: signed)
        case .i16: return .i16(signed: signed)
        case .value(let t): return .slot(t == .i32 || t == .f32 ? .w32 : .w64)
        }
    }
}
