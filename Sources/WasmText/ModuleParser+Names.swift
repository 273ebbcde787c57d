import WasmBinary
import WasmSyntax

/// `(@name "...")` annotations (the custom annotations appendix): printable
/// names for the module, functions, locals and parameters, types, fields and
/// tags, encoded as the `name` custom section.
///
/// An annotation is taken where a binding's identifier may go (right after
/// the keyword, or after the identifier); one that no binding takes is
/// misplaced.
extension ModuleParser {
    /// The names given so far, by index.
    struct NameAnnotations {
        var module: String?
        var functions: [UInt32: String] = [:]
        /// Local (and parameter) names by function index, then local index.
        var locals: [UInt32: [UInt32: String]] = [:]
        var types: [UInt32: String] = [:]
        /// Field names by type index, then field index.
        var fields: [UInt32: [UInt32: String]] = [:]
        var tags: [UInt32: String] = [:]
        /// The indices (in `LexedText.annotations`) of the annotations taken.
        var taken: Set<Int> = []

        var isEmpty: Bool {
            module == nil && functions.isEmpty && locals.isEmpty && types.isEmpty && fields.isEmpty && tags.isEmpty
        }
    }

    /// The name of a `@name` annotation right at the cursor, if any; `kind`
    /// words the error for two of them ("multiple function names").
    mutating func nameAnnotation(_ kind: String) throws(TextError) -> String? {
        try nameAnnotation(at: cursor.pos, kind)
    }

    mutating func nameAnnotation(at position: Int, _ kind: String) throws(TextError) -> String? {
        var name: String?
        for i in text.annotationIndices(in: position...position) where text.annotations[i].name == "name" {
            let annotation = text.annotations[i]
            guard name == nil else {
                throw TextError(message: "@name annotation: multiple \(kind) names", offset: annotation.offset)
            }
            name = try nameContents(annotation)
            names.taken.insert(i)
        }
        return name
    }

    /// `"string"`: the only content a name annotation has.
    private func nameContents(_ annotation: Annotation) throws(TextError) -> String {
        let tokens = text.contents(of: annotation)
        guard let first = tokens.first, first.kind == .string else {
            throw TextError(message: "@name annotation: string expected", offset: Int(tokens.first?.start ?? Int32(annotation.offset)))
        }
        let bytes = text.stringBytes(first)
        guard LexedText.isValidUTF8(bytes) else { throw TextError(message: "malformed UTF-8 encoding", offset: Int(first.start)) }
        if let extra = tokens.dropFirst().first {
            throw TextError(message: "@name annotation: unexpected token", offset: Int(extra.start))
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Fails on a `@name` annotation in the module (token positions
    /// `start...end`) that no binding took.
    func checkNamePlacement(start: Int, end: Int) throws(TextError) {
        for i in text.annotationIndices(in: start...end)
        where text.annotations[i].name == "name" && !names.taken.contains(i) {
            throw TextError(message: "misplaced @name annotation", offset: text.annotations[i].offset)
        }
    }

    /// The `name` section for the names given, or nil when there are none.
    /// It goes after the data section, as the appendix asks.
    func nameSection() -> GeneratedSection? {
        guard !names.isEmpty else { return nil }
        var content = BinaryWriter()
        func subsection(_ id: UInt8, _ write: (inout BinaryWriter) -> Void) {
            var w = BinaryWriter()
            write(&w)
            content.byte(id)
            content.u32(UInt32(w.bytes.count))
            content.append(w.bytes)
        }
        func nameMap(_ map: [UInt32: String], _ w: inout BinaryWriter) {
            w.vector(map.sorted { $0.key < $1.key }) { w, entry in
                w.u32(entry.key)
                w.name(entry.value)
            }
        }
        func indirectNameMap(_ map: [UInt32: [UInt32: String]], _ w: inout BinaryWriter) {
            w.vector(map.sorted { $0.key < $1.key }) { w, entry in
                w.u32(entry.key)
                nameMap(entry.value, &w)
            }
        }
        if let module = names.module { subsection(0) { $0.name(module) } }
        if !names.functions.isEmpty { subsection(1) { nameMap(names.functions, &$0) } }
        if !names.locals.isEmpty { subsection(2) { indirectNameMap(names.locals, &$0) } }
        if !names.types.isEmpty { subsection(4) { nameMap(names.types, &$0) } }
        if !names.fields.isEmpty { subsection(10) { indirectNameMap(names.fields, &$0) } }
        if !names.tags.isEmpty { subsection(11) { nameMap(names.tags, &$0) } }
        return GeneratedSection(name: "name", bytes: content.bytes, placement: .after(11))
    }
}
