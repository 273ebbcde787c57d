import WasmSyntax
import WasmBinary

/// Validates a whole module: its types, definitions, constant expressions,
/// exports, start function, and every function body (read from its bytes
/// with `InstructionReader`).
public func validateModule(_ module: Module, features: Features = .all) throws(ModuleCheckError) {
    let context: ValidationContext
    do {
        context = try ValidationContext(module: module, features: features)
        try context.validateDefinitions(of: module)
    } catch {
        throw ModuleCheckError(error)
    }
    for i in module.functions.indices {
        try context.validateFunction(module.functions[i], index: UInt32(context.importedFunctionCount + i))
    }
    do {
        try context.validateStartAndExports(of: module)
    } catch {
        throw ModuleCheckError(error)
    }
}
