import ArgumentParser
import Foundation
import WasmBinary
import WasmSyntax
import WasmText
import WasmValidation

/// Reads a module file, so that every path to execution starts from bytes:
/// a `.wasm` file is always binary (an empty or truncated one is then a
/// malformed module, "unexpected end", never an empty text module); a
/// `.wat` or `.wast` file is always text, through the text front end and
/// the encoder; any other name is binary when it starts with `\0asm`.
func loadModuleBytes(_ path: String) throws -> [UInt8] {
    guard let data = FileManager.default.contents(atPath: path) else {
        printError("\(path): cannot read file")
        throw ExitStatus.usage
    }
    let bytes = [UInt8](data)
    let suffix = (path as NSString).pathExtension.lowercased()
    if suffix == "wasm" || (suffix != "wat" && suffix != "wast" && bytes.starts(with: [0x00, 0x61, 0x73, 0x6D])) {
        return bytes
    }
    guard let text = String(bytes: bytes, encoding: .utf8) else {
        printError("\(path): neither a binary module nor UTF-8 text")
        throw ExitStatus.usage
    }
    do {
        return encodeModule(try parseModule(text))
    } catch {
        printError("\(path):\(error.line):\(error.column): \(error.message)")
        throw ExitStatus.failure
    }
}

/// Decodes a module file, or exits with the decoding error.
func loadModule(_ path: String, features: Features) throws -> LoadedModule {
    let bytes = try loadModuleBytes(path)
    do {
        return LoadedModule(bytes: bytes, module: try decodeModule(bytes, features: features))
    } catch {
        printError("\(path): malformed module at offset \(error.offset): \(error.message)")
        throw ExitStatus.failure
    }
}

/// Validates a decoded module, bodies included.
func checkModule(_ module: WasmSyntax.Module, features: Features) -> Result<Void, ModuleCheckError> {
    do {
        try validateModule(module, features: features)
        return .success(())
    } catch {
        return .failure(error)
    }
}

func printError(_ message: String, newline: Bool = true) {
    FileHandle.standardError.write(Data((message + (newline ? "\n" : "")).utf8))
}

/// `--features` on every command that reads modules.
struct FeatureOptions: ParsableArguments {
    @Option(name: .customLong("features"), help: "Enabled features: wasm3 (the current standard, the default), wasm2, mvp, all (every proposal we implement), or a comma-separated list of feature names.")
    var featureList: String = "wasm3"

    var parsedFeatures: Features? {
        switch featureList {
        case "all": return .all
        case "wasm3": return .wasm3
        case "wasm2": return .wasm2
        case "mvp": return .mvp
        default:
            var set: Features = []
            for name in featureList.split(separator: ",") {
                guard let f = Features.names.first(where: { $0.0 == name })?.1 else { return nil }
                set.formUnion(f)
            }
            return set
        }
    }

    mutating func validate() throws {
        if parsedFeatures == nil {
            throw ArgumentParser.ValidationError("unknown feature in --features \(featureList); known: \(Features.names.map(\.0).joined(separator: ", "))")
        }
    }

    var features: Features { parsedFeatures ?? .wasm3 }
}
