// libFuzzer entry point: decoding, validation, compilation and
// instantiation by one of our tiers on arbitrary bytes (DESIGN decision 8:
// bad input never brings the host down). The tier comes from
// WASMCHECK_ENGINE (interp, the default, or jit). Built by ci/libfuzzer.sh.
import Foundation
import WasmEngines

nonisolated(unsafe) let engine: any WasmEngine = {
    let name = ProcessInfo.processInfo.environment["WASMCHECK_ENGINE"] ?? "interp"
    do {
        let spec = try EngineSpec.parse(name, environment: .current())
        guard spec.isInProcess else { fatalError("WASMCHECK_ENGINE: \(name) is not an in-process tier") }
        return spec.make()
    } catch {
        fatalError("WASMCHECK_ENGINE: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    try? engine.reset()
    if case .compiled(let module)? = try? engine.compile(bytes),
       case .instantiated(let instance)? = try? engine.instantiate(module, imports: .spectest) {
        _ = try? engine.snapshot(instance)
    }
    return 0
}
