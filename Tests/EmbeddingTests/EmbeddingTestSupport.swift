import Foundation

/// The repository's root (this file is Tests/EmbeddingTests/EmbeddingTestSupport.swift).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh scratch directory, removed by the caller.
func scratchDirectory() -> String {
    let path = NSTemporaryDirectory() + "embedding-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A program built by `swift build --build-tests` (or named by an
/// environment variable), when it exists.
func builtProgram(_ name: String, variable: String) -> String? {
    let candidates = [ProcessInfo.processInfo.environment[variable], repositoryRoot + "/.build/debug/" + name]
    return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
}

/// Runs a program to its end: status, stdout, stderr.
@discardableResult
func runProgram(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Read both pipes while the program runs, so neither fills up.
    final class Box: @unchecked Sendable { var data = Data() }
    let errors = Box()
    let done = DispatchSemaphore(value: 0)
    let handle = err.fileHandleForReading
    Thread {
        errors.data = handle.readDataToEndOfFile()
        done.signal()
    }.start()
    let output = out.fileHandleForReading.readDataToEndOfFile()
    done.wait()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors.data, as: UTF8.self))
}

/// Builds the example plugin (Examples/plugin) into `directory` with the
/// system's C compiler; the manifest's path, or nil without a compiler.
func buildExamplePlugin(in directory: String) -> String? {
    let source = repositoryRoot + "/Examples/plugin/mathplugin.c"
    guard let cc = ["/usr/bin/cc", "/usr/bin/gcc", "/usr/bin/clang"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }),
          let result = try? runProgram(cc, ["-shared", "-fPIC", "-O2", "-o", directory + "/libmathplugin.so", source]),
          result.status == 0 else { return nil }
    let manifest = directory + "/manifest.json"
    try? FileManager.default.removeItem(atPath: manifest)
    guard (try? FileManager.default.copyItem(atPath: repositoryRoot + "/Examples/plugin/manifest.json", toPath: manifest)) != nil else { return nil }
    return manifest
}
