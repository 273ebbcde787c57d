import WasmSyntax

extension FunctionTranslator {
    /// Loads, stores and memory instructions. Accesses to memory 0 with
    /// 32-bit addresses get their own operations; everything else goes
    /// through `memoryAccess`, which decodes the wasm opcode at run time.
    mutating func translateMemory(_ instruction: Instruction) -> Bool {
        let opcode = instruction.opcode
        switch instruction.immediate {
        case .memarg(let m):
            if let (fast, type) = Self.fastLoad(opcode) {
                let address = pop()
                if isFastMemory(m) {
                    let (a, k) = foldedAddress(address)
                    emitResult(IR.word(fast, address.home, a), m.offset | UInt64(k) << 32, slot: address.home)
                } else {
                    let a = slot(of: address)
                    emitResult(IR.word(.memoryAccess, address.home, a), m.offset, accessWord(opcode, m, lane: 0), 0, slot: address.home)
                }
                push(type, .temp)
                return true
            }
            if let fast = Self.fastStore(opcode) {
                let value = pop()
                let address = pop()
                if isFastMemory(m) {
                    if case .const(let c) = value.location, let (immediateOp, immediate) = Self.storeImmediate(fast, c) {
                        let (a, k) = foldedAddress(address)
                        emit(IR.word(immediateOp, a, immediate), m.offset | UInt64(k) << 32)
                        return true
                    }
                    // The value's slot first: a constant that no immediate
                    // takes is written to its home, which may be the slot
                    // of the folded add's operand (the fuzzer found
                    // `f32.store (i32.add (i32.const 0) (global.get 0))
                    // (f32.const 1)` storing through the constant's bits).
                    // Materializing it is the last instruction then, so the
                    // add is not folded.
                    let v = slot(of: value)
                    let (a, k) = foldedAddress(address)
                    emit(IR.word(fast, a, v), m.offset | UInt64(k) << 32)
                } else {
                    let v = slot(of: value)
                    let a = slot(of: address)
                    emit(IR.word(.memoryAccess, 0, a), m.offset)
                    code.append(accessWord(opcode, m, lane: 0))
                    code.append(UInt64(v))
                }
                return true
            }
            // SIMD splat/extend/zero loads.
            guard Self.isVectorLoad(opcode) else { return false }
            let address = pop()
            let a = slot(of: address)
            emitResult(IR.word(.memoryAccess, address.home, a), m.offset, accessWord(opcode, m, lane: 0), 0, slot: address.home)
            push(.v128, .temp)
            return true
        case .memargLane(let m, let lane):
            let vector = pop()
            let address = pop()
            let v = slot(of: vector)
            let a = slot(of: address)
            let isLoad = opcode == .v128Load8Lane || opcode == .v128Load16Lane || opcode == .v128Load32Lane || opcode == .v128Load64Lane
            if isLoad {
                emitResult(IR.word(.memoryAccess, address.home, a), m.offset, accessWord(opcode, m, lane: lane), UInt64(v), slot: address.home)
                push(.v128, .temp)
            } else {
                emit(IR.word(.memoryAccess, 0, a), m.offset)
                code.append(accessWord(opcode, m, lane: lane))
                code.append(UInt64(v))
            }
            return true
        default:
            break
        }
        switch opcode {
        case .memorySize:
            let memory = index(instruction.immediate)
            let home = nextHome
            emitResult(IR.word(.memorySize, home, checked(memory)), slot: home)
            push(addressType(memory: memory), .temp)
        case .memoryGrow:
            let memory = index(instruction.immediate)
            let delta = pop()
            let d = slot(of: delta)
            emitResult(IR.word(.memoryGrow, delta.home, d), UInt64(checked(memory)), slot: delta.home)
            push(addressType(memory: memory), .temp)
        case .memoryFill:
            let memory = index(instruction.immediate)
            let (d, v, n) = popThree()
            emit(IR.word(.memoryFill, checked(memory)), IR.pair(d, v), UInt64(n))
        case .memoryCopy:
            let (destination, source) = indexPair(instruction.immediate)
            let (d, s, n) = popThree()
            emit(IR.word(.memoryCopy, checked(destination), checked(source)), IR.pair(d, s), UInt64(n))
        case .memoryInit:
            let (data, memory) = indexPair(instruction.immediate)
            let (d, s, n) = popThree()
            emit(IR.word(.memoryInit, checked(data), checked(memory)), IR.pair(d, s), UInt64(n))
        case .dataDrop:
            emit(IR.word(.dataDrop, checked(index(instruction.immediate))))
        default:
            return false
        }
        return true
    }

    /// Table instructions.
    mutating func translateTable(_ instruction: Instruction) -> Bool {
        switch instruction.opcode {
        case .tableGet:
            let table = index(instruction.immediate)
            let i = pop()
            let s = slot(of: i)
            emitResult(IR.word(.tableGet, i.home, s), UInt64(checked(table)), slot: i.home)
            push(.ref(context.tables[table].elementType), .temp)
        case .tableSet:
            let table = index(instruction.immediate)
            let value = pop()
            let i = pop()
            let v = slot(of: value)
            let s = slot(of: i)
            emit(IR.word(.tableSet, checked(table), s), UInt64(v))
        case .tableSize:
            let table = index(instruction.immediate)
            let home = nextHome
            emitResult(IR.word(.tableSize, home, checked(table)), slot: home)
            push(context.tables[table].limits.addressType.valueType, .temp)
        case .tableGrow:
            let table = index(instruction.immediate)
            let delta = pop()
            let initial = pop()
            let n = slot(of: delta)
            let v = slot(of: initial)
            emitResult(IR.word(.tableGrow, initial.home, checked(table)), IR.pair(v, n), slot: initial.home)
            push(context.tables[table].limits.addressType.valueType, .temp)
        case .tableFill:
            let table = index(instruction.immediate)
            let (i, v, n) = popThree()
            emit(IR.word(.tableFill, checked(table)), IR.pair(i, v), UInt64(n))
        case .tableCopy:
            let (destination, source) = indexPair(instruction.immediate)
            let (d, s, n) = popThree()
            emit(IR.word(.tableCopy, checked(destination), checked(source)), IR.pair(d, s), UInt64(n))
        case .tableInit:
            let (element, table) = indexPair(instruction.immediate)
            let (d, s, n) = popThree()
            emit(IR.word(.tableInit, checked(element), checked(table)), IR.pair(d, s), UInt64(n))
        case .elemDrop:
            emit(IR.word(.elemDrop, checked(index(instruction.immediate))))
        default:
            return false
        }
        return true
    }

    // MARK: Helpers

    /// The slot of an address operand, and the constant of an `i32.add`
    /// that computed it just before (removed: the access adds it itself).
    mutating func foldedAddress(_ address: Operand) -> (slot: Int, constant: UInt32) {
        if case .const(let c) = address.location {
            return (zeroSlot, UInt32(truncatingIfNeeded: c))
        }
        if case .temp = address.location, let last = lastResult, last.slot == address.home,
           IR.op(code[last.start]) == .i32AddImm {
            let base = IR.b(code[last.start])
            let constant = UInt32(truncatingIfNeeded: code[last.start + 1])
            removeLastInstruction(at: last.start)
            return (base, constant)
        }
        return (slot(of: address), 0)
    }

    /// Pops three operands and returns their slots, bottom first.
    mutating func popThree() -> (Int, Int, Int) {
        let z = pop()
        let y = pop()
        let x = pop()
        let zs = slot(of: z)
        let ys = slot(of: y)
        let xs = slot(of: x)
        return (xs, ys, zs)
    }

    func index(_ immediate: Immediate) -> Int {
        if case .index(let i) = immediate { return Int(i) }
        return 0
    }

    func indexPair(_ immediate: Immediate) -> (Int, Int) {
        if case .indexPair(let a, let b) = immediate { return (Int(a), Int(b)) }
        return (0, 0)
    }

    func addressType(memory: Int) -> ValueType {
        memory < context.memories.count ? context.memories[memory].limits.addressType.valueType : .i32
    }

    func isFastMemory(_ m: MemArg) -> Bool {
        m.memory == 0 && !context.memories.isEmpty && context.memories[0].limits.addressType == .i32
            && m.offset <= UInt64(UInt32.max)
    }

    /// The second immediate word of `memoryAccess`.
    mutating func accessWord(_ opcode: Opcode, _ m: MemArg, lane: UInt8) -> UInt64 {
        UInt64(opcode.rawValue) | UInt64(checked(Int(m.memory))) << 16 | UInt64(lane) << 48
    }

    static func fastLoad(_ opcode: Opcode) -> (Op, ValueType)? {
        switch opcode {
        case .i32Load: return (.i32Load, .i32)
        case .i64Load: return (.i64Load, .i64)
        case .f32Load: return (.f32Load, .f32)
        case .f64Load: return (.f64Load, .f64)
        case .i32Load8S: return (.i32Load8S, .i32)
        case .i32Load8U: return (.i32Load8U, .i32)
        case .i32Load16S: return (.i32Load16S, .i32)
        case .i32Load16U: return (.i32Load16U, .i32)
        case .i64Load8S: return (.i64Load8S, .i64)
        case .i64Load8U: return (.i64Load8U, .i64)
        case .i64Load16S: return (.i64Load16S, .i64)
        case .i64Load16U: return (.i64Load16U, .i64)
        case .i64Load32S: return (.i64Load32S, .i64)
        case .i64Load32U: return (.i64Load32U, .i64)
        case .v128Load: return (.v128Load, .v128)
        default: return nil
        }
    }

    static func fastStore(_ opcode: Opcode) -> Op? {
        switch opcode {
        case .i32Store: return .i32Store
        case .i64Store: return .i64Store
        case .f32Store: return .f32Store
        case .f64Store: return .f64Store
        case .i32Store8: return .i32Store8
        case .i32Store16: return .i32Store16
        case .i64Store8: return .i64Store8
        case .i64Store16: return .i64Store16
        case .i64Store32: return .i64Store32
        case .v128Store: return .v128Store
        default: return nil
        }
    }

    /// The store of constant `c` with the value in the instruction, when
    /// the bits stored fit the 24-bit field (sign-extended for 32 and 64 bits).
    static func storeImmediate(_ op: Op, _ c: UInt64) -> (Op, Int)? {
        let limit = 1 << 23
        switch op {
        case .i32Store8, .i64Store8:
            return (.i32Store8Imm, Int(c & 0xFF))
        case .i32Store16, .i64Store16:
            return (.i32Store16Imm, Int(c & 0xFFFF))
        case .i32Store, .f32Store, .i64Store32:
            let v = Int(Int32(truncatingIfNeeded: c))
            return v >= -limit && v < limit ? (.i32StoreImm, v) : nil
        case .i64Store, .f64Store:
            let v = Int(Int64(bitPattern: c))
            return v >= -limit && v < limit ? (.i64StoreImm, v) : nil
        default:
            return nil
        }
    }

    static func isVectorLoad(_ opcode: Opcode) -> Bool {
        switch opcode {
        case .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U, .v128Load32x2S, .v128Load32x2U,
             .v128Load8Splat, .v128Load16Splat, .v128Load32Splat, .v128Load64Splat, .v128Load32Zero, .v128Load64Zero:
            return true
        default:
            return false
        }
    }
}
