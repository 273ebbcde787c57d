import WasmRuntime
import WasmSyntax

/// The interpreter tier: translates validated functions to a compact
/// slot-based IR and runs it (docs/architecture.md, decision 2).
///
///     let engine = Engine(tier: Interpreter())
public final class Interpreter: TierImplementation {
    public let name = "interpreter"

    public init() {}

    package func compile(_ module: WasmSyntax.Module, context: CompilationContext) throws(CompileError) -> any CompiledCode {
        let imported = UInt32(truncatingIfNeeded: context.validation.importedFunctionCount)
        var translated: [TranslatedFunction] = []
        translated.reserveCapacity(module.functions.count)
        for (i, function) in module.functions.enumerated() {
            var translator = try FunctionTranslator(context: context.validation, configuration: context.configuration,
                                                    function: function, index: imported + UInt32(truncatingIfNeeded: i))
            translated.append(try translator.translate())
        }
        return InterpreterCode(translated, bodyOffsets: module.functions.map(\.bodyOffset))
    }

    package func invoke(_ function: UnsafeMutablePointer<FunctionHeader>, slots: UnsafeMutablePointer<UInt64>, store: Store) throws(Trap) {
        let stack: ExecutionStack
        if let existing = store.tierState as? ExecutionStack {
            stack = existing
        } else {
            stack = ExecutionStack(configuration: store.engine.configuration, runtime: store.runtime)
            store.tierState = stack
        }
        guard let code = function.pointee.code?.assumingMemoryBound(to: CompiledFunction.self) else {
            throw Trap(.typeMismatch)
        }
        let base = stack.top
        let needed = Swift.max(code.pointee.frameSlots, Int(function.pointee.resultSlots))
        guard needed <= stack.end - base else { throw Trap(.callStackExhausted) }
        base.update(from: slots, count: Int(function.pointee.parameterSlots))
        defer { stack.top = base }
        try Executor.run(function, base: base, stack: stack, store: store)
        slots.update(from: base, count: Int(function.pointee.resultSlots))
    }
}

extension Engine {
    /// An engine that runs code with the interpreter.
    public convenience init(configuration: EngineConfiguration = EngineConfiguration()) {
        self.init(configuration: configuration, tier: Interpreter())
    }
}
