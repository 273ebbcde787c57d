extension CodeBuffer {
    /// Joins pieces of code compiled separately (a module's functions,
    /// compiled in parallel by `ModuleCompiler`) into one: each piece
    /// starts at a multiple of 16 bytes (the gap filled with `filler`), and
    /// the branches each piece left pending to a function's label are
    /// filled in. `functionLabels[p]` names the label piece `p` uses for
    /// each function it places or calls (by defined index, below
    /// `functionCount`); each function is placed in exactly one piece. A
    /// pending branch to any other label is a precondition failure, as in
    /// `resolveFixups`. The work is linear in the code and the labels.
    public static func link(_ pieces: [CodeBuffer], functionLabels: [[Int: Label]], functionCount: Int,
                            filler: UInt8) -> (bytes: [UInt8], bases: [Int]) {
        precondition(pieces.count == functionLabels.count, "a label map per piece")
        var bases: [Int] = []
        var size = 0
        for piece in pieces {
            size = (size + 15) & ~15
            bases.append(size)
            size += piece.count
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(size)
        // Where each function's body is in the joined code.
        var placed = [Int?](repeating: nil, count: functionCount)
        for (p, (piece, base)) in zip(pieces, bases).enumerated() {
            bytes.append(contentsOf: repeatElement(filler, count: base - bytes.count))
            bytes.append(contentsOf: piece.bytes)
            for (function, label) in functionLabels[p] {
                guard let offset = piece.labelOffsets[label.id] else { continue }
                precondition(placed[function] == nil, "function \(function) placed in two pieces")
                placed[function] = base + offset
            }
        }
        var linked = CodeBuffer(bytes: bytes)
        for (p, (piece, base)) in zip(pieces, bases).enumerated() {
            guard !piece.fixups.isEmpty || !piece.a64Fixups.isEmpty else { continue }
            // The function of each label the piece's pending branches name.
            var functionOf: [Int: Int] = [:]
            for (function, label) in functionLabels[p] { functionOf[label.id] = function }
            func target(_ id: Int) -> Int {
                guard let function = functionOf[id], let target = placed[function] else {
                    preconditionFailure("branch to a label never placed")
                }
                return target
            }
            for fixup in piece.fixups {
                linked.patch32(at: base + fixup.field, UInt32(truncatingIfNeeded: Int32(target(fixup.label.id) - (base + fixup.base))))
            }
            for (id, waiting) in piece.a64Fixups {
                let destination = target(id)
                for fixup in waiting {
                    let word = base + fixup.word
                    linked.patch32(at: word, fixup.field.insert(destination - word, into: linked.word(at: word)))
                }
            }
        }
        return (linked.bytes, bases)
    }
}
