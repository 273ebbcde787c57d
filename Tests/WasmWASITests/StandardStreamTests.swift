import Testing
import WasmWASI
import WasmRuntime

/// A guest that copies standard input to standard output until end of
/// file, through a 7-byte buffer so that reads are short and repeated.
private let catGuest = """
(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (loop $copy
      (i32.store (i32.const 0) (i32.const 64))
      (i32.store (i32.const 4) (i32.const 7))
      (if (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (then unreachable))
      (if (i32.eqz (i32.load (i32.const 8))) (then return))
      (i32.store (i32.const 4) (i32.load (i32.const 8)))
      (if (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 12)) (then unreachable))
      (br $copy))))
"""

@Suite struct StandardStreamTests {
    @Test(arguments: TestTier.allCases)
    func standardInputIsCopiedToCapturedStandardOutput(tier: TestTier) throws {
        let text = "hello, wasi\nsecond line that is longer than the buffer\n"
        var context = WASIContext()
        context.standardInput = .bytes(Array(text.utf8))
        let output = CapturedOutput()
        context.standardOutput = .capture(output)
        let guest = try Guest(catGuest, tier: tier, context: context)
        #expect(try guest.start() == 0)
        #expect(output.text == text)
    }

    @Test(arguments: TestTier.allCases)
    func standardErrorIsCapturedApartFromStandardOutput(tier: TestTier) throws {
        var context = WASIContext()
        let output = CapturedOutput(), errors = CapturedOutput()
        context.standardOutput = .capture(output)
        context.standardError = .capture(errors)
        let guest = try Guest(WASIShim.wat, tier: tier, context: context)
        #expect(try guest.write("out", to: 1) == .success)
        #expect(try guest.write("err", to: 2) == .success)
        #expect(guest.u32(at: 264) == 3)
        #expect(output.text == "out")
        #expect(errors.text == "err")
    }

    @Test(arguments: TestTier.allCases)
    func writingToAClosedOrUnknownDescriptorIsEBADF(tier: TestTier) throws {
        var context = WASIContext()
        context.standardOutput = .capture(CapturedOutput())
        context.standardError = .capture(CapturedOutput())
        let guest = try Guest(WASIShim.wat, tier: tier, context: context)
        #expect(try guest.write("x", to: 42) == .badFileDescriptor)
        #expect(try guest.errno("fd_close", [.i32(1)]) == .success)
        #expect(try guest.write("x", to: 1) == .badFileDescriptor)
        // Reading from an output stream and writing to input are refused too.
        #expect(try guest.read(2, count: 4).errno == .badFileDescriptor)
    }

    @Test(arguments: TestTier.allCases)
    func procExitEndsTheRunWithItsCodeAndNothingAfterItRuns(tier: TestTier) throws {
        let wat = """
        (module
          (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
          (memory (export "memory") 1)
          (func (export "_start") (call $proc_exit (i32.const 7)) unreachable))
        """
        let guest = try Guest(wat, tier: tier, context: WASIContext())
        #expect(throws: WASIExit(code: 7)) { try guest.wasi.start(guest.instance) }
    }
}
