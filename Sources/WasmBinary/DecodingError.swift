/// A binary module or instruction sequence that does not match the binary
/// grammar ("malformed", in the spec's words).
///
/// `message` is the text the official test suite's `assert_malformed`
/// commands expect (the reference interpreter's wording), so that a script
/// runner can compare it by prefix. `offset` is the byte offset in the input
/// where the problem was found.
public struct DecodingError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte offset \(offset))" }
}

extension DecodingError {
    /// The messages of the reference interpreter, in one place so that the
    /// decoder never misspells one.
    public enum Message {
        public static let unexpectedEnd = "unexpected end of section or function"
        public static let integerTooLong = "integer representation too long"
        public static let integerTooLarge = "integer too large"
        public static let magicHeader = "magic header not detected"
        public static let unknownVersion = "unknown binary version"
        public static let malformedSectionID = "malformed section id"
        public static let sectionSizeMismatch = "section size mismatch"
        public static let lengthOutOfBounds = "length out of bounds"
        public static let malformedUTF8 = "malformed UTF-8 encoding"
        public static let tooManyLocals = "too many locals"
        public static let functionCodeMismatch = "function and code section have inconsistent lengths"
        public static let dataCountMismatch = "data count and data section have inconsistent lengths"
        public static let dataCountRequired = "data count section required"
        public static let contentAfterLastSection = "unexpected content after last section"
        public static let malformedReferenceType = "malformed reference type"
        public static let malformedHeapType = "malformed heap type"
        public static let malformedValueType = "malformed value type"
        public static let malformedTypeIndex = "malformed type index"
        public static let malformedStorageType = "malformed storage type"
        public static let malformedDefinitionType = "malformed definition type"
        public static let malformedMutability = "malformed mutability"
        public static let malformedLimitsFlags = "malformed limits flags"
        public static let malformedImportKind = "malformed import kind"
        public static let malformedExportKind = "malformed export kind"
        public static let malformedElementKind = "malformed element kind"
        public static let malformedElementSegmentKind = "malformed elements segment kind"
        public static let malformedDataSegmentKind = "malformed data segment kind"
        public static let malformedMemopFlags = "malformed memop flags"
        public static let malformedCatchClause = "malformed catch clause"
        public static let malformedCastFlags = "malformed br_on_cast flags"
        public static let malformedBlockType = "malformed block type"
        public static let zeroByteExpected = "zero byte expected"
        public static let endOpcodeExpected = "END opcode expected"
        public static let illegalOpcode = "illegal opcode"
        public static let invalidCustomPageSize = "invalid custom page size"
    }

    @usableFromInline
    static func unexpectedEnd(at offset: Int) -> DecodingError {
        DecodingError(Message.unexpectedEnd, at: offset)
    }

    /// "illegal opcode ff" in the reference interpreter's format (hex bytes).
    @usableFromInline
    static func illegalOpcode(_ byte: UInt8, at offset: Int) -> DecodingError {
        DecodingError("\(Message.illegalOpcode) \(hex(UInt32(byte)))", at: offset)
    }

    @usableFromInline
    static func illegalOpcode(prefix: UInt8, code: UInt32, at offset: Int) -> DecodingError {
        DecodingError("\(Message.illegalOpcode) \(hex(UInt32(prefix))) \(hex(code))", at: offset)
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return digits.count < 2 ? "0" + digits : digits
    }
}
