import WasmBinary
import WasmSyntax

/// `(@metadata.code.branch_hint "\00")` and `"\01"` annotations (branch
/// hinting proposal): a hint that the next instruction, an `if` or `br_if`,
/// is unlikely or likely to branch. They become the
/// `metadata.code.branch_hint` custom section, placed before the code section.
///
/// As in the reference interpreter, a hint belongs to the first instruction
/// that starts after it in the function's text (for a folded instruction,
/// at its opening parenthesis), whatever that instruction is: that it is an
/// `if` or `br_if` is a rule of the section, checked on the binary
/// (`checkCustomSections`), not a rule of the text.
extension ModuleParser {
    static let branchHintName = BranchHintSection.name

    /// Branch hints of the module and of the function being parsed.
    struct BranchHintState {
        /// The hint annotations (indices in `LexedText.annotations`) of the
        /// function being parsed, in source order, and how many are attached.
        var pending: [Int] = []
        var next = 0
        /// Hints waiting for a folded instruction's opcode, which is emitted
        /// after its operands: the depth of its frame and the hint.
        var deferred: [(depth: Int, isLikely: Bool)] = []
        /// The hints of the function being parsed, by offset in its body.
        var current: [BranchHintSection.Hint] = []
        var functions: [BranchHintSection.FunctionHints] = []
        /// The annotations that a function took.
        var taken: Set<Int> = []
    }

    /// Starts a function body that spans the tokens `range`.
    mutating func beginBranchHints(in range: ClosedRange<Int>) {
        branchHints.pending = text.annotationIndices(in: range).filter { text.annotations[$0].name == Self.branchHintName }
        branchHints.next = 0
        branchHints.deferred = []
        branchHints.current = []
    }

    /// The hint for the instruction that starts at token `position`: the
    /// annotations before it not yet attached (one at most).
    @inline(__always)
    mutating func branchHint(at position: Int) throws(TextError) -> Bool? {
        guard branchHints.next < branchHints.pending.count else { return nil }
        return try attachBranchHint(at: position)
    }

    private mutating func attachBranchHint(at position: Int) throws(TextError) -> Bool? {
        var hint: Bool?
        while branchHints.next < branchHints.pending.count {
            let index = branchHints.pending[branchHints.next]
            let annotation = text.annotations[index]
            guard annotation.position <= position else { break }
            guard hint == nil else {
                throw TextError(message: "@metadata.code.branch_hint annotation: duplicate annotation", offset: annotation.offset)
            }
            hint = try branchHintValue(annotation)
            branchHints.next += 1
        }
        return hint
    }

    /// Records a hint for the instruction about to be emitted.
    mutating func recordBranchHint(_ isLikely: Bool?) {
        guard let isLikely else { return }
        branchHints.current.append(BranchHintSection.Hint(offset: UInt32(code.bytes.count), isLikely: isLikely))
    }

    /// Keeps a hint until the folded instruction whose frame is at `depth`
    /// is emitted.
    mutating func deferBranchHint(_ isLikely: Bool?, depth: Int) {
        guard let isLikely else { return }
        branchHints.deferred.append((depth, isLikely))
    }

    /// Records the deferred hint of the folded instruction at `depth`, which
    /// is about to be emitted.
    mutating func recordDeferredBranchHint(depth: Int) {
        guard let last = branchHints.deferred.last, last.depth == depth else { return }
        branchHints.deferred.removeLast()
        recordBranchHint(last.isLikely)
    }

    /// Ends the body of function `index`: a hint after its last instruction
    /// has nothing to hint. Offsets become relative to the local
    /// declarations, as the section has them.
    mutating func endBranchHints(function index: UInt32, locals: [LocalRun]) throws(TextError) {
        if branchHints.next < branchHints.pending.count {
            let annotation = text.annotations[branchHints.pending[branchHints.next]]
            throw TextError(message: "@metadata.code.branch_hint annotation: invalid placement", offset: annotation.offset)
        }
        branchHints.taken.formUnion(branchHints.pending)
        branchHints.pending = []
        guard !branchHints.current.isEmpty else { return }
        var declarations = BinaryWriter()
        declarations.vector(locals) { w, run in
            w.u32(run.count)
            w.valueType(run.type)
        }
        let base = UInt32(declarations.bytes.count)
        // Folded operands come before their instruction: sort by offset.
        let hints = branchHints.current.sorted { $0.offset < $1.offset }.map {
            BranchHintSection.Hint(offset: $0.offset + base, isLikely: $0.isLikely)
        }
        branchHints.current = []
        branchHints.functions.append(BranchHintSection.FunctionHints(function: index, hints: hints))
    }

    /// `"\00"` (unlikely) or `"\01"` (likely), possibly split into strings.
    private func branchHintValue(_ annotation: Annotation) throws(TextError) -> Bool {
        var bytes: [UInt8] = []
        for t in text.contents(of: annotation) {
            guard t.kind == .string else {
                throw TextError(message: "@metadata.code.branch_hint annotation: unexpected token", offset: Int(t.start))
            }
            bytes.append(contentsOf: text.stringBytes(t))
        }
        guard bytes.count == 1, bytes[0] <= 1 else {
            throw TextError(message: "@metadata.code.branch_hint annotation: invalid hint value", offset: annotation.offset)
        }
        return bytes[0] == 1
    }

    /// Fails on a hint in the module (token positions `start...end`) that
    /// is not in a function body.
    func checkBranchHintPlacement(start: Int, end: Int) throws(TextError) {
        for i in text.annotationIndices(in: start...end)
        where text.annotations[i].name == Self.branchHintName && !branchHints.taken.contains(i) {
            throw TextError(message: "@metadata.code.branch_hint annotation: not in a function", offset: text.annotations[i].offset)
        }
    }

    /// The section for the hints given, or nil when there are none.
    func branchHintSection() -> GeneratedSection? {
        guard !branchHints.functions.isEmpty else { return nil }
        let section = BranchHintSection(functions: branchHints.functions)
        return GeneratedSection(name: Self.branchHintName, bytes: section.encoded(), placement: .before(10))
    }
}
