import WasmKit

/// A kernel instantiated in WasmKit 0.4.2 (its default engine configuration).
struct WasmKitKernel {
    let entry: Function

    init(bytes: [UInt8]) throws {
        let module = try parseWasm(bytes: bytes)
        let engine = Engine()
        let store = Store(engine: engine)
        let instance = try module.instantiate(store: store)
        guard let run = instance.exports[function: "run"] else { throw KernelError.noRunExport }
        self.entry = run
    }

    func run() throws -> UInt32 {
        guard case .i32(let v)? = try entry([]).first else { throw KernelError.badResult }
        return v
    }
}
