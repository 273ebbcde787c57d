// libFuzzer entry point: decoding, validation and compilation by the
// interpreter tier on arbitrary bytes (docs/architecture.md, decision 8: bad input
// never brings the host down). Built by ci/libfuzzer.sh.
import WasmFuzz

nonisolated(unsafe) let engine = InterpreterEngine(fuelPerCall: 100_000)

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidate(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    engine.reset()
    if case .compiled(let module) = engine.compile(bytes),
       case .instantiated(let instance)? = try? engine.instantiate(module, imports: .spectest) {
        _ = try? engine.snapshot(instance)
    }
    return 0
}
