// libFuzzer entry point: the differential oracle. libFuzzer's input drives
// the module generator (as in `wasmcheck fuzz`); every divergence aborts,
// so that libFuzzer keeps the input (replay it with this binary, or turn
// it into a module with `wasmcheck smith`). Engines come from
// WASMCHECK_ENGINES (default interp,jit: both in this process, as libFuzzer
// and OSS-Fuzz expect; interp,wasmtime needs WASMCHECK_WASMTIME_ENGINE or
// ci/engines/ under the working directory).
// Built by ci/libfuzzer.sh.
import Foundation
import WasmEngines
import WasmFuzz
import WasmSyntax

nonisolated(unsafe) let oracle: DifferentialOracle = {
    let names = ProcessInfo.processInfo.environment["WASMCHECK_ENGINES"] ?? "interp,jit"
    do {
        let specs = try EngineSpec.parseList(names, environment: .current())
        return DifferentialOracle(engines: specs.map { $0.make() })
    } catch {
        fatalError("WASMCHECK_ENGINES: \(error)")
    }
}()

let generator: CaseGenerator = {
    do {
        var features = Features.wasm3
        for engine in oracle.engines { features.formIntersection((try? engine.features()) ?? []) }
        return try CaseGenerator(config: CaseGenerator.defaultConfig(features: features))
    } catch {
        fatalError("generator: \(error)")
    }
}()

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzDifferential(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let report = oracle.run(generator.makeCase(Array(UnsafeBufferPointer(start: data, count: size))))
    if let finding = report.verdict.finding {
        FileHandle.standardError.write(Data("divergence: \(finding.step): \(finding.detail)\nsignature: \(finding.signature)\n".utf8))
        abort()
    }
    return 0
}
