import WasmSyntax

/// Loads, stores, memory and table instructions.
extension CodeGenerator {
    /// The memories an access may use: in no-trap mode only those of at
    /// least a page, so that the guarded fallback address 0 is in bounds.
    var accessibleMemories: [Int] {
        env.memories.indices.filter { !env.config.noTraps || env.memories[$0].limits.min >= 1 }
    }

    var accessibleTables: [Int] {
        env.tables.indices.filter { !env.config.noTraps || env.tables[$0].limits.min >= 1 }
    }

    // MARK: Loads and stores

    static let scalarAccesses: [(Opcode, ValueType, Int, Bool)] = [
        (.i32Load, .i32, 4, false), (.i64Load, .i64, 8, false), (.f32Load, .f32, 4, false), (.f64Load, .f64, 8, false),
        (.i32Load8S, .i32, 1, false), (.i32Load8U, .i32, 1, false), (.i32Load16S, .i32, 2, false), (.i32Load16U, .i32, 2, false),
        (.i64Load8S, .i64, 1, false), (.i64Load8U, .i64, 1, false), (.i64Load16S, .i64, 2, false), (.i64Load16U, .i64, 2, false),
        (.i64Load32S, .i64, 4, false), (.i64Load32U, .i64, 4, false),
        (.i32Store, .i32, 4, true), (.i64Store, .i64, 8, true), (.f32Store, .f32, 4, true), (.f64Store, .f64, 8, true),
        (.i32Store8, .i32, 1, true), (.i32Store16, .i32, 2, true), (.i64Store8, .i64, 1, true), (.i64Store16, .i64, 2, true),
        (.i64Store32, .i64, 4, true),
    ]

    static let vectorAccesses: [(Opcode, ValueType, Int, Bool)] = [
        (.v128Load, .v128, 16, false), (.v128Load8x8S, .v128, 8, false), (.v128Load8x8U, .v128, 8, false),
        (.v128Load16x4S, .v128, 8, false), (.v128Load16x4U, .v128, 8, false), (.v128Load32x2S, .v128, 8, false),
        (.v128Load32x2U, .v128, 8, false), (.v128Load8Splat, .v128, 1, false), (.v128Load16Splat, .v128, 2, false),
        (.v128Load32Splat, .v128, 4, false), (.v128Load64Splat, .v128, 8, false), (.v128Load32Zero, .v128, 4, false),
        (.v128Load64Zero, .v128, 8, false), (.v128Store, .v128, 16, true),
    ]

    static let laneAccesses: [(Opcode, Int, Bool)] = [
        (.v128Load8Lane, 1, false), (.v128Load16Lane, 2, false), (.v128Load32Lane, 4, false), (.v128Load64Lane, 8, false),
        (.v128Store8Lane, 1, true), (.v128Store16Lane, 2, true), (.v128Store32Lane, 4, true), (.v128Store64Lane, 8, true),
    ]

    mutating func memoryAccess() -> Bool {
        guard let m = u.choose(accessibleMemories) else { return false }
        let simd = env.has(.simd) && (env.allows(.vector) || env.allows(.relaxedVector))
        let kind = simd ? u.weighted([6, 2, 1]) : 0
        let addressType = env.memories[m].limits.addressType.valueType
        if kind == 2 {
            let (op, bytes, isStore) = Self.laneAccesses[u.index(Self.laneAccesses.count)]
            let memarg = self.memarg(memory: m, bytes: bytes)
            guard prepare([.address(m), .value(.v128)]) else { return false }
            if env.config.noTraps { guardAddress(memory: m, bytes: memarg.offset + UInt64(bytes), value: .v128) }
            emit(op, .memargLane(memarg, lane: UInt8(u.index(16 / bytes))))
            pop(2)
            if !isStore { push(.v128) }
            return true
        }
        let table = kind == 1 ? Self.vectorAccesses : Self.scalarAccesses
        var choice = table[u.index(table.count)]
        if u.chance(2, 3) {
            // Prefer a store whose value, or a load whose address, is ready.
            let ready = table.filter { $0.3 ? canPop([addressType, $0.1]) : canPop([addressType]) }
            if let r = u.choose(ready) { choice = r }
        }
        let (op, valueType, bytes, isStore) = choice
        let memarg = self.memarg(memory: m, bytes: bytes)
        guard prepare(isStore ? [.address(m), .value(valueType)] : [.address(m)]) else { return false }
        if env.config.noTraps { guardAddress(memory: m, bytes: memarg.offset + UInt64(bytes), value: isStore ? valueType : nil) }
        emit(op, .memarg(memarg))
        pop(isStore ? 2 : 1)
        if !isStore { push(valueType) }
        return true
    }

    /// A memarg: alignment at most natural, an offset that is small in
    /// no-trap mode and anything up to the address range otherwise.
    mutating func memarg(memory m: Int, bytes: Int) -> MemArg {
        let natural = bytes.trailingZeroBitCount
        let align = UInt32(u.int(in: 0...natural))
        var offset: UInt64
        switch u.index(6) {
        case 0, 1, 2: offset = 0
        case 3: offset = UInt64(u.index(32))
        case 4: offset = UInt64(u.index(70_000))
        default: offset = env.memories[m].limits.addressType == .i32 ? UInt64(u.u32()) : u.u64()
        }
        if env.config.noTraps { offset = min(offset, 32) }
        return MemArg(align: align, offset: offset, memory: UInt32(m))
    }

    // MARK: Memory instructions

    mutating func memoryControl() -> Bool {
        guard let m = u.choose(accessibleMemories) else { return false }
        let memory = env.memories[m]
        let at = memory.limits.addressType.valueType
        let noTraps = env.config.noTraps
        var choices = [0, 1]
        if env.has(.bulkMemory) && env.allows(.memoryControl) {
            choices += [2, 3]
            if env.hasDataCount {
                choices.append(4)
                if !noTraps { choices.append(5) }
            }
        }
        switch choices[u.index(choices.count)] {
        case 0:
            emit(.memorySize, .index(UInt32(m)))
            push(at)
        case 1:
            guard prepare([.count(at)]) else { return false }
            chargeFuel(countType: at)
            emit(.memoryGrow, .index(UInt32(m)))
            pop(1)
            push(at)
        case 2:
            guard prepare([.address(m), .value(.i32), .count(at)]) else { return false }
            if noTraps { guardBulk([at, .i32, at], extents: [.memory(m), nil, nil]) }
            chargeFuel(countType: at)
            emit(.memoryFill, .index(UInt32(m)))
            pop(3)
        case 3:
            let s = u.choose(accessibleMemories) ?? m
            let st = env.memories[s].limits.addressType.valueType
            let count: ValueType = at == .i64 && st == .i64 ? .i64 : .i32
            guard prepare([.address(m), .address(s), .count(count)]) else { return false }
            if noTraps { guardBulk([at, st, count], extents: [.memory(m), .memory(s), nil]) }
            chargeFuel(countType: count)
            emit(.memoryCopy, .indexPair(UInt32(m), UInt32(s)))
            pop(3)
        case 4:
            let d = u.index(env.datas.count)
            guard prepare([.address(m), .count(.i32), .count(.i32)]) else { return false }
            if noTraps {
                let length = env.datas[d].isPassive ? env.datas[d].length : 0
                guardBulk([at, .i32, .i32], extents: [.memory(m), .segment(length), nil])
            }
            chargeFuel(countType: .i32)
            emit(.memoryInit, .indexPair(UInt32(d), UInt32(m)))
            pop(3)
        default:
            emit(.dataDrop, .index(UInt32(u.index(env.datas.count))))
        }
        return true
    }

    // MARK: Tables

    mutating func table() -> Bool {
        let noTraps = env.config.noTraps
        var choices: [Int] = []
        let tables = accessibleTables
        if !tables.isEmpty && env.has(.referenceTypes) { choices += [0, 1, 2, 3, 4] }
        // Guards read table.size, a reference-types instruction.
        let guardable = !noTraps || env.has(.referenceTypes)
        if !tables.isEmpty && env.has(.bulkMemory) && guardable { choices.append(5) }
        if !tables.isEmpty && env.has(.bulkMemory) && guardable && !env.elements.isEmpty { choices.append(6) }
        if env.has(.bulkMemory) && !env.elements.isEmpty && !noTraps { choices.append(7) }
        guard let choice = u.choose(choices) else { return false }
        let t = tables.isEmpty ? 0 : tables[u.index(tables.count)]
        switch choice {
        case 0:
            let table = env.tables[t]
            guard prepare([.tableIndex(t)]) else { return false }
            if noTraps { guardTableIndex(table: t, value: nil) }
            emit(.tableGet, .index(UInt32(t)))
            pop(1)
            push(.ref(table.elementType))
        case 1:
            let element = ValueType.ref(env.tables[t].elementType)
            guard prepare([.tableIndex(t), .value(element)]) else { return false }
            if noTraps { guardTableIndex(table: t, value: element) }
            emit(.tableSet, .index(UInt32(t)))
            pop(2)
        case 2:
            emit(.tableSize, .index(UInt32(t)))
            push(env.tables[t].limits.addressType.valueType)
        case 3:
            let at = env.tables[t].limits.addressType.valueType
            guard prepare([.value(.ref(env.tables[t].elementType)), .count(at)]) else { return false }
            chargeFuel(countType: at)
            emit(.tableGrow, .index(UInt32(t)))
            pop(2)
            push(at)
        case 4:
            let at = env.tables[t].limits.addressType.valueType
            let element = ValueType.ref(env.tables[t].elementType)
            guard prepare([.tableIndex(t), .value(element), .count(at)]) else { return false }
            if noTraps { guardBulk([at, element, at], extents: [.table(t), nil, nil]) }
            chargeFuel(countType: at)
            emit(.tableFill, .index(UInt32(t)))
            pop(3)
        case 5:
            let sources = tables.filter { env.isSubtype(env.tables[$0].elementType, env.tables[t].elementType) }
            guard let s = u.choose(sources) else { return false }
            let dt = env.tables[t].limits.addressType.valueType, st = env.tables[s].limits.addressType.valueType
            let count: ValueType = dt == .i64 && st == .i64 ? .i64 : .i32
            guard prepare([.tableIndex(t), .tableIndex(s), .count(count)]) else { return false }
            if noTraps { guardBulk([dt, st, count], extents: [.table(t), .table(s), nil]) }
            chargeFuel(countType: count)
            emit(.tableCopy, .indexPair(UInt32(t), UInt32(s)))
            pop(3)
        case 6:
            let segments = env.elements.indices.filter { env.isSubtype(env.elements[$0].type, env.tables[t].elementType) }
            guard let e = u.choose(segments) else { return false }
            let at = env.tables[t].limits.addressType.valueType
            guard prepare([.tableIndex(t), .count(.i32), .count(.i32)]) else { return false }
            if noTraps {
                let length = env.elements[e].isPassive ? env.elements[e].length : 0
                guardBulk([at, .i32, .i32], extents: [.table(t), .segment(length), nil])
            }
            chargeFuel(countType: .i32)
            emit(.tableInit, .indexPair(UInt32(e), UInt32(t)))
            pop(3)
        default:
            emit(.elemDrop, .index(UInt32(u.index(env.elements.count))))
        }
        return true
    }
}
