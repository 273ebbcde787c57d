import WasmSyntax

/// Code the generator adds around instructions: fuel (termination by
/// construction), guards that keep instructions from trapping, and NaN
/// canonicalisation. All of it is stack-neutral: it replaces the operands
/// or results of one instruction by values of the same types.
extension CodeGenerator {
    // MARK: Fuel

    /// At function entry and loop headers: stop when the fuel global is
    /// zero, otherwise take one unit.
    mutating func emitFuelCheck() {
        guard let fuel = env.fuelGlobal else { return }
        emit(.globalGet, .index(fuel))
        emit(.i32Eqz)
        push(.i32)
        emit(.if, .block(.empty))
        pop(1)
        pushFrame(.if, params: [], results: [])
        exitOnExhaustion()
        closeFrame()
        emit(.globalGet, .index(fuel))
        emit(.i32Const, .i32(1))
        emit(.i32Sub)
        emit(.globalSet, .index(fuel))
    }

    /// Charges a bulk operation whose count is on top of the stack (of
    /// type `t`): count >> bulkFuelShift units, stopping if there are not
    /// that many.
    mutating func chargeFuel(countType t: ValueType) {
        guard let fuel = env.fuelGlobal else { return }
        let shift = env.config.bulkFuelShift
        let n = scratchLocal(t, slot: 9)
        emit(.localTee, .index(n))
        emit(.globalGet, .index(fuel))
        if t == .i64 {
            emit(.i64ExtendI32U)
            emit(.localGet, .index(n))
            emit(.i64Const, .i64(Int64(shift)))
            emit(.i64ShrU)
            emit(.i64LtU)
        } else {
            emit(.localGet, .index(n))
            emit(.i32Const, .i32(Int32(shift)))
            emit(.i32ShrU)
            emit(.i32LtU)
        }
        push(.i32)
        emit(.if, .block(.empty))
        pop(1)
        pushFrame(.if, params: [], results: [])
        exitOnExhaustion()
        closeFrame()
        emit(.globalGet, .index(fuel))
        emit(.localGet, .index(n))
        if t == .i64 {
            emit(.i64Const, .i64(Int64(shift)))
            emit(.i64ShrU)
            emit(.i32WrapI64)
        } else {
            emit(.i32Const, .i32(Int32(shift)))
            emit(.i32ShrU)
        }
        emit(.i32Sub)
        emit(.globalSet, .index(fuel))
    }

    /// Leaves the function when fuel is exhausted: `unreachable`, or in
    /// no-trap mode a `return` of made-up results where possible.
    mutating func exitOnExhaustion() {
        if env.config.noTraps {
            var ok = true
            for t in type.results where !pushLeaf(t) {
                ok = false
                break
            }
            if ok {
                emit(.return)
                markUnreachable()
                return
            }
        }
        emit(.unreachable)
        markUnreachable()
    }

    // MARK: Scratch values

    /// Moves the top of the stack (of type `t`) into a scratch local.
    mutating func stash(_ t: ValueType, slot: Int) -> UInt32 {
        let x = scratchLocal(t, slot: slot)
        emit(.localSet, .index(x))
        return x
    }

    /// Pushes a stashed value back as a value of type `t`.
    mutating func restore(_ x: UInt32, as t: ValueType) {
        emit(.localGet, .index(x))
        if case .ref(let r) = t, !r.nullable { emit(.refAsNonNull) }
    }

    mutating func zero(_ t: ValueType) {
        t == .i64 ? emit(.i64Const, .i64(0)) : emit(.i32Const, .i32(0))
    }

    /// Pushes local `x` widened to i64.
    mutating func getAsI64(_ x: UInt32, _ t: ValueType) {
        emit(.localGet, .index(x))
        if t == .i32 { emit(.i64ExtendI32U) }
    }

    // MARK: Division and truncation

    /// Guards division (a zero or, for div_s, a -1 divisor becomes 1) and
    /// float-to-int truncation (a NaN or out-of-range operand becomes 0).
    mutating func guardOperands(of op: Opcode) {
        switch op {
        case .i32DivU, .i32RemU, .i32RemS:
            let t = scratchLocal(.i32, slot: 0)
            emit(.localTee, .index(t))
            emit(.i32Const, .i32(1))
            emit(.localGet, .index(t))
            emit(.select)
        case .i64DivU, .i64RemU, .i64RemS:
            let t = scratchLocal(.i64, slot: 0)
            emit(.localTee, .index(t))
            emit(.i64Const, .i64(1))
            emit(.localGet, .index(t))
            emit(.i64Eqz)
            emit(.i32Eqz)
            emit(.select)
        case .i32DivS:
            let t = scratchLocal(.i32, slot: 0)
            emit(.localTee, .index(t))
            emit(.i32Const, .i32(1))
            emit(.localGet, .index(t))
            emit(.i32Const, .i32(1))
            emit(.i32Add)
            emit(.i32Const, .i32(1))
            emit(.i32GtU)
            emit(.select)
        case .i64DivS:
            let t = scratchLocal(.i64, slot: 0)
            emit(.localTee, .index(t))
            emit(.i64Const, .i64(1))
            emit(.localGet, .index(t))
            emit(.i64Const, .i64(1))
            emit(.i64Add)
            emit(.i64Const, .i64(1))
            emit(.i64GtU)
            emit(.select)
        default:
            if let bounds = Self.truncationBounds[op] { guardTruncation(bounds) }
        }
    }

    /// Exclusive bounds of the operands that truncate without trapping.
    enum TruncationBounds {
        case f32(UInt32, UInt32)
        case f64(UInt64, UInt64)
    }

    static let truncationBounds: [Opcode: TruncationBounds] = [
        .i32TruncF32S: .f32(0xCF00_0001, 0x4F00_0000),
        .i32TruncF32U: .f32(0xBF80_0000, 0x4F80_0000),
        .i32TruncF64S: .f64((-2147483649.0 as Double).bitPattern, 0x41E0_0000_0000_0000),
        .i32TruncF64U: .f64(0xBFF0_0000_0000_0000, 0x41F0_0000_0000_0000),
        .i64TruncF32S: .f32(0xDF00_0001, 0x5F00_0000),
        .i64TruncF32U: .f32(0xBF80_0000, 0x5F80_0000),
        .i64TruncF64S: .f64(0xC3E0_0000_0000_0001, 0x43E0_0000_0000_0000),
        .i64TruncF64U: .f64(0xBFF0_0000_0000_0000, 0x43F0_0000_0000_0000),
    ]

    private mutating func guardTruncation(_ bounds: TruncationBounds) {
        switch bounds {
        case .f32(let lo, let hi):
            let f = scratchLocal(.f32, slot: 0)
            emit(.localTee, .index(f))
            emit(.f32Const, .f32(0))
            emit(.localGet, .index(f))
            emit(.f32Const, .f32(lo))
            emit(.f32Gt)
            emit(.localGet, .index(f))
            emit(.f32Const, .f32(hi))
            emit(.f32Lt)
            emit(.i32And)
            emit(.select)
        case .f64(let lo, let hi):
            let f = scratchLocal(.f64, slot: 0)
            emit(.localTee, .index(f))
            emit(.f64Const, .f64(0))
            emit(.localGet, .index(f))
            emit(.f64Const, .f64(lo))
            emit(.f64Gt)
            emit(.localGet, .index(f))
            emit(.f64Const, .f64(hi))
            emit(.f64Lt)
            emit(.i32And)
            emit(.select)
        }
    }

    // MARK: NaN canonicalisation

    /// The instructions whose float results may be NaNs with a payload the
    /// spec leaves open, and the lane shape of their result.
    static let nanProducers: [Opcode: ValueType?] = {
        var table: [Opcode: ValueType?] = [:]
        let scalar = ["add", "sub", "mul", "div", "sqrt", "min", "max", "ceil", "floor", "trunc", "nearest",
                      "demote_f64", "promote_f32"]
        let vector = scalar + ["demote_f64x2_zero", "promote_low_f32x4", "relaxed_madd", "relaxed_nmadd",
                               "relaxed_min", "relaxed_max"]
        for op in Opcode.allCases {
            let parts = op.mnemonic.split(separator: ".", maxSplits: 1)
            guard parts.count == 2 else { continue }
            let (shape, name) = (String(parts[0]), String(parts[1]))
            switch shape {
            case "f32" where scalar.contains(name): table[op] = .f32
            case "f64" where scalar.contains(name): table[op] = .f64
            case "f32x4" where vector.contains(name): table[op] = .some(nil)
            case "f64x2" where vector.contains(name): table[op] = .some(nil)
            default: break
            }
        }
        return table
    }()

    /// Replaces a NaN result of `op` on top of the stack by the canonical NaN.
    mutating func canonicalizeNaN(after op: Opcode) {
        guard let entry = Self.nanProducers[op] else { return }
        switch entry {
        case .some(.f32):
            let x = stash(.f32, slot: 8)
            emit(.f32Const, .f32(0x7FC0_0000))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(.f32Ne)
            emit(.select)
        case .some(.f64):
            let x = stash(.f64, slot: 8)
            emit(.f64Const, .f64(0x7FF8_0000_0000_0000))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(.f64Ne)
            emit(.select)
        default:
            let isF32 = op.mnemonic.hasPrefix("f32x4")
            let x = stash(.v128, slot: 8)
            let canonical = isF32 ? V128(lo: 0x7FC0_0000_7FC0_0000, hi: 0x7FC0_0000_7FC0_0000)
                                  : V128(lo: 0x7FF8_0000_0000_0000, hi: 0x7FF8_0000_0000_0000)
            emit(.v128Const, .v128(canonical))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(.localGet, .index(x))
            emit(isF32 ? .f32x4Ne : .f64x2Ne)
            emit(.v128Bitselect)
        }
    }

    // MARK: Memory and table bounds

    /// Pushes the size of memory `m` in bytes as an i64.
    mutating func memoryBytes(_ m: Int) {
        emit(.memorySize, .index(UInt32(m)))
        if env.memories[m].limits.addressType == .i32 { emit(.i64ExtendI32U) }
        emit(.i64Const, .i64(16))
        emit(.i64Shl)
    }

    /// Pushes the size of table `t` as an i64.
    mutating func tableElements(_ t: Int) {
        emit(.tableSize, .index(UInt32(t)))
        if env.tables[t].limits.addressType == .i32 { emit(.i64ExtendI32U) }
    }

    /// Replaces the address on top of the stack (below a value of type
    /// `value`, if given) by 0 unless `bytes` bytes at it (plus the static
    /// offset) are in bounds of memory `m`, which is at least a page.
    mutating func guardAddress(memory m: Int, bytes: UInt64, value: ValueType?) {
        var v: UInt32?
        if let value { v = stash(value, slot: 3) }
        let addressType = env.memories[m].limits.addressType.valueType
        let a = scratchLocal(addressType, slot: 2)
        emit(.localTee, .index(a))
        zero(addressType)
        getAsI64(a, addressType)
        memoryBytes(m)
        emit(.i64Const, .i64(Int64(bytes)))
        emit(.i64Sub)
        emit(.i64LeU)
        emit(.select)
        if let v, let value { restore(v, as: value) }
    }

    /// Replaces the index on top of the stack (below a value, if given) by
    /// 0 unless it is in bounds of table `t` (which has an element).
    mutating func guardTableIndex(table t: Int, value: ValueType?) {
        var v: UInt32?
        if let value { v = stash(value, slot: 3) }
        let indexType = env.tables[t].limits.addressType.valueType
        let i = scratchLocal(indexType, slot: 2)
        emit(.localTee, .index(i))
        zero(indexType)
        getAsI64(i, indexType)
        tableElements(t)
        emit(.i64LtU)
        emit(.select)
        if let v, let value { restore(v, as: value) }
    }

    /// The extent of a bulk operation: a start operand and the size of
    /// what it indexes (a memory in bytes, a table, a segment).
    enum Extent {
        case memory(Int)
        case table(Int)
        case segment(Int)
    }

    /// Guards a bulk operation whose three operands (two starts and a
    /// count, or a start, a fill value and a count) are on the stack:
    /// unless every range is in bounds, starts and count become 0.
    mutating func guardBulk(_ types: [ValueType], extents: [Extent?]) {
        var saved: [UInt32] = []
        for (i, t) in types.enumerated().reversed() {
            saved.insert(stash(t, slot: 4 + i), at: 0)
        }
        let count = saved[2], countType = types[2]
        var first = true
        for (i, extent) in extents.enumerated() {
            guard let extent else { continue }
            // count <= size && start <= size - count
            getAsI64(count, countType)
            size(extent)
            emit(.i64LeU)
            getAsI64(saved[i], types[i])
            size(extent)
            getAsI64(count, countType)
            emit(.i64Sub)
            emit(.i64LeU)
            emit(.i32And)
            if !first { emit(.i32And) }
            first = false
        }
        let c = scratchLocal(.i32, slot: 7)
        emit(.localSet, .index(c))
        for (i, t) in types.enumerated() {
            if i == 2 || extents[i] != nil {
                emit(.localGet, .index(saved[i]))
                zero(t)
                emit(.localGet, .index(c))
                emit(.select)
            } else {
                restore(saved[i], as: t)
            }
        }
    }

    private mutating func size(_ extent: Extent) {
        switch extent {
        case .memory(let m): memoryBytes(m)
        case .table(let t): tableElements(t)
        case .segment(let length): emit(.i64Const, .i64(Int64(length)))
        }
    }
}

extension CodeGenerator.Extent: Equatable {}
