import Foundation
import WasmBinary
import WasmText
@testable import WasmEngines

/// The binary of a module in the text format.
func wasm(_ text: String) throws -> [UInt8] {
    encodeModule(try parseModule(text))
}

/// A fresh scratch directory.
func scratchDirectory() -> String {
    let path = NSTemporaryDirectory() + "wasmfuzz-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The repository's root (this file is Tests/WasmEnginesTests/TestSupport.swift).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// Whether the wasmtime adapter can run here (python3 with the PyPI
/// `wasmtime` package); the tests that need it say so.
let wasmtimeAvailable: Bool = {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", "import wasmtime"]
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    do { try process.run() } catch { return false }
    process.waitUntilExit()
    return process.terminationStatus == 0
}()

