import WasmSyntax
import WasmValidation

/// Everything the generator knows about the module it is building: the
/// enabled features and instruction classes, the limits, and every index
/// space as far as it has been filled. Definitions are added in module
/// order (types, imports, functions, tables, memories, tags, globals,
/// segments), and the code generator reads the finished environment.
final class ModuleEnvironment {
    let config: GeneratorConfig
    let features: Features
    let classes: InstructionClasses

    /// The defined types (flattened across rec groups) and a validation
    /// context over them, which answers subtyping questions.
    var types: [SubType] = []
    var context: ValidationContext

    /// The type index of every function, imports first.
    var functionTypes: [UInt32] = []
    var importedFunctionCount = 0
    var tables: [TableType] = []
    var memories: [MemoryType] = []
    var globals: [GlobalType] = []
    var importedGlobalCount = 0
    /// The type index of every tag.
    var tags: [UInt32] = []
    var elements: [ElementInfo] = []
    var datas: [DataInfo] = []
    var hasDataCount = false
    /// Whether every function is declared for `ref.func` in code.
    var functionsDeclared = false
    /// The index of the fuel global when termination is instrumented.
    var fuelGlobal: UInt32?

    /// The fixed-signature opcodes of each class that the features allow.
    let fixedOpcodes: [[Opcode]]

    struct ElementInfo {
        var type: RefType
        /// The segment's length while it is not dropped: passive segments
        /// keep theirs; active and declarative ones are dropped when the
        /// module is instantiated.
        var length: Int
        var isPassive: Bool
    }

    struct DataInfo {
        var length: Int
        var isPassive: Bool
    }

    init(config: GeneratorConfig, features: Features, classes: InstructionClasses) {
        self.config = config
        self.features = features
        self.classes = classes
        // An empty module has nothing that can fail validation.
        self.context = (try? ValidationContext(module: Module(), features: features))!
        fixedOpcodes = InstructionClass.fixedOpcodes.map { ops in
            ops.filter { features.isSuperset(of: $0.feature) && ($0.feature != .relaxedSimd || features.contains(.simd)) }
        }
    }

    func has(_ f: Features) -> Bool { features.isSuperset(of: f) }

    func allows(_ c: InstructionClass) -> Bool { classes.contains(c) }

    func allows(_ op: Opcode) -> Bool { features.isSuperset(of: op.feature) }

    // MARK: Types

    func isSubtype(_ a: ValueType, _ b: ValueType) -> Bool {
        a == b || context.isSubtype(a, of: b)
    }

    func isSubtype(_ a: RefType, _ b: RefType) -> Bool {
        a == b || context.isSubtype(a, of: b)
    }

    func isSubtype(_ a: HeapType, _ b: HeapType) -> Bool {
        a == b || context.isSubtype(a, of: b)
    }

    func funcType(_ typeIndex: UInt32) -> FuncType? {
        guard typeIndex < types.count else { return nil }
        return types[Int(typeIndex)].funcType
    }

    func funcType(ofFunction f: Int) -> FuncType {
        funcType(functionTypes[f]) ?? FuncType()
    }

    func structFields(_ typeIndex: UInt32) -> [FieldType]? {
        guard typeIndex < types.count, case .struct(let fields) = types[Int(typeIndex)].composite else { return nil }
        return fields
    }

    func arrayField(_ typeIndex: UInt32) -> FieldType? {
        guard typeIndex < types.count, case .array(let field) = types[Int(typeIndex)].composite else { return nil }
        return field
    }

    /// The indices of the function types, of struct types, of array types
    /// (kept up to date by `typesChanged()`).
    private(set) var funcTypeIndices: [UInt32] = []
    private(set) var structTypeIndices: [UInt32] = []
    private(set) var arrayTypeIndices: [UInt32] = []

    func typesChanged() {
        funcTypeIndices = []
        structTypeIndices = []
        arrayTypeIndices = []
        for (i, t) in types.enumerated() {
            switch t.composite {
            case .func: funcTypeIndices.append(UInt32(i))
            case .struct: structTypeIndices.append(UInt32(i))
            case .array: arrayTypeIndices.append(UInt32(i))
            }
        }
    }

    func tagParams(_ tag: Int) -> [ValueType] { funcType(tags[tag])?.params ?? [] }

    func topHeapType(_ h: HeapType) -> AbstractHeapType { context.topHeapType(h) }

    // MARK: Arbitrary types

    /// A value type for a parameter, result, local, global or field.
    /// `concreteBelow` bounds the type indices it may name.
    func valueType(_ u: inout ByteSource, concreteBelow: UInt32) -> ValueType {
        let weights = [5, 3, 2, 2, has(.simd) ? 2 : 0, has(.referenceTypes) ? 3 : 0]
        switch u.weighted(weights) {
        case 0: return .i32
        case 1: return .i64
        case 2: return .f32
        case 3: return .f64
        case 4: return .v128
        default: return .ref(refType(&u, concreteBelow: concreteBelow))
        }
    }

    /// A reference type of an inhabited kind (no non-null bottom types, no
    /// non-null exnref: values of those cannot be made).
    func refType(_ u: inout ByteSource, concreteBelow: UInt32) -> RefType {
        var heaps: [HeapType] = [.func]
        if has(.referenceTypes) { heaps.append(.extern) }
        if has(.exceptions) { heaps.append(.exn) }
        if has(.gc) {
            heaps += [.any, .eq, .i31, .struct, .array, .none, .nofunc, .noextern]
            if has(.exceptions) { heaps.append(.noexn) }
        }
        var heap = heaps[u.index(heaps.count)]
        let concreteCount = has(.functionReferences) ? Int(min(concreteBelow, UInt32(types.count + 64))) : 0
        if concreteCount > 0 && u.chance(2, 5) {
            heap = .concrete(UInt32(u.index(concreteCount)))
        }
        var nullable = has(.functionReferences) ? !u.chance(1, 3) : true
        switch heap {
        case .abstract(.none), .abstract(.nofunc), .abstract(.noextern), .abstract(.noexn), .abstract(.exn):
            nullable = true
        default: break
        }
        return RefType(nullable: nullable, heapType: heap)
    }

    /// A type that can be written down with the enabled features and that
    /// `t` matches: without function references the types of values like
    /// `ref.func`'s `(ref $t)` become `funcref`.
    func expressible(_ t: ValueType) -> ValueType {
        guard case .ref(let r) = t, !has(.functionReferences) else { return t }
        if r.nullable, case .abstract = r.heapType { return t }
        return .ref(RefType(nullable: true, heapType: .abstract(topHeapType(r.heapType))))
    }
}
