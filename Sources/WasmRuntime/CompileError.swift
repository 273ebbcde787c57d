import WasmBinary
import WasmValidation

/// Why a module could not be compiled.
public struct CompileError: Error, Hashable, Sendable, CustomStringConvertible {
    public enum Kind: Hashable, Sendable {
        /// The bytes do not follow the binary format (`assert_malformed`).
        case malformed
        /// The module is well-formed but breaks a validation rule (`assert_invalid`).
        case invalid
        /// The module is valid but exceeds a limit of this implementation.
        case unsupported
    }

    public var kind: Kind
    /// The reference interpreter's wording, as the test suite expects it.
    public var message: String
    /// Byte offset in the binary (0 when unknown).
    public var offset: Int

    public init(_ kind: Kind, _ message: String, offset: Int) {
        self.kind = kind
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(kind) module at offset \(offset): \(message)" }
}

extension CompileError {
    /// A decoding error: the module is malformed.
    package init(decodingError e: DecodingError) {
        self.init(.malformed, e.message, offset: e.offset)
    }

    /// A validation error: invalid, except for the rules the spec files
    /// under the binary format (the data count section).
    package init(validationError e: ValidationError) {
        self.init(e.isMalformed ? .malformed : .invalid, e.message, offset: e.offset)
    }
}
