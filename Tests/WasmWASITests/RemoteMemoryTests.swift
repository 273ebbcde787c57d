import Foundation
import Testing
import WasmRuntime
@testable import WasmWASI

/// WASI over a memory in another process (`WASI.bind(remote:)`, what
/// `wasmcheck run --engine jit-agent` uses): each call fetches the pages it
/// touches and writes back only those it changed; a hostile pointer is
/// `EFAULT` without any access outside the memory; a memory that cannot be
/// reached traps the call.
@Suite struct RemoteMemoryTests {
    /// A memory "elsewhere", with a log of every access.
    final class FakeRemote: WASIRemoteMemory {
        var bytes: [UInt8]
        var reads: [Range<Int>] = []
        var writes: [Range<Int>] = []
        var outOfBounds: [String] = []
        var failing = false

        init(size: Int) { bytes = Array(repeating: 0, count: size) }

        struct Unreachable: Error {}

        func byteCount() throws -> UInt64 {
            if failing { throw Unreachable() }
            return UInt64(bytes.count)
        }

        func read(at offset: UInt64, into buffer: UnsafeMutableRawBufferPointer) throws {
            if failing { throw Unreachable() }
            guard offset + UInt64(buffer.count) <= UInt64(bytes.count) else {
                outOfBounds.append("read \(offset)+\(buffer.count)")
                throw Unreachable()
            }
            reads.append(Int(offset)..<(Int(offset) + buffer.count))
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<(Int(offset) + buffer.count)])) }
        }

        func write(at offset: UInt64, _ data: UnsafeRawBufferPointer) throws {
            if failing { throw Unreachable() }
            guard offset + UInt64(data.count) <= UInt64(bytes.count) else {
                outOfBounds.append("write \(offset)+\(data.count)")
                throw Unreachable()
            }
            writes.append(Int(offset)..<(Int(offset) + data.count))
            bytes.replaceSubrange(Int(offset)..<(Int(offset) + data.count), with: data)
        }

        func put(_ values: [UInt32], at address: Int) {
            for (i, v) in values.enumerated() {
                withUnsafeBytes(of: v.littleEndian) { bytes.replaceSubrange((address + 4 * i)..<(address + 4 * i + 4), with: $0) }
            }
        }

        func u32(at address: Int) -> UInt32 {
            bytes[address..<(address + 4)].reversed().reduce(0) { $0 << 8 | UInt32($1) }
        }
    }

    struct Setup {
        let wasi: WASI
        let remote: FakeRemote
        let output: CapturedOutput
        let functions: [String: WASIHostFunction]

        init(size: Int = 65536, context: WASIContext = WASIContext(arguments: ["prog", "arg"])) throws {
            var context = context
            output = CapturedOutput()
            context.standardOutput = .capture(output)
            wasi = try WASI(context: context)
            remote = FakeRemote(size: size)
            wasi.bind(remote: remote)
            functions = Dictionary(uniqueKeysWithValues: wasi.hostFunctions.map { ($0.name, $0) })
        }

        /// Calls a function that answers an errno.
        func errno(_ name: String, _ arguments: [Value]) throws -> WASIErrno {
            let results = try functions[name]!.call(arguments)
            return WASIErrno(rawValue: UInt16(results[0].i32!))!
        }
    }

    @Test func everyFunctionIsThereWithItsType() throws {
        let setup = try Setup()
        // wasi_snapshot_preview1 has 46 functions; the linker gets the same list.
        #expect(setup.wasi.hostFunctions.count == 46)
        #expect(setup.functions["fd_write"]?.type.params == [.i32, .i32, .i32, .i32])
        #expect(setup.functions["proc_exit"]?.type.results == [])
    }

    @Test func aCallFetchesWhatItTouchesAndWritesBackOnlyWhatChanged() throws {
        let setup = try Setup()
        let remote = setup.remote
        remote.bytes.replaceSubrange(20000..<20005, with: Array("hello".utf8))
        remote.put([20000, 5], at: 100)  // one iovec at 100: "hello"
        #expect(try setup.errno("fd_write", [.i32(1), .i32(100), .i32(1), .i32(200)]) == .success)
        #expect(setup.output.text == "hello")
        #expect(remote.u32(at: 200) == 5)
        // Two pages fetched (the iovec and nwritten share page 0), one written back.
        #expect(remote.reads == [0..<4096, 16384..<20480])
        #expect(remote.writes == [0..<4096])

        // The next call fetches again (the guest may have changed memory).
        remote.reads = []
        remote.writes = []
        remote.bytes.replaceSubrange(20000..<20005, with: Array("world".utf8))
        #expect(try setup.errno("fd_write", [.i32(1), .i32(100), .i32(1), .i32(200)]) == .success)
        #expect(setup.output.text == "helloworld")
        #expect(remote.reads == [0..<4096, 16384..<20480])
        #expect(remote.writes == [])  // nwritten is 5 again: nothing changed

        // A range across pages is one read; the changed pages one write.
        remote.reads = []
        #expect(try setup.errno("random_get", [.i32(5000), .i32(10000)]) == .success)
        #expect(remote.reads == [4096..<16384])
        #expect(remote.writes == [4096..<16384])
        // A function that touches no memory asks nothing.
        remote.reads = []
        remote.writes = []
        #expect(try setup.errno("sched_yield", []) == .success)
        #expect(remote.reads.isEmpty && remote.writes.isEmpty)
    }

    @Test func theLastPartialPageAndAZeroSizedMemory() throws {
        // A memory whose size is not a multiple of the shadow's pages (custom page sizes).
        let setup = try Setup(size: 5000)
        #expect(try setup.errno("args_sizes_get", [.i32(4990), .i32(4996)]) == .success)
        #expect(setup.remote.u32(at: 4990) == 2)
        #expect(setup.remote.u32(at: 4996) == 9)  // "prog\0arg\0"
        #expect(setup.remote.reads == [4096..<5000])
        #expect(setup.remote.writes == [4096..<5000])
        #expect(try setup.errno("args_sizes_get", [.i32(4990), .i32(4997)]) == .fault)

        let empty = try Setup(size: 0)
        #expect(try empty.errno("args_sizes_get", [.i32(0), .i32(4)]) == .fault)
        #expect(try empty.errno("fd_write", [.i32(1), .i32(0), .i32(0), .i32(0)]) == .fault)
        #expect(empty.remote.reads.isEmpty && empty.remote.outOfBounds.isEmpty)
    }

    @Test func hostilePointersAreEFAULTWithoutAnAccessOutsideMemory() throws {
        let setup = try Setup()
        let remote = setup.remote
        let end: UInt32 = 65536
        // An iovec array that runs past the end, one whose buffer does, a huge count.
        #expect(try setup.errno("fd_write", [.i32(1), .i32(end - 4), .i32(1), .i32(0)]) == .fault)
        remote.put([end - 2, 10], at: 64)
        #expect(try setup.errno("fd_write", [.i32(1), .i32(64), .i32(1), .i32(0)]) == .fault)
        remote.put([0, UInt32.max], at: 64)
        #expect(try setup.errno("fd_read", [.i32(0), .i32(64), .i32(1), .i32(0)]) == .fault)
        #expect(try setup.errno("fd_write", [.i32(1), .i32(64), .i32(UInt32.max), .i32(0)]) == .invalid)
        // Results written to the last bytes, or wrapping past 4 GiB.
        #expect(try setup.errno("clock_time_get", [.i32(0), .i64(1), .i32(end - 7)]) == .fault)
        #expect(try setup.errno("clock_time_get", [.i32(0), .i64(1), .i32(UInt32.max)]) == .fault)
        #expect(try setup.errno("random_get", [.i32(1), .i32(UInt32.max)]) == .fault)
        #expect(try setup.errno("path_open", [.i32(3), .i32(0), .i32(end - 1), .i32(100), .i32(0), .i64(0), .i64(0), .i32(0), .i32(0)]) != .success)
        #expect(remote.outOfBounds.isEmpty)
        #expect(setup.output.text.isEmpty)
        // The memory outside what the calls wrote is untouched.
        #expect(remote.bytes[65000...].allSatisfy { $0 == 0 })
    }

    @Test func anUnreachableMemoryTrapsTheCall() throws {
        let setup = try Setup()
        setup.remote.failing = true
        #expect(throws: Trap.self) { try setup.functions["args_sizes_get"]!.call([.i32(0), .i32(4)]) }
        // Functions that need no memory still answer; the next call starts afresh.
        #expect(try setup.errno("sched_yield", []) == .success)
        setup.remote.failing = false
        #expect(try setup.errno("args_sizes_get", [.i32(0), .i32(4)]) == .success)
        #expect(setup.remote.u32(at: 0) == 2)
    }

    @Test func procExitLeavesTheStatusForTheEngine() throws {
        let setup = try Setup()
        #expect(throws: Trap.self) { try setup.functions["proc_exit"]!.call([.i32(7)]) }
        #expect(setup.wasi.exitCode == 7)
    }
}
