import WasmInterpreter
import WasmRuntime

/// A kernel instantiated in wasmcheck's interpreter.
struct WasmCheckKernel {
    let entry: Function

    init(bytes: [UInt8]) throws {
        let engine = Engine(tier: Interpreter())
        let module = try Module(engine: engine, bytes: bytes)
        let store = Store(engine: engine)
        let instance = try Linker().instantiate(module, in: store)
        guard let run = instance.function("run") else { throw KernelError.noRunExport }
        self.entry = run
    }

    func run() throws -> UInt32 {
        guard case .i32(let v)? = try entry.call([]).first else { throw KernelError.badResult }
        return v
    }
}

enum KernelError: Error { case noRunExport, badResult }
