import WasmSyntax

/// The `metadata.code.branch_hint` custom section of the branch hinting
/// proposal (a code metadata section):
///
///     vec(funcidx vec(offset:u32 size:u32 hint:byte))
///
/// where `offset` is the byte offset of the hinted `if` or `br_if` from the
/// start of the function's code entry after its size (that is, from its
/// local declarations), `size` is 1, and `hint` is 0 (unlikely) or 1
/// (likely). Functions come in increasing index order, hints in increasing
/// offset order.
public struct BranchHintSection: Hashable, Sendable {
    public static let name = "metadata.code.branch_hint"

    public struct Hint: Hashable, Sendable {
        /// From the start of the function's local declarations.
        public var offset: UInt32
        public var isLikely: Bool

        public init(offset: UInt32, isLikely: Bool) {
            self.offset = offset
            self.isLikely = isLikely
        }
    }

    public struct FunctionHints: Hashable, Sendable {
        /// A function index (imports included); only defined functions have code.
        public var function: UInt32
        public var hints: [Hint]

        public init(function: UInt32, hints: [Hint]) {
            self.function = function
            self.hints = hints
        }
    }

    public var functions: [FunctionHints]

    public init(functions: [FunctionHints]) {
        self.functions = functions
    }

    /// Decodes the section's contents (after its name). Counts are checked
    /// against the bytes left before anything is reserved for them.
    public init(decoding bytes: ArraySlice<UInt8>) throws(CustomSectionError) {
        var reader = BinaryReader(bytes)
        func section(_ message: String, _ offset: Int) -> DecodingError {
            DecodingError(message, at: offset)
        }
        do throws(DecodingError) {
            let count = try reader.readLength()
            var functions: [FunctionHints] = []
            functions.reserveCapacity(count)
            for _ in 0..<count {
                let function = try reader.readU32()
                let hintCount = try reader.readLength()
                var hints: [Hint] = []
                hints.reserveCapacity(hintCount)
                for _ in 0..<hintCount {
                    let offset = try reader.readU32()
                    let sizePosition = reader.offset
                    guard try reader.readU32() == 1 else { throw section("missing reserved byte", sizePosition) }
                    let valuePosition = reader.offset
                    let value = try reader.readByte()
                    guard value <= 1 else { throw section("invalid hint value", valuePosition) }
                    hints.append(Hint(offset: offset, isLikely: value == 1))
                }
                functions.append(FunctionHints(function: function, hints: hints))
            }
            guard reader.isAtEnd else { throw section("unexpected content after the hints", reader.offset) }
            self.functions = functions
        } catch {
            throw CustomSectionError("@\(Self.name) section: \(error.message)", at: error.offset)
        }
    }

    /// The section's contents (after its name).
    public func encoded() -> [UInt8] {
        var w = BinaryWriter()
        w.vector(functions) { w, f in
            w.u32(f.function)
            w.vector(f.hints) { w, hint in
                w.u32(hint.offset)
                w.u32(1)
                w.byte(hint.isLikely ? 1 : 0)
            }
        }
        return w.bytes
    }

    /// Checks the hints against the module they annotate (`binary`, decoded
    /// as `module`): each names a defined function, once and in order, and
    /// each offset is that of an `if` or `br_if` in its body, in increasing
    /// order. The messages are the reference interpreter's.
    func check(in module: Module, binary: [UInt8], features: Features) throws(CustomSectionError) {
        let imported = UInt32(module.imports.count(where: { if case .function = $0.descriptor { true } else { false } }))
        let entryStarts = try Self.codeEntryStarts(binary)
        var previous: UInt32?
        for f in functions {
            let invalid = CustomSectionError("@metadata.code.branch_hint annotation: invalid function index \(f.function)", at: 0)
            guard f.function >= imported else { throw invalid }
            let defined = Int(f.function - imported)
            guard defined < module.functions.count, defined < entryStarts.count else { throw invalid }
            if let previous, previous >= f.function {
                throw CustomSectionError("@metadata.code.branch_hint annotation: invalid function order", at: 0)
            }
            previous = f.function
            try Self.check(f.hints, body: module.functions[defined].body, entryStart: entryStarts[defined],
                           features: features)
        }
    }

    /// Checks one function's hints against its body, whose code entry
    /// (local declarations) starts at `entryStart` in the binary.
    private static func check(_ hints: [Hint], body: ArraySlice<UInt8>, entryStart: Int, features: Features) throws(CustomSectionError) {
        guard !hints.isEmpty else { return }
        // The instructions at the hinted offsets, found in one pass.
        var targets: [UInt32: Opcode] = [:]
        let wanted = Set(hints.map(\.offset))
        var reader = InstructionReader(body, features: features)
        do throws(DecodingError) {
            while !reader.isAtEnd {
                let offset = UInt32(reader.offset - entryStart)
                let opcode = try reader.readOpcode()
                try reader.skipImmediate(for: opcode)
                if wanted.contains(offset) { targets[offset] = opcode }
            }
        } catch {
            throw CustomSectionError("@\(name) section: \(error.message)", at: error.offset)
        }
        var previous: UInt32?
        for hint in hints {
            guard let opcode = targets[hint.offset] else {
                throw CustomSectionError("@\(name) section: invalid offset", at: entryStart + Int(hint.offset))
            }
            guard opcode == .if || opcode == .brIf else {
                throw CustomSectionError("@metadata.code.branch_hint annotation: invalid target", at: entryStart + Int(hint.offset))
            }
            if let previous, previous >= hint.offset {
                throw CustomSectionError("@metadata.code.branch_hint annotation: invalid order", at: entryStart + Int(hint.offset))
            }
            previous = hint.offset
        }
    }

    /// The offset of each code entry's local declarations (just after its
    /// size), found by walking the sections of a binary that decoded.
    private static func codeEntryStarts(_ binary: [UInt8]) throws(CustomSectionError) -> [Int] {
        var reader = BinaryReader(binary)
        do throws(DecodingError) {
            _ = try reader.readBytes(8)
            while !reader.isAtEnd {
                let id = try reader.readByte()
                let size = try reader.readLength()
                let end = reader.offset + size
                if id == 10 {
                    let count = try reader.readLength()
                    var starts: [Int] = []
                    starts.reserveCapacity(count)
                    for _ in 0..<count {
                        let entrySize = try reader.readLength()
                        starts.append(reader.offset)
                        _ = try reader.readBytes(entrySize)
                    }
                    return starts
                }
                _ = try reader.readBytes(end - reader.offset)
            }
            return []
        } catch {
            throw CustomSectionError(error.message, at: error.offset)
        }
    }
}
