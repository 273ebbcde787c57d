/// The trap exits a backend has created, by trap code. Trap codes are
/// small numbers (CWasmVM.h), so this is an array indexed by code: every
/// bounds check, division and call asks for a trap label, and hashing the
/// code in a dictionary each time was 1% of the JIT's compile time.
struct TrapLabels {
    private var labels: [Label?] = []

    subscript(code: TrapCode) -> Label? {
        get {
            let index = Int(code.rawValue)
            return index < labels.count ? labels[index] : nil
        }
        set {
            let index = Int(code.rawValue)
            if index >= labels.count { labels.append(contentsOf: repeatElement(nil, count: index + 1 - labels.count)) }
            labels[index] = newValue
        }
    }

    /// The exits created, in the order of their codes.
    var inCodeOrder: [(code: TrapCode, label: Label)] {
        labels.indices.compactMap { index in
            guard let label = labels[index], let code = TrapCode(rawValue: Int32(index)) else { return nil }
            return (code, label)
        }
    }

    mutating func removeAll() { labels.removeAll(keepingCapacity: true) }
}
