import WasmSyntax

/// The element and data sections.
extension ModuleDecoder {
    mutating func readElementSection() throws(DecodingError) {
        module.elements = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readElementSegment() }
    }

    /// An element segment. Its u32 flags: bit 0 passive/declarative (bit 1
    /// set) versus active, bit 1 an explicit table index (when active),
    /// bit 2 expressions instead of function indices.
    mutating func readElementSegment() throws(DecodingError) -> ElementSegment {
        let position = reader.offset
        let flags = try reader.readU32()
        guard flags <= 7 else { throw DecodingError(Message.malformedElementSegmentKind, at: position) }
        let mode: ElementSegment.Mode
        switch flags & 3 {
        case 0: mode = .active(table: 0, offset: try readConstExpression())
        case 1: mode = .passive
        case 2:
            let table = try reader.readU32()
            mode = .active(table: table, offset: try readConstExpression())
        default: mode = .declarative
        }
        if flags & 4 == 0 {
            // Function indices: the element type is (ref func); flags 1-3
            // spell it as an element kind byte.
            if flags != 0 {
                let kindPosition = reader.offset
                guard try reader.readByte() == 0x00 else {
                    throw DecodingError(Message.malformedElementKind, at: kindPosition)
                }
            }
            let indices = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.reader.readU32() }
            return ElementSegment(type: RefType(nullable: false, heapType: .func), mode: mode, items: .functions(indices))
        }
        // Expressions: flag 4 implies funcref, the others give the type.
        let type = flags == 4 ? RefType.funcref : try reader.readRefType()
        let expressions = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readConstExpression() }
        return ElementSegment(type: type, mode: mode, items: .expressions(expressions))
    }

    mutating func readDataSection() throws(DecodingError) {
        module.datas = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readDataSegment() }
    }

    /// A data segment: flags 0 (active in memory 0), 1 (passive) or 2
    /// (active with a memory index).
    mutating func readDataSegment() throws(DecodingError) -> DataSegment {
        let position = reader.offset
        let mode: DataSegment.Mode
        switch try reader.readU32() {
        case 0: mode = .active(memory: 0, offset: try readConstExpression())
        case 1: mode = .passive
        case 2:
            let memory = try reader.readU32()
            mode = .active(memory: memory, offset: try readConstExpression())
        default: throw DecodingError(Message.malformedDataSegmentKind, at: position)
        }
        return DataSegment(mode: mode, bytes: Array(try reader.readByteVector()))
    }
}
