import Dispatch
import WasmInterpreter
import WasmJIT
import WasmRuntime

/// A kernel instantiated in one of wasmcheck's tiers.
struct WasmCheckKernel {
    let entry: Function
    /// Seconds to compile the module (decode, validate, translate or
    /// generate code).
    let compileSeconds: Double

    init(bytes: [UInt8], tier: any ExecutionTier) throws {
        let engine = Engine(tier: tier)
        let start = DispatchTime.now().uptimeNanoseconds
        let module = try Module(engine: engine, bytes: bytes)
        compileSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
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
