import Testing
import WasmWASI
import WasmRuntime

/// A guest that writes its argv (or environ) buffer, NUL separators and
/// all, to standard output, then exits with argc (or the variable count).
private func echoGuest(_ sizes: String, _ get: String) -> String {
    """
    (module
      (import "wasi_snapshot_preview1" "\(sizes)" (func $sizes (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "\(get)" (func $get (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start")
        (drop (call $sizes (i32.const 0) (i32.const 4)))
        (drop (call $get (i32.const 16) (i32.const 1024)))
        ;; iovec at 8: the whole buffer
        (i32.store (i32.const 8) (i32.const 1024))
        (i32.store (i32.const 12) (i32.load (i32.const 4)))
        (drop (call $fd_write (i32.const 1) (i32.const 8) (i32.const 1) (i32.const 4000)))
        (call $proc_exit (i32.load (i32.const 0)))))
    """
}

@Suite struct ArgumentsAndEnvironmentTests {
    @Test(arguments: TestTier.allCases)
    func argumentsReachTheGuestInOrderWithTheProgramNameFirst(tier: TestTier) throws {
        var context = WASIContext(arguments: ["prog.wasm", "first", "the \"second\" arg", "ünïcode"])
        let output = CapturedOutput()
        context.standardOutput = .capture(output)
        let guest = try Guest(echoGuest("args_sizes_get", "args_get"), tier: tier, context: context)
        #expect(try guest.start() == 4)
        #expect(output.text == "prog.wasm\0first\0the \"second\" arg\0ünïcode\0")
    }

    @Test(arguments: TestTier.allCases)
    func environmentVariablesReachTheGuestAsNameEqualsValue(tier: TestTier) throws {
        var context = WASIContext(environment: [("A", "1"), ("PATH_LIKE", "x=y"), ("EMPTY", "")])
        let output = CapturedOutput()
        context.standardOutput = .capture(output)
        let guest = try Guest(echoGuest("environ_sizes_get", "environ_get"), tier: tier, context: context)
        #expect(try guest.start() == 3)
        #expect(output.text == "A=1\0PATH_LIKE=x=y\0EMPTY=\0")
    }

    @Test(arguments: TestTier.allCases)
    func noArgumentsAndNoEnvironmentGiveEmptyLists(tier: TestTier) throws {
        let output = CapturedOutput()
        var context = WASIContext()
        context.standardOutput = .capture(output)
        let guest = try Guest(echoGuest("environ_sizes_get", "environ_get"), tier: tier, context: context)
        #expect(try guest.start() == 0)
        #expect(output.bytes.isEmpty)
    }

    @Test func preopenArgumentsSplitAtTheDoubleColonAsWasmtimeDoes() {
        #expect(WASIContext.Preopen(argument: "/tmp/a::/") == .init(hostPath: "/tmp/a", guestPath: "/"))
        #expect(WASIContext.Preopen(argument: "data") == .init(hostPath: "data", guestPath: "data"))
    }

    @Test func errnoValuesAreWASINumbersNotHostOnes() {
        #expect(WASIErrno.badFileDescriptor.rawValue == 8)
        #expect(WASIErrno.invalid.rawValue == 28)
        #expect(WASIErrno.noEntry.rawValue == 44)
        #expect(WASIErrno.notDirectory.rawValue == 54)
        #expect(WASIErrno.notSupported.rawValue == 58)
        #expect(WASIErrno.permission.rawValue == 63)
        #expect(WASIErrno.crossDevice.rawValue == 75)
        #expect(WASIErrno.notCapable.rawValue == 76)
        #expect(WASIErrno(hostErrno: 2) == .noEntry)  // ENOENT
    }
}
