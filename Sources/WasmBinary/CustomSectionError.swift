import WasmSyntax

/// A custom section whose contents break the rules of its own format (the
/// custom sections appendix and code metadata proposals), or do not fit the
/// module they describe.
///
/// Such a module is still valid: the spec lets engines ignore custom
/// sections, so these checks are separate from decoding and validation,
/// as in the reference interpreter, which reports them as "custom
/// validation" errors (`assert_invalid_custom`).
public struct CustomSectionError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The reference interpreter's wording, as the test suite expects it.
    public var message: String
    /// Byte offset in the binary (0 when unknown).
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte offset \(offset))" }
}

/// Checks the custom sections of a binary module that this implementation
/// understands against the module: for now `metadata.code.branch_hint`.
/// Other custom sections are accepted as they are.
///
/// `binary` must decode (with `features`); a decoding error is reported as
/// a custom-section error too, since callers check the module first.
public func checkCustomSections(_ binary: [UInt8], features: Features = .all) throws(CustomSectionError) {
    let module: Module
    do throws(DecodingError) {
        module = try decodeModule(binary, features: features)
    } catch {
        throw CustomSectionError(error.message, at: error.offset)
    }
    for custom in module.customSections where custom.name == BranchHintSection.name {
        try BranchHintSection(decoding: custom.contents).check(in: module, binary: binary, features: features)
    }
}
