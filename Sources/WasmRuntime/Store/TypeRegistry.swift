import WasmSyntax
import WasmValidation

/// Canonical identities of defined types within a store, so that type
/// equality across modules (iso-recursive equivalence, spec "Type
/// Equivalence") is an integer comparison, as `call_indirect` needs.
///
/// Types are kept *closed*: a concrete heap type `.concrete(id)` inside a
/// registered type names a type ID of this registry, not a module's type
/// index. Runtime entities (globals, tables, functions) carry closed types,
/// so that import matching compares them without knowing their modules.
package struct TypeRegistry {
    /// Closed sub types by ID.
    package private(set) var types: [SubType] = []
    /// Recognises rec groups equivalent to registered ones; its canonical
    /// indices are the IDs.
    private var canonicalizer = TypeCanonicalizer()

    package init() {}

    /// Registers a module's rec groups and returns the ID of every type
    /// index of the module.
    package mutating func register(_ recGroups: [RecGroup]) -> [Int] {
        var ids: [Int] = []
        var canonical: [UInt32] = []
        for group in recGroups {
            let fresh = UInt32(truncatingIfNeeded: types.count)
            let base = canonicalizer.canonicalBase(of: group.types, start: UInt32(truncatingIfNeeded: ids.count),
                                                   canonical: canonical, fresh: fresh)
            for i in 0..<UInt32(group.types.count) {
                canonical.append(base + i)
                ids.append(Int(base + i))
            }
            guard base == fresh else { continue }
            // Close the group's types now that its own IDs are known.
            for sub in group.types { types.append(Self.close(sub, ids: ids)) }
        }
        return ids
    }

    /// The ID of a function type given without module context (host functions).
    package mutating func intern(_ type: FuncType) -> Int {
        register([RecGroup(types: [SubType(composite: .func(type))])])[0]
    }

    package func funcType(_ id: Int) -> FuncType? {
        guard id >= 0 && id < types.count else { return nil }
        return types[id].funcType
    }

    /// Whether the type `sub` is `sup` or declares it as a (transitive) supertype.
    package func isSubtype(_ sub: Int, of sup: Int) -> Bool {
        var current = sub
        var steps = 0
        while true {
            if current == sup { return true }
            guard current >= 0 && current < types.count,
                  let next = types[current].supertypes.first, steps < types.count else { return false }
            current = Int(next)
            steps += 1
        }
    }

    // MARK: Closing types

    /// Replaces module type indices by IDs.
    package static func close(_ t: ValueType, ids: [Int]) -> ValueType {
        guard case .ref(let r) = t else { return t }
        return .ref(close(r, ids: ids))
    }

    package static func close(_ r: RefType, ids: [Int]) -> RefType {
        guard case .concrete(let i) = r.heapType else { return r }
        let id = Int(i) < ids.count ? ids[Int(i)] : Int(i)
        return RefType(nullable: r.nullable, heapType: .concrete(UInt32(truncatingIfNeeded: id)))
    }

    static func close(_ sub: SubType, ids: [Int]) -> SubType {
        func field(_ f: FieldType) -> FieldType {
            guard case .value(let t) = f.storage else { return f }
            return FieldType(storage: .value(close(t, ids: ids)), mutable: f.mutable)
        }
        let composite: CompositeType
        switch sub.composite {
        case .func(let f):
            composite = .func(FuncType(params: f.params.map { close($0, ids: ids) }, results: f.results.map { close($0, ids: ids) }))
        case .struct(let fields): composite = .struct(fields.map(field))
        case .array(let f): composite = .array(field(f))
        }
        let supers = sub.supertypes.map { Int($0) < ids.count ? UInt32(truncatingIfNeeded: ids[Int($0)]) : $0 }
        return SubType(isFinal: sub.isFinal, supertypes: supers, composite: composite)
    }
}

/// Value, reference and heap type subtyping of closed types (spec
/// "Matching"), over type IDs.
extension TypeRegistry: SubtypingContext {
    package func compositeType(at id: UInt32) -> CompositeType? {
        Int(id) < types.count ? types[Int(id)].composite : nil
    }

    package func isSubtype(typeIndex a: UInt32, of b: UInt32) -> Bool {
        isSubtype(Int(a), of: Int(b))
    }
}
