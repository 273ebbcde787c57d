import WasmRuntime
import WasmSyntax

extension JIT {
    /// `compile` with a cache: the code of a module this engine compiled
    /// before comes from disk. On a hit the module has been decoded and its
    /// module-level rules validated (by `Module`), but its bodies are not
    /// validated again: the entry's key is the module's hash and the
    /// configuration, so the same bodies passed validation when the entry
    /// was written (wasmtime trusts its cache the same way).
    func compile(_ module: WasmSyntax.Module, context: CompilationContext, cache: ModuleCache) throws(CompileError) -> any CompiledCode {
        #if arch(x86_64)
        let target = JITTarget.x86_64
        #else
        throw CompileError(.unsupported, "jit: no backend for this host architecture yet", offset: 0)
        #endif
        let header = ModuleCache.header(for: module, configuration: context.configuration, target: target)
        var artifact: CodeArtifact?
        if case .hit(let cached) = cache.load(header) {
            // An entry for this hash has one entry per defined function;
            // anything else is not this module's code.
            if cached.entries.count == module.functions.count { artifact = cached }
        }
        if artifact == nil {
            let compiled = try Self.compileArtifact(module, context: context, target: target, pieceSize: pieceSize)
            // A cache that cannot be written costs the next run a compilation,
            // not this one its module (the failure is counted).
            try? cache.store(compiled, header: header)
            artifact = compiled
        }
        guard let artifact else { preconditionFailure() }
        do {
            return JITCode(memory: try ExecutableMemory(copying: artifact.code), entries: artifact.entries)
        } catch {
            throw CompileError(.unsupported, "jit: cannot map code memory (\(error))", offset: 0)
        }
    }
}
