import Foundation
import Testing

/// `wasmcheck run` after a trap: the first line as before (ci/wasi-c.py
/// reads the trap's kind from it), exit status 134, then the wasm
/// backtrace in wasmtime's shape (issue 14).
@Suite struct TrapBacktraceCommandTests {
    static let tool = builtProgram("wasmcheck", variable: "WASMCHECK")

    /// The offsets below are the ones `wasm-objdump -d` shows for the same
    /// module built by wat2wasm (without the names): the `i32.div_s`, then
    /// each call; the name section comes after the code.
    static let named = """
        (module
          (func $divide (@name "divide") (param i32 i32) (result i32)
            local.get 0
            local.get 1
            i32.div_s)
          (func $main (@name "main") (param i32) (result i32)
            i32.const 100
            local.get 0
            call $divide)
          (func $unnamed
            i32.const 0
            call $main
            drop)
          (func (export "_start")
            call $unnamed))
        """

    static func run(_ wat: String, _ arguments: [String]) throws -> (status: Int32, out: String, err: String) {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/app.wat"
        try wat.write(toFile: path, atomically: true, encoding: .utf8)
        return try runProgram(tool!, ["run"] + arguments + [path])
    }

    @Test(.enabled(if: tool != nil))
    func theInterpreterPrintsTheBacktrace() throws {
        let result = try Self.run(Self.named, ["--engine", "interpreter"])
        #expect(result.status == 134)
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("Error: failed to run main module `") == true)
        #expect(lines.first?.hasSuffix("app.wat`: wasm trap: integer divide by zero") == true)
        // wasmtime's `WasmBacktrace` display: index in 3 columns, hex offset in 8.
        #expect(Array(lines.dropFirst()) == [
            "error while executing at wasm backtrace:",
            "    0:     0x35 - <unknown>!divide",
            "    1:     0x3e - <unknown>!main",
            "    2:     0x45 - <unknown>!<wasm function 2>",
            "    3:     0x4b - <unknown>!<wasm function 3>",
            "",
        ], "\(result.err)")
    }

    @Test(.enabled(if: tool != nil))
    func aModuleWithoutNamesShowsFunctionIndices() throws {
        let plain = Self.named.replacingOccurrences(of: #"(@name "divide")"#, with: "").replacingOccurrences(of: #"(@name "main")"#, with: "")
        let result = try Self.run(plain, [])
        #expect(result.status == 134)
        let frames = result.err.split(separator: "\n").dropFirst(2).map { $0.split(separator: " - ").last.map(String.init) ?? "" }
        #expect(frames == ["<unknown>!<wasm function 0>", "<unknown>!<wasm function 1>", "<unknown>!<wasm function 2>", "<unknown>!<wasm function 3>"],
                "\(result.err)")
    }

    /// A deep trace keeps its innermost and outermost frames.
    @Test(.enabled(if: tool != nil))
    func aDeepTraceIsCutInTheMiddle() throws {
        let result = try Self.run("(module (func $f (export \"_start\") call $f))", ["--max-stack", "500"])
        #expect(result.status == 134)
        let lines = result.err.split(separator: "\n").map(String.init)
        #expect(lines[0].contains("wasm trap: call stack exhausted"))
        #expect(lines.count == 2 + 40 + 1 + 10, "\(result.err)")
        #expect(lines.contains("       ... 450 frames left out ..."))
        #expect(lines.last?.hasPrefix("  499: ") == true)
    }

    /// The JIT names the frames from its frame trail (no code offsets: it
    /// keeps no map from native code to wasm bytes), on both tiers the same
    /// functions in the same order as the interpreter.
    @Test(.enabled(if: tool != nil))
    func theJITPrintsTheFramesWithoutOffsets() throws {
        let result = try Self.run(Self.named, ["--engine", "jit", "--no-cache"])
        #expect(result.status == 134)
        let lines = result.err.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasSuffix("app.wat`: wasm trap: integer divide by zero") == true)
        #expect(Array(lines.dropFirst()) == [
            "error while executing at wasm backtrace:",
            "    0: <unknown>!divide",
            "    1: <unknown>!main",
            "    2: <unknown>!<wasm function 2>",
            "    3: <unknown>!<wasm function 3>",
            "",
        ], "\(result.err)")
    }

    /// A deep trace on the JIT is cut as on the interpreter.
    @Test(.enabled(if: tool != nil))
    func theJITCutsADeepTrace() throws {
        let result = try Self.run("(module (func $f (export \"_start\") call $f))", ["--engine", "jit", "--no-cache", "--max-stack", "500"])
        #expect(result.status == 134)
        let lines = result.err.split(separator: "\n").map(String.init)
        #expect(lines.count == 2 + 40 + 1 + 10, "\(result.err)")
        #expect(lines.contains("       ... 450 frames left out ..."))
        #expect(lines.last == "  499: <unknown>!<wasm function 0>")
    }
}
