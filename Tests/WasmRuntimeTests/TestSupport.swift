import Testing
import WasmBinary
import WasmInterpreter
import WasmRuntime
import WasmSyntax
import WasmText

/// A store and linker for tests, with the spec suite's `spectest` module.
struct Harness {
    let engine: Engine
    let store: Store
    var linker = Linker()

    init(configuration: EngineConfiguration = EngineConfiguration()) throws {
        engine = Engine(configuration: configuration, tier: Interpreter())
        store = Store(engine: engine)
        Spectest.define(in: &linker, store: store)
    }

    func compile(_ text: String) throws -> WasmRuntime.Module {
        try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(text)))
    }

    func instantiate(_ text: String) throws -> Instance {
        try linker.instantiate(try compile(text), in: store)
    }

    /// Instantiation's error, or nil when it succeeds.
    func instantiationError(_ text: String) throws -> InstantiationError? {
        let module = try compile(text)
        do {
            _ = try linker.instantiate(module, in: store)
            return nil
        } catch {
            return error
        }
    }
}

extension Instance {
    func call(_ name: String, _ arguments: [Value] = []) throws -> [Value] {
        guard let function = function(name) else { throw Trap(.host("no function export \(name)")) }
        return try function.call(arguments)
    }
}

func i32(_ v: Int32) -> Value { .i32(UInt32(bitPattern: v)) }
