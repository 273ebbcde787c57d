import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// References are 64-bit values (CWasmVM.h): a function is the address
    /// of its header, null is 0.
    mutating func compileReference(_ instruction: Instruction, offset: Int) throws(CompileError) {
        switch (instruction.opcode, instruction.immediate) {
        case (.refNull, .heapType(let h)):
            push(.ref(RefType(nullable: true, heapType: h)), .constant(0))
        case (.refIsNull, _):
            push(.i64, .constant(0))
            binaryOperation(.i32) { $0.compare(.eq, .w64, $1, $1, $2) }
        case (.refFunc, .index(let i)):
            let r = allocate()
            masm.loadFunctionReference(r, function: Int(i))
            push(.ref(RefType(nullable: false, heapType: .func)), .register(r))
        case (.refEq, _):
            binaryOperation(.i32) { $0.compare(.eq, .w64, $1, $1, $2) }
        case (.refAsNonNull, _):
            var value = pop()
            let v = intoRegister(value)
            masm.trap(ifZero: v, .nullReference)
            if case .ref(var r) = value.type { r.nullable = false; value.type = .ref(r) }
            push(value.type, .register(v))
        case (.brOnNull, .index(let depth)):
            // Branch when null, with the values below; keep the (now
            // non-null) reference otherwise.
            var value = pop()
            let v = intoRegister(value)
            spillAll()
            let skip = masm.newLabel()
            masm.branch(ifZero: false, .w64, v, to: skip)
            branch(depth: Int(depth))
            masm.bind(skip)
            if case .ref(var r) = value.type { r.nullable = false; value.type = .ref(r) }
            push(value.type, .register(v))
        case (.brOnNonNull, .index(let depth)):
            // Branch with the reference when it is not null; drop it otherwise.
            let value = pop()
            let v = intoRegister(value)
            spillAll()
            let skip = masm.newLabel()
            masm.branch(ifZero: true, .w64, v, to: skip)
            push(value.type, .register(v))
            branch(depth: Int(depth))
            release(pop())
            masm.bind(skip)
        case (.refTest, .heapType(let h)), (.refTestNull, .heapType(let h)):
            // The runtime decides (subtyping needs the store's types).
            spillAll()
            let slot = stack[stack.count - 1].home
            _ = pop()
            let r = allocate()
            masm.callBuiltin("referenceMatches", [.slot(slot), .immediate(CastTarget.word(h, nullable: instruction.opcode == .refTestNull))],
                             result: .boolean(r))
            push(.i32, .register(r))
        case (.refCast, .heapType(let h)), (.refCastNull, .heapType(let h)):
            spillAll()
            let entry = stack[stack.count - 1]
            let r = allocate()
            let nullable = instruction.opcode == .refCastNull
            masm.callBuiltin("referenceMatches", [.slot(entry.home), .immediate(CastTarget.word(h, nullable: nullable))],
                             result: .boolean(r))
            masm.trap(ifZero: r, .castFailure)
            registers.free(r)
            stack[stack.count - 1].type = .ref(RefType(nullable: nullable, heapType: h))
        case (.brOnCast, .brOnCast(let depth, _, let to)), (.brOnCastFail, .brOnCast(let depth, _, let to)):
            // The reference stays on the stack on both paths.
            spillAll()
            let entry = stack[stack.count - 1]
            let r = allocate()
            masm.callBuiltin("referenceMatches", [.slot(entry.home), .immediate(CastTarget.word(to.heapType, nullable: to.nullable))],
                             result: .boolean(r))
            let skip = masm.newLabel()
            masm.branch(ifZero: instruction.opcode == .brOnCast, .w32, r, to: skip)
            registers.free(r)
            branch(depth: Int(depth))
            masm.bind(skip)
        case (.anyConvertExtern, _), (.externConvertAny, _):
            // The bits stay (CWasmVM's encoding); only the type changes.
            var value = pop()
            value.type = .ref(RefType(nullable: true, heapType: .abstract(instruction.opcode == .anyConvertExtern ? .any : .extern)))
            if case .register(let r) = value.location { registers.own(r, at: stack.count) }
            stack.append(value)
        case (.refI31, _):
            let value = pop()
            let v = intoRegister(value)
            masm.makeI31(v, v)
            push(.ref(RefType(nullable: false, heapType: .abstract(.i31))), .register(v))
        case (.i31GetS, _), (.i31GetU, _):
            let value = pop()
            let v = intoRegister(value)
            masm.trap(ifZero: v, .nullI31Reference)
            masm.readI31(v, v, signed: instruction.opcode == .i31GetS)
            push(.i32, .register(v))
        default:
            throw unsupported(instruction, offset: offset)
        }
    }

    /// Tables and bulk memory go through the runtime's builtins, with every
    /// value in its home: the operands are read from their slots, a result
    /// comes back in one.
    mutating func compileBulk(_ instruction: Instruction) {
        spillAll()
        /// Pops `count` operands; the home slots of each, bottom first.
        func operands(_ count: Int) -> [Int] {
            let base = stack.count - count
            let homes = (0..<count).map { home(base + $0) }
            for _ in 0..<count { _ = pop() }
            return homes
        }
        switch (instruction.opcode, instruction.immediate) {
        case (.tableGet, .index(let t)):
            let type = ValueType.ref(context.tables[Int(t)].elementType)
            let slots = operands(1)
            masm.callBuiltin("tableGet", [.immediate(UInt64(t)), .slot(slots[0]), .slotAddress(slots[0])], result: .trapCode)
            push(type, .home)
        case (.tableSet, .index(let t)):
            let slots = operands(2)
            masm.callBuiltin("tableSet", [.immediate(UInt64(t)), .slot(slots[0]), .slot(slots[1])], result: .trapCode)
        case (.tableSize, .index(let t)):
            let r = allocate()
            masm.tableSize(r, table: Int(t))
            push(tableIndexType(Int(t)), .register(r))
        case (.tableGrow, .index(let t)):
            let slots = operands(2)
            let r = allocate()
            let type = tableIndexType(Int(t))
            masm.callBuiltin("tableGrow", [.immediate(UInt64(t)), .slot(slots[1]), .slot(slots[0])],
                             result: .value(r, type == .i64 ? .w64 : .w32))
            push(type, .register(r))
        case (.tableFill, .index(let t)):
            let slots = operands(3)
            masm.callBuiltin("tableFill", [.immediate(UInt64(t)), .slot(slots[0]), .slot(slots[1]), .slot(slots[2])],
                             result: .trapCode)
        case (.tableCopy, .indexPair(let destination, let source)):
            let slots = operands(3)
            masm.callBuiltin("tableCopy", [.immediate(UInt64(destination)), .immediate(UInt64(source)), .slot(slots[0]),
                                           .slot(slots[1]), .slot(slots[2])], result: .trapCode)
        case (.tableInit, .indexPair(let element, let table)):
            let slots = operands(3)
            masm.callBuiltin("tableInit", [.immediate(UInt64(table)), .immediate(UInt64(element)), .slot(slots[0]),
                                           .slot(slots[1]), .slot(slots[2])], result: .trapCode)
        case (.elemDrop, .index(let e)):
            masm.callBuiltin("elemDrop", [.immediate(UInt64(e))], result: .none)
        case (.memoryFill, .index(let m)):
            let slots = operands(3)
            masm.callBuiltin("memoryFill", [.immediate(UInt64(m)), .slot(slots[0]), .slot(slots[1]), .slot(slots[2])],
                             result: .trapCode)
        case (.memoryCopy, .indexPair(let destination, let source)):
            let slots = operands(3)
            masm.callBuiltin("memoryCopy", [.immediate(UInt64(destination)), .immediate(UInt64(source)), .slot(slots[0]),
                                            .slot(slots[1]), .slot(slots[2])], result: .trapCode)
        case (.memoryInit, .indexPair(let data, let memory)):
            let slots = operands(3)
            masm.callBuiltin("memoryInit", [.immediate(UInt64(memory)), .immediate(UInt64(data)), .slot(slots[0]),
                                            .slot(slots[1]), .slot(slots[2])], result: .trapCode)
        case (.dataDrop, .index(let d)):
            masm.callBuiltin("dataDrop", [.immediate(UInt64(d))], result: .none)
        default:
            break
        }
    }

    func tableIndexType(_ table: Int) -> ValueType {
        context.tables[table].limits.addressType == .i64 ? .i64 : .i32
    }
}
