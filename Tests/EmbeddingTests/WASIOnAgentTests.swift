import Foundation
import Testing

/// `wasmcheck run --engine jit-agent|jit-aarch64`: WASI programs whose code
/// runs in the agent process behave as on the in-process tiers (output,
/// files, exit statuses, traps, limits), with WASI in the wasmcheck process
/// reading and writing the guest's memory in the agent during each call.
@Suite(.serialized) struct WASIOnAgentTests {
    static let tool = builtProgram("wasmcheck", variable: "WASMCHECK")

    /// Why `jit-aarch64` cannot run here, if it cannot: its agent is built
    /// by ci/build-agent.sh and runs under qemu-aarch64.
    static let aarch64Missing: String? = {
        let environment = ProcessInfo.processInfo.environment
        let agent = environment["WASMCHECK_AGENT_AARCH64"] ?? repositoryRoot + "/.build/agent/wasmcheck-agent-aarch64"
        guard FileManager.default.isExecutableFile(atPath: agent) else { return "no AArch64 agent (ci/build-agent.sh builds it)" }
        let qemu = environment["WASMCHECK_QEMU_AARCH64"].map { [$0] }
            ?? (environment["PATH"] ?? "/usr/bin").split(separator: ":").map { $0 + "/qemu-aarch64" }
        guard qemu.contains(where: { FileManager.default.isExecutableFile(atPath: $0) }) else { return "qemu-aarch64 is not installed" }
        return nil
    }()

    static let tiers = ["jit-agent"] + (aarch64Missing == nil ? ["jit-aarch64"] : [])

    @Test(.enabled(if: aarch64Missing != nil, "jit-aarch64 runs: its tests are the parameterized ones"))
    func jitAArch64IsSkippedWithoutItsAgentOrQemu() {
        print("WASIOnAgentTests: jit-aarch64 skipped: \(Self.aarch64Missing ?? "")")
    }

    /// Runs `wat` (written to a scratch folder) with `options` on `tier`.
    func run(_ tier: String, _ wat: String, _ options: [String] = [], arguments: [String] = [],
             in directory: String) throws -> (status: Int32, out: String, err: String) {
        let tool = try #require(Self.tool, "wasmcheck is not built (swift build)")
        let path = directory + "/guest.wat"
        try wat.write(toFile: path, atomically: true, encoding: .utf8)
        return try runProgram(tool, ["run", "--engine", tier] + options + [path] + arguments)
    }

    /// The same run on the interpreter and on `tier`: both results.
    func compare(_ tier: String, _ wat: String, _ options: [String] = [], arguments: [String] = [],
                 sourceLocation: SourceLocation = #_sourceLocation) throws -> (status: Int32, out: String, err: String) {
        let directory = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let reference = try run("interpreter", wat, options, arguments: arguments, in: directory)
        let result = try run(tier, wat, options, arguments: arguments, in: directory)
        #expect(result.status == reference.status, "\(result.err)", sourceLocation: sourceLocation)
        #expect(result.out == reference.out, sourceLocation: sourceLocation)
        #expect(Self.upToTrapReport(result.err) == Self.upToTrapReport(reference.err), sourceLocation: sourceLocation)
        return result
    }

    /// stderr through the first line of a trap's report: the lines after it
    /// differ by tier by design (the interpreter's wasm backtrace, the JIT's
    /// note that it records none).
    static func upToTrapReport(_ err: String) -> String {
        guard let start = err.range(of: "Error: failed to run main module")?.lowerBound else { return err }
        return String(err[..<(err[start...].firstIndex(of: "\n") ?? err.endIndex)])
    }

    static let imports = """
          (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_sizes_get" (func $args_sizes_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
          (import "wasi_snapshot_preview1" "path_open"
            (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          ;; Writes [pointer, pointer + length) to fd 1 (iovec at 0, nwritten at 8).
          (func $print (param i32 i32)
            (i32.store (i32.const 0) (local.get 0))
            (i32.store (i32.const 4) (local.get 1))
            (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
          (func $strlen (param i32) (result i32) (local i32)
            (block $done (loop $next
              (br_if $done (i32.eqz (i32.load8_u (i32.add (local.get 0) (local.get 1)))))
              (local.set 1 (i32.add (local.get 1) (i32.const 1)))
              (br $next)))
            (local.get 1))
        """

    @Test(arguments: tiers) func programsPrintTheirArguments(_ tier: String) throws {
        let result = try compare(tier, """
            (module \(Self.imports)
              (data (i32.const 100) "hello from the agent\\n")
              (func (export "_start") (local $argc i32) (local $i i32) (local $p i32)
                (call $print (i32.const 100) (i32.const 21))
                (drop (call $args_sizes_get (i32.const 16) (i32.const 20)))
                (local.set $argc (i32.load (i32.const 16)))
                (drop (call $args_get (i32.const 1024) (i32.const 4096)))
                (local.set $i (i32.const 1))
                (block $done (loop $next
                  (br_if $done (i32.ge_u (local.get $i) (local.get $argc)))
                  (local.set $p (i32.load (i32.add (i32.const 1024) (i32.shl (local.get $i) (i32.const 2)))))
                  (call $print (local.get $p) (call $strlen (local.get $p)))
                  (call $print (i32.const 120) (i32.const 1))
                  (local.set $i (i32.add (local.get $i) (i32.const 1)))
                  (br $next)))))
            """, arguments: ["first", "second argument", "ünïcode"])
        #expect(result.status == 0)
        #expect(result.out == "hello from the agent\nfirst\nsecond argument\nünïcode\n")
    }

    @Test(arguments: tiers) func programsReadAndWriteFilesInAPreopenAndNowhereElse(_ tier: String) throws {
        let wat = """
            (module \(Self.imports)
              (data (i32.const 200) "input.txt")
              (data (i32.const 220) "output.txt")
              (data (i32.const 240) "written by wasm")
              (data (i32.const 260) "../outside.txt")
              (func $open (param $path i32) (param $length i32) (param $oflags i32) (result i32)
                (local $errno i32)
                (local.set $errno (call $path_open (i32.const 3) (i32.const 0) (local.get $path) (local.get $length)
                  (local.get $oflags) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 32)))
                (if (local.get $errno) (then (call $proc_exit (local.get $errno))))
                (i32.load (i32.const 32)))
              (func (export "_start") (local $fd i32)
                ;; Read input.txt into 8192.. and print it.
                (local.set $fd (call $open (i32.const 200) (i32.const 9) (i32.const 0)))
                (i32.store (i32.const 40) (i32.const 8192))
                (i32.store (i32.const 44) (i32.const 4096))
                (drop (call $fd_read (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 48)))
                (call $print (i32.const 8192) (i32.load (i32.const 48)))
                (drop (call $fd_close (local.get $fd)))
                ;; Create output.txt (O_CREAT | O_TRUNC) and write to it.
                (local.set $fd (call $open (i32.const 220) (i32.const 10) (i32.const 9)))
                (i32.store (i32.const 40) (i32.const 240))
                (i32.store (i32.const 44) (i32.const 15))
                (drop (call $fd_write (local.get $fd) (i32.const 40) (i32.const 1) (i32.const 48)))
                (drop (call $fd_close (local.get $fd)))
                ;; Escaping the preopen fails: exit with its errno.
                (drop (call $open (i32.const 260) (i32.const 14) (i32.const 0)))))
            """
        var outputs: [String] = [], statuses: [Int32] = []
        for engine in ["interpreter", tier] {
            let directory = scratchDirectory()
            defer { try? FileManager.default.removeItem(atPath: directory) }
            let root = directory + "/root"
            try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
            try "contents of the input file\n".write(toFile: root + "/input.txt", atomically: true, encoding: .utf8)
            let result = try run(engine, wat, ["--dir", root + "::/"], in: directory)
            statuses.append(result.status)
            #expect(result.err.isEmpty, "\(engine): \(result.err)")
            #expect(result.out == "contents of the input file\n", "\(engine)")
            outputs.append(try String(contentsOfFile: root + "/output.txt", encoding: .utf8))
            #expect(!FileManager.default.fileExists(atPath: directory + "/outside.txt"))
        }
        #expect(outputs == ["written by wasm", "written by wasm"])
        // EPERM (63) as wasmtime, or ENOTCAPABLE (76): the same on both.
        #expect(statuses[0] == statuses[1])
        #expect(statuses[0] == 63 || statuses[0] == 76)
    }

    @Test(arguments: tiers) func procExitEndsTheRunWithTheProgramsStatus(_ tier: String) throws {
        for code in [0, 3, 125] {
            let result = try compare(tier, """
                (module \(Self.imports)
                  (func (export "_start") (call $proc_exit (i32.const \(code))) (unreachable)))
                """)
            #expect(result.status == Int32(code))
        }
        // As wasmtime: 126 and above are the shell's.
        let refused = try compare(tier, "(module \(Self.imports) (func (export \"_start\") (call $proc_exit (i32.const 126))))")
        #expect(refused.status == 1)
        #expect(refused.err.contains("invalid exit status"))
        // `_start` returning is status 0; `--invoke` prints the results.
        #expect(try compare(tier, "(module \(Self.imports) (func (export \"_start\")))").status == 0)
        let invoked = try compare(tier, """
            (module \(Self.imports) (func (export "mix") (param i32 i64 f64) (result i64 f64)
              (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)) (f64.neg (local.get 2))))
            """, ["--invoke", "mix"], arguments: ["-5", "7", "2.5"])
        #expect(invoked.out == "2\n-2.5\n")
    }

    @Test(arguments: tiers) func trapsReportTheirKindAndExit134(_ tier: String) throws {
        for (body, message) in [("(unreachable)", "unreachable"),
                                ("(drop (i32.div_s (i32.const 1) (i32.const 0)))", "integer divide by zero"),
                                ("(drop (i32.load (i32.const 65535)))", "out of bounds memory access"),
                                // After some output, which must not be lost.
                                ("(call $print (i32.const 0) (i32.const 0)) (unreachable)", "unreachable")] {
            let result = try compare(tier, "(module \(Self.imports) (func (export \"_start\") \(body)))")
            #expect(result.status == 134)
            #expect(result.err.contains("wasm trap: \(message)"), "\(result.err)")
        }
    }

    @Test(arguments: tiers) func fuelStackAndMemoryLimitsAreTheInProcessOnes(_ tier: String) throws {
        let wat = """
            (module \(Self.imports)
              (func $r (export "recurse") (param i32) (result i32) (i32.add (call $r (local.get 0)) (i32.const 1)))
              (func (export "spin") (loop (br 0)))
              (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))
              (func $count (export "count") (param i32) (local i32)
                (loop (local.set 1 (i32.add (local.get 1) (i32.const 1))) (br_if 0 (i32.lt_u (local.get 1) (local.get 0)))))
              (func (export "_initialize") (call $count (i32.const 600)))
              (func (export "_start") (call $count (i32.const 600))))
            """
        let stack = try compare(tier, wat, ["--max-stack", "500", "--invoke", "recurse"], arguments: ["1"])
        #expect(stack.status == 134 && stack.err.contains("call stack exhausted"))
        let fuel = try compare(tier, wat, ["-W", "fuel=5000", "--invoke", "spin"])
        #expect(fuel.status == 134 && fuel.err.contains("out of fuel"))
        // One budget for the whole run: `_initialize` and `_start` take 600 each.
        #expect(try compare(tier, wat, ["-W", "fuel=1300"]).status == 0)
        #expect(try compare(tier, wat, ["-W", "fuel=1100"]).status == 134)
        #expect(try compare(tier, wat, ["--max-memory", "196608", "--invoke", "grow"], arguments: ["2"]).out == "1\n")
        #expect(try compare(tier, wat, ["--max-memory", "196608", "--invoke", "grow"], arguments: ["3"]).out == "-1\n")
    }

    /// Pointers out of bounds, iovecs past the end, lengths that wrap: the
    /// same errnos as in process, and the host and the agent live on.
    @Test(arguments: tiers) func hostilePointersAreEFAULTAndNeverCrashAnything(_ tier: String) throws {
        let calls = [
            "(call $fd_write (i32.const 1) (i32.const 65532) (i32.const 1) (i32.const 16))",
            "(call $fd_write (i32.const 1) (i32.const 64) (i32.const 1) (i32.const 65535))",
            "(call $fd_write (i32.const 1) (i32.const 64) (i32.const -1) (i32.const 16))",
            "(call $fd_write (i32.const 1) (i32.const 72) (i32.const 1) (i32.const 16))",
            "(call $fd_read (i32.const 0) (i32.const 72) (i32.const 1) (i32.const 16))",
            "(call $random_get (i32.const 65000) (i32.const 1000))",
            "(call $random_get (i32.const -1) (i32.const 2))",
            "(call $clock_time_get (i32.const 0) (i64.const 1) (i32.const 65529))",
            "(call $args_get (i32.const -4) (i32.const 0))",
            "(call $path_open (i32.const 3) (i32.const 0) (i32.const 65530) (i32.const 100) (i32.const 0) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 32))",
        ]
        // Each errno goes to a byte at 512 + i; then they are printed.
        let body = calls.enumerated().map { "(i32.store8 (i32.const \(512 + $0.offset)) \($0.element))" }.joined(separator: "\n")
        let result = try compare(tier, """
            (module \(Self.imports)
              (func (export "_start")
                (i32.store (i32.const 64) (i32.const 65530)) (i32.store (i32.const 68) (i32.const 100))
                (i32.store (i32.const 72) (i32.const 0)) (i32.store (i32.const 76) (i32.const -1))
                \(body)
                (call $print (i32.const 512) (i32.const \(calls.count)))))
            """)
        #expect(result.status == 0)
        // EFAULT 21 (the path is read before the descriptor is looked up), EINVAL 28.
        #expect(Array(result.out.utf8) == [21, 21, 28, 21, 21, 21, 21, 21, 21, 21])
    }
}
