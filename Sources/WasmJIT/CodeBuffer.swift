/// Machine code being written: the bytes, the labels placed in them and the
/// branches that wait for a label to be placed.
///
/// Code is position-independent: every branch and call inside a module is
/// PC-relative and every address the code needs comes from the vmctx, so
/// the bytes can be copied anywhere (docs/architecture.md, decision 4).
public struct CodeBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Where each label was placed, nil while it is not.
    private var labelOffsets: [Int?] = []
    /// 32-bit PC-relative fields to fill in when their label is known: the
    /// field's offset, the label, and the offset the displacement counts
    /// from (the end of the instruction on x86-64).
    private var fixups: [(field: Int, label: Label, base: Int)] = []

    public init() {}

    public var count: Int { bytes.count }

    public mutating func emit(_ byte: UInt8) { bytes.append(byte) }
    public mutating func emit(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }

    public mutating func emit32(_ value: UInt32) {
        for i in 0..<4 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    public mutating func emit64(_ value: UInt64) {
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: value >> (8 * i))) }
    }

    public mutating func patch32(at offset: Int, _ value: UInt32) {
        for i in 0..<4 { bytes[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * i)) }
    }

    // MARK: Labels

    public mutating func newLabel() -> Label {
        labelOffsets.append(nil)
        return Label(id: labelOffsets.count - 1)
    }

    public func offset(of label: Label) -> Int? { labelOffsets[label.id] }

    /// Places `label` here.
    public mutating func bind(_ label: Label) {
        precondition(labelOffsets[label.id] == nil, "label placed twice")
        labelOffsets[label.id] = bytes.count
    }

    /// Writes a 32-bit displacement to `label`, counted from `base` (the
    /// offset where the instruction ends), now or when the label is placed.
    public mutating func emitDisplacement32(to label: Label, base: Int) {
        let field = bytes.count
        emit32(0)
        fixups.append((field, label, base))
    }

    /// Fills in every displacement. Every label a branch refers to must be
    /// placed by now.
    public mutating func resolveFixups() {
        for fixup in fixups {
            guard let target = labelOffsets[fixup.label.id] else { preconditionFailure("branch to a label never placed") }
            patch32(at: fixup.field, UInt32(truncatingIfNeeded: Int32(target - fixup.base)))
        }
        fixups.removeAll()
    }
}

/// A position in code, placed once; branches to it may come before or after.
public struct Label: Hashable, Sendable {
    public let id: Int
}
