import WasmSyntax

/// Subtyping of value, reference and heap types (spec "Matching") over some
/// numbering of defined types: a module's type indices in the validator,
/// the store's type IDs at run time. Only how defined types are looked up
/// and related differs between the two, so the rules live once, here.
public protocol SubtypingContext {
    /// The structure of the defined type `index`, nil if there is none.
    func compositeType(at index: UInt32) -> CompositeType?
    /// Whether the defined type `a` matches `b`: they are equivalent, or
    /// one of `a`'s declared super types (transitively) is equivalent to `b`.
    func isSubtype(typeIndex a: UInt32, of b: UInt32) -> Bool
}

extension SubtypingContext {
    @inlinable
    public func isSubtype(_ a: ValueType, of b: ValueType) -> Bool {
        if a == b { return true }
        guard case .ref(let ra) = a, case .ref(let rb) = b else { return false }
        return isSubtype(ra, of: rb)
    }

    @inlinable
    public func isSubtype(_ a: RefType, of b: RefType) -> Bool {
        if a.nullable && !b.nullable { return false }
        return isSubtype(a.heapType, of: b.heapType)
    }

    @inlinable
    public func isSubtype(_ a: HeapType, of b: HeapType) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.abstract(let x), .abstract(let y)):
            return x.isSubtype(of: y)
        case (.concrete(let x), .abstract(let y)):
            guard let composite = compositeType(at: x) else { return false }
            switch composite {
            case .func: return y == .func
            case .struct: return y == .struct || y == .eq || y == .any
            case .array: return y == .array || y == .eq || y == .any
            }
        case (.abstract(let x), .concrete(let y)):
            guard let composite = compositeType(at: y) else { return false }
            switch composite {
            case .func: return x == .nofunc
            case .struct, .array: return x == .none
            }
        case (.concrete(let x), .concrete(let y)):
            return isSubtype(typeIndex: x, of: y)
        }
    }
}
