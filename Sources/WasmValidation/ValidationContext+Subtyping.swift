import WasmSyntax

/// Subtyping (spec "Matching") of a module's types: defined types by their
/// canonical indices (the value, reference and heap type rules are those of
/// `SubtypingContext`), and composite types.
extension ValidationContext: SubtypingContext {
    /// Equivalence is equality of canonical indices (`TypeCanonicalizer`).
    public func isSubtype(typeIndex a: UInt32, of b: UInt32) -> Bool {
        guard a < types.count, b < types.count else { return false }
        let target = canonicalTypeIndices[Int(b)]
        var current = a
        // Super types have smaller indices, so the walk ends.
        while true {
            if canonicalTypeIndices[Int(current)] == target { return true }
            guard let next = types[Int(current)].supertypes.first, next < current else { return false }
            current = next
        }
    }

    /// Whether two type indices denote the same closed type.
    public func areEquivalent(typeIndex a: UInt32, _ b: UInt32) -> Bool {
        guard a < types.count, b < types.count else { return false }
        return canonicalTypeIndices[Int(a)] == canonicalTypeIndices[Int(b)]
    }

    /// The top of the hierarchy a heap type belongs to (any, func, extern
    /// or exn).
    public func topHeapType(_ h: HeapType) -> AbstractHeapType {
        switch h {
        case .abstract(let a):
            switch a {
            case .any, .eq, .i31, .struct, .array, .none: return .any
            case .func, .nofunc: return .func
            case .extern, .noextern: return .extern
            case .exn, .noexn: return .exn
            }
        case .concrete(let i):
            if case .func = compositeType(at: i) { return .func }
            return .any
        }
    }

    /// The bottom of the hierarchy a heap type belongs to.
    public func bottomHeapType(_ h: HeapType) -> AbstractHeapType {
        switch topHeapType(h) {
        case .func: return .nofunc
        case .extern: return .noextern
        case .exn: return .noexn
        default: return .none
        }
    }

    /// Whether an operand (possibly bottom) matches an expected type.
    @inline(__always)
    func matches(_ operand: OperandType, _ expected: ValueType) -> Bool {
        switch operand {
        case .known(let t): return t == expected || isSubtype(t, of: expected)
        case .unknown: return true
        case .unknownReference: return expected.isReference
        }
    }

    // MARK: Composite types

    public func isSubtype(_ a: CompositeType, of b: CompositeType) -> Bool {
        switch (a, b) {
        case (.func(let fa), .func(let fb)):
            return isSubtype(fa, of: fb)
        case (.struct(let fa), .struct(let fb)):
            guard fa.count >= fb.count else { return false }
            for i in 0..<fb.count where !isSubtype(fa[i], of: fb[i]) { return false }
            return true
        case (.array(let fa), .array(let fb)):
            return isSubtype(fa, of: fb)
        default:
            return false
        }
    }

    public func isSubtype(_ a: FuncType, of b: FuncType) -> Bool {
        guard a.params.count == b.params.count, a.results.count == b.results.count else { return false }
        for (x, y) in zip(b.params, a.params) where !isSubtype(x, of: y) { return false }
        for (x, y) in zip(a.results, b.results) where !isSubtype(x, of: y) { return false }
        return true
    }

    public func isSubtype(_ a: FieldType, of b: FieldType) -> Bool {
        guard a.mutable == b.mutable else { return false }
        if a.mutable {
            return isSubtype(a.storage, of: b.storage) && isSubtype(b.storage, of: a.storage)
        }
        return isSubtype(a.storage, of: b.storage)
    }

    public func isSubtype(_ a: StorageType, of b: StorageType) -> Bool {
        switch (a, b) {
        case (.i8, .i8), (.i16, .i16): return true
        case (.value(let x), .value(let y)): return isSubtype(x, of: y)
        default: return false
        }
    }
}
