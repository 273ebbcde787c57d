import WasmSyntax

/// The parts of the `name` custom section (the spec's appendix "Name
/// Section") that trap backtraces show: the module's name (subsection 0)
/// and the function names (subsection 1, a name map `vec(funcidx name)`).
/// The other subsections (locals, types, fields, ...) are skipped.
///
/// A custom section never makes a module invalid, so decoding is lenient,
/// as wasmtime's: what was read before a malformed part is kept, the rest
/// is ignored.
public struct NameSection: Hashable, Sendable {
    public static let name = "name"

    /// The module's name (subsection 0).
    public var moduleName: String?
    /// Function names by function index (imports included).
    public var functionNames: [UInt32: String]

    public init(moduleName: String? = nil, functionNames: [UInt32: String] = [:]) {
        self.moduleName = moduleName
        self.functionNames = functionNames
    }

    /// The names of a decoded module: the first `name` section, or nil
    /// when the module has none.
    public init?(of module: WasmSyntax.Module) {
        guard let section = module.customSections.first(where: { $0.name == Self.name }) else { return nil }
        self.init(decoding: section.contents)
    }

    /// Decodes the section's contents (after its name), keeping what reads
    /// well up to the first malformed byte.
    public init(decoding bytes: ArraySlice<UInt8>) {
        self.init()
        var reader = BinaryReader(bytes)
        do throws(DecodingError) {
            while !reader.isAtEnd {
                let id = try reader.readByte()
                let content = try reader.readByteVector()
                var sub = BinaryReader(content)
                switch id {
                case 0:
                    moduleName = try sub.readName()
                case 1:
                    let count = try sub.readLength()
                    for _ in 0..<count {
                        let index = try sub.readU32()
                        let name = try sub.readName()
                        // The spec wants increasing indices; the first name wins.
                        if functionNames[index] == nil { functionNames[index] = name }
                    }
                default:
                    continue
                }
            }
        } catch {
            return
        }
    }
}
