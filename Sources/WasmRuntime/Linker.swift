import WasmSyntax

/// Resolves imports by module and field name, and instantiates modules.
public struct Linker {
    /// Definitions by module and name, compared as UTF-8 bytes (Swift
    /// strings would equate canonically equivalent names).
    private var definitions: [[UInt8]: [[UInt8]: Extern]] = [:]

    public init() {}

    /// Defines (or replaces) the value that imports of `module`.`name` get.
    public mutating func define(module: String, name: String, _ value: Extern) {
        definitions[Array(module.utf8), default: [:]][Array(name.utf8)] = value
    }

    /// Defines every export of `instance` under the module name `module`
    /// (the spec script's `register`).
    public mutating func define(module: String, instance: Instance) {
        for (name, value) in instance.exports {
            define(module: module, name: name, value)
        }
    }

    /// The value defined for `module`.`name`, if any.
    public func lookup(module: String, name: String) -> Extern? {
        definitions[Array(module.utf8)]?[Array(name.utf8)]
    }

    /// The values for a module's imports, in order. Fails with "unknown
    /// import" for the first import that has no definition.
    public func resolve(_ module: Module) throws(LinkError) -> [Extern] {
        var values: [Extern] = []
        values.reserveCapacity(module.syntax.imports.count)
        for item in module.syntax.imports {
            guard let value = lookup(module: item.module, name: item.name) else {
                throw LinkError("unknown import", module: item.module, name: item.name)
            }
            values.append(value)
        }
        return values
    }

    /// Resolves the imports of `module` and instantiates it in `store`.
    public func instantiate(_ module: Module, in store: Store) throws(InstantiationError) -> Instance {
        let imports: [Extern]
        do {
            imports = try resolve(module)
        } catch {
            throw .unlinkable(error)
        }
        return try Instance(store: store, module: module, imports: imports)
    }
}
