import WasmSyntax
import WasmBinary

/// Why a module was rejected: its code does not decode (malformed, as the
/// spec's binary format has it) or it breaks a validation rule (invalid).
/// The spec tests keep the two apart (`assert_malformed`, `assert_invalid`).
public enum ModuleCheckError: Error, Equatable, CustomStringConvertible {
    case malformed(DecodingError)
    case invalid(ValidationError)

    public var message: String {
        switch self {
        case .malformed(let e): return e.message
        case .invalid(let e): return e.message
        }
    }

    public var offset: Int {
        switch self {
        case .malformed(let e): return e.offset
        case .invalid(let e): return e.offset
        }
    }

    public var description: String {
        switch self {
        case .malformed(let e): return "malformed: \(e.description)"
        case .invalid(let e): return e.description
        }
    }

    /// A validator error; the data count rule belongs to the binary format.
    init(_ error: ValidationError) {
        if error.isMalformed {
            self = .malformed(DecodingError(error.message, at: error.offset))
        } else {
            self = .invalid(error)
        }
    }
}
