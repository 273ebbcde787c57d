/// The identifiers bound in one index space (types, functions, locals, ...)
/// and how many entries it has.
struct IndexSpace {
    /// The words of the messages: "unknown function $f", "duplicate func $f".
    let unknownName: String
    let duplicateName: String
    private(set) var names: [String: UInt32] = [:]
    private(set) var count: UInt32 = 0

    init(_ unknownName: String, duplicate: String? = nil) {
        self.unknownName = unknownName
        self.duplicateName = duplicate ?? unknownName
    }

    /// Adds an entry, bound to `id` when given; returns its index.
    @discardableResult
    mutating func declare(_ id: Token?, in text: LexedText) throws(TextError) -> UInt32 {
        if let id {
            let name = text.identifier(id)
            if names[name] != nil {
                throw TextError(message: "duplicate \(duplicateName) \(text.text(id))", offset: Int(id.start))
            }
            names[name] = count
        }
        guard count < UInt32.max else { throw TextError(message: "too many \(duplicateName) entries", offset: Int(id?.start ?? 0)) }
        count += 1
        return count - 1
    }

    /// The index a token denotes: a `nat` as written, an identifier as bound.
    func resolve(_ t: Token, in text: LexedText) throws(TextError) -> UInt32 {
        switch t.kind {
        case .nat:
            guard let v = text.natural(t, max: UInt64(UInt32.max)) else {
                throw TextError(message: "i32 constant out of range", offset: Int(t.start))
            }
            return UInt32(v)
        case .id:
            guard let i = names[text.identifier(t)] else {
                throw TextError(message: "unknown \(unknownName) \(text.text(t))", offset: Int(t.start))
            }
            return i
        default:
            throw TokenCursor(text, at: 0).unexpected(t)
        }
    }
}
