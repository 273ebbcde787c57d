import WasmSyntax

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
    /// A rec group's structure (with references into the group relative to
    /// its start and references outside it as IDs) -> ID of its first type.
    private var groups: [[UInt32]: Int] = [:]

    package init() {}

    /// Registers a module's rec groups and returns the ID of every type
    /// index of the module.
    package mutating func register(_ recGroups: [RecGroup]) -> [Int] {
        var ids: [Int] = []
        for group in recGroups {
            let start = ids.count
            let key = Self.shape(of: group.types, groupStart: start, ids: ids)
            if let base = groups[key] {
                for i in 0..<group.types.count { ids.append(base + i) }
                continue
            }
            let base = types.count
            groups[key] = base
            for i in 0..<group.types.count { ids.append(base + i) }
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

    /// Value type subtyping for closed types (spec "Subtyping").
    package func isSubtype(_ a: ValueType, of b: ValueType) -> Bool {
        switch (a, b) {
        case (.ref(let x), .ref(let y)): return isSubtype(x, of: y)
        default: return a == b
        }
    }

    package func isSubtype(_ a: RefType, of b: RefType) -> Bool {
        if a.nullable && !b.nullable { return false }
        return isSubtype(a.heapType, of: b.heapType)
    }

    package func isSubtype(_ a: HeapType, of b: HeapType) -> Bool {
        if a == b { return true }
        switch (a, b) {
        case (.concrete(let x), .concrete(let y)):
            return isSubtype(Int(x), of: Int(y))
        case (.concrete(let x), .abstract(let top)):
            guard Int(x) < types.count else { return false }
            switch types[Int(x)].composite {
            case .func: return top == .func
            case .struct: return top == .struct || top == .eq || top == .any
            case .array: return top == .array || top == .eq || top == .any
            }
        case (.abstract(let bottom), .concrete(let y)):
            guard Int(y) < types.count else { return false }
            switch types[Int(y)].composite {
            case .func: return bottom == .nofunc
            case .struct, .array: return bottom == .none
            }
        case (.abstract(let x), .abstract(let y)):
            return Self.isAbstractSubtype(x, of: y)
        }
    }

    private static func isAbstractSubtype(_ a: AbstractHeapType, of b: AbstractHeapType) -> Bool {
        if a == b { return true }
        switch a {
        case .none: return b == .any || b == .eq || b == .i31 || b == .struct || b == .array
        case .i31, .struct, .array: return b == .eq || b == .any
        case .eq: return b == .any
        case .nofunc: return b == .func
        case .noextern: return b == .extern
        case .noexn: return b == .exn
        case .any, .func, .extern, .exn: return false
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

    /// The structural key of a rec group: references into the group are
    /// relative to its start, other references are IDs.
    private static func shape(of group: [SubType], groupStart: Int, ids: [Int]) -> [UInt32] {
        var words: [UInt32] = [UInt32(truncatingIfNeeded: group.count)]
        let end = groupStart + group.count
        func reference(_ index: UInt32) {
            let i = Int(index)
            if i >= groupStart && i < end {
                words.append(1); words.append(UInt32(truncatingIfNeeded: i - groupStart))
            } else {
                words.append(2); words.append(UInt32(truncatingIfNeeded: i < ids.count ? ids[i] : i))
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
