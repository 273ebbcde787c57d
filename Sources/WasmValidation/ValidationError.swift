import WasmSyntax

/// A module or function that breaks a validation rule.
///
/// `message` uses the wording of the official test suite's `assert_invalid`
/// assertions (which the reference interpreter prints), so that a script
/// runner can compare by containment. `offset` is the byte offset of the
/// offending instruction or definition in the binary (0 when unknown).
public struct ValidationError: Error, Equatable, CustomStringConvertible {
    public var message: String
    public var offset: Int
    /// Whether the spec classifies the failure as a *binary format* error
    /// rather than a validation error. Only the data count rule is of this
    /// kind: `memory.init` and `data.drop` need the data count section, a
    /// requirement of the binary format that can only be checked while the
    /// code is read, and the code is read here.
    public var isMalformed: Bool

    public init(_ message: String, offset: Int = 0, isMalformed: Bool = false) {
        self.message = message
        self.offset = offset
        self.isMalformed = isMalformed
    }

    public init(message: String, offset: Int) {
        self.init(message, offset: offset)
    }

    public var description: String {
        "\(isMalformed ? "malformed" : "invalid") at offset \(offset): \(message)"
    }
}

extension ValidationError {
    /// `unknown <what> <index>`, the suite's message for an index out of range.
    static func unknown(_ what: String, _ index: UInt32, offset: Int) -> ValidationError {
        ValidationError("unknown \(what) \(index)", offset: offset)
    }

    static func typeMismatch(_ detail: String, offset: Int) -> ValidationError {
        ValidationError("type mismatch: \(detail)", offset: offset)
    }
}
