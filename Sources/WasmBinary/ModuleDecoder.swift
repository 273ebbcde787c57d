import WasmSyntax

/// Decodes a binary module. Decoding checks the binary grammar only (no
/// type checking): section order and sizes, the encoding of every type,
/// segment and instruction, and the counts that must agree. Function bodies
/// are checked instruction by instruction but kept as bytes.
public func decodeModule(_ bytes: [UInt8], features: Features = .all) throws(DecodingError) -> Module {
    var decoder = ModuleDecoder(bytes: bytes, features: features)
    return try decoder.decode()
}

/// Decodes a module whose function bodies the caller reads next, in full,
/// with the validator (every tier compiles that way: decision 1): the
/// bodies are not scanned here, only cut at their declared sizes. What the
/// scan would have found, reading them finds too, but a malformed body must
/// be reported before any invalid definition or body, so after *any* error
/// the caller decodes again with `decodeModule(_:features:)` and reports
/// its error if it has one (`WasmRuntime.Module` does). On modules that are
/// fine, this saves a pass over the code: 6% of the JIT's compile time on
/// the Rust programs of Benchmarks/, all of it on one core.
public func decodeModuleForCompilation(_ bytes: [UInt8], features: Features = .all) throws(DecodingError) -> Module {
    var decoder = ModuleDecoder(bytes: bytes, features: features)
    decoder.scansBodies = false
    return try decoder.decode()
}

/// The module decoder: a reader over the whole file and the module being
/// built, one method per section (see the `ModuleDecoder+*.swift` files).
///
/// Like the reference decoder, a section's contents are read from the file
/// without bounding them to the section's declared size; the size is checked
/// when the section is done ("section size mismatch"), as is each function
/// body's. A length or count may not exceed the bytes left in the file
/// ("length out of bounds"), so nothing is allocated for more elements than
/// the input could hold.
struct ModuleDecoder {
    typealias Message = DecodingError.Message

    /// A limit on the locals of one function, checked before anything is
    /// allocated for them (as wasmtime does; the spec allows 2^32 - 1).
    static let maxLocals: UInt64 = 50_000

    let bytes: [UInt8]
    var reader: BinaryReader
    var module = Module()
    /// The function section's type indices, paired with the code section's
    /// bodies at the end.
    var functionTypes: [UInt32] = []
    var codes: [(locals: [LocalRun], body: ArraySlice<UInt8>)] = []
    /// Whether a function body uses a data index (which needs the data
    /// count section).
    var usesDataIndices = false
    /// Whether function bodies are scanned (`decodeModuleForCompilation`
    /// leaves them to the validator).
    var scansBodies = true
    /// Reused between function bodies.
    var nesting = BlockNesting()
    /// The id of the last non-custom section read so far, for
    /// `CustomSection.after`.
    var lastSectionID: UInt8 = 0

    init(bytes: [UInt8], features: Features) {
        self.bytes = bytes
        self.reader = BinaryReader(bytes[...], features: features)
    }

    var features: Features { reader.features }

    mutating func decode() throws(DecodingError) -> Module {
        try readHeader()
        var lastRank = 0
        while let id = reader.peekByte() {
            let idPosition = reader.offset
            guard let rank = sectionRank(id) else {
                throw DecodingError(Message.malformedSectionID, at: idPosition)
            }
            // Non-custom sections come at most once each, in order; anything
            // else is where the reference decoder stops, leaving content.
            if id != 0 && rank <= lastRank {
                throw DecodingError(Message.contentAfterLastSection, at: idPosition)
            }
            reader.offset += 1
            let size = try reader.readLength()
            let start = reader.offset
            try readSection(id, size: size)
            guard reader.offset == start + size else {
                throw DecodingError(Message.sectionSizeMismatch, at: start)
            }
            if id != 0 { lastRank = rank }
        }
        try finish()
        return module
    }

    /// The magic number and version.
    mutating func readHeader() throws(DecodingError) {
        let magic = try reader.readUInt32LE()
        guard magic == 0x6D73_6100 else { throw DecodingError(Message.magicHeader, at: 0) }
        let version = try reader.readUInt32LE()
        guard version == 1 else { throw DecodingError(Message.unknownVersion, at: 4) }
    }

    /// The position of a section id in the required order (tag sits between
    /// memory and global, data count between element and code), or nil for
    /// an id that is not a section under the enabled features.
    func sectionRank(_ id: UInt8) -> Int? {
        switch id {
        case 0: return 0
        case 1...5: return Int(id)
        case 13: return features.contains(.exceptions) ? 6 : nil
        case 6...9: return Int(id) + 1
        case 12: return 11
        case 10, 11: return Int(id) + 2
        default: return nil
        }
    }

    mutating func readSection(_ id: UInt8, size: Int) throws(DecodingError) {
        switch id {
        case 0: try readCustomSection(size: size)
        case 1: try readTypeSection()
        case 2: try readImportSection()
        case 3: try readFunctionSection()
        case 4: try readTableSection()
        case 5: try readMemorySection()
        case 6: try readGlobalSection()
        case 7: try readExportSection()
        case 8: module.start = try reader.readU32()
        case 9: try readElementSection()
        case 10: try readCodeSection()
        case 11: try readDataSection()
        case 12: module.dataCount = try reader.readU32()
        case 13: try readTagSection()
        default: break
        }
        if id != 0 { lastSectionID = id }
    }

    /// The checks that need the whole module.
    mutating func finish() throws(DecodingError) {
        let end = bytes.count
        guard functionTypes.count == codes.count else {
            throw DecodingError(Message.functionCodeMismatch, at: end)
        }
        if let count = module.dataCount, Int(count) != module.datas.count {
            throw DecodingError(Message.dataCountMismatch, at: end)
        }
        if module.dataCount == nil && usesDataIndices {
            throw DecodingError(Message.dataCountRequired, at: end)
        }
        module.functions = zip(functionTypes, codes).map { type, code in
            Function(typeIndex: type, locals: code.locals, body: code.body)
        }
    }

    /// A vector: a count (at most the bytes left) and its elements.
    mutating func readVector<T>(_ element: (inout ModuleDecoder) throws(DecodingError) -> T) throws(DecodingError) -> [T] {
        let count = try reader.readLength()
        var items: [T] = []
        items.reserveCapacity(Swift.min(count, 1024))
        for _ in 0..<count { items.append(try element(&self)) }
        return items
    }
}
