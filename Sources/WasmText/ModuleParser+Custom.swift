import WasmSyntax

/// Custom sections written as `(@custom "name" placement? "data"*)`
/// annotations between module fields (the custom annotations appendix), and
/// their placement together with the sections that other annotations
/// produce (`@name`, branch hints).
extension ModuleParser {
    /// Section ids in binary order, by their placement keyword.
    static let sectionIDs: [(String, UInt8)] = [
        ("type", 1), ("import", 2), ("func", 3), ("table", 4), ("memory", 5), ("tag", 13),
        ("global", 6), ("export", 7), ("start", 8), ("elem", 9), ("datacount", 12), ("code", 10), ("data", 11),
    ]

    /// Where a custom section goes in the binary.
    enum SectionPlacement {
        case first
        case before(UInt8)
        case after(UInt8)
        case last

        /// Orders placements as the appendix does: `before first`, then for
        /// each section in binary order `before` it and `after` it, then
        /// `after last`. "After a section" comes before "before the next one".
        var rank: Int {
            func index(_ id: UInt8) -> Int { ModuleParser.sectionIDs.firstIndex { $0.1 == id } ?? 0 }
            switch self {
            case .first: return 0
            case .before(let id): return 2 * index(id) + 1
            case .after(let id): return 2 * index(id) + 2
            case .last: return 2 * ModuleParser.sectionIDs.count + 1
            }
        }
    }

    /// A custom section that an annotation other than `@custom` produces.
    struct GeneratedSection {
        var name: String
        var bytes: [UInt8]
        var placement: SectionPlacement
    }

    /// Turns the `@custom` annotations among the fields (before `fields[i]`
    /// or before `end`) and the `generated` sections into the module's
    /// custom sections, in binary order. A `@custom` anywhere else inside the
    /// module is misplaced.
    mutating func customSections(fields: [Int], start: Int, end: Int, generated: [GeneratedSection]) throws(TextError) {
        var sections: [(section: GeneratedSection, order: Int)] = []
        let range = text.annotationIndices(in: start...end)
        if range.contains(where: { text.annotations[$0].name == "custom" }) {
            let boundaries = Set(fields).union([end])
            for i in range where text.annotations[i].name == "custom" {
                let annotation = text.annotations[i]
                guard boundaries.contains(annotation.position) else {
                    throw TextError(message: "misplaced @custom annotation", offset: annotation.offset)
                }
                let (name, placement, bytes) = try customContents(annotation)
                sections.append((GeneratedSection(name: name, bytes: bytes, placement: placement), sections.count))
            }
        }
        for section in generated { sections.append((section, sections.count)) }
        guard !sections.isEmpty else { return }
        // Sections at the same place keep their textual order; those that
        // other annotations produce come after the `@custom` ones there.
        sections.sort { ($0.section.placement.rank, $0.order) < ($1.section.placement.rank, $1.order) }
        for (section, _) in sections {
            module.customSections.append(
                CustomSection(name: section.name, bytes: section.bytes, after: anchor(section.placement)))
        }
    }

    private func customContents(_ annotation: Annotation) throws(TextError) -> (String, SectionPlacement, [UInt8]) {
        let tokens = Array(text.contents(of: annotation))
        func fail(_ message: String, _ t: Token?) -> TextError {
            TextError(message: "@custom annotation: \(message)", offset: Int(t?.start ?? Int32(annotation.offset)))
        }
        guard let first = tokens.first, first.kind == .string else { throw fail("missing section name", tokens.first) }
        let nameBytes = text.stringBytes(first)
        guard LexedText.isValidUTF8(nameBytes) else { throw fail("malformed UTF-8 encoding", first) }
        var i = 1
        var placement = SectionPlacement.last
        if i < tokens.count && tokens[i].kind == .leftParen {
            let open = tokens[i]
            guard i + 1 < tokens.count, tokens[i + 1].kind == .keyword,
                  text.equals(tokens[i + 1], "before") || text.equals(tokens[i + 1], "after")
            else { throw fail("malformed placement", open) }
            let isBefore = text.equals(tokens[i + 1], "before")
            guard i + 2 < tokens.count, tokens[i + 2].kind == .keyword else { throw fail("malformed section kind", open) }
            let kind = tokens[i + 2]
            if isBefore && text.equals(kind, "first") {
                placement = .first
            } else if !isBefore && text.equals(kind, "last") {
                placement = .last
            } else if let id = Self.sectionIDs.first(where: { $0.0 == text.text(kind) })?.1 {
                placement = isBefore ? .before(id) : .after(id)
            } else {
                throw fail("malformed section kind", kind)
            }
            guard i + 3 < tokens.count, tokens[i + 3].kind == .rightParen else { throw fail("malformed placement", open) }
            i += 4
        }
        var bytes: [UInt8] = []
        while i < tokens.count {
            guard tokens[i].kind == .string else { throw fail("unexpected token", tokens[i]) }
            bytes.append(contentsOf: text.stringBytes(tokens[i]))
            i += 1
        }
        return (String(decoding: nameBytes, as: UTF8.self), placement, bytes)
    }

    /// The id of the last section present in the module before the
    /// placement (0 for the very beginning), which is how `CustomSection`
    /// records it. A placement next to a section the module does not have
    /// falls back to the nearest present one before it.
    private func anchor(_ placement: SectionPlacement) -> UInt8 {
        func isPresent(_ id: UInt8) -> Bool {
            switch id {
            case 1: return !module.types.isEmpty
            case 2: return !module.imports.isEmpty
            case 3, 10: return !module.functions.isEmpty
            case 4: return !module.tables.isEmpty
            case 5: return !module.memories.isEmpty
            case 13: return !module.tags.isEmpty
            case 6: return !module.globals.isEmpty
            case 7: return !module.exports.isEmpty
            case 8: return module.start != nil
            case 9: return !module.elements.isEmpty
            case 12: return module.dataCount != nil
            case 11: return !module.datas.isEmpty
            default: return false
            }
        }
        let rank = placement.rank
        // Section k (0-based, binary order) is before a placement when the
        // place right after it (rank 2k + 2) is not later.
        var anchor: UInt8 = 0
        for (k, (_, id)) in Self.sectionIDs.enumerated() where 2 * k + 2 <= rank && isPresent(id) {
            anchor = id
        }
        return anchor
    }
}
