import WasmSyntax

/// The custom, type, import, function, table, memory, tag, global and
/// export sections.
extension ModuleDecoder {
    /// A custom section: a name and the rest of the section as bytes.
    mutating func readCustomSection(size: Int) throws(DecodingError) {
        let start = reader.offset
        let name = try reader.readName()
        let contentSize = start + size - reader.offset
        // The name ran past the section's end.
        guard contentSize >= 0 else { throw .unexpectedEnd(at: bytes.count) }
        let content = try reader.readBytes(contentSize)
        module.customSections.append(CustomSection(name: name, contents: content, after: lastSectionID))
    }

    mutating func readTypeSection() throws(DecodingError) {
        module.types = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.reader.readRecGroup() }
    }

    mutating func readImportSection() throws(DecodingError) {
        module.imports = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readImport() }
    }

    mutating func readImport() throws(DecodingError) -> Import {
        let moduleName = try reader.readName()
        let name = try reader.readName()
        let position = reader.offset
        let descriptor: ImportDescriptor
        switch try reader.readByte() {
        case 0x00: descriptor = .function(try reader.readU32())
        case 0x01: descriptor = .table(try reader.readTableType())
        case 0x02: descriptor = .memory(try reader.readMemoryType())
        case 0x03: descriptor = .global(try reader.readGlobalType())
        case 0x04 where features.contains(.exceptions): descriptor = .tag(try reader.readTagType())
        default: throw DecodingError(Message.malformedImportKind, at: position)
        }
        return Import(module: moduleName, name: name, descriptor: descriptor)
    }

    mutating func readFunctionSection() throws(DecodingError) {
        functionTypes = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.reader.readU32() }
    }

    mutating func readTableSection() throws(DecodingError) {
        module.tables = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readTable() }
    }

    /// A table: a table type, or (3.0) `0x40 0x00` a table type and an
    /// initialiser expression.
    mutating func readTable() throws(DecodingError) -> Table {
        let position = reader.offset
        if reader.peekByte() == 0x40 && features.contains(.functionReferences) {
            reader.offset += 1
            if reader.peekByte() == 0x00 {
                reader.offset += 1
                let type = try reader.readTableType()
                return Table(type: type, initializer: try readConstExpression())
            }
            // Not the long form: a table type that starts with 0x40, which
            // is no reference type.
            reader.offset = position
        }
        return Table(type: try reader.readTableType())
    }

    mutating func readMemorySection() throws(DecodingError) {
        module.memories = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.reader.readMemoryType() }
    }

    mutating func readTagSection() throws(DecodingError) {
        module.tags = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.reader.readTagType() }
    }

    mutating func readGlobalSection() throws(DecodingError) {
        module.globals = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in
            let type = try d.reader.readGlobalType()
            return Global(type: type, initializer: try d.readConstExpression())
        }
    }

    mutating func readExportSection() throws(DecodingError) {
        module.exports = try readVector { (d: inout ModuleDecoder) throws(DecodingError) in try d.readExport() }
    }

    mutating func readExport() throws(DecodingError) -> Export {
        let name = try reader.readName()
        let position = reader.offset
        let kind = try reader.readByte()
        let descriptor: ExportDescriptor
        switch kind {
        case 0x00: descriptor = .function(try reader.readU32())
        case 0x01: descriptor = .table(try reader.readU32())
        case 0x02: descriptor = .memory(try reader.readU32())
        case 0x03: descriptor = .global(try reader.readU32())
        case 0x04 where features.contains(.exceptions): descriptor = .tag(try reader.readU32())
        default: throw DecodingError(Message.malformedExportKind, at: position)
        }
        return Export(name: name, descriptor: descriptor)
    }

    /// A constant expression up to and including its `end`, returned
    /// without the `end`. Like everything in a section it may run past the
    /// section's declared end; the section's size check catches that.
    mutating func readConstExpression() throws(DecodingError) -> ConstExpression {
        var instructions = InstructionReader(continuing: reader)
        var nesting = BlockNesting()
        var expression: ConstExpression = []
        while true {
            let position = instructions.offset
            let instruction = try instructions.read()
            if try nesting.apply(instruction.opcode, at: position) { break }
            expression.append(instruction)
        }
        reader.offset = instructions.offset
        return expression
    }
}
