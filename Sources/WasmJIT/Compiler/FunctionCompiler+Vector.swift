import WasmRuntime
import WasmSyntax

extension FunctionCompiler {
    /// SIMD instructions. Vectors stay in slots; the backend computes on
    /// them there (its vector registers hold nothing between instructions).
    /// False for an instruction that is not SIMD.
    mutating func compileVector(_ instruction: Instruction, offset: Int) throws(CompileError) -> Bool {
        let op = instruction.opcode
        guard !op.feature.isDisjoint(with: [.simd, .relaxedSimd]) else { return false }
        let name = op.mnemonic
        if case .memarg(let memarg) = instruction.immediate {
            return try compileVectorLoad(instruction, memarg, lane: nil)
        }
        if case .memargLane(let memarg, let lane) = instruction.immediate {
            return try compileVectorLoad(instruction, memarg, lane: lane)
        }
        var supported = true
        switch instruction.immediate {
        case .v128(let lanes) where op == .i8x16Shuffle:
            let rhs = pop(), lhs = pop()
            let r = vectorSlot(rhs, height: stack.count + 1), l = vectorSlot(lhs, height: stack.count)
            let bytes = (0..<16).map { UInt8(truncatingIfNeeded: ($0 < 8 ? lanes.lo >> (8 * $0) : lanes.hi >> (8 * ($0 - 8)))) }
            masm.shuffle(destination: lhs.home, lhs: l, rhs: r, lanes: bytes)
            push(.v128, .home)
        case .lane(let lane) where name.contains("extract_lane"):
            let vector = pop()
            let v = vectorSlot(vector, height: stack.count)
            let r = allocate()
            supported = masm.vectorToScalar(op, r, operand: v, lane: lane)
            push(Self.laneType(name), .register(r))
        case .lane(let lane):
            // replace_lane
            let scalar = pop(), vector = pop()
            let s = intoGeneralRegister(scalar)
            let v = vectorSlot(vector, height: stack.count)
            supported = masm.scalarToVector(op, destination: vector.home, operand: v, scalar: s, lane: lane)
            registers.free(s)
            push(.v128, .home)
        default:
            if name.hasSuffix(".splat") {
                let scalar = pop()
                let s = intoGeneralRegister(scalar)
                let destination = nextHome
                supported = masm.scalarToVector(op, destination: destination, operand: nil, scalar: s, lane: 0)
                registers.free(s)
                push(.v128, .home)
            } else if name.hasSuffix(".any_true") || name.hasSuffix(".all_true") || name.hasSuffix(".bitmask") {
                let vector = pop()
                let v = vectorSlot(vector, height: stack.count)
                let r = allocate()
                supported = masm.vectorToScalar(op, r, operand: v, lane: 0)
                push(.i32, .register(r))
            } else if name.hasSuffix(".shl") || name.hasSuffix(".shr_s") || name.hasSuffix(".shr_u") {
                let count = pop(), vector = pop()
                let c = intoRegister(count, height: stack.count + 1)
                let v = vectorSlot(vector, height: stack.count)
                supported = masm.vectorShift(op, destination: vector.home, operand: v, count: c)
                registers.free(c)
                push(.v128, .home)
            } else {
                let arity = Self.vectorArity(op)
                var entries: [StackEntry] = []
                for _ in 0..<arity { entries.insert(pop(), at: 0) }
                var slots: [Int] = []
                for (i, e) in entries.enumerated() { slots.append(vectorSlot(e, height: stack.count + i)) }
                supported = masm.vector(op, destination: entries[0].home, operands: slots)
                push(.v128, .home)
            }
        }
        if !supported { throw unsupported(instruction, offset: offset) }
        return true
    }

    /// The scalar type an extract_lane gives.
    static func laneType(_ name: String) -> ValueType {
        if name.hasPrefix("i64x2") { return .i64 }
        if name.hasPrefix("f32x4") { return .f32 }
        if name.hasPrefix("f64x2") { return .f64 }
        return .i32
    }

    /// How many v128 operands a v128 -> v128 operator takes.
    static func vectorArity(_ op: Opcode) -> Int {
        OperatorTables.ternaryVectorOps.contains(op) ? 3 : (OperatorTables.unaryVectorOps.contains(op) ? 1 : 2)
    }

    /// The SIMD loads and stores other than v128.load/store: splats,
    /// extending loads, zero-extending loads, lane loads and stores, built
    /// from a scalar access and a lane operation.
    mutating func compileVectorLoad(_ instruction: Instruction, _ memarg: MemArg, lane: UInt8?) throws(CompileError) -> Bool {
        let op = instruction.opcode
        let memory = Int(memarg.memory)
        let is64 = memoryIs64(memory)
        let offset = memarg.offset
        switch op {
        case .v128Load, .v128Store:
            compileVectorMemoryAccess(instruction)
        case .v128Load8Splat, .v128Load16Splat, .v128Load32Splat, .v128Load64Splat:
            let access: MemoryAccess = [.v128Load8Splat: .i32Load8U, .v128Load16Splat: .i32Load16U,
                                        .v128Load32Splat: .i32][op] ?? .i64
            let splat: Opcode = [.v128Load8Splat: .i8x16Splat, .v128Load16Splat: .i16x8Splat,
                                 .v128Load32Splat: .i32x4Splat][op] ?? .i64x2Splat
            let a = intoRegister(pop())
            masm.load(access, a, address: a, offset: offset, memory: memory, is64: is64, inBounds: false)
            _ = masm.scalarToVector(splat, destination: nextHome, operand: nil, scalar: a, lane: 0)
            registers.free(a)
            push(.v128, .home)
        case .v128Load32Zero, .v128Load64Zero:
            let a = intoRegister(pop())
            masm.load(op == .v128Load32Zero ? .i32 : .i64, a, address: a, offset: offset, memory: memory, is64: is64, inBounds: false)
            let home = nextHome
            masm.storeSlot(.w64, slot: home, a)
            masm.storeSlotImmediate(slot: home + 1, 0)
            registers.free(a)
            push(.v128, .home)
        case .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U, .v128Load32x2S, .v128Load32x2U:
            let extend: Opcode = [.v128Load8x8S: .i16x8ExtendLowI8x16S, .v128Load8x8U: .i16x8ExtendLowI8x16U,
                                  .v128Load16x4S: .i32x4ExtendLowI16x8S, .v128Load16x4U: .i32x4ExtendLowI16x8U,
                                  .v128Load32x2S: .i64x2ExtendLowI32x4S][op] ?? .i64x2ExtendLowI32x4U
            let a = intoRegister(pop())
            masm.load(.i64, a, address: a, offset: offset, memory: memory, is64: is64, inBounds: false)
            let home = nextHome
            masm.storeSlot(.w64, slot: home, a)
            registers.free(a)
            _ = masm.vector(extend, destination: home, operands: [home])
            push(.v128, .home)
        case .v128Load8Lane, .v128Load16Lane, .v128Load32Lane, .v128Load64Lane:
            let access: MemoryAccess = [.v128Load8Lane: .i32Load8U, .v128Load16Lane: .i32Load16U,
                                        .v128Load32Lane: .i32][op] ?? .i64
            let replace: Opcode = [.v128Load8Lane: .i8x16ReplaceLane, .v128Load16Lane: .i16x8ReplaceLane,
                                   .v128Load32Lane: .i32x4ReplaceLane][op] ?? .i64x2ReplaceLane
            let vector = pop(), address = pop()
            let v = vectorSlot(vector, height: stack.count + 1)
            let a = intoRegister(address)
            masm.load(access, a, address: a, offset: offset, memory: memory, is64: is64, inBounds: false)
            let home = nextHome
            _ = masm.scalarToVector(replace, destination: home, operand: v, scalar: a, lane: lane ?? 0)
            registers.free(a)
            push(.v128, .home)
        case .v128Store8Lane, .v128Store16Lane, .v128Store32Lane, .v128Store64Lane:
            let access: MemoryAccess = [.v128Store8Lane: .store8, .v128Store16Lane: .store16,
                                        .v128Store32Lane: .store32][op] ?? .i64
            let extract: Opcode = [.v128Store8Lane: .i8x16ExtractLaneU, .v128Store16Lane: .i16x8ExtractLaneU,
                                   .v128Store32Lane: .i32x4ExtractLane][op] ?? .i64x2ExtractLane
            let vector = pop(), address = pop()
            let v = vectorSlot(vector, height: stack.count + 1)
            let a = intoRegister(address)
            let value = allocate()
            _ = masm.vectorToScalar(extract, value, operand: v, lane: lane ?? 0)
            masm.store(access, value, address: a, offset: offset, memory: memory, is64: is64, inBounds: false)
            registers.free(value)
            registers.free(a)
        default:
            throw unsupported(instruction, offset: reader.offset)
        }
        return true
    }
}
