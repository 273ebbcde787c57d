import WasmSyntax
import WasmValidation

/// The type section: the template's rec groups first (so its type indices
/// keep their meaning), then generated ones.
extension ModuleBuilder {
    mutating func generateTypes() {
        if let template {
            module.types = template.types
        }
        env.types = module.definedTypes
        refreshContext()
        let templateCount = env.types.count
        let target = u.int(in: 0...config.maxTypes)
        while env.types.count - templateCount < target && !u.isExhausted {
            let size = env.has(.gc) && u.chance(1, 4) ? u.int(in: 1...config.maxRecGroupSize) : 1
            generateRecGroup(size: size, explicit: size != 1 || (env.has(.gc) && u.chance(1, 8)))
        }
        // Functions and tags need a function type; keep one around.
        if !env.types.contains(where: { $0.funcType?.results.isEmpty == true }) {
            appendGroup(RecGroup(types: [SubType(composite: .func(FuncType()))]))
        }
    }

    private mutating func appendGroup(_ group: RecGroup) {
        module.types.append(group)
        env.types.append(contentsOf: group.types)
        refreshContext()
    }

    /// Rebuilds the context that answers subtyping questions. Should the
    /// types be invalid (a generator bug), the group is dropped instead.
    mutating func refreshContext() {
        var typesOnly = Module()
        typesOnly.types = module.types
        if let context = try? ValidationContext(module: typesOnly, features: env.features) {
            env.context = context
            env.typesChanged()
        } else if !module.types.isEmpty {
            module.types.removeLast()
            env.types = module.definedTypes
            refreshContext()
        }
    }

    private mutating func generateRecGroup(size: Int, explicit: Bool) {
        let base = UInt32(env.types.count)
        let end = base + UInt32(size)
        var group: [SubType] = []
        for i in 0..<size {
            let sub = subType(index: base + UInt32(i), groupEnd: end, earlierInGroup: group)
            group.append(sub)
        }
        appendGroup(RecGroup(types: group, isExplicit: explicit))
    }

    private mutating func subType(index x: UInt32, groupEnd: UInt32, earlierInGroup: [SubType]) -> SubType {
        let gc = env.has(.gc)
        // Type uses may name earlier types and, with GC, any type of the
        // group (recursive types).
        let limit = gc ? groupEnd : x
        if gc && u.chance(1, 3) {
            let all = env.types + earlierInGroup
            let candidates = all.indices.filter { !all[$0].isFinal }
            if let superIndex = u.choose(candidates) {
                let composite = derivedComposite(all[superIndex].composite, limit: limit)
                return SubType(isFinal: u.chance(1, 2), supertypes: [UInt32(superIndex)], composite: composite)
            }
        }
        let composite: CompositeType
        switch gc ? u.weighted([4, 2, 2]) : 0 {
        case 0: composite = .func(funcType(limit: limit))
        case 1:
            let count = u.int(in: 0...config.maxStructFields)
            composite = .struct((0..<count).map { _ in fieldType(limit: limit) })
        default:
            composite = .array(fieldType(limit: limit))
        }
        let isFinal = gc ? u.chance(1, 2) : true
        return SubType(isFinal: isFinal, supertypes: [], composite: composite)
    }

    private mutating func funcType(limit: UInt32) -> FuncType {
        let params = (0..<u.int(in: 0...config.maxParams)).map { _ in env.valueType(&u, concreteBelow: limit) }
        let maxResults = env.has(.multiValue) ? config.maxResults : min(1, config.maxResults)
        let results = (0..<u.int(in: 0...maxResults)).map { _ in env.valueType(&u, concreteBelow: limit) }
        return FuncType(params: params, results: results)
    }

    private mutating func fieldType(limit: UInt32) -> FieldType {
        let storage: StorageType
        switch u.weighted([1, 1, 6]) {
        case 0: storage = .i8
        case 1: storage = .i16
        default: storage = .value(env.valueType(&u, concreteBelow: limit))
        }
        return FieldType(storage: storage, mutable: u.bool())
    }

    /// A composite type that matches `base` (a declared super type): the
    /// same function type; a struct with more fields; immutable fields and
    /// array elements of references may become non-null.
    private mutating func derivedComposite(_ base: CompositeType, limit: UInt32) -> CompositeType {
        switch base {
        case .func(let f):
            return .func(f)
        case .struct(var fields):
            for i in fields.indices { fields[i] = refined(fields[i]) }
            let extra = u.int(in: 0...2)
            for _ in 0..<extra where fields.count < config.maxStructFields + 2 {
                fields.append(fieldType(limit: limit))
            }
            return .struct(fields)
        case .array(let field):
            return .array(refined(field))
        }
    }

    private mutating func refined(_ field: FieldType) -> FieldType {
        guard !field.mutable, case .value(.ref(let r)) = field.storage, r.nullable, u.chance(1, 3) else { return field }
        if !env.canMakeHeap(r.heapType) { return field }
        return FieldType(storage: .value(.ref(RefType(nullable: false, heapType: r.heapType))), mutable: false)
    }
}

extension ModuleEnvironment {
    /// Whether a heap type is inhabited by non-null values at all.
    func canMakeHeap(_ h: HeapType) -> Bool {
        switch h {
        case .abstract(.none), .abstract(.nofunc), .abstract(.noextern), .abstract(.noexn), .abstract(.exn): return false
        default: return true
        }
    }
}
