extension CodeBuffer {
    /// Joins pieces of code compiled separately (a module's functions,
    /// compiled in parallel by `ModuleCompiler`) into one: each piece
    /// starts at a multiple of 16 bytes (the gap filled with `filler`), and
    /// the branches each piece left pending to `sharedLabels` are filled in.
    /// Every piece created the shared labels with the same ids (the
    /// functions' labels), and each of them is placed in exactly one piece.
    /// A pending branch to any other label is a precondition failure, as in
    /// `resolveFixups`.
    public static func link(_ pieces: [CodeBuffer], sharedLabels: Range<Int>, filler: UInt8) -> (bytes: [UInt8], bases: [Int]) {
        var bases: [Int] = []
        var size = 0
        for piece in pieces {
            size = (size + 15) & ~15
            bases.append(size)
            size += piece.count
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        var placed = [Int?](repeating: nil, count: sharedLabels.count)
        for (piece, base) in zip(pieces, bases) {
            bytes.append(contentsOf: repeatElement(filler, count: base - bytes.count))
            bytes.append(contentsOf: piece.bytes)
            for id in sharedLabels {
                guard let offset = piece.labelOffsets[id] else { continue }
                precondition(placed[id - sharedLabels.lowerBound] == nil, "label placed in two pieces")
                placed[id - sharedLabels.lowerBound] = base + offset
            }
        }
        var linked = CodeBuffer(bytes: bytes)
        for (piece, base) in zip(pieces, bases) {
            for fixup in piece.fixups {
                let target = sharedLabels.contains(fixup.label.id) ? placed[fixup.label.id - sharedLabels.lowerBound] : nil
                guard let target else { preconditionFailure("branch to a label never placed") }
                linked.patch32(at: base + fixup.field, UInt32(truncatingIfNeeded: Int32(target - (base + fixup.base))))
            }
            for (id, waiting) in piece.a64Fixups {
                let target = sharedLabels.contains(id) ? placed[id - sharedLabels.lowerBound] : nil
                guard let target else { preconditionFailure("branch to a label never placed") }
                for fixup in waiting {
                    let word = base + fixup.word
                    linked.patch32(at: word, fixup.field.insert(target - word, into: linked.word(at: word)))
                }
            }
        }
        return (linked.bytes, bases)
    }
}
