import WasmSyntax

/// Encodes a module in the binary format.
///
/// The encoding is canonical, so that `decodeModule(encodeModule(m)) == m`
/// and re-encoding a decoded module gives the same bytes:
/// - sections in the spec's order, each only when it has content (or a
///   custom section is recorded after it, so that its place survives);
/// - custom sections after the section named by their `after`, in order;
/// - element segments with the shortest flags that express them;
/// - the data count section exactly when `module.dataCount` is set.
public func encodeModule(_ module: Module) -> [UInt8] {
    var encoder = ModuleEncoder(module: module)
    return encoder.encode()
}

struct ModuleEncoder {
    let module: Module
    var output = BinaryWriter()

    /// Section ids in the order the binary format requires.
    static let sectionOrder: [UInt8] = [1, 2, 3, 4, 5, 13, 6, 7, 8, 9, 12, 10, 11]

    init(module: Module) {
        self.module = module
    }

    mutating func encode() -> [UInt8] {
        output.append([0x00, 0x61, 0x73, 0x6D, 0x01, 0x00, 0x00, 0x00])
        emitCustomSections(after: 0)
        for id in Self.sectionOrder {
            let anchorsCustom = module.customSections.contains { $0.after == id }
            if let content = sectionContent(id, forceEmpty: anchorsCustom) {
                output.byte(id)
                output.u32(UInt32(content.count))
                output.append(content)
            }
            emitCustomSections(after: id)
        }
        // Custom sections recorded after an id that is no section: at the end.
        for custom in module.customSections where custom.after != 0 && !Self.sectionOrder.contains(custom.after) {
            emitCustomSection(custom)
        }
        return output.bytes
    }

    mutating func emitCustomSections(after id: UInt8) {
        for custom in module.customSections where custom.after == id {
            emitCustomSection(custom)
        }
    }

    mutating func emitCustomSection(_ custom: CustomSection) {
        var content = BinaryWriter()
        content.name(custom.name)
        content.append(custom.contents)
        output.byte(0)
        output.u32(UInt32(content.bytes.count))
        output.append(content.bytes)
    }

    /// The contents of a section, or nil when it is left out. `forceEmpty`
    /// asks for an empty vector section rather than none.
    func sectionContent(_ id: UInt8, forceEmpty: Bool) -> [UInt8]? {
        var w = BinaryWriter()
        func vector<T>(_ items: [T], _ each: (inout BinaryWriter, T) -> Void) -> [UInt8]? {
            if items.isEmpty && !forceEmpty { return nil }
            w.vector(items, each)
            return w.bytes
        }
        switch id {
        case 1: return vector(module.types) { $0.recGroup($1) }
        case 2: return vector(module.imports) { $0.importEntry($1) }
        case 3: return vector(module.functions) { $0.u32($1.typeIndex) }
        case 4: return vector(module.tables) { $0.table($1) }
        case 5: return vector(module.memories) { $0.memoryType($1) }
        case 13: return vector(module.tags) { $0.tagType($1) }
        case 6: return vector(module.globals) { $0.global($1) }
        case 7: return vector(module.exports) { $0.exportEntry($1) }
        case 8:
            guard let start = module.start else { return nil }
            w.u32(start)
            return w.bytes
        case 9: return vector(module.elements) { $0.elementSegment($1) }
        case 12:
            guard let count = module.dataCount else { return nil }
            w.u32(count)
            return w.bytes
        case 10: return vector(module.functions) { $0.code($1) }
        case 11: return vector(module.datas) { $0.dataSegment($1) }
        default: return nil
        }
    }
}
