import WasmSyntax

/// Custom sections written as `(@custom "name" placement? "data"*)`
/// annotations between module fields (the annotations proposal's appendix).
extension ModuleParser {
    /// Section ids in binary order, by their placement keyword.
    private static let sectionIDs: [(String, UInt8)] = [
        ("type", 1), ("import", 2), ("func", 3), ("table", 4), ("memory", 5), ("tag", 13),
        ("global", 6), ("export", 7), ("start", 8), ("elem", 9), ("datacount", 12), ("code", 10), ("data", 11),
    ]

    private enum Placement {
        case before(UInt8)
        case after(UInt8)
        case first
        case last
    }

    /// Turns the `@custom` annotations among the fields (before `fields[i]`
    /// or before `end`) into custom sections; one anywhere else inside the
    /// module is misplaced.
    mutating func customSections(fields: [Int], start: Int, end: Int) throws(TextError) {
        let all = text.annotations
        guard all.contains(where: { $0.name == "custom" }) else { return }
        let boundaries = Set(fields).union([end])
        var sections: [(CustomSection, Int)] = []
        for annotation in all where annotation.name == "custom" && annotation.position >= start && annotation.position <= end {
            guard boundaries.contains(annotation.position) else {
                throw TextError(message: "misplaced @custom annotation", offset: annotation.offset)
            }
            let (name, placement, bytes) = try customContents(annotation)
            let after = anchor(placement)
            sections.append((CustomSection(name: name, bytes: bytes, after: after), sections.count))
        }
        // The encoder writes custom sections per anchor, in list order; keep
        // the list in binary order so that decoding gives it back.
        let rank = Dictionary(uniqueKeysWithValues: Self.sectionIDs.enumerated().map { ($1.1, $0 + 1) })
        sections.sort { (rank[$0.0.after] ?? 0, $0.1) < (rank[$1.0.after] ?? 0, $1.1) }
        module.customSections.append(contentsOf: sections.map(\.0))
    }

    private func customContents(_ annotation: Annotation) throws(TextError) -> (String, Placement, [UInt8]) {
        let tokens = Array(text.annotationTokens[annotation.contents])
        func fail(_ message: String, _ t: Token?) -> TextError {
            TextError(message: "@custom annotation: \(message)", offset: Int(t?.start ?? Int32(annotation.offset)))
        }
        guard let first = tokens.first, first.kind == .string else { throw fail("missing section name", tokens.first) }
        let nameBytes = text.stringBytes(first)
        guard LexedText.isValidUTF8(nameBytes) else { throw fail("malformed UTF-8 encoding", first) }
        var i = 1
        var placement = Placement.last
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

    /// The id of the last section present in the module at the placement
    /// (0 for the very beginning), which is how `CustomSection` records it.
    private func anchor(_ placement: Placement) -> UInt8 {
        let present: [UInt8: Bool] = [
            1: !module.types.isEmpty, 2: !module.imports.isEmpty, 3: !module.functions.isEmpty,
            4: !module.tables.isEmpty, 5: !module.memories.isEmpty, 13: !module.tags.isEmpty,
            6: !module.globals.isEmpty, 7: !module.exports.isEmpty, 8: module.start != nil,
            9: !module.elements.isEmpty, 12: module.dataCount != nil, 10: !module.functions.isEmpty,
            11: !module.datas.isEmpty,
        ]
        let order = Self.sectionIDs.map(\.1)
        let limit: Int
        switch placement {
        case .first: return 0
        case .last: limit = order.count
        case .before(let id): limit = order.firstIndex(of: id) ?? 0
        case .after(let id): limit = (order.firstIndex(of: id) ?? 0) + 1
        }
        return order[..<limit].last(where: { present[$0] == true }) ?? 0
    }
}
