import WasmSyntax

/// Memory and table instructions.
extension FunctionValidator {
    func memoryType(_ index: UInt32, offset: Int) throws(ValidationError) -> MemoryType {
        guard index < context.memories.count else { throw .unknown("memory", index, offset: offset) }
        return context.memories[Int(index)]
    }

    func tableType(_ index: UInt32, offset: Int) throws(ValidationError) -> TableType {
        guard index < context.tables.count else { throw .unknown("table", index, offset: offset) }
        return context.tables[Int(index)]
    }

    func elementType(_ index: UInt32, offset: Int) throws(ValidationError) -> RefType {
        guard index < context.elementTypes.count else { throw .unknown("elem segment", index, offset: offset) }
        return context.elementTypes[Int(index)]
    }

    /// A data segment index in code: the binary format requires the data
    /// count section for it (a malformed-module error).
    func checkDataIndex(_ index: UInt32, offset: Int) throws(ValidationError) {
        guard let count = context.dataCount else {
            throw ValidationError("data count section required", offset: offset, isMalformed: true)
        }
        guard index < count else { throw .unknown("data segment", index, offset: offset) }
    }

    /// The value type and the access width in bits of a load or store, and
    /// whether it is a store.
    private static func access(_ op: Opcode) -> (type: ValueType, bits: UInt32, isStore: Bool) {
        switch op {
        case .i32Load: return (.i32, 32, false)
        case .i64Load: return (.i64, 64, false)
        case .f32Load: return (.f32, 32, false)
        case .f64Load: return (.f64, 64, false)
        case .i32Load8S, .i32Load8U: return (.i32, 8, false)
        case .i32Load16S, .i32Load16U: return (.i32, 16, false)
        case .i64Load8S, .i64Load8U: return (.i64, 8, false)
        case .i64Load16S, .i64Load16U: return (.i64, 16, false)
        case .i64Load32S, .i64Load32U: return (.i64, 32, false)
        case .i32Store: return (.i32, 32, true)
        case .i64Store: return (.i64, 64, true)
        case .f32Store: return (.f32, 32, true)
        case .f64Store: return (.f64, 64, true)
        case .i32Store8: return (.i32, 8, true)
        case .i32Store16: return (.i32, 16, true)
        case .i64Store8: return (.i64, 8, true)
        case .i64Store16: return (.i64, 16, true)
        case .i64Store32: return (.i64, 32, true)
        case .v128Load: return (.v128, 128, false)
        case .v128Store: return (.v128, 128, true)
        case .v128Load8x8S, .v128Load8x8U, .v128Load16x4S, .v128Load16x4U, .v128Load32x2S, .v128Load32x2U:
            return (.v128, 64, false)
        case .v128Load8Splat: return (.v128, 8, false)
        case .v128Load16Splat: return (.v128, 16, false)
        case .v128Load32Splat, .v128Load32Zero: return (.v128, 32, false)
        case .v128Load64Splat, .v128Load64Zero: return (.v128, 64, false)
        case .v128Load8Lane: return (.v128, 8, false)
        case .v128Load16Lane: return (.v128, 16, false)
        case .v128Load32Lane: return (.v128, 32, false)
        case .v128Load64Lane: return (.v128, 64, false)
        case .v128Store8Lane: return (.v128, 8, true)
        case .v128Store16Lane: return (.v128, 16, true)
        case .v128Store32Lane: return (.v128, 32, true)
        default: return (.v128, 64, true) // v128.store64_lane
        }
    }

    mutating func validateMemoryAccess(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        let op = instruction.opcode
        let m = try memarg(instruction, offset: offset)
        let memory = try memoryType(m.memory, offset: offset)
        let (type, bits, isStore) = Self.access(op)
        // 2^align <= bits/8
        let naturalLog2 = UInt32((bits / 8).trailingZeroBitCount)
        guard m.align <= naturalLog2 else {
            throw ValidationError("alignment must not be larger than natural", offset: offset)
        }
        let addressType = memory.limits.addressType
        if addressType == .i32 && m.offset > UInt64(UInt32.max) {
            throw ValidationError("offset out of range", offset: offset)
        }
        let isLane: Bool
        switch op {
        case .v128Load8Lane, .v128Load16Lane, .v128Load32Lane, .v128Load64Lane,
             .v128Store8Lane, .v128Store16Lane, .v128Store32Lane, .v128Store64Lane:
            isLane = true
            let lane = try lane(instruction, offset: offset)
            guard UInt32(lane) < 128 / bits else { throw ValidationError("invalid lane index", offset: offset) }
        default:
            isLane = false
        }
        let address = addressType.valueType
        if isLane {
            try pop(.v128, offset: offset)
            try pop(address, offset: offset)
            if !isStore { push(.v128) }
        } else if isStore {
            try pop(type, offset: offset)
            try pop(address, offset: offset)
        } else {
            try pop(address, offset: offset)
            push(type)
        }
    }

    mutating func validateMemory(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        switch instruction.opcode {
        case .memorySize:
            let memory = try memoryType(try index(instruction, offset: offset), offset: offset)
            push(memory.limits.addressType.valueType)
        case .memoryGrow:
            let memory = try memoryType(try index(instruction, offset: offset), offset: offset)
            let at = memory.limits.addressType.valueType
            try pop(at, offset: offset)
            push(at)
        case .memoryFill:
            let memory = try memoryType(try index(instruction, offset: offset), offset: offset)
            let at = memory.limits.addressType.valueType
            try pop(at, offset: offset)
            try pop(.i32, offset: offset)
            try pop(at, offset: offset)
        case .memoryCopy:
            let (dst, src) = try indexPair(instruction, offset: offset)
            let dstType = try memoryType(dst, offset: offset).limits.addressType
            let srcType = try memoryType(src, offset: offset).limits.addressType
            let count: ValueType = dstType == .i64 && srcType == .i64 ? .i64 : .i32
            try pop(count, offset: offset)
            try pop(srcType.valueType, offset: offset)
            try pop(dstType.valueType, offset: offset)
        case .memoryInit:
            let (data, mem) = try indexPair(instruction, offset: offset)
            let memory = try memoryType(mem, offset: offset)
            try checkDataIndex(data, offset: offset)
            try pop(.i32, offset: offset)
            try pop(.i32, offset: offset)
            try pop(memory.limits.addressType.valueType, offset: offset)
        case .dataDrop:
            try checkDataIndex(try index(instruction, offset: offset), offset: offset)
        default:
            throw ValidationError("no validation rule for \(instruction.opcode.mnemonic)", offset: offset)
        }
    }

    mutating func validateTable(_ instruction: Instruction, offset: Int) throws(ValidationError) {
        switch instruction.opcode {
        case .tableGet:
            let table = try tableType(try index(instruction, offset: offset), offset: offset)
            try pop(table.limits.addressType.valueType, offset: offset)
            push(.ref(table.elementType))
        case .tableSet:
            let table = try tableType(try index(instruction, offset: offset), offset: offset)
            try pop(.ref(table.elementType), offset: offset)
            try pop(table.limits.addressType.valueType, offset: offset)
        case .tableSize:
            let table = try tableType(try index(instruction, offset: offset), offset: offset)
            push(table.limits.addressType.valueType)
        case .tableGrow:
            let table = try tableType(try index(instruction, offset: offset), offset: offset)
            let at = table.limits.addressType.valueType
            try pop(at, offset: offset)
            try pop(.ref(table.elementType), offset: offset)
            push(at)
        case .tableFill:
            let table = try tableType(try index(instruction, offset: offset), offset: offset)
            let at = table.limits.addressType.valueType
            try pop(at, offset: offset)
            try pop(.ref(table.elementType), offset: offset)
            try pop(at, offset: offset)
        case .tableCopy:
            let (dst, src) = try indexPair(instruction, offset: offset)
            let dstTable = try tableType(dst, offset: offset)
            let srcTable = try tableType(src, offset: offset)
            guard context.isSubtype(srcTable.elementType, of: dstTable.elementType) else {
                throw .typeMismatch("source element type \(srcTable.elementType.textName) does not match destination element type \(dstTable.elementType.textName)", offset: offset)
            }
            let dstType = dstTable.limits.addressType, srcType = srcTable.limits.addressType
            let count: ValueType = dstType == .i64 && srcType == .i64 ? .i64 : .i32
            try pop(count, offset: offset)
            try pop(srcType.valueType, offset: offset)
            try pop(dstType.valueType, offset: offset)
        case .tableInit:
            let (elem, tableIndex) = try indexPair(instruction, offset: offset)
            let table = try tableType(tableIndex, offset: offset)
            let segmentType = try elementType(elem, offset: offset)
            guard context.isSubtype(segmentType, of: table.elementType) else {
                throw .typeMismatch("element segment's type \(segmentType.textName) does not match table's element type \(table.elementType.textName)", offset: offset)
            }
            try pop(.i32, offset: offset)
            try pop(.i32, offset: offset)
            try pop(table.limits.addressType.valueType, offset: offset)
        case .elemDrop:
            _ = try elementType(try index(instruction, offset: offset), offset: offset)
        default:
            throw ValidationError("no validation rule for \(instruction.opcode.mnemonic)", offset: offset)
        }
    }
}
