import WasmSyntax

extension ValueType {
    /// The slots a value of this type takes: two for v128, one otherwise.
    package var slotCount: Int { self == .v128 ? 2 : 1 }
}

extension Array where Element == ValueType {
    package var slotCount: Int {
        var n = 0
        for t in self { n += t.slotCount }
        return n
    }
}
