import WasmSyntax

/// An instance of a module in a store.
public struct Instance: Hashable {
    public let store: Store
    package let entity: InstanceEntity

    package init(store: Store, entity: InstanceEntity) {
        self.store = store
        self.entity = entity
    }

    /// Instantiates `module` with imports given in the order the module
    /// declares them. See `Linker` to resolve imports by name.
    public init(store: Store, module: Module, imports: [Extern]) throws(InstantiationError) {
        self = try Instantiation.instantiate(module, imports: imports, in: store)
    }

    public var module: Module { entity.module }

    /// The export named `name`.
    public func export(_ name: String) -> Extern? {
        guard let d = entity.exports[Array(name.utf8)] else { return nil }
        return extern(d)
    }

    /// All exports, in the module's order.
    public var exports: [(name: String, value: Extern)] {
        entity.module.syntax.exports.map { ($0.name, extern($0.descriptor)) }
    }

    public func function(_ name: String) -> Function? {
        if case .function(let f)? = export(name) { return f }
        return nil
    }

    public func global(_ name: String) -> Global? {
        if case .global(let g)? = export(name) { return g }
        return nil
    }

    public func memory(_ name: String) -> Memory? {
        if case .memory(let m)? = export(name) { return m }
        return nil
    }

    public func table(_ name: String) -> Table? {
        if case .table(let t)? = export(name) { return t }
        return nil
    }

    public func tag(_ name: String) -> Tag? {
        if case .tag(let t)? = export(name) { return t }
        return nil
    }

    private func extern(_ d: ExportDescriptor) -> Extern {
        switch d {
        case .function(let i): return .function(Function(store: store, entity: entity.functions[Int(i)]))
        case .table(let i): return .table(Table(store: store, entity: entity.tables[Int(i)]))
        case .memory(let i): return .memory(Memory(store: store, entity: entity.memories[Int(i)]))
        case .global(let i): return .global(Global(store: store, entity: entity.globals[Int(i)]))
        case .tag(let i): return .tag(Tag(store: store, entity: entity.tags[Int(i)]))
        }
    }

    public static func == (a: Instance, b: Instance) -> Bool { a.entity === b.entity }
    public func hash(into hasher: inout Hasher) { hasher.combine(ObjectIdentifier(entity)) }
}
