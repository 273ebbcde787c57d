#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import WasmRuntime
import WasmSyntax

/// `wasi_snapshot_preview1` for one program: host functions defined
/// through the embedding API (`Linker`, `Function`) over a `WASIContext`.
///
/// ```swift
/// let wasi = try WASI(context: context)
/// var linker = Linker()
/// wasi.define(in: &linker, store: store)
/// let instance = try linker.instantiate(module, in: store)
/// try wasi.start(instance)   // throws WASIExit on proc_exit, Trap on a trap
/// ```
public final class WASI {
    public static let moduleName = "wasi_snapshot_preview1"

    let context: WASIContext
    var descriptors = FileDescriptorTable()
    /// The memory guest pointers refer to: the instance's export "memory",
    /// bound by `start`/`bind` (host functions get no caller, so WASI
    /// remembers the one instance it serves, as WasmKit's WASI does).
    public private(set) var memory: Memory?
    /// Set by `proc_exit`; the trap that unwinds the guest carries no code.
    var exitCode: UInt32?

    /// Opens the preopened directories and sets up the standard streams.
    public init(context: WASIContext) throws(WASISetupError) {
        self.context = context
        for (index, output) in [(0, nil), (1, context.standardOutput), (2, context.standardError)] as [(Int32, WASIOutput?)] {
            let entry: FileDescriptor
            if index == 0, case .bytes(let bytes) = context.standardInput {
                entry = FileDescriptor(backing: .input(bytes), fileType: .characterDevice, rights: .stream, inheritingRights: [])
            } else if let output, case .inherit = output {
                entry = FileDescriptor(backing: .host(index, owned: false), fileType: Self.streamType(index), rights: .stream, inheritingRights: [])
            } else if let output {
                entry = FileDescriptor(backing: .output(output), fileType: .characterDevice, rights: .stream, inheritingRights: [])
            } else {
                entry = FileDescriptor(backing: .host(index, owned: false), fileType: Self.streamType(index), rights: .stream, inheritingRights: [])
            }
            _ = try? descriptors.insert(entry)
        }
        for preopen in context.preopens {
            let fd = open(preopen.hostPath, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
            guard fd >= 0 else { throw WASISetupError(path: preopen.hostPath, errno: WASIErrno.last) }
            let entry = FileDescriptor(backing: .host(fd, owned: true), fileType: .directory,
                                       rights: .directory, inheritingRights: .all)
            entry.preopenName = preopen.guestPath
            do {
                _ = try descriptors.insert(entry)
            } catch {
                throw WASISetupError(path: preopen.hostPath, errno: error)
            }
        }
    }

    /// The type a host standard stream reports: a terminal or other
    /// character device as such, anything else (pipes, files) as unknown,
    /// as wasmtime does, so guests do not take a pipe for a terminal.
    static func streamType(_ fd: Int32) -> WASIFileType {
        var s = stat()
        guard fstat(fd, &s) == 0 else { return .unknown }
        let type = HostFile.fileType(mode: s.st_mode)
        return type == .characterDevice || type == .regularFile ? type : .unknown
    }

    /// Defines every function of `wasi_snapshot_preview1` in `linker`.
    public func define(in linker: inout Linker, store: Store) {
        var definer = Definer(wasi: self, store: store, linker: linker)
        defineArguments(&definer)
        defineClocks(&definer)
        defineFiles(&definer)
        definePaths(&definer)
        definePoll(&definer)
        defineSockets(&definer)
        linker = definer.linker
    }

    /// Binds the instance's exported memory (required by every function
    /// that takes a pointer).
    public func bind(_ instance: Instance) {
        memory = instance.memory("memory")
    }

    /// Runs a command: binds `instance` and calls its `_start`. Returns
    /// when `_start` returns (exit status 0); throws `WASIExit` when the
    /// program calls `proc_exit`, a `Trap` when it traps, and
    /// `WASIStartError` when there is no `_start`.
    public func start(_ instance: Instance) throws {
        guard let function = instance.function("_start") else { throw WASIStartError.noStart }
        bind(instance)
        _ = try call(function, [])
    }

    /// Calls a function of the bound instance, turning `proc_exit` into `WASIExit`.
    public func call(_ function: WasmRuntime.Function, _ arguments: [Value]) throws -> [Value] {
        do {
            return try function.call(arguments)
        } catch {
            if let code = exitCode { throw WASIExit(code: code) }
            throw error
        }
    }

    /// The bound memory for one host call, or a trap: a WASI function that
    /// needs memory cannot answer with an errno when there is none.
    func guestMemory() throws -> GuestMemory {
        guard let memory else { throw Trap(.host("wasi: the module does not export a memory named \"memory\"")) }
        return GuestMemory(bytes: memory.withUnsafeMutableBytes { $0 })
    }
}

/// A preopened directory could not be opened.
public struct WASISetupError: Error, CustomStringConvertible {
    public var path: String
    public var errno: WASIErrno
    public var description: String { "cannot open directory \(path) (\(errno))" }
}

public enum WASIStartError: Error, CustomStringConvertible {
    case noStart
    public var description: String { "the module exports no _start function" }
}

/// The arguments of a host call, by position (their types were checked by
/// the store against the function type).
struct HostArguments {
    let values: [Value]
    subscript(_ index: Int) -> UInt32 { values[index].i32 ?? 0 }
    func u64(_ index: Int) -> UInt64 { values[index].i64 ?? 0 }
}

/// Defines the host functions, each answering an errno.
struct Definer {
    weak var wasi: WASI?
    let store: Store
    var linker: Linker

    init(wasi: WASI, store: Store, linker: Linker) {
        self.wasi = wasi
        self.store = store
        self.linker = linker
    }

    /// A function returning `$errno`: a thrown `WASIErrno` is the result;
    /// any other error (a trap, `proc_exit`) ends the call.
    mutating func define(_ name: String, _ params: [ValueType], _ body: @escaping (WASI, HostArguments) throws -> Void) {
        let owner = wasi
        let function = WasmRuntime.Function(store: store, type: FuncType(params: params, results: [.i32])) { [weak owner] values in
            let wasi = owner
            guard let wasi else { throw Trap(.host("wasi: the WASI context is gone")) }
            do {
                try body(wasi, HostArguments(values: values))
                return [.i32(0)]
            } catch let error as WASIErrno {
                return [.i32(UInt32(error.rawValue))]
            }
        }
        linker.define(module: WASI.moduleName, name: name, .function(function))
    }

    /// A function with no result (`proc_exit`).
    mutating func defineNoResult(_ name: String, _ params: [ValueType], _ body: @escaping (WASI, HostArguments) throws -> Void) {
        let owner = wasi
        let function = WasmRuntime.Function(store: store, type: FuncType(params: params, results: [])) { [weak owner] values in
            let wasi = owner
            guard let wasi else { throw Trap(.host("wasi: the WASI context is gone")) }
            try body(wasi, HostArguments(values: values))
            return []
        }
        linker.define(module: WASI.moduleName, name: name, .function(function))
    }
}
