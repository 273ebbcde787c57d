import WasmSyntax

/// Types: value, reference and heap types, block types, the type section's
/// recursive types, limits and the external types.
///
/// Where the reference decoder tries several alternatives (`either` in its
/// source), the error of the last alternative is the one reported; the
/// functions below reproduce those messages directly.
extension BinaryReader {
    typealias Message = DecodingError.Message

    /// The abstract heap type of a one-byte code, when the features allow it.
    @inlinable
    func abstractHeapType(_ code: UInt8) -> AbstractHeapType? {
        let type: AbstractHeapType
        let feature: Features
        switch code {
        case 0x70: type = .func; feature = .referenceTypes
        case 0x6F: type = .extern; feature = .referenceTypes
        case 0x73: type = .nofunc; feature = .gc
        case 0x72: type = .noextern; feature = .gc
        case 0x71: type = .none; feature = .gc
        case 0x6E: type = .any; feature = .gc
        case 0x6D: type = .eq; feature = .gc
        case 0x6C: type = .i31; feature = .gc
        case 0x6B: type = .struct; feature = .gc
        case 0x6A: type = .array; feature = .gc
        case 0x69: type = .exn; feature = .exceptions
        case 0x74: type = .noexn; feature = .exceptions
        default: return nil
        }
        return features.contains(feature) ? type : nil
    }

    /// A value type.
    @inlinable
    public mutating func readValueType() throws(DecodingError) -> ValueType {
        let position = offset
        let b = try readByte()
        switch b {
        case 0x7F: return .i32
        case 0x7E: return .i64
        case 0x7D: return .f32
        case 0x7C: return .f64
        case 0x7B where features.contains(.simd): return .v128
        default: return .ref(try readRefType(first: b, at: position))
        }
    }

    /// A reference type.
    public mutating func readRefType() throws(DecodingError) -> RefType {
        let position = offset
        let b = try readByte()
        return try readRefType(first: b, at: position)
    }

    @usableFromInline
    mutating func readRefType(first b: UInt8, at position: Int) throws(DecodingError) -> RefType {
        if b == 0x63 || b == 0x64, features.contains(.functionReferences) {
            return RefType(nullable: b == 0x63, heapType: try readHeapType())
        }
        if let a = abstractHeapType(b) {
            return RefType(nullable: true, heapType: .abstract(a))
        }
        // A one-byte type code cannot continue: a set high bit makes an
        // over-long code.
        if b >= 0x80 { throw DecodingError(Message.integerTooLong, at: position + 1) }
        throw DecodingError(Message.malformedReferenceType, at: position)
    }

    /// A heap type: a one-byte abstract type or a non-negative s33 type index.
    public mutating func readHeapType() throws(DecodingError) -> HeapType {
        let position = offset
        guard let b = peekByte() else { throw .unexpectedEnd(at: bytes.endIndex) }
        if b & 0xC0 == 0x40 {
            offset += 1
            if let a = abstractHeapType(b) { return .abstract(a) }
            throw DecodingError(Message.malformedHeapType, at: position)
        }
        if let index = try? readS33(), index >= 0, index <= Int64(Int32.max),
           features.contains(.functionReferences) {
            return .concrete(UInt32(index))
        }
        offset = position
        if b >= 0x80 { throw DecodingError(Message.integerTooLong, at: position + 1) }
        throw DecodingError(Message.malformedHeapType, at: position)
    }

    /// A block type: empty (0x40), one value type, or a type index (s33).
    public mutating func readBlockType() throws(DecodingError) -> BlockType {
        let position = offset
        guard let b = peekByte() else { throw .unexpectedEnd(at: bytes.endIndex) }
        if b == 0x40 {
            offset += 1
            return .empty
        }
        if b & 0xC0 == 0x40 {
            return .value(try readValueType())
        }
        if let index = try? readS33(), index >= 0, index <= Int64(Int32.max),
           features.contains(.multiValue) {
            return .typeIndex(UInt32(index))
        }
        offset = position
        if b >= 0x80 { throw DecodingError(Message.integerTooLong, at: position + 1) }
        throw DecodingError(Message.malformedBlockType, at: position)
    }

    /// A storage type: a value type or a packed type (i8, i16).
    public mutating func readStorageType() throws(DecodingError) -> StorageType {
        let position = offset
        guard let b = peekByte() else { throw .unexpectedEnd(at: bytes.endIndex) }
        if b == 0x78 || b == 0x77 {
            offset += 1
            return b == 0x78 ? .i8 : .i16
        }
        do {
            return .value(try readValueType())
        } catch {
            offset = position
            if b >= 0x80 { throw DecodingError(Message.integerTooLong, at: position + 1) }
            throw DecodingError(Message.malformedStorageType, at: position)
        }
    }

    /// The mutability flag of globals and fields.
    public mutating func readMutability() throws(DecodingError) -> Bool {
        let position = offset
        switch try readByte() {
        case 0: return false
        case 1: return true
        default: throw DecodingError(Message.malformedMutability, at: position)
        }
    }

    public mutating func readFieldType() throws(DecodingError) -> FieldType {
        let storage = try readStorageType()
        return FieldType(storage: storage, mutable: try readMutability())
    }

    /// A vector of value types (a result type).
    public mutating func readResultType() throws(DecodingError) -> [ValueType] {
        let count = try readLength()
        var types: [ValueType] = []
        types.reserveCapacity(Swift.min(count, 64))
        for _ in 0..<count { types.append(try readValueType()) }
        return types
    }

    public mutating func readCompositeType() throws(DecodingError) -> CompositeType {
        let position = offset
        let b = try readByte()
        switch b {
        case 0x60:
            let params = try readResultType()
            return .func(FuncType(params: params, results: try readResultType()))
        case 0x5F where features.contains(.gc):
            let count = try readLength()
            var fields: [FieldType] = []
            fields.reserveCapacity(Swift.min(count, 64))
            for _ in 0..<count { fields.append(try readFieldType()) }
            return .struct(fields)
        case 0x5E where features.contains(.gc):
            return .array(try readFieldType())
        default:
            if b >= 0x80 { throw DecodingError(Message.integerTooLong, at: position + 1) }
            throw DecodingError(Message.malformedDefinitionType, at: position)
        }
    }

    public mutating func readSubType() throws(DecodingError) -> SubType {
        guard let b = peekByte() else { throw .unexpectedEnd(at: bytes.endIndex) }
        if (b == 0x50 || b == 0x4F) && features.contains(.gc) {
            offset += 1
            let count = try readLength()
            var supertypes: [UInt32] = []
            supertypes.reserveCapacity(Swift.min(count, 4))
            for _ in 0..<count {
                let position = offset
                let index = try readU32()
                guard index <= UInt32(Int32.max) else {
                    throw DecodingError(Message.malformedTypeIndex, at: position)
                }
                supertypes.append(index)
            }
            return SubType(isFinal: b == 0x4F, supertypes: supertypes, composite: try readCompositeType())
        }
        return SubType(composite: try readCompositeType())
    }

    /// One entry of the type section: a recursion group (0x4E) or a single
    /// sub type, which is a group of one.
    public mutating func readRecGroup() throws(DecodingError) -> RecGroup {
        if peekByte() == 0x4E && features.contains(.gc) {
            offset += 1
            let count = try readLength()
            var types: [SubType] = []
            types.reserveCapacity(Swift.min(count, 64))
            for _ in 0..<count { types.append(try readSubType()) }
            return RecGroup(types: types, isExplicit: true)
        }
        return RecGroup(types: [try readSubType()], isExplicit: false)
    }

    // MARK: External types

    /// Limits with their flags byte. Without memory64, threads and custom
    /// page sizes (a WebAssembly 2.0 feature set) the flag is a one-bit LEB128
    /// number and the bounds are u32, as in 2.0; otherwise the flags are a
    /// byte of known bits and the bounds are u64.
    mutating func readLimits(isMemory: Bool) throws(DecodingError) -> (Limits, pageSizeLog2: UInt8?) {
        let wide: Features = [.memory64, .threads, .customPageSizes]
        if features.isDisjoint(with: wide) {
            let hasMax = try readUnsigned(bits: 1) == 1
            let min = UInt64(try readU32())
            let max = hasMax ? UInt64(try readU32()) : nil
            return (Limits(min: min, max: max), nil)
        }
        let position = offset
        let flags = try readByte()
        var allowed: UInt8 = 0x01
        if features.contains(.memory64) { allowed |= 0x04 }
        if isMemory && features.contains(.threads) { allowed |= 0x02 }
        if isMemory && features.contains(.customPageSizes) { allowed |= 0x08 }
        guard flags & ~allowed == 0 else {
            throw DecodingError(Message.malformedLimitsFlags, at: position)
        }
        let min = try readU64()
        let max = flags & 0x01 != 0 ? try readU64() : nil
        var pageSizeLog2: UInt8? = nil
        if flags & 0x08 != 0 {
            let position = offset
            let log2 = try readU32()
            guard log2 < 64 else { throw DecodingError(Message.invalidCustomPageSize, at: position) }
            pageSizeLog2 = UInt8(log2)
        }
        let limits = Limits(min: min, max: max, addressType: flags & 0x04 != 0 ? .i64 : .i32,
                            shared: flags & 0x02 != 0)
        return (limits, pageSizeLog2)
    }

    public mutating func readMemoryType() throws(DecodingError) -> MemoryType {
        let (limits, pageSizeLog2) = try readLimits(isMemory: true)
        return MemoryType(limits: limits, pageSizeLog2: pageSizeLog2)
    }

    public mutating func readTableType() throws(DecodingError) -> TableType {
        let elementType = try readRefType()
        let (limits, _) = try readLimits(isMemory: false)
        return TableType(elementType: elementType, limits: limits)
    }

    public mutating func readGlobalType() throws(DecodingError) -> GlobalType {
        let valueType = try readValueType()
        return GlobalType(valueType: valueType, mutable: try readMutability())
    }

    /// A tag type: a zero attribute byte and a type index.
    public mutating func readTagType() throws(DecodingError) -> TagType {
        try readZeroByte()
        return TagType(typeIndex: try readU32())
    }
}
