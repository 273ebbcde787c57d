import WasmSyntax

/// A streaming reader over the instructions of a function body or a
/// constant expression: one `Instruction` per `read()`, including the
/// `end`, `else` (and legacy `catch`, `catch_all`, `delegate`) markers of
/// the flat binary structure.
///
/// It checks the encoding of each instruction (opcodes, immediates, and
/// the features they need), not the nesting of blocks; `decodeInstructions`
/// and the module decoder check that. Validation and translation read a
/// body through `readOpcode()` and `readImmediate(for:)` or `read()`.
public struct InstructionReader {
    @usableFromInline
    var reader: BinaryReader

    public init(_ bytes: ArraySlice<UInt8>, features: Features = .all) {
        self.reader = BinaryReader(bytes, features: features)
    }

    /// Continues reading where a `BinaryReader` stands (constant
    /// expressions inside sections).
    init(continuing reader: BinaryReader) {
        self.reader = reader
    }

    /// The absolute offset (slice index) of the next byte.
    @inlinable
    public var offset: Int { reader.offset }

    @inlinable
    public var isAtEnd: Bool { reader.isAtEnd }

    public var features: Features { reader.features }

    /// Reads one instruction with its immediates.
    @inlinable
    public mutating func read() throws(DecodingError) -> Instruction {
        let opcode = try readOpcode()
        return Instruction(opcode, try readImmediate(for: opcode))
    }

    /// Reads an opcode (one byte, or a prefix byte and a u32) and checks
    /// that the enabled features include it.
    @inlinable
    public mutating func readOpcode() throws(DecodingError) -> Opcode {
        let position = reader.offset
        let b = try reader.readByte()
        if b >= 0xFB && b <= 0xFD {
            let code = try reader.readU32()
            guard let op = Opcode(prefix: b, code: code), reader.features.isSuperset(of: op.feature) else {
                throw .illegalOpcode(prefix: b, code: code, at: position)
            }
            return op
        }
        guard let op = Opcode(byte: b), reader.features.isSuperset(of: op.feature) else {
            throw .illegalOpcode(b, at: position)
        }
        return op
    }

    /// Reads the immediates of `opcode` (see `ImmediateKind` for which
    /// `Immediate` case each kind produces).
    public mutating func readImmediate(for opcode: Opcode) throws(DecodingError) -> Immediate {
        switch opcode.immediateKind {
        case .none:
            return .none
        case .block:
            return .block(try reader.readBlockType())
        case .tryTable:
            let blockType = try reader.readBlockType()
            let count = try reader.readLength()
            var catches: [Catch] = []
            catches.reserveCapacity(Swift.min(count, 16))
            for _ in 0..<count { catches.append(try readCatch()) }
            return .tryTable(blockType, catches)
        case .label, .function, .type, .local, .global, .tag, .elem, .data, .table:
            return .index(try reader.readU32())
        case .memory:
            return .index(try readMemoryIndex())
        case .brTable:
            let count = try reader.readLength()
            var targets: [UInt32] = []
            targets.reserveCapacity(Swift.min(count, 1024))
            for _ in 0..<count { targets.append(try reader.readU32()) }
            return .brTable(targets: targets, defaultTarget: try reader.readU32())
        case .callIndirect:
            let type = try reader.readU32()
            return .indexPair(type, try readTableIndexOfCallIndirect())
        case .valueTypes:
            return .valueTypes(try reader.readResultType())
        case .memarg:
            return .memarg(try readMemArg())
        case .memargLane:
            let memarg = try readMemArg()
            return .memargLane(memarg, lane: try reader.readByte())
        case .lane:
            return .lane(try reader.readByte())
        case .shuffle, .v128:
            let lo = try reader.readUInt64LE()
            return .v128(V128(lo: lo, hi: try reader.readUInt64LE()))
        case .i32:
            return .i32(try reader.readS32())
        case .i64:
            return .i64(try reader.readS64())
        case .f32:
            return .f32(try reader.readUInt32LE())
        case .f64:
            return .f64(try reader.readUInt64LE())
        case .heapType:
            return .heapType(try reader.readHeapType())
        case .brOnCast:
            let position = reader.offset
            let flags = try reader.readByte()
            guard flags & 0xFC == 0 else {
                throw DecodingError(DecodingError.Message.malformedCastFlags, at: position)
            }
            let label = try reader.readU32()
            let from = try reader.readHeapType()
            let to = try reader.readHeapType()
            return .brOnCast(label: label, from: RefType(nullable: flags & 1 != 0, heapType: from),
                             to: RefType(nullable: flags & 2 != 0, heapType: to))
        case .typeField, .typeCount, .typeData, .typeElem, .typeType, .tableInit, .tableCopy:
            let first = try reader.readU32()
            return .indexPair(first, try reader.readU32())
        case .memoryInit:
            let data = try reader.readU32()
            return .indexPair(data, try readMemoryIndex())
        case .memoryCopy:
            let destination = try readMemoryIndex()
            return .indexPair(destination, try readMemoryIndex())
        }
    }

    /// Skips the immediates of `opcode` with the same checks as
    /// `readImmediate(for:)`, without building them (no allocation).
    @inlinable
    public mutating func skipImmediate(for opcode: Opcode) throws(DecodingError) {
        switch opcode.immediateKind {
        case .none:
            return
        case .label, .function, .type, .local, .global, .tag, .elem, .data, .table:
            _ = try reader.readU32()
        case .i32:
            _ = try reader.readS32()
        case .brTable:
            let count = try reader.readLength()
            for _ in 0...count { _ = try reader.readU32() }
        case .valueTypes:
            let count = try reader.readLength()
            for _ in 0..<count { _ = try reader.readValueType() }
        case .tryTable:
            _ = try reader.readBlockType()
            let count = try reader.readLength()
            for _ in 0..<count { _ = try readCatch() }
        default:
            _ = try readImmediate(for: opcode)
        }
    }

    // MARK: Immediates

    @usableFromInline
    mutating func readCatch() throws(DecodingError) -> Catch {
        let position = reader.offset
        switch try reader.readByte() {
        case 0:
            let tag = try reader.readU32()
            return .catch(tag: tag, label: try reader.readU32())
        case 1:
            let tag = try reader.readU32()
            return .catchRef(tag: tag, label: try reader.readU32())
        case 2:
            return .catchAll(label: try reader.readU32())
        case 3:
            return .catchAllRef(label: try reader.readU32())
        default:
            throw DecodingError(DecodingError.Message.malformedCatchClause, at: position)
        }
    }

    /// A memory index: any u32 with multi-memory, otherwise a zero byte.
    mutating func readMemoryIndex() throws(DecodingError) -> UInt32 {
        if reader.features.contains(.multiMemory) { return try reader.readU32() }
        try reader.readZeroByte()
        return 0
    }

    /// The table of `call_indirect`: a u32 with reference types, otherwise a
    /// zero byte (MVP).
    mutating func readTableIndexOfCallIndirect() throws(DecodingError) -> UInt32 {
        if reader.features.contains(.referenceTypes) { return try reader.readU32() }
        try reader.readZeroByte()
        return 0
    }

    /// A memory argument. With multi-memory the flags are below 128 and bit 6
    /// announces a memory index; without it (WebAssembly 2.0) the flags are
    /// the alignment exponent, which must be below 32. The offset is a u64
    /// with memory64, a u32 otherwise.
    mutating func readMemArg() throws(DecodingError) -> MemArg {
        let position = reader.offset
        let flags = try reader.readU32()
        var memory: UInt32 = 0
        var align = flags
        if reader.features.contains(.multiMemory) {
            guard flags < 0x80 else {
                throw DecodingError(DecodingError.Message.malformedMemopFlags, at: position)
            }
            if flags & 0x40 != 0 { memory = try reader.readU32() }
            align = flags & 0x3F
        } else {
            guard flags < 32 else {
                throw DecodingError(DecodingError.Message.malformedMemopFlags, at: position)
            }
        }
        let offset = reader.features.contains(.memory64) ? try reader.readU64() : UInt64(try reader.readU32())
        return MemArg(align: align, offset: offset, memory: memory)
    }
}

/// Decodes a whole function body (or a constant expression including its
/// final `end`) into instructions, checking the block structure: every
/// block is closed, the last instruction is the final `end`, and nothing
/// follows it.
public func decodeInstructions(_ body: ArraySlice<UInt8>, features: Features = .all) throws(DecodingError) -> [Instruction] {
    var reader = InstructionReader(body, features: features)
    var nesting = BlockNesting()
    var instructions: [Instruction] = []
    instructions.reserveCapacity(Swift.min(body.count, 1 << 16))
    while true {
        let position = reader.offset
        let instruction = try reader.read()
        instructions.append(instruction)
        if try nesting.apply(instruction.opcode, at: position) { break }
    }
    guard reader.isAtEnd else {
        throw DecodingError(DecodingError.Message.sectionSizeMismatch, at: reader.offset)
    }
    return instructions
}

/// The block structure of an expression, as the binary grammar has it:
/// `block`, `loop`, `if`, `try_table` (and legacy `try`) open a frame that
/// `end` closes; `else` may appear once in an `if`; legacy `catch`,
/// `catch_all` and `delegate` only in a `try`. A separator out of place is
/// "END opcode expected", because that is where the reference decoder's
/// instruction sequence stops and it then expects the `end`.
struct BlockNesting {
    enum Frame: UInt8 {
        case block, ifThen, ifElse, tryBody, tryCatch, tryCatchAll
    }

    /// Open frames; the first is the expression itself.
    private(set) var frames: [Frame] = [.block]

    mutating func reset() {
        frames.removeAll(keepingCapacity: true)
        frames.append(.block)
    }

    /// Applies one opcode; returns true when it was the final `end`.
    mutating func apply(_ opcode: Opcode, at position: Int) throws(DecodingError) -> Bool {
        switch opcode {
        case .block, .loop, .tryTable:
            frames.append(.block)
        case .if:
            frames.append(.ifThen)
        case .try:
            frames.append(.tryBody)
        case .end:
            if !frames.isEmpty { frames.removeLast() }
            return frames.isEmpty
        case .else:
            guard frames.last == .ifThen else { throw Self.endExpected(at: position) }
            frames[frames.count - 1] = .ifElse
        case .catch:
            guard frames.last == .tryBody || frames.last == .tryCatch else { throw Self.endExpected(at: position) }
            frames[frames.count - 1] = .tryCatch
        case .catchAll:
            guard frames.last == .tryBody || frames.last == .tryCatch else { throw Self.endExpected(at: position) }
            frames[frames.count - 1] = .tryCatchAll
        case .delegate:
            guard frames.last == .tryBody else { throw Self.endExpected(at: position) }
            frames.removeLast()
        default:
            break
        }
        return false
    }

    private static func endExpected(at position: Int) -> DecodingError {
        DecodingError(DecodingError.Message.endOpcodeExpected, at: position)
    }
}
