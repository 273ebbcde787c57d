import Foundation
import Testing
import WasmWASI
import WasmRuntime

/// Runaway guests end with a trap that says which limit stopped them, the
/// same on every tier.
@Suite struct LimitTests {
    static let spinning = """
    (module (memory (export "memory") 1) (func (export "_start") (loop $l (br $l))))
    """
    static let recursing = """
    (module (memory (export "memory") 1) (func $f (call $f)) (func (export "_start") (call $f)))
    """

    @Test(arguments: TestTier.allCases)
    func anEndlessLoopIsStoppedByFuel(tier: TestTier) throws {
        let guest = try Guest(Self.spinning, tier: tier, context: WASIContext()) { $0.consumesFuel = true }
        guest.store.fuel = 100_000
        let error = #expect(throws: Trap.self) { try guest.start() }
        #expect(error?.kind == .outOfFuel)
        #expect(error?.description == "trap: out of fuel")
    }

    @Test(arguments: TestTier.allCases)
    func endlessRecursionIsStoppedByTheStackLimit(tier: TestTier) throws {
        let guest = try Guest(Self.recursing, tier: tier, context: WASIContext()) { $0.maxCallDepth = 500 }
        let error = #expect(throws: Trap.self) { try guest.start() }
        #expect(error?.kind == .callStackExhausted)
        #expect(error?.description == "trap: call stack exhausted")
    }
}

/// `wasmcheck run` end to end, when the tool has been built
/// (`swift build --build-tests` builds it).
@Suite struct RunCommandTests {
    static let tool: String? = {
        let candidates = [ProcessInfo.processInfo.environment["WASMCHECK"], repositoryRoot + "/.build/debug/wasmcheck"]
        return candidates.compactMap { $0 }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    /// Runs the tool on a WAT file; the status, stdout and stderr.
    func run(_ wat: String, _ arguments: [String]) throws -> (Int32, String, String) {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let file = dir + "/guest.wat"
        try wat.write(toFile: file, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.tool!)
        process.arguments = ["run"] + arguments.map { $0 == "GUEST" ? file : $0 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }

    @Test(.enabled(if: tool != nil), arguments: TestTier.allCases)
    func fuelExhaustionExitsWith134AndNamesTheLimit(tier: TestTier) throws {
        let (status, _, errors) = try run(LimitTests.spinning, ["--engine", tier.rawValue, "-W", "fuel=5000", "GUEST"])
        #expect(status == 134)
        #expect(errors.contains("wasm trap: out of fuel"))
        #expect(errors.contains("-W fuel=N"))
    }

    @Test(.enabled(if: tool != nil), arguments: TestTier.allCases)
    func stackExhaustionExitsWith134AndNamesTheLimit(tier: TestTier) throws {
        let (status, _, errors) = try run(LimitTests.recursing, ["--engine", tier.rawValue, "--max-stack", "300", "GUEST"])
        #expect(status == 134)
        #expect(errors.contains("wasm trap: call stack exhausted"))
        #expect(errors.contains("--max-stack"))
    }

    @Test(.enabled(if: tool != nil))
    func theExitStatusIsTheProgramsAndArgumentsFollowTheModule() throws {
        let wat = """
        (module
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $sizes (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (drop (call $sizes (i32.const 0) (i32.const 4))) (call $proc_exit (i32.load (i32.const 0)))))
        """
        // argv: the module, then "a", "--dir" (the program's, not ours), "b".
        let (status, _, _) = try run(wat, ["GUEST", "a", "--dir", "b"])
        #expect(status == 4)
    }

    @Test(.enabled(if: tool != nil))
    func invokeCallsAnotherExportAndPrintsItsResults() throws {
        let wat = """
        (module (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1))))
        """
        let (status, output, _) = try run(wat, ["--invoke", "add", "GUEST", "40", "-42"])
        #expect(status == 0)
        #expect(output == "-2\n")
    }
}
