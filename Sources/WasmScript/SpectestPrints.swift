import WasmEngines
import WasmRuntime

/// The runner's side of the `spectest` print functions: the runner defines
/// them on the engine (`WasmEngine.defineHostFunctions`), so that for an
/// engine in another process every call crosses the pipe and comes back,
/// as a host call of a real embedder would. The calls print nothing (the
/// suite checks no output) and are counted in the report.
final class SpectestPrints: HostCallHandler {
    private(set) var calls = 0

    /// Defines the print functions on `engine`. An engine that does not
    /// take host functions (an adapter with its own `spectest`, such as
    /// wasmtime's) keeps its own ones.
    func define(on engine: any WasmEngine) throws(EngineFailure) {
        let functions = Spectest.printFunctions.map { HostFunctionImport(module: "spectest", name: $0.name, type: $0.type) }
        do {
            try engine.defineHostFunctions(functions, handler: self)
        } catch where error.kind == .unsupported {
            return
        }
    }

    func call(_ index: Int, _ function: HostFunctionImport, arguments: [EngineValue]) -> HostCallOutcome {
        guard arguments.count == function.type.params.count else {
            return .trapped("spectest.\(function.name) takes \(function.type.params.count) arguments, not \(arguments.count)")
        }
        calls += 1
        return .returned([])
    }
}
