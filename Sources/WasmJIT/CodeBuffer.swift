/// Machine code being written: the bytes, the labels placed in them and the
/// branches that wait for a label to be placed.
///
/// Code is position-independent: every branch and call inside a module is
/// PC-relative and every address the code needs comes from the vmctx, so
/// the bytes can be copied anywhere (docs/architecture.md, decision 4).
public struct CodeBuffer: Sendable {
    public private(set) var bytes: [UInt8] = []
    /// Where each label was placed, nil while it is not.
    private(set) var labelOffsets: [Int?] = []
    /// 32-bit PC-relative fields to fill in when their label is known: the
    /// field's offset, the label, and the offset the displacement counts
    /// from (the end of the instruction on x86-64).
    private(set) var fixups: [(field: Int, label: Label, base: Int)] = []
    /// AArch64 branches whose offset field waits for its label, by label:
    /// the instruction word's offset and the field's shape. Patched when
    /// the label is placed, so an offset out of range fails there.
    private(set) var a64Fixups: [Int: [(word: Int, field: A64BranchField)]] = [:]

    public init() {}

    /// Code written elsewhere, with no labels (`link`).
    init(bytes: [UInt8]) { self.bytes = bytes }

    public var count: Int { bytes.count }

    public mutating func emit(_ byte: UInt8) { bytes.append(byte) }
    public mutating func emit(_ bytes: [UInt8]) { self.bytes.append(contentsOf: bytes) }

    /// One append of the four bytes (four appends were four uniqueness
    /// and capacity checks).
    public mutating func emit32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    public mutating func emit64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    /// Makes room for `count` more bytes at once.
    public mutating func reserve(_ count: Int) {
        bytes.reserveCapacity(bytes.count + count)
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
        if !a64Fixups.isEmpty, let waiting = a64Fixups.removeValue(forKey: label.id) {
            for fixup in waiting {
                patch32(at: fixup.word, fixup.field.insert(bytes.count - fixup.word, into: word(at: fixup.word)))
            }
        }
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
        resolvePlacedFixups()
        precondition(fixups.isEmpty && a64Fixups.isEmpty, "branch to a label never placed")
    }

    /// Fills in every displacement whose label is placed. The others stay
    /// for `link`: calls to functions compiled into another piece of code.
    public mutating func resolvePlacedFixups() {
        var pending = fixups
        fixups = []
        pending.removeAll { fixup in
            guard let target = labelOffsets[fixup.label.id] else { return false }
            patch32(at: fixup.field, UInt32(truncatingIfNeeded: Int32(target - fixup.base)))
            return true
        }
        fixups = pending
        // AArch64 branches were patched when their labels were placed.
    }

    // MARK: AArch64

    /// The little-endian instruction word at `offset`.
    public func word(at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    /// Emits an AArch64 instruction word whose PC-relative field (`field`)
    /// points at `label`: filled in now when the label is placed already,
    /// else when it is. An offset out of the field's range is a
    /// precondition failure, never a wrong branch.
    public mutating func emitA64(_ word: UInt32, to label: Label, field: A64BranchField) {
        let at = bytes.count
        if let target = labelOffsets[label.id] {
            emit32(field.insert(target - at, into: word))
        } else {
            emit32(word)
            a64Fixups[label.id, default: []].append((at, field))
        }
    }

    /// Whether a branch emitted here with `field` could reach `label`
    /// (false while the label is not placed: its distance is unknown).
    public func a64Reaches(_ label: Label, field: A64BranchField) -> Bool {
        guard let target = labelOffsets[label.id] else { return false }
        return field.fits(target - bytes.count)
    }
}

/// A position in code, placed once; branches to it may come before or after.
public struct Label: Hashable, Sendable {
    public let id: Int
}

/// The PC-relative fields of AArch64 instructions (offsets from the
/// instruction itself): b/bl (imm26, words), b.cond/cbz/cbnz/ldr literal
/// (imm19 at bit 5, words), tbz/tbnz (imm14 at bit 5, words) and adr
/// (21 bits of bytes, split immlo at bit 29 and immhi at bit 5).
public enum A64BranchField: Sendable {
    case imm26, imm19, imm14, adr21

    /// The field's reach in bytes: ±128 MiB, ±1 MiB, ±32 KiB, ±1 MiB.
    public var range: Range<Int> {
        switch self {
        case .imm26: return -(1 << 27)..<(1 << 27)
        case .imm19: return -(1 << 20)..<(1 << 20)
        case .imm14: return -(1 << 15)..<(1 << 15)
        case .adr21: return -(1 << 20)..<(1 << 20)
        }
    }

    public func fits(_ offset: Int) -> Bool {
        range.contains(offset) && (self == .adr21 || offset & 3 == 0)
    }

    /// `word` with its field set to `offset` (bytes from the instruction).
    public func insert(_ offset: Int, into word: UInt32) -> UInt32 {
        precondition(fits(offset), "A64: branch offset \(offset) out of range for \(self) (\(range))")
        switch self {
        case .imm26:
            return (word & ~0x03FF_FFFF) | (UInt32(truncatingIfNeeded: offset >> 2) & 0x03FF_FFFF)
        case .imm19:
            return (word & ~(0x7FFFF << 5)) | ((UInt32(truncatingIfNeeded: offset >> 2) & 0x7FFFF) << 5)
        case .imm14:
            return (word & ~(0x3FFF << 5)) | ((UInt32(truncatingIfNeeded: offset >> 2) & 0x3FFF) << 5)
        case .adr21:
            let bits = UInt32(truncatingIfNeeded: offset) & 0x1F_FFFF
            return (word & ~(0x6000_0000 | (0x7FFFF << 5))) | ((bits & 3) << 29) | ((bits >> 2) << 5)
        }
    }
}
