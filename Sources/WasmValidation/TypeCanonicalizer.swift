import WasmSyntax

/// Assigns every defined type the index of the first type that is
/// equivalent to it, so that the equality of closed types
/// (iso-recursive type equivalence, spec "Type Equivalence") is a
/// comparison of integers. The validator numbers a module's types with it,
/// the runtime's store-wide type registry its type IDs; both must agree on
/// equivalence, so the key is computed here only.
///
/// Two types are equivalent when their rec groups have the same structure
/// and they sit at the same position in them. A group's structure is
/// encoded as a list of words in which a reference into the group itself
/// is kept relative to the group's start, and a reference to an earlier
/// group is replaced by that type's canonical index.
public struct TypeCanonicalizer: Sendable {
    /// Group shape -> canonical index of the first type of the first group with it.
    private var groups: [[UInt32]: UInt32] = [:]

    public init() {}

    /// The canonical index of the first type of `group`; the group's other
    /// types follow it in order.
    ///
    /// - Parameters:
    ///   - start: the index of the group's first type among the types that
    ///     `canonical` numbers (the indices of the module).
    ///   - canonical: the canonical index of every earlier type.
    ///   - fresh: the canonical index the group gets if no equivalent group
    ///     was seen, so a result equal to `fresh` means new types.
    public mutating func canonicalBase(of group: [SubType], start: UInt32, canonical: [UInt32], fresh: UInt32) -> UInt32 {
        let key = Self.shape(of: group, start: start, canonical: canonical)
        if let existing = groups[key] { return existing }
        groups[key] = fresh
        return fresh
    }

    /// The structural key of a rec group.
    private static func shape(of group: [SubType], start: UInt32, canonical: [UInt32]) -> [UInt32] {
        var words: [UInt32] = []
        words.reserveCapacity(group.count * 8)
        words.append(UInt32(truncatingIfNeeded: group.count))
        let end = start &+ UInt32(truncatingIfNeeded: group.count)
        func reference(_ index: UInt32) {
            if index >= start && index < end {
                words.append(1)
                words.append(index - start)
            } else {
                words.append(2)
                words.append(index < canonical.count ? canonical[Int(index)] : index)
            }
        }
        func valueType(_ t: ValueType) {
            switch t {
            case .i32: words.append(0x10)
            case .i64: words.append(0x11)
            case .f32: words.append(0x12)
            case .f64: words.append(0x13)
            case .v128: words.append(0x14)
            case .ref(let r):
                words.append(r.nullable ? 0x15 : 0x16)
                switch r.heapType {
                case .abstract(let a): words.append(0x100 | UInt32(a.rawValue))
                case .concrete(let i): reference(i)
                }
            }
        }
        func field(_ f: FieldType) {
            words.append(f.mutable ? 1 : 0)
            switch f.storage {
            case .i8: words.append(0x20)
            case .i16: words.append(0x21)
            case .value(let t): valueType(t)
            }
        }
        for sub in group {
            words.append(sub.isFinal ? 1 : 0)
            words.append(UInt32(truncatingIfNeeded: sub.supertypes.count))
            for s in sub.supertypes { reference(s) }
            switch sub.composite {
            case .func(let f):
                words.append(0x30)
                words.append(UInt32(truncatingIfNeeded: f.params.count))
                for t in f.params { valueType(t) }
                words.append(UInt32(truncatingIfNeeded: f.results.count))
                for t in f.results { valueType(t) }
            case .struct(let fields):
                words.append(0x31)
                words.append(UInt32(truncatingIfNeeded: fields.count))
                for f in fields { field(f) }
            case .array(let f):
                words.append(0x32)
                field(f)
            }
        }
        return words
    }
}
