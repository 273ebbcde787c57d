import ArgumentParser
import Foundation
import WasmBinary
import WasmSyntax
import WasmValidation

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Decode and validate a module (.wasm or .wat).")

    @Argument(help: "The module to check.") var file: String

    @OptionGroup var features: FeatureOptions

    func run() throws {
        let module = try loadModule(file, features: features.features)
        switch checkModule(module.module, features: features.features) {
        case .success:
            print("\(file): valid")
        case .failure(let error):
            printError("\(file): \(error)")
            throw ExitStatus.failure
        }
    }
}

/// Decoded bytes, or the reason they could not be used.
struct LoadedModule {
    var bytes: [UInt8]
    var module: WasmSyntax.Module
}
