import WasmBinary
import WasmSyntax
import WasmText

/// Parses a module, failing the test on an error.
func parse(_ wat: String) throws -> Module {
    try parseModule(wat)
}

/// The message of the error that parsing reports, or nil when it parses.
func parseError(_ wat: String) -> String? {
    do {
        _ = try parseModule(wat)
        return nil
    } catch {
        return error.message
    }
}

/// The bytes of a function body made of these instructions (with the final
/// `end`), to compare with what the parser encodes.
func encodedBody(_ instructions: [Instruction]) -> [UInt8] {
    var w = BinaryWriter()
    w.expression(instructions)
    return w.bytes
}

/// The encoded body of the function at `index` (defined functions only).
func body(_ wat: String, function index: Int = 0) throws -> [UInt8] {
    Array(try parse(wat).functions[index].body)
}
