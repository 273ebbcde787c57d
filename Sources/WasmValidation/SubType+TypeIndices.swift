import WasmSyntax

extension SubType {
    /// Calls `body` with every type index the sub type mentions.
    func forEachTypeIndex(_ body: (UInt32) -> Void) {
        func valueType(_ t: ValueType) {
            if case .ref(let r) = t, case .concrete(let i) = r.heapType { body(i) }
        }
        func storage(_ s: StorageType) {
            if case .value(let t) = s { valueType(t) }
        }
        for s in supertypes { body(s) }
        switch composite {
        case .func(let f):
            for t in f.params { valueType(t) }
            for t in f.results { valueType(t) }
        case .struct(let fields):
            for f in fields { storage(f.storage) }
        case .array(let f):
            storage(f.storage)
        }
    }
}
