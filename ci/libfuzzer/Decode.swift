// libFuzzer entry point: the binary decoder on arbitrary bytes. Built by
// ci/libfuzzer.sh; a crash, hang or leak is the finding.
import WasmBinary

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDecode(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    if let module = try? decodeModule(bytes) {
        for function in module.functions { _ = try? decodeInstructions(function.body) }
        // What decodes must encode and decode to the same module.
        if (try? decodeModule(encodeModule(module))) != module { fatalError("encoding does not round-trip") }
    }
    return 0
}
