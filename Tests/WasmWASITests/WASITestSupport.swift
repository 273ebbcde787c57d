import Foundation
import WasmWASI
import WasmBinary
import WasmInterpreter
import WasmJIT
import WasmRuntime
import WasmText
import Testing

/// The in-process tiers every WASI behaviour is checked on.
enum TestTier: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case interpreter
    case jit

    func make() -> any ExecutionTier {
        switch self {
        case .interpreter: return Interpreter()
        case .jit: return JIT()
        }
    }

    var testDescription: String { rawValue }
}

/// The repository's root (this file is Tests/WasmWASITests/WASITestSupport.swift).
let repositoryRoot: String = {
    var url = URL(fileURLWithPath: #filePath)
    for _ in 0..<3 { url.deleteLastPathComponent() }
    return url.path
}()

/// A fresh scratch directory, removed by the caller.
func scratchDirectory() -> String {
    let path = NSTemporaryDirectory() + "wasi-tests-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// A guest module in WAT, instantiated with WASI on a tier, with helpers to
/// put strings in its memory and call its exports.
final class Guest {
    let store: Store
    let wasi: WASI
    let instance: Instance

    init(_ wat: String, tier: TestTier, context: WASIContext, configure: (inout EngineConfiguration) -> Void = { _ in }) throws {
        var configuration = EngineConfiguration()
        configure(&configuration)
        let engine = Engine(configuration: configuration, tier: tier.make())
        store = Store(engine: engine)
        let module = try WasmRuntime.Module(engine: engine, bytes: encodeModule(try parseModule(wat)))
        wasi = try WASI(context: context)
        var linker = Linker()
        wasi.define(in: &linker, store: store)
        instance = try linker.instantiate(module, in: store)
        wasi.bind(instance)
    }

    var memory: Memory { instance.memory("memory")! }

    /// Runs `_start`: the exit status (0 when it returns).
    func start() throws -> UInt32 {
        do {
            try wasi.start(instance)
            return 0
        } catch let exit as WASIExit {
            return exit.code
        }
    }

    func call(_ name: String, _ arguments: [Value]) throws -> [Value] {
        try wasi.call(instance.function(name)!, arguments)
    }

    /// Calls an export that returns an errno.
    func errno(_ name: String, _ arguments: [Value]) throws -> WASIErrno {
        let results = try call(name, arguments)
        return WASIErrno(rawValue: UInt16(results[0].i32!))!
    }

    /// Writes a string at `address`; returns its pointer and length as arguments.
    func string(_ text: String, at address: Int) -> [Value] {
        memory.write(Array(text.utf8), at: address)
        return [.i32(UInt32(address)), .i32(UInt32(text.utf8.count))]
    }

    func u32(at address: Int) -> UInt32 {
        memory.read(at: address, count: 4)!.withUnsafeBytes { $0.loadUnaligned(as: UInt32.self) }
    }

    func u64(at address: Int) -> UInt64 {
        memory.read(at: address, count: 8)!.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }
}

/// A guest that re-exports WASI functions through wasm wrappers (so each
/// call goes tier -> host), with a memory of scratch space.
enum WASIShim {
    /// Parameter types of the functions the tests call.
    static let signatures: [(String, [String])] = [
        ("path_open", ["i32", "i32", "i32", "i32", "i32", "i64", "i64", "i32", "i32"]),
        ("path_create_directory", ["i32", "i32", "i32"]),
        ("path_unlink_file", ["i32", "i32", "i32"]),
        ("path_remove_directory", ["i32", "i32", "i32"]),
        ("path_rename", ["i32", "i32", "i32", "i32", "i32", "i32"]),
        ("path_link", ["i32", "i32", "i32", "i32", "i32", "i32", "i32"]),
        ("path_symlink", ["i32", "i32", "i32", "i32", "i32"]),
        ("path_filestat_get", ["i32", "i32", "i32", "i32", "i32"]),
        ("path_readlink", ["i32", "i32", "i32", "i32", "i32", "i32"]),
        ("fd_write", ["i32", "i32", "i32", "i32"]),
        ("fd_read", ["i32", "i32", "i32", "i32"]),
        ("fd_seek", ["i32", "i64", "i32", "i32"]),
        ("fd_tell", ["i32", "i32"]),
        ("fd_close", ["i32"]),
        ("fd_readdir", ["i32", "i32", "i32", "i64", "i32"]),
        ("fd_prestat_get", ["i32", "i32"]),
        ("fd_prestat_dir_name", ["i32", "i32", "i32"]),
        ("fd_fdstat_get", ["i32", "i32"]),
    ]

    static var wat: String {
        var text = "(module\n"
        for (name, params) in signatures {
            text += "  (import \"wasi_snapshot_preview1\" \"\(name)\" (func $\(name) (param \(params.joined(separator: " "))) (result i32)))\n"
        }
        for (name, params) in signatures {
            let gets = params.indices.map { "(local.get \($0))" }.joined(separator: " ")
            text += "  (func (export \"\(name)\") (param \(params.joined(separator: " "))) (result i32) (call $\(name) \(gets)))\n"
        }
        return text + "  (memory (export \"memory\") 1))"
    }
}

/// `path_open` arguments with wasi-libc's rights for read/write files.
extension Guest {
    static let oflagCreate: UInt32 = 1, oflagDirectory: UInt32 = 2, oflagExclusive: UInt32 = 4, oflagTruncate: UInt32 = 8

    /// Opens `path` beneath `directory`; the new descriptor, or the errno.
    func open(_ path: String, in directory: UInt32 = 3, oflags: UInt32 = 0, follow: Bool = true,
              rights: WASIRights = .all) throws -> Result<UInt32, WASIErrno> {
        let errno = try self.errno("path_open", [.i32(directory), .i32(follow ? 1 : 0)] + string(path, at: 1024)
                                   + [.i32(oflags), .i64(rights.rawValue), .i64(WASIRights.all.rawValue), .i32(0), .i32(512)])
        return errno == .success ? .success(u32(at: 512)) : .failure(errno)
    }

    /// Writes `text` to `fd` with one iovec; the errno.
    func write(_ text: String, to fd: UInt32) throws -> WASIErrno {
        memory.write(Array(text.utf8), at: 4096)
        memory.write(withUnsafeBytes(of: (UInt32(4096), UInt32(text.utf8.count))) { Array($0) }, at: 256)
        return try errno("fd_write", [.i32(fd), .i32(256), .i32(1), .i32(264)])
    }

    /// Reads up to `count` bytes from `fd`.
    func read(_ fd: UInt32, count: Int) throws -> Result<[UInt8], WASIErrno> {
        memory.write(withUnsafeBytes(of: (UInt32(8192), UInt32(count))) { Array($0) }, at: 256)
        let errno = try self.errno("fd_read", [.i32(fd), .i32(256), .i32(1), .i32(264)])
        guard errno == .success else { return .failure(errno) }
        return .success(memory.read(at: 8192, count: Int(u32(at: 264)))!)
    }
}

extension Result where Failure == WASIErrno {
    /// The errno of a failed call (`success` if it succeeded).
    var errno: WASIErrno {
        if case .failure(let e) = self { return e }
        return .success
    }
}
